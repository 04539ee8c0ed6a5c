// Run-directory persistence: atomic writes, clear errors on corrupt files, and run loading.
#include "seq2seq/train/checkpoint.h"

#include "seq2seq/errors.h"
#include "seq2seq/io.h"
#include "seq2seq/models/factory.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <filesystem>
#include <fstream>

namespace seq2seq::train {

namespace {
nlohmann::json number_or_null(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(); }
double number_or_nan(const nlohmann::json& j) {
  return j.is_null() ? std::numeric_limits<double>::quiet_NaN() : j.get<double>();
}
std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }
}  // namespace

void to_json(nlohmann::json& j, const TrainState& s) {
  j = {{"step", s.step},
       {"epoch", s.epoch},
       {"batch_in_epoch", s.batch_in_epoch},
       {"best_score", number_or_null(s.best_score)},
       {"best_step", s.best_step},
       {"bad_validations", s.bad_validations},
       {"validations", s.validations},
       {"schedule", s.schedule},
       {"elapsed_s", s.elapsed_s},
       {"train_s", s.train_s},
       {"tokens", s.tokens},
       {"complete", s.complete},
       {"stop_reason", s.stop_reason},
       {"parameters", s.parameters},
       {"device", s.device},
       {"interval_loss", s.interval_loss},
       {"interval_steps", s.interval_steps},
       {"interval_tokens", s.interval_tokens},
       {"interval_time", s.interval_time},
       {"rng", s.rng}};
}

void from_json(const nlohmann::json& j, TrainState& s) {
  j.at("step").get_to(s.step);
  j.at("epoch").get_to(s.epoch);
  j.at("batch_in_epoch").get_to(s.batch_in_epoch);
  s.best_score = number_or_nan(j.at("best_score"));
  j.at("best_step").get_to(s.best_step);
  j.at("bad_validations").get_to(s.bad_validations);
  j.at("validations").get_to(s.validations);
  s.schedule = j.at("schedule");
  j.at("elapsed_s").get_to(s.elapsed_s);
  j.at("train_s").get_to(s.train_s);
  j.at("tokens").get_to(s.tokens);
  j.at("complete").get_to(s.complete);
  j.at("stop_reason").get_to(s.stop_reason);
  j.at("parameters").get_to(s.parameters);
  j.at("device").get_to(s.device);
  j.at("interval_loss").get_to(s.interval_loss);
  j.at("interval_steps").get_to(s.interval_steps);
  j.at("interval_tokens").get_to(s.interval_tokens);
  j.at("interval_time").get_to(s.interval_time);
  j.at("rng").get_to(s.rng);
}

void save_state(const TrainState& state, const std::string& path) {
  write_file_atomic(path, nlohmann::json(state).dump(1) + "\n");
}

TrainState load_state(const std::string& path) {
  if (!file_exists(path)) throw std::runtime_error(path + ": missing; this run cannot be resumed (train it again without --resume)");
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
  if (!file_exists(path)) throw std::runtime_error(path + ": missing checkpoint (was the run trained to a first validation?)");
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path, device);
    module.load(archive);
  } catch (const c10::Error& e) {
    throw std::runtime_error(path + ": cannot load weights, the file is corrupt, truncated or from another model (" +
                             first_line(e.what_without_backtrace()) + ")");
  }
}

void save_optimizer(torch::optim::Optimizer& optimizer, const std::string& path) {
  write_atomic_with(path, [&](const std::string& tmp) {
    torch::serialize::OutputArchive archive;
    optimizer.save(archive);
    archive.save_to(tmp);
  });
}

void load_optimizer(torch::optim::Optimizer& optimizer, const std::string& path) {
  if (!file_exists(path)) throw std::runtime_error(path + ": missing; this run cannot be resumed (train it again without --resume)");
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path);
    optimizer.load(archive);
  } catch (const c10::Error& e) {
    throw std::runtime_error(path + ": cannot load optimizer state, the file is corrupt or truncated (" +
                             first_line(e.what_without_backtrace()) + ")");
  }
}

std::string rng_state() {
  auto generator = at::detail::getDefaultCPUGenerator();
  torch::Tensor state;
  {
    std::lock_guard<std::mutex> lock(generator.mutex());
    state = generator.get_state();
  }
  static const char* digits = "0123456789abcdef";
  std::string hex;
  const auto* bytes = state.data_ptr<uint8_t>();
  hex.reserve(state.numel() * 2);
  for (int64_t i = 0; i < state.numel(); ++i) {
    hex.push_back(digits[bytes[i] >> 4]);
    hex.push_back(digits[bytes[i] & 15]);
  }
  return hex;
}

void set_rng_state(const std::string& hex) {
  if (hex.empty() || hex.size() % 2) throw std::runtime_error("state.json: rng: corrupt generator state");
  auto state = torch::empty({static_cast<int64_t>(hex.size() / 2)}, torch::kUInt8);
  auto* bytes = state.data_ptr<uint8_t>();
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    throw std::runtime_error("state.json: rng: corrupt generator state");
  };
  for (size_t i = 0; i < hex.size() / 2; ++i) bytes[i] = static_cast<uint8_t>(nibble(hex[2 * i]) * 16 + nibble(hex[2 * i + 1]));
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(state);
}

torch::Device resolve_device(const std::string& name) {
  if (name == "cpu") return torch::kCPU;
  if (name == "cuda") {
    if (!torch::cuda::is_available())
      throw UsageError("--device cuda: no CUDA device is available (this LibTorch build or machine has none); use --device cpu");
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

LoadedRun load_run(const std::string& dir, const std::string& checkpoint, const std::string& device) {
  require_run_dir(dir);
  LoadedRun run;
  run.paths = RunPaths{dir};
  run.config = load_config(run.paths.config());
  run.src_vocab = data::Vocab::load(run.paths.src_vocab());
  run.tgt_vocab = data::Vocab::load(run.paths.tgt_vocab());
  run.tokenizer = data::make_tokenizer(run.config.data);
  run.device = resolve_device(device);
  run.model = models::make_model(run.config.model, run.src_vocab.size(), run.tgt_vocab.size());
  if (checkpoint == "best") {
    run.checkpoint = file_exists(run.paths.best()) ? run.paths.best() : run.paths.last();
  } else if (checkpoint == "last") {
    run.checkpoint = run.paths.last();
  } else {
    throw UsageError("--checkpoint " + checkpoint + ": unknown checkpoint (use best or last)");
  }
  load_module(*run.model, run.checkpoint, run.device);
  run.model->to(run.device);
  run.model->eval();
  return run;
}

}  // namespace seq2seq::train
