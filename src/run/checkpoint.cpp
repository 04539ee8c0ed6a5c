// Checkpoints: weights, optimizer moments and the generator state, written as a transaction
// (stage, commit in state.json, rename) and read back checked against their checksums.
#include "seq2seq/run/checkpoint.h"

#include "seq2seq/config/config.h"
#include "seq2seq/data/vocab.h"
#include "seq2seq/util/errors.h"
#include "seq2seq/util/io.h"
#include "seq2seq/models/factory.h"
#include "seq2seq/run/run_lock.h"
#include "seq2seq/run/run.h"
#include "seq2seq/run/run_options.h"
#include "seq2seq/util/sha256.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <stdexcept>

namespace seq2seq {

namespace {
// The SHA-256 state.json records for a checkpoint file, or nullptr.
const std::string* recorded_checksum(const TrainState* state, const std::string& name) {
  if (!state) return nullptr;
  const auto found = state->checksums.find(name);
  return found == state->checksums.end() ? nullptr : &found->second;
}
// Renames each staged file over its name (after state.json naming them was written).
void commit_staged(const RunPaths& paths, const std::vector<std::string>& names) {
  for (const auto& name : names) std::filesystem::rename(paths.staged(name), paths.file(name));
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
  throw std::runtime_error(path + ": checksum mismatch, the file was changed or corrupted after " + paths.state() +
                           " recorded it (SHA-256 " + actual.substr(0, 12) + "..., recorded " +
                           recorded->substr(0, 12) + "...); restore it from a copy, or train a new run");
}

void settle_staged(const RunPaths& paths, const TrainState* state) {
  std::vector<std::string> names(std::begin(kCheckpointFiles), std::end(kCheckpointFiles));
  names.push_back("averaged.pt");
  names.push_back("config.json");  // a resume with --set stages it
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

std::string shape_text(const torch::Tensor& t) { return fmt::format("[{}]", fmt::join(t.sizes(), ", ")); }

// The first difference between the parameters and buffers `module` has (recursively, under
// `prefix`) and those the archive holds: a name one has and the other lacks, or a shape; "" when
// they match. Module::save writes a module's own tensors under their names and each child as an
// archive of its own under the child's name.
std::string first_difference(torch::nn::Module& module, torch::serialize::InputArchive& archive,
                             const std::string& prefix) {
  std::vector<std::string> expected;
  auto compare = [&](const std::string& name, const torch::Tensor& ours, bool is_buffer) -> std::string {
    expected.push_back(name);
    torch::Tensor theirs;
    if (!archive.try_read(name, theirs, is_buffer)) return "has no " + prefix + name;
    if (theirs.sizes() != ours.sizes())
      return prefix + name + " is " + shape_text(theirs) + " in the file and " + shape_text(ours) + " in the model";
    return "";
  };
  for (const auto& p : module.named_parameters(/*recurse=*/false))
    if (auto d = compare(p.key(), p.value(), false); !d.empty()) return d;
  for (const auto& b : module.named_buffers(/*recurse=*/false))
    if (auto d = compare(b.key(), b.value(), true); !d.empty()) return d;
  for (const auto& child : module.named_children()) {
    expected.push_back(child.key());
    torch::serialize::InputArchive child_archive;
    if (!archive.try_read(child.key(), child_archive)) return "has no " + prefix + child.key();
    if (auto d = first_difference(*child.value(), child_archive, prefix + child.key() + "."); !d.empty()) return d;
  }
  for (const auto& key : archive.keys())
    if (std::find(expected.begin(), expected.end(), key) == expected.end())
      return "holds " + prefix + key + ", which the model does not have";
  return "";
}

}  // namespace

void load_module(torch::nn::Module& module, const std::string& path, const torch::Device& device) {
  if (!file_exists(path))
    throw std::runtime_error(path + ": missing checkpoint (was the run trained to a first validation?)");
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path, device);
    // Shapes checked before loading: LibTorch's own error names neither file nor parameter.
    if (const auto difference = first_difference(module, archive, ""); !difference.empty())
      throw std::runtime_error(path + ": does not fit the model that config.json and the vocabularies describe (it " +
                               difference + "); load it with the config.json and vocabularies it was trained with");
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


void save_optimizer(torch::optim::Optimizer& optimizer, const std::string& path) {
  // In memory first, as save_module: LibTorch's file writer aborts on a failed write.
  write_file_atomic(path, optimizer_bytes(optimizer));
}

std::string optimizer_bytes(torch::optim::Optimizer& optimizer) {
  torch::serialize::OutputArchive archive;
  optimizer.save(archive);
  std::ostringstream out;
  archive.save_to(out);
  return out.str();
}

void load_optimizer_bytes(torch::optim::Optimizer& optimizer, const std::string& bytes) {
  std::istringstream in(bytes);
  torch::serialize::InputArchive archive;
  archive.load_from(in);
  optimizer.load(archive);
}

void load_optimizer(torch::optim::Optimizer& optimizer, const std::string& path) {
  if (!file_exists(path))
    throw std::runtime_error(path + ": missing; this run cannot be resumed (train it again without --resume)");
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
  for (size_t i = 0; i < hex.size() / 2; ++i)
    bytes[i] = static_cast<uint8_t>(nibble(hex[2 * i]) * 16 + nibble(hex[2 * i + 1]));
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(state);
}

// ---------------------------------------------------------------------------------------------
// The transaction
// ---------------------------------------------------------------------------------------------

CheckpointWriter::CheckpointWriter(RunPaths paths, int keep_snapshots, int64_t committed_step)
    : paths_(std::move(paths)), keep_snapshots_(keep_snapshots), committed_step_(committed_step) {}

void CheckpointWriter::writing(const std::function<void()>& write) const {
  try {
    write();
  } catch (const std::exception& e) {
    throw std::runtime_error(first_line(e.what()) + "; " +
                             (committed_step_ >= 0
                                  ? "the previous checkpoint (step " + std::to_string(committed_step_) + ") is intact"
                                  : std::string("no checkpoint was written yet")) +
                             ": free space or fix permissions, then seq2seq train --run " + paths_.dir + " --resume");
  }
}

void CheckpointWriter::stage_best(torch::nn::Module& model) {
  writing([&] { save_module(model, paths_.staged("best.pt")); });
  best_staged_ = true;
}

void CheckpointWriter::stage_snapshot(torch::nn::Module& model, int64_t step) {
  const std::string name = snapshot_file(step);
  writing([&] { save_module(model, paths_.staged(name)); });
  snapshots_staged_.push_back(name);
}

void CheckpointWriter::commit(torch::nn::Module& model, torch::optim::Optimizer& optimizer, TrainState& state) {
  std::vector<std::string> names = {"model.pt", "optimizer.pt"};
  if (best_staged_) names.push_back("best.pt");
  // Snapshots for averaging: the new ones join the record, the oldest beyond keep_snapshots leave it.
  names.insert(names.end(), snapshots_staged_.begin(), snapshots_staged_.end());
  state.snapshots.insert(state.snapshots.end(), snapshots_staged_.begin(), snapshots_staged_.end());
  std::vector<std::string> pruned;
  while (static_cast<int>(state.snapshots.size()) > keep_snapshots_) {
    pruned.push_back(state.snapshots.front());
    state.checksums.erase(state.snapshots.front());
    state.snapshots.erase(state.snapshots.begin());
  }
  auto is_pruned = [&](const std::string& name) { return std::find(pruned.begin(), pruned.end(), name) != pruned.end(); };
  // 1. Stage: the weights and moments beside what validation staged.
  // 2. Commit: state.json names every staged file's checksum.
  writing([&] {
    save_module(model, paths_.staged("model.pt"));
    save_optimizer(optimizer, paths_.staged("optimizer.pt"));
    for (const auto& name : names)
      if (!is_pruned(name)) state.checksums[name] = sha256_file(paths_.staged(name));
    save_state(state, paths_.state());  // it names weights that are already on disk
  });
  // 3. Rename into place; files no longer named can go.
  for (const auto& name : names)
    if (is_pruned(name)) std::filesystem::remove(paths_.staged(name));
  names.erase(std::remove_if(names.begin(), names.end(), is_pruned), names.end());
  commit_staged(paths_, names);
  for (const auto& name : pruned) std::filesystem::remove(paths_.file(name));
  best_staged_ = false;
  snapshots_staged_.clear();
  committed_step_ = state.step;
}

void CheckpointWriter::write_average(torch::nn::Module& scratch, TrainState& state) {
  if (state.snapshots.empty()) return;
  std::vector<std::string> files;
  for (const auto& name : state.snapshots) files.push_back(paths_.file(name));
  writing([&] {
    average_weights(scratch, files, torch::kCPU);
    save_module(scratch, paths_.staged("averaged.pt"));
    state.checksums["averaged.pt"] = sha256_file(paths_.staged("averaged.pt"));
    state.averaged_from = state.snapshots;
    save_state(state, paths_.state());
  });
  commit_staged(paths_, {"averaged.pt"});
  spdlog::info("wrote {}: the mean of the last {} validations' weights ({} ... {})", paths_.averaged(),
               state.snapshots.size(), state.snapshots.front(), state.snapshots.back());
}

}  // namespace seq2seq
