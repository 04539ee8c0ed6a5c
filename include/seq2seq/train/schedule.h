// Learning-rate schedules: constant, reduce-on-plateau, warmup + inverse square root, and
// warmup + a linear or cosine decay that reaches train.min_lr at the planned last step.
#pragma once
#include "seq2seq/config/config.h"

#include <nlohmann/json.hpp>

#include <cstdint>

namespace seq2seq::train {

class LrSchedule {
 public:
  explicit LrSchedule(const TrainConfig& config);

  // Learning rate for optimizer step `step` (1-based).
  double lr_at(int64_t step) const;
  // Reports a validation loss (plateau: may lower the rate). Returns true when it lowered it.
  bool on_validation(double valid_loss);

  // linear and cosine decay over a plan: the rate reaches train.min_lr at `last_step` (the run's
  // planned number of optimizer steps) and stays there. The plan is part of state().
  bool needs_plan() const;
  void plan(int64_t last_step);
  int64_t planned_steps() const { return planned_steps_; }

  nlohmann::json state() const;
  void load_state(const nlohmann::json& state);

 private:
  TrainConfig config_;
  double plateau_lr_;
  double plateau_best_;
  int plateau_bad_ = 0;
  int64_t planned_steps_ = 0;  // linear, cosine: 0 until plan()
};

}  // namespace seq2seq::train
