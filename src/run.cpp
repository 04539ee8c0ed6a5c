// The run directory: its record, its weight files, and loading a run for inference.
#include "seq2seq/run.h"

#include "seq2seq/errors.h"
#include "seq2seq/io.h"
#include "seq2seq/models/factory.h"

#include <filesystem>
#include <stdexcept>
#include <string>

namespace seq2seq {

void save_state(const TrainState& state, const std::string& path) {
  write_file_atomic(path, nlohmann::json(state).dump(1) + "\n");
}

TrainState load_state(const std::string& path) {
  if (!file_exists(path))
    throw std::runtime_error(path + ": missing; this run cannot be resumed (train it again without --resume)");
  try {
    return nlohmann::json::parse(read_file(path)).get<TrainState>();
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(path + ": corrupt or truncated training state (" + first_line(e.what()) +
                             "); train again without --resume");
  }
}

void save_module(torch::nn::Module& module, const std::string& path) {
  write_atomic_with(path, [&](const std::string& tmp) {
    torch::serialize::OutputArchive archive;
    module.save(archive);
    archive.save_to(tmp);
  });
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

LoadedRun load_run(const RunOptions& options) {
  require_run_dir(options.dir);
  LoadedRun run;
  run.paths = RunPaths{options.dir};
  run.config = load_config(run.paths.config());
  run.src_vocab = data::Vocab::load(run.paths.src_vocab());
  run.tgt_vocab = data::Vocab::load(run.paths.tgt_vocab());
  run.tokenizer = data::make_tokenizer(run.config.data);
  run.device = resolve_device(options.device);
  run.model = models::make_model(run.config.model, run.src_vocab.size(), run.tgt_vocab.size());
  if (options.checkpoint == "best") {
    run.checkpoint = file_exists(run.paths.best()) ? run.paths.best() : run.paths.last();
  } else if (options.checkpoint == "last") {
    run.checkpoint = run.paths.last();
  } else {
    throw UsageError("--checkpoint " + options.checkpoint + ": unknown checkpoint (use best or last)");
  }
  load_module(*run.model, run.checkpoint, run.device);
  run.model->to(run.device);
  run.model->eval();
  return run;
}

}  // namespace seq2seq
