// Training loop: batches, loss, optimizer, schedule, validation, checkpoints, resumption.
#pragma once
#include "seq2seq/config.h"

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
  const std::atomic<bool>* stop = nullptr;  // set by a SIGINT handler: finish the step, checkpoint, return
};

struct TrainResult {
  std::string stop_reason;  // epochs | early_stopping | max_steps | interrupted | diverged
  int64_t steps = 0;
  int64_t epochs_done = 0;
  double best_score = 0;
  double elapsed_s = 0;
};

// Trains config (fresh) or the run in options.run_dir (resume) and leaves a complete run
// directory. Throws on bad input; a diverged (NaN) loss returns stop_reason "diverged"
// with the last good checkpoint left in place.
TrainResult train_model(const Config& config, const TrainOptions& options);

}  // namespace seq2seq::train
