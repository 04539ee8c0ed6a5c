// Checkpoints of a run directory: the weight files, their checksums in state.json, and the small
// transaction that writes them (stage, commit, rename), so that a crash or a failed write at any
// point leaves a checkpoint that loads. The trainer writes checkpoints through CheckpointWriter;
// eval, translate and average read them through checked_file().
#pragma once
#include "seq2seq/run/paths.h"
#include "seq2seq/run/train_state.h"

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace seq2seq {

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
// checkpoint files, the snapshots, averaged.pt and the config.json of a resume with --set), and
// snapshot files it no longer names.
void settle_staged(const RunPaths& paths, const TrainState* state);
// Deletes the temporary files (NAME.tmp.PID) of writes a crash interrupted; under the lock.
void remove_stale_temporaries(const RunPaths& paths);

// Module weights, written atomically; a failed write or load names the file (one line).
void save_module(torch::nn::Module& module, const std::string& path);
void load_module(torch::nn::Module& module, const std::string& path, const torch::Device& device);

// The optimizer's moments, written atomically, as bytes (what rank 0 sends data-parallel
// workers), and back; loading names the file on failure.
void save_optimizer(torch::optim::Optimizer& optimizer, const std::string& path);
void load_optimizer(torch::optim::Optimizer& optimizer, const std::string& path);
std::string optimizer_bytes(torch::optim::Optimizer& optimizer);
void load_optimizer_bytes(torch::optim::Optimizer& optimizer, const std::string& bytes);

// The global CPU generator's state as hex (state.json's "rng"), and back.
std::string rng_state();
void set_rng_state(const std::string& hex);

// Checkpoint averaging (as fairseq's average_checkpoints.py): loads each file into `module` and
// leaves there the element-wise mean of every floating-point parameter and buffer (summed in
// float64). Throws naming the file that does not load.
void average_weights(torch::nn::Module& module, const std::vector<std::string>& files, const torch::Device& device);

// `seq2seq average --run DIR --last N`: under the run's lock, writes DIR/averaged.pt, the mean of
// the last N snapshots state.json names (train.average_last keeps them), checked and recorded
// like the other checkpoints. Returns the files averaged. One-line errors when the run has
// fewer snapshots than N.
std::vector<std::string> average_run(const std::string& dir, int last);

// The transaction. Weights are staged (NAME.next, each written atomically); then state.json
// records their checksums (the commit); then they are renamed into place. Validation stages
// best.pt and the snapshots for averaging; the next commit() writes model.pt and optimizer.pt
// beside them and commits all of them at once.
class CheckpointWriter {
 public:
  // keep_snapshots: train.average_last (the snapshots state.json keeps, oldest pruned first).
  // committed_step: the step of the checkpoint already on disk, -1 for none.
  CheckpointWriter(RunPaths paths, int keep_snapshots, int64_t committed_step);

  // best.pt, or snapshot-STEP.pt for averaging: written now, committed by the next commit().
  void stage_best(torch::nn::Module& model);
  void stage_snapshot(torch::nn::Module& model, int64_t step);
  // model.pt, optimizer.pt and what is staged; state.json (already holding the schedule and
  // the generator) names their checksums and the kept snapshots; then the renames and pruning.
  void commit(torch::nn::Module& model, torch::optim::Optimizer& optimizer, TrainState& state);
  // averaged.pt: the mean of the snapshots state.json names, loaded into `scratch` (a model of
  // the run's architecture), committed as a checkpoint of its own.
  void write_average(torch::nn::Module& scratch, TrainState& state);

 private:
  // Runs a write; a failure (disk full, file size limit, permissions) becomes one line that
  // says what is still on disk and how to continue.
  void writing(const std::function<void()>& write) const;

  RunPaths paths_;
  int keep_snapshots_;
  int64_t committed_step_;
  bool best_staged_ = false;
  std::vector<std::string> snapshots_staged_;
};

}  // namespace seq2seq
