// Learning-rate schedules, with their state saved for exact resumption.
#include "seq2seq/train/schedule.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

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
  if (needs_plan()) {
    // Linear warmup to train.lr over warmup_steps, then a decay to train.min_lr at the planned
    // last step (fairseq's polynomial_decay with power 1, and cosine): the budget ends with the
    // rate at its floor instead of somewhere on a curve that never ends.
    if (planned_steps_ <= 0) throw std::logic_error("LrSchedule: linear/cosine rate asked before plan()");
    const double s = static_cast<double>(std::max<int64_t>(step, 1));
    const double w = config_.warmup_steps;
    if (s <= w) return config_.lr * s / w;
    const double span = std::max(1.0, static_cast<double>(planned_steps_) - w);
    const double done = std::min(1.0, (s - w) / span);  // 0 at the end of warmup, 1 at the last step
    const double shape = config_.schedule == Schedule::linear ? 1.0 - done : 0.5 * (1.0 + std::cos(M_PI * done));
    return config_.min_lr + (config_.lr - config_.min_lr) * shape;
  }
  return config_.lr;
}

bool LrSchedule::needs_plan() const {
  return config_.schedule == Schedule::linear || config_.schedule == Schedule::cosine;
}

void LrSchedule::plan(int64_t last_step) {
  if (last_step < 1) throw std::invalid_argument("LrSchedule::plan: the last step must be at least 1");
  planned_steps_ = last_step;
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
          {"plateau_bad", plateau_bad_},
          {"planned_steps", planned_steps_}};
}

void LrSchedule::load_state(const nlohmann::json& state) {
  plateau_lr_ = state.at("plateau_lr").get<double>();
  plateau_best_ = state.at("plateau_best").is_null() ? std::numeric_limits<double>::infinity()
                                                     : state.at("plateau_best").get<double>();
  plateau_bad_ = state.at("plateau_bad").get<int>();
  planned_steps_ = state.value("planned_steps", int64_t{0});  // runs saved before plans: 0, planned again
}

}  // namespace seq2seq::train
