// Learning-rate schedules: constant, reduce-on-plateau, warmup + inverse square root.
#pragma once
#include "seq2seq/config/config.h"

#include <nlohmann/json.hpp>

namespace seq2seq::train {

class LrSchedule {
 public:
  explicit LrSchedule(const TrainConfig& config);

  // Learning rate for optimizer step `step` (1-based).
  double lr_at(int64_t step) const;
  // Reports a validation loss (plateau: may lower the rate). Returns true when it lowered it.
  bool on_validation(double valid_loss);

  nlohmann::json state() const;
  void load_state(const nlohmann::json& state);

 private:
  TrainConfig config_;
  double plateau_lr_;
  double plateau_best_;
  int plateau_bad_ = 0;
};

}  // namespace seq2seq::train
