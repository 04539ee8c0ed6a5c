// The run directory: its record, its weight files, and loading a run for inference.
#include "seq2seq/run/run.h"

#include "seq2seq/util/errors.h"
#include "seq2seq/util/io.h"
#include "seq2seq/models/factory.h"
#include "seq2seq/run/run_lock.h"
#include "seq2seq/util/sha256.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

namespace seq2seq {

torch::Device resolve_device(const std::string& name) {
  if (name == "cpu") return torch::kCPU;
  if (name == "cuda") {
    if (!torch::cuda::is_available())
      throw UsageError(
          "--device cuda: no CUDA device is available (this LibTorch build or machine has none); use --device cpu");
    return torch::kCUDA;
  }
  if (name == "auto" || name.empty()) return torch::cuda::is_available() ? torch::kCUDA : torch::kCPU;
  throw UsageError("--device " + name + ": unknown device (use auto, cpu or cuda)");
}

void require_run_dir(const std::string& dir) {
  if (!std::filesystem::is_directory(dir))
    throw UsageError(dir + ": no such run directory (train one with: seq2seq train --config FILE --run " + dir + ")");
  if (!file_exists(RunPaths{dir}.config()))
    throw UsageError(dir + ": not a run directory (no config.json; train one with: seq2seq train --config FILE --run " +
                     dir + ")");
}

std::string snapshot_file(int64_t step) { return fmt::format("snapshot-{:08d}.pt", step); }

std::optional<int64_t> snapshot_step(const std::string& weights) {
  const std::string prefix = "snapshot-";
  if (weights.rfind(prefix, 0) != 0) return std::nullopt;
  std::string digits = weights.substr(prefix.size());
  if (digits.size() > 3 && digits.compare(digits.size() - 3, 3, ".pt") == 0) digits.resize(digits.size() - 3);
  if (digits.empty() || digits.size() > 12 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::stoll(digits);
}

bool is_weights_name(const std::string& weights) {
  return weights == "best" || weights == "last" || weights == "averaged" || snapshot_step(weights).has_value();
}

LoadedRun load_run(const RunOptions& options) {
  require_run_dir(options.dir);
  LoadedRun run;
  run.paths = RunPaths{options.dir};
  run.config = load_config(run.paths.config());
  run.src_vocab = data::Vocab::load(run.paths.src_vocab());
  run.tgt_vocab = data::Vocab::load(run.paths.tgt_vocab());
  run.tokenizers = data::load_tokenizers(run.config.data, run.paths.dir);  // the run's own SentencePiece models
  run.device = resolve_device(options.device);
  run.model = models::make_model(run.config.model, run.src_vocab.size(), run.tgt_vocab.size());
  std::optional<TrainState> state;
  if (file_exists(run.paths.state())) state = load_state(run.paths.state());
  const TrainState* record = state ? &*state : nullptr;
  std::string name;
  if (options.checkpoint == "best") {
    const bool has_best = file_exists(run.paths.best()) || (state && state->checksums.count("best.pt"));
    name = has_best ? "best.pt" : "model.pt";
  } else if (options.checkpoint == "last") {
    name = "model.pt";
  } else if (options.checkpoint == "averaged") {
    name = "averaged.pt";
    if (!file_exists(run.paths.averaged()) && !(state && state->checksums.count(name)))
      throw UsageError(run.paths.averaged() + ": missing; train with train.average_last N, or write it with "
                       "seq2seq average --run " + options.dir + " --last N");
  } else if (const auto step = snapshot_step(options.checkpoint)) {
    // snapshot-STEP: one of the snapshots train.average_last keeps (the weights at that validation).
    name = snapshot_file(*step);
    const std::vector<std::string> kept = state ? state->snapshots : std::vector<std::string>{};
    if (std::find(kept.begin(), kept.end(), name) == kept.end()) {
      std::string list;
      for (const auto& snapshot : kept) list += (list.empty() ? "" : " ") + snapshot;
      throw UsageError(fmt::format("--weights {}: {} keeps no {}; its snapshots: {}", options.checkpoint, options.dir,
                                   name, list.empty() ? "none (train with train.average_last N)" : list));
    }
  } else {
    throw UsageError("--weights " + options.checkpoint + ": unknown weights (use " + kWeightsNames + ")");
  }
  run.checkpoint = run.paths.file(name);
  load_module(*run.model, checked_file(run.paths, record, name), run.device);
  run.model->to(run.device);
  run.model->eval();
  return run;
}

}  // namespace seq2seq
