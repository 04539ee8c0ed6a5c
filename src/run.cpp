// The run directory: its record, its weight files, and loading a run for inference.
#include "seq2seq/run.h"

#include "seq2seq/errors.h"
#include "seq2seq/io.h"
#include "seq2seq/models/factory.h"
#include "seq2seq/run_lock.h"
#include "seq2seq/sha256.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

namespace seq2seq {

void save_module(torch::nn::Module& module, const std::string& path) {
  // Serialized in memory first: LibTorch 1.13's file writer throws again from its destructor
  // after a failed write (disk full, ulimit -f), which terminates the process.
  torch::serialize::OutputArchive archive;
  module.save(archive);
  std::ostringstream bytes;
  archive.save_to(bytes);
  write_file_atomic(path, bytes.str());
}

namespace {
// The SHA-256 state.json records for a checkpoint file, or nullptr.
const std::string* recorded_checksum(const TrainState* state, const std::string& name) {
  if (!state) return nullptr;
  const auto found = state->checksums.find(name);
  return found == state->checksums.end() ? nullptr : &found->second;
}
}  // namespace

std::string checked_file(const RunPaths& paths, const TrainState* state, const std::string& name) {
  const std::string path = paths.file(name);
  const std::string* recorded = recorded_checksum(state, name);
  if (!recorded) {
    spdlog::info("{}: no checksum recorded (a run written before checksums); loading it unchecked", path);
    return path;
  }
  std::string actual;
  if (file_exists(path)) {
    actual = sha256_file(path);
    if (actual == *recorded) return path;
  }
  // A crash between committing state.json and the rename leaves the named bytes staged.
  const std::string staged = paths.staged(name);
  if (file_exists(staged) && sha256_file(staged) == *recorded) {
    spdlog::debug("{}: using the committed copy {}", path, staged);
    return staged;
  }
  if (actual.empty())
    throw std::runtime_error(path + ": missing, but " + paths.state() +
                             " records it; restore the file or retrain the run");
  throw std::runtime_error(path + ": checksum mismatch, the file is corrupt (SHA-256 " + actual.substr(0, 12) +
                           "..., " + paths.state() + " records " + recorded->substr(0, 12) +
                           "...); restore it from a copy or retrain the run");
}

void settle_staged(const RunPaths& paths, const TrainState* state) {
  std::vector<std::string> names(std::begin(kCheckpointFiles), std::end(kCheckpointFiles));
  names.push_back("averaged.pt");
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(paths.dir, ec)) {
    const std::string file = entry.path().filename().string();
    if (file.rfind("snapshot-", 0) != 0) continue;
    const std::string name = file.size() > 5 && file.substr(file.size() - 5) == ".next" ? file.substr(0, file.size() - 5) : file;
    const bool named = state && std::find(state->snapshots.begin(), state->snapshots.end(), name) != state->snapshots.end();
    if (named)
      names.push_back(name);
    else if (file == name)
      std::filesystem::remove(entry.path(), ec);  // pruned, but a crash came before the removal
    else
      names.push_back(name);  // staged and never committed: removed below
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  for (const std::string& name : names) {
    const std::string staged = paths.staged(name);
    if (!file_exists(staged)) continue;
    const std::string* recorded = recorded_checksum(state, name);
    if (recorded && sha256_file(staged) == *recorded) {
      spdlog::info("{}: finishing the checkpoint an interruption left staged", paths.file(name));
      std::filesystem::rename(staged, paths.file(name));
    } else {
      std::filesystem::remove(staged);  // written, never committed
    }
  }
}

void remove_stale_temporaries(const RunPaths& paths) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(paths.dir, ec))
    if (entry.path().filename().string().find(".tmp.") != std::string::npos) std::filesystem::remove(entry.path(), ec);
}

void commit_staged(const RunPaths& paths, const std::vector<std::string>& names) {
  for (const auto& name : names) std::filesystem::rename(paths.staged(name), paths.file(name));
}

void load_module(torch::nn::Module& module, const std::string& path, const torch::Device& device) {
  if (!file_exists(path))
    throw std::runtime_error(path + ": missing checkpoint (was the run trained to a first validation?)");
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path, device);
    module.load(archive);
  } catch (const c10::Error& e) {
    throw std::runtime_error(path + ": cannot load weights, the file is corrupt, truncated or from another model (" +
                             first_line(e.what_without_backtrace()) + ")");
  }
}

void average_weights(torch::nn::Module& module, const std::vector<std::string>& files, const torch::Device& device) {
  if (files.empty()) throw std::invalid_argument("average_weights: no files");
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> targets;
  for (auto& p : module.parameters()) targets.push_back(p);
  for (auto& b : module.buffers()) targets.push_back(b);
  std::vector<torch::Tensor> sums(targets.size());
  for (const auto& file : files) {
    load_module(module, file, device);
    for (size_t i = 0; i < targets.size(); ++i) {
      if (!targets[i].is_floating_point()) continue;  // integer buffers keep the last file's values
      auto value = targets[i].to(torch::kDouble);
      sums[i] = sums[i].defined() ? sums[i] + value : value;
    }
  }
  for (size_t i = 0; i < targets.size(); ++i)
    if (sums[i].defined()) targets[i].copy_(sums[i] / static_cast<double>(files.size()));
}

std::vector<std::string> average_run(const std::string& dir, int last) {
  require_run_dir(dir);
  if (last < 1) throw UsageError("average: --last " + std::to_string(last) + ": give at least 1");
  const RunPaths paths{dir};
  RunLock lock(dir);  // not while a trainer writes the run
  if (!file_exists(paths.state())) throw UsageError(dir + ": no state.json yet (the run has no checkpoint)");
  TrainState state = load_state(paths.state());
  if (static_cast<int>(state.snapshots.size()) < last)
    throw UsageError(fmt::format("average: {} keeps {} snapshot(s) and --last is {}; train it with "
                                 "train.average_last {} or more (or ask for fewer)",
                                 dir, state.snapshots.size(), last, last));
  const Config config = load_config(paths.config());
  const auto src_vocab = data::Vocab::load(paths.src_vocab());
  const auto tgt_vocab = data::Vocab::load(paths.tgt_vocab());
  auto model = models::make_model(config.model, src_vocab.size(), tgt_vocab.size());
  const std::vector<std::string> names(state.snapshots.end() - last, state.snapshots.end());
  std::vector<std::string> files;
  for (const auto& name : names) files.push_back(checked_file(paths, &state, name));
  average_weights(*model, files, torch::kCPU);
  save_module(*model, paths.staged("averaged.pt"));
  state.checksums["averaged.pt"] = sha256_file(paths.staged("averaged.pt"));
  state.averaged_from = names;
  save_state(state, paths.state());
  commit_staged(paths, {"averaged.pt"});
  return names;
}

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
