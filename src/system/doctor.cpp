// Environment report for `seq2seq doctor` and the benchmarks.
#include "seq2seq/system/doctor.h"

#include "seq2seq/system/precision.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include <sys/resource.h>

namespace seq2seq {

BlasInfo detect_blas() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  BlasInfo info{"unknown", "", false};
  // Prefer the most specific match: an optimized BLAS may be loaded beside libblas.so.3.
  int best = 0;
  while (std::getline(maps, line)) {
    auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    std::string path = line.substr(slash);
    std::string file = path.substr(path.rfind('/') + 1);
    int rank = 0;
    BlasInfo candidate{"", path, false};
    if (file.find("openblas") != std::string::npos || path.find("/openblas") != std::string::npos) {
      rank = 3;
      candidate.name = path.find("openmp") != std::string::npos    ? "OpenBLAS (openmp)"
                       : path.find("pthread") != std::string::npos ? "OpenBLAS (pthread)"
                                                                   : "OpenBLAS";
    } else if (file.find("mkl") != std::string::npos) {
      rank = 3;
      candidate.name = "Intel MKL";
    } else if (file.find("blis") != std::string::npos) {
      rank = 3;
      candidate.name = "BLIS";
    } else if (file.find("atlas") != std::string::npos || path.find("/atlas/") != std::string::npos) {
      rank = 2;
      candidate.name = "ATLAS";
    } else if (file.rfind("libblas.so", 0) == 0) {
      // Debian's alternatives point libblas.so.3 at the reference BLAS unless an optimized one
      // provides it; the resolved path tells which.
      rank = 1;
      candidate.name = "reference BLAS (netlib)";
      candidate.is_reference = true;
    }
    if (rank > best) {
      best = rank;
      info = candidate;
    }
  }
  return info;
}

namespace {

// n x n x n products of `dtype` matrices, best of `trials` runs of ~min_seconds each.
double gemm_gflops(int64_t n, int trials, double min_seconds, torch::ScalarType dtype) {
  torch::NoGradGuard no_grad;
  auto a = torch::randn({n, n}).to(dtype);
  auto b = torch::randn({n, n}).to(dtype);
  auto c = torch::mm(a, b);  // warm-up
  double best = 0;
  for (int t = 0; t < trials; ++t) {
    int reps = 0;
    auto begin = std::chrono::steady_clock::now();
    double elapsed = 0;
    do {
      torch::mm_out(c, a, b);
      ++reps;
      elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    } while (elapsed < min_seconds);
    best = std::max(best, 2.0 * n * n * n * reps / elapsed / 1e9);
  }
  return best;
}

}  // namespace

double measure_gemm_gflops(int64_t n, int trials, double min_seconds) {
  return gemm_gflops(n, trials, min_seconds, torch::kFloat);
}

double measure_bf16_gemm_gflops(int64_t n, int trials, double min_seconds) {
  return gemm_gflops(n, trials, min_seconds, torch::kBFloat16);
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;  // ru_maxrss is KiB on Linux
}

void set_threads(int threads) { torch::set_num_threads(threads); }

namespace {
bool g_denormals_flushed = false;  // what flush_denormals() did, for the report
}  // namespace

bool flush_denormals() {
  const char* keep = std::getenv("SEQ2SEQ_KEEP_DENORMALS");
  if (keep != nullptr && std::string(keep) == "1") return false;
  g_denormals_flushed = at::globalContext().setFlushDenormal(true);
  return g_denormals_flushed;
}

nlohmann::json doctor_report(bool measure) {
  nlohmann::json j;
  j["seq2seq_version"] = SEQ2SEQ_VERSION;
  j["libtorch_version"] = TORCH_VERSION;
  j["cuda_available"] = torch::cuda::is_available();
  j["cuda_devices"] = static_cast<int64_t>(torch::cuda::device_count());
  j["threads"] = torch::get_num_threads();
  j["denormals_flushed"] = g_denormals_flushed;
  j["hardware_threads"] = std::thread::hardware_concurrency();
  BlasInfo blas = detect_blas();
  j["blas"] = {{"name", blas.name}, {"library", blas.library}, {"reference", blas.is_reference}};
  j["native_bf16"] = native_bf16();
  if (measure) {
    j["gemm"] = {{"n", 1024}, {"gflops", measure_gemm_gflops(1024)}};
    j["gemm_bf16"] = {{"n", 1024}, {"gflops", measure_bf16_gemm_gflops(1024)}};
  }
  return j;
}

}  // namespace seq2seq
