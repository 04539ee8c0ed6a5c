// The run directory: its paths, its record (state.json), its weight files, and loading a run
// back for inference. `train` writes a run directory; `eval`, `translate` and `compare` read it
// through this module and never include train/.
#pragma once
#include "seq2seq/config.h"
#include "seq2seq/data/tokenizer.h"
#include "seq2seq/data/vocab.h"
#include "seq2seq/models/seq2seq_model.h"
#include "seq2seq/run_options.h"
#include "seq2seq/train_state.h"

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace seq2seq {

// Every file of a run directory (DESIGN.md, "The run directory").
struct RunPaths {
  std::string dir;
  std::string config() const { return dir + "/config.json"; }
  std::string src_vocab() const { return dir + "/vocab.src.json"; }
  std::string tgt_vocab() const { return dir + "/vocab.tgt.json"; }
  std::string last() const { return dir + "/model.pt"; }
  std::string best() const { return dir + "/best.pt"; }
  std::string averaged() const { return dir + "/averaged.pt"; }
  std::string optimizer() const { return dir + "/optimizer.pt"; }
  std::string state() const { return dir + "/state.json"; }
  std::string metrics() const { return dir + "/metrics.jsonl"; }
  std::string log() const { return dir + "/train.log"; }
  std::string eval_dir() const { return dir + "/eval"; }
  std::string file(const std::string& name) const { return dir + "/" + name; }
  // A checkpoint file written but not yet committed: state.json names its checksum first,
  // then it is renamed over `name`.
  std::string staged(const std::string& name) const { return file(name) + ".next"; }
};

// The checkpoint files, by name in the run directory; state.json's "checksums" holds the
// SHA-256 of each (runs written before checksums have none and load unchecked).
inline constexpr const char* kCheckpointFiles[] = {"model.pt", "optimizer.pt", "best.pt"};

// The file to read for checkpoint `name`, checked against state->checksums: the file itself
// when its SHA-256 matches, or its staged copy when a crash came between committing
// state.json and the rename. Throws a one-line error naming the file when neither matches or
// it is missing. Without a recorded checksum (an older run, or state == nullptr) the file is
// used unchecked, with an info line.
std::string checked_file(const RunPaths& paths, const TrainState* state, const std::string& name);

// For the trainer, under the run's lock: finishes the renames a crash interrupted after
// state.json was committed and removes staged files that state.json does not name (the
// checkpoint files, the snapshots and averaged.pt), and snapshot files it no longer names.
void settle_staged(const RunPaths& paths, const TrainState* state);
// Deletes the temporary files (NAME.tmp.PID) of writes a crash interrupted; under the lock.
void remove_stale_temporaries(const RunPaths& paths);
// Renames each staged file over its name (after state.json naming them was written).
void commit_staged(const RunPaths& paths, const std::vector<std::string>& names);

// Module weights, written atomically; a failed write or load names the file (one line).
void save_module(torch::nn::Module& module, const std::string& path);
void load_module(torch::nn::Module& module, const std::string& path, const torch::Device& device);

// Checkpoint averaging (as fairseq's average_checkpoints.py): loads each file into `module` and
// leaves there the element-wise mean of every floating-point parameter and buffer (summed in
// float64). Throws naming the file that does not load.
void average_weights(torch::nn::Module& module, const std::vector<std::string>& files, const torch::Device& device);

// `seq2seq average --run DIR --last N`: under the run's lock, writes DIR/averaged.pt, the mean of
// the last N snapshots state.json names (train.average_last keeps them), checked and recorded
// like the other checkpoints. Returns the files averaged. One-line errors when the run has
// fewer snapshots than N.
std::vector<std::string> average_run(const std::string& dir, int last);

// "auto" (CUDA when available), "cpu" or "cuda"; a one-line error for anything else.
torch::Device resolve_device(const std::string& name);

// Throws a one-line error when `dir` is not a run directory.
void require_run_dir(const std::string& dir);

// A run directory loaded for inference: the model in eval mode on its device.
struct LoadedRun {
  RunPaths paths;
  Config config;
  data::Vocab src_vocab, tgt_vocab;
  data::Tokenizers tokenizers;
  std::shared_ptr<models::Seq2SeqModel> model;
  torch::Device device = torch::kCPU;
  std::string checkpoint;  // the weights file used
};

LoadedRun load_run(const RunOptions& options);

}  // namespace seq2seq
