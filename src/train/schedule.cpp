// Learning-rate schedules, with their state saved for exact resumption.
#include "seq2seq/train/schedule.h"

#include <cmath>
#include <limits>

namespace seq2seq::train {

LrSchedule::LrSchedule(const TrainConfig& config)
    : config_(config), plateau_lr_(config.lr), plateau_best_(std::numeric_limits<double>::infinity()) {}

double LrSchedule::lr_at(int64_t step) const {
  if (config_.schedule == Schedule::inverse_sqrt) {
    // Linear warmup to train.lr, then decay with 1/sqrt(step) (Vaswani et al. 2017, rescaled
    // so that the peak is exactly train.lr).
    const double s = static_cast<double>(std::max<int64_t>(step, 1));
    const double w = config_.warmup_steps;
    return config_.lr * std::min(s / w, std::sqrt(w / s));
  }
  if (config_.schedule == Schedule::plateau) return plateau_lr_;
  return config_.lr;
}

bool LrSchedule::on_validation(double valid_loss) {
  if (config_.schedule != Schedule::plateau) return false;
  // As torch.optim.lr_scheduler.ReduceLROnPlateau (mode min, threshold 1e-4 relative).
  if (valid_loss < plateau_best_ * (1 - 1e-4)) {
    plateau_best_ = valid_loss;
    plateau_bad_ = 0;
    return false;
  }
  if (++plateau_bad_ > config_.plateau_patience) {
    plateau_bad_ = 0;
    const double lowered = std::max(config_.min_lr, plateau_lr_ * config_.plateau_factor);
    const bool changed = lowered < plateau_lr_;
    plateau_lr_ = lowered;
    return changed;
  }
  return false;
}

nlohmann::json LrSchedule::state() const {
  return {{"plateau_lr", plateau_lr_},
          {"plateau_best", std::isfinite(plateau_best_) ? nlohmann::json(plateau_best_) : nlohmann::json()},
          {"plateau_bad", plateau_bad_}};
}

void LrSchedule::load_state(const nlohmann::json& state) {
  plateau_lr_ = state.at("plateau_lr").get<double>();
  plateau_best_ = state.at("plateau_best").is_null() ? std::numeric_limits<double>::infinity()
                                                     : state.at("plateau_best").get<double>();
  plateau_bad_ = state.at("plateau_bad").get<int>();
}

}  // namespace seq2seq::train
