// Which run directory, which of its weights and which device to load (torch-free, so that the
// command-line files that only name a run compile without LibTorch's headers).
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace seq2seq {

struct RunOptions {
  std::string dir;
  // best (falls back to the last weights without a best.pt) | last | averaged (train.average_last)
  // | snapshot-STEP (one of the snapshots train.average_last keeps)
  std::string checkpoint = "best";
  std::string device = "auto";      // auto | cpu | cuda
  // --unverified: load a run whose state.json is missing (its weights and files then unchecked).
  bool unverified = false;
  // The forward passes' precision: "" = the one the run trained with (state.json), so that eval
  // reproduces validation; or fp32 | bf16 | auto (bf16 where the CPU computes it natively).
  std::string precision{};  // (a default member initializer: aggregates may leave it out)
};

// The file of the snapshot train.average_last keeps at `step`: "snapshot-00002951.pt".
std::string snapshot_file(int64_t step);
// The step of `--weights snapshot-STEP` (also "snapshot-00002951.pt"), or nothing for other names.
std::optional<int64_t> snapshot_step(const std::string& weights);
// Whether `weights` names weights a run can have: one of kWeightsNames.
bool is_weights_name(const std::string& weights);
// The names `--weights` takes, as the error messages list them.
inline constexpr const char* kWeightsNames = "best, last, averaged or snapshot-STEP";

}  // namespace seq2seq
