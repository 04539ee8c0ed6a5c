// What the machine offers: LibTorch build, devices, threads, BLAS, matrix-product rate.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace seq2seq {

struct BlasInfo {
  std::string name;     // "OpenBLAS (openmp)", "reference BLAS", "MKL", ...
  std::string library;  // path of the mapped shared object
  bool is_reference = false;
};

// Reads /proc/self/maps to see which BLAS library the process actually loaded.
BlasInfo detect_blas();

// fp32 n x n x n matrix product rate in GFLOP/s (best of `trials` runs of ~min_seconds each).
double measure_gemm_gflops(int64_t n, int trials = 3, double min_seconds = 0.5);
// The same for bf16 matrices (oneDNN; fp32 accumulation), what train.precision bf16 multiplies
// with. On a CPU without native bf16 (system/precision.h) it is emulated and below the fp32 rate.
double measure_bf16_gemm_gflops(int64_t n, int trials = 3, double min_seconds = 0.5);

// Threads LibTorch uses for intra-op parallelism (it starts with 1 here); call before tensor work.
void set_threads(int threads);

// Flushes denormal floats (magnitudes below 1.2e-38) to zero (x86 FTZ/DAZ) on this thread and on
// the threads it starts afterwards (LibTorch's OpenMP pool), as torch.set_flush_denormal(True).
// Training drives some gradients, attention weights and Adam moments into that range, where every
// operation on them costs about a hundred times more: without it, a Bahdanau run on the synthetic
// corpus slowed from 7.5k to 4.7k tokens/s as it trained. Call before the first tensor work.
// SEQ2SEQ_KEEP_DENORMALS=1 in the environment leaves them alone. Returns whether they are flushed.
bool flush_denormals();

// Peak resident set size of this process in MiB.
double peak_rss_mb();

nlohmann::json doctor_report(bool measure);

}  // namespace seq2seq
