// The run directory: its record, its weight files, and loading a run for inference.
#include "seq2seq/run/run.h"

#include "seq2seq/models/factory.h"
#include "seq2seq/run/run_lock.h"
#include "seq2seq/system/precision.h"
#include "seq2seq/util/errors.h"
#include "seq2seq/util/io.h"
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

bool has_weights(const RunPaths& paths) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(paths.dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".next") == 0) name.resize(name.size() - 5);
    const bool checkpoint = std::find(std::begin(kCheckpointFiles), std::end(kCheckpointFiles), name) !=
                            std::end(kCheckpointFiles);
    if (checkpoint || name == "averaged.pt" || snapshot_step(name)) return true;
  }
  return false;
}

std::vector<std::string> record_files(const DataConfig& data) {
  std::vector<std::string> names = {"config.json", "vocab.src.json", "vocab.tgt.json"};
  if (data.tokenizer != "word")
    for (const auto& name : data::spm_model_files(data)) names.push_back(name);
  return names;
}

void record_run_files(const RunPaths& paths, const DataConfig& data, TrainState& state) {
  for (const auto& name : record_files(data))
    if (!state.checksums.count(name)) state.checksums[name] = sha256_file(paths.file(name));
}

namespace {

// The file to read for record file `name`: checked when state.json records its checksum (the
// staged copy during a resume's commit included), as it is otherwise. Sets `unrecorded`.
std::string record_file(const RunPaths& paths, const TrainState* state, const std::string& name, bool& unrecorded) {
  if (state && state->checksums.count(name)) return checked_file(paths, state, name);
  unrecorded = true;
  return paths.file(name);
}

}  // namespace

RunRecord read_run_record(const RunPaths& paths, bool unverified) {
  require_run_dir(paths.dir);
  RunRecord record;
  if (file_exists(paths.state())) {
    record.state = load_state(paths.state());
  } else if (has_weights(paths)) {
    if (!unverified)
      throw UsageError(paths.dir + ": holds weights but no state.json, so neither the weights nor config.json and the "
                       "vocabularies can be checked; restore state.json, or pass --unverified to load them unchecked");
    spdlog::warn("{}: no state.json; loading its weights, config.json and vocabularies unchecked (--unverified)",
                 paths.dir);
  }
  const TrainState* state = record.state ? &*record.state : nullptr;
  // config.json first: it names the other record files (the SentencePiece models).
  bool unrecorded = false;
  record.config = load_config(record_file(paths, state, "config.json", unrecorded));
  const auto names = record_files(record.config.data);
  record.src_vocab = data::Vocab::load(record_file(paths, state, names[1], unrecorded));
  record.tgt_vocab = data::Vocab::load(record_file(paths, state, names[2], unrecorded));
  for (size_t i = 3; i < names.size(); ++i) {
    const std::string path = record_file(paths, state, names[i], unrecorded);
    if (!file_exists(path))
      throw std::runtime_error(path + ": missing SentencePiece model (config.json's data.tokenizer is \"" +
                               record.config.data.tokenizer + "\"); restore it or train the run again");
    record.spm_models.push_back(read_file(path));
  }
  if (state && unrecorded && !state->checksums.empty())
    spdlog::info("{}: no checksums of config.json and the vocabularies recorded (a run written before they were); "
                 "reading them unchecked", paths.dir);
  return record;
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

Precision run_precision(const std::string& requested, const std::optional<TrainState>& state, const Config& config) {
  Precision precision = Precision::fp32;
  std::string chosen_by;
  if (!requested.empty()) {
    precision = resolve_precision(parse_precision(requested, "--precision"));
    chosen_by = "--precision " + requested;
  } else if (state) {
    precision = parse_precision(state->precision, "state.json: precision");  // fp32 or bf16 (parse_state checks)
    chosen_by = "the run's precision (state.json)";
  } else {
    precision = resolve_precision(config.train.precision);  // --unverified without state.json
    chosen_by = "train.precision";
  }
  warn_if_slow_bf16(precision, chosen_by);
  return precision;
}

LoadedRun load_run(const RunOptions& options) {
  LoadedRun run;
  run.paths = RunPaths{options.dir};
  RunRecord record_files = read_run_record(run.paths, options.unverified);
  run.config = std::move(record_files.config);
  run.src_vocab = std::move(record_files.src_vocab);
  run.tgt_vocab = std::move(record_files.tgt_vocab);
  run.tokenizers = data::make_tokenizers(run.config.data, record_files.spm_models);  // the run's own models
  run.state = std::move(record_files.state);
  run.device = resolve_device(options.device);
  run.precision = run_precision(options.precision, run.state, run.config);
  run.model = models::make_model(run.config.model, run.src_vocab.size(), run.tgt_vocab.size());
  const std::optional<TrainState>& state = run.state;
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
