// Training loop: batches, loss, optimizer, schedule, validation, checkpoints, resumption.
#pragma once
#include "seq2seq/config/config.h"
#include "seq2seq/train/launch.h"

#include <atomic>
#include <string>
#include <vector>

namespace seq2seq::train {

struct TrainOptions {
  std::string run_dir;                      // runs/NAME
  bool resume = false;                      // continue from the run directory's checkpoint
  std::vector<std::string> overrides;       // --set items; on resume applied to the run's config.json
  std::string device = "auto";              // auto | cpu | cuda (overrides train.device when set)
  int64_t max_steps = 0;                    // stop (resumably) after this many steps in total; 0 = no limit
  // The signal that asked training to stop (SIGINT, SIGTERM; 0: none), set by a handler: finish
  // the step, checkpoint, return.
  const std::atomic<int>* stop = nullptr;
  World world;  // a data-parallel worker's rank and world (world_from_env()); size 1: one process
};

struct TrainResult {
  std::string stop_reason;  // epochs | early_stopping | max_steps | interrupted | diverged
  int64_t steps = 0;
  int64_t epochs_done = 0;
  double best_score = 0;
  double elapsed_s = 0;
  int64_t tokens = 0;  // target tokens trained on in all (all workers together)
  double train_s = 0;  // time inside training steps
};

// The config keys a --resume may change (the budget, where it validates and logs, the device, and
// the decoding defaults eval and translate use). Any other change would make the run something
// else (model, data, vocabulary, seed, optimizer, schedule) and is refused, naming the keys.
// A complete run is extended when the new budget allows more (train.epochs, train.patience):
// extending a run of N epochs to M gives exactly the run trained for M epochs from the start.
const std::vector<std::string>& resume_overridable_keys();

// Trains config (fresh) or the run in options.run_dir (resume) and leaves a complete run
// directory. Holds RUN/.lock throughout: a second trainer on the same run is refused at once. Throws on bad input; a
// diverged (NaN) loss returns stop_reason "diverged" with the last good checkpoint left in place.
//
// Data parallel (options.world.size > 1, see distributed.h): every rank calls this with the same
// arguments. Rank 0 alone touches the run directory: it reads the config, vocabularies and
// checkpoint and sends them to the others, validates, decides early stopping and the learning rate
// plateau, and writes every file. The others read only the training corpus. A resume must use the
// world size the run was trained with (state.json's world_size).
TrainResult train_model(const Config& config, const TrainOptions& options);

}  // namespace seq2seq::train
