// `seq2seq doctor`: what LibTorch, BLAS and the CPU offer on this machine.
#include "commands.h"

#include "seq2seq/system/doctor.h"
#include "seq2seq/train/launch.h"

#include <spdlog/spdlog.h>

#include <iostream>

namespace seq2seq::cli {

Command add_doctor(CLI::App& root) {
  auto* app = root.add_subcommand(
      "doctor", "Report LibTorch version, devices, threads, BLAS, native bf16 and GFLOP/s (fp32, bf16)");
  auto json = std::make_shared<bool>(false);
  auto quick = std::make_shared<bool>(false);
  app->add_flag("--json", *json, "Print one JSON object");
  app->add_flag("--no-gemm", *quick, "Skip the matrix-product measurement");
  return {app, [=] {
            nlohmann::json report = doctor_report(!*quick);
            report["distributed"] = {{"available", train::distributed_available()},
                                     {"backends", train::distributed_backends()},
                                     {"missing", train::distributed_unavailable_reason()}};
            if (report["blas"]["reference"].get<bool>())
              spdlog::warn(
                  "LibTorch is using the reference BLAS ({}): expect ~30x slower training. "
                  "Install libopenblas0-openmp (scripts/setup.sh does).",
                  report["blas"]["library"].get<std::string>());
            else if (report["blas"]["name"] == "unknown")
              spdlog::warn("could not tell which BLAS is loaded");
            if (*json) {
              std::cout << report.dump(2) << "\n";
              return 0;
            }
            std::cout << "seq2seq          " << report["seq2seq_version"].get<std::string>() << "\n"
                      << "LibTorch         " << report["libtorch_version"].get<std::string>() << "\n"
                      << "CUDA             "
                      << (report["cuda_available"].get<bool>()
                              ? "yes, " + std::to_string(report["cuda_devices"].get<int64_t>()) + " device(s)"
                              : std::string("no"))
                      << "\n"
                      << "threads          " << report["threads"] << " (hardware: " << report["hardware_threads"]
                      << ")\n"
                      << "denormals        "
                      << (report["denormals_flushed"].get<bool>() ? "flushed to zero (FTZ/DAZ)"
                                                                  : "kept (SEQ2SEQ_KEEP_DENORMALS=1)")
                      << "\n"
                      << "BLAS             " << report["blas"]["name"].get<std::string>() << "  "
                      << report["blas"]["library"].get<std::string>() << "\n";
            const auto& dist = report["distributed"];
            std::string backends;
            for (const auto& b : dist["backends"]) backends += (backends.empty() ? "" : ", ") + b.get<std::string>();
            std::cout << "distributed      "
                      << (dist["available"].get<bool>() ? "c10d: " + backends + " (train --nproc N)"
                                                        : "unavailable: " + dist["missing"].get<std::string>())
                      << "\n";
            std::cout << "bf16             "
                      << (report["native_bf16"].get<bool>()
                              ? "native (avx512_bf16/amx_bf16): train.precision auto trains in bf16"
                              : "not native (emulated, slower than fp32): train.precision auto trains in fp32")
                      << "\n";
            if (report.contains("gemm"))
              std::cout << "fp32 GEMM 1024   " << fmt::format("{:.1f}", report["gemm"]["gflops"].get<double>())
                        << " GFLOP/s\n";
            if (report.contains("gemm_bf16"))
              std::cout << "bf16 GEMM 1024   " << fmt::format("{:.1f}", report["gemm_bf16"]["gflops"].get<double>())
                        << " GFLOP/s\n";
            return 0;
          }};
}

}  // namespace seq2seq::cli
