// The run's record, state.json: TrainState and its JSON, without LibTorch (seq2seq/run/run.h
// re-exports it), so that the fuzz targets and the light tests can parse it.
#pragma once
#include "seq2seq/util/json_optional.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace seq2seq {

// One `train --resume`: when, from which step, with which --set overrides and --max-steps.
struct ResumeRecord {
  std::string time;  // UTC, ISO 8601
  int64_t step = 0;
  std::vector<std::string> overrides;
  int64_t max_steps = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ResumeRecord, time, step, overrides, max_steps)

// Everything besides weights and optimizer moments needed to resume exactly, and what compare
// reports about the training.
struct TrainState {
  int64_t step = 0;                  // optimizer steps taken
  int64_t epoch = 0;                 // current epoch, 0-based
  int64_t batch_in_epoch = 0;        // batches of the current epoch already trained
  std::optional<double> best_score;  // by train.early_stopping_metric; none before a validation
  int64_t best_step = 0;
  int bad_validations = 0;  // early-stopping patience counter
  int64_t validations = 0;  // also the number of lines metrics.jsonl holds for this state
  nlohmann::json schedule;  // LrSchedule::state()
  std::string rng;          // torch CPU generator state, hex
  double elapsed_s = 0;     // training wall time (steps + validation)
  double train_s = 0;       // time inside training steps only
  int64_t tokens = 0;       // target tokens trained on
  bool complete = false;    // ran to the end (epochs or early stopping)
  std::string stop_reason;  // "", "epochs", "early_stopping", "max_steps", "interrupted", "diverged"
  int64_t parameters = 0;
  std::string device;
  // Training since the last validation (what its metrics line reports).
  double interval_loss = 0;  // summed step losses
  int64_t interval_steps = 0, interval_tokens = 0;
  double interval_time = 0;
  // Optional (runs written before they existed have none of them):
  std::map<std::string, std::string> checksums;  // file name in the run ("model.pt") -> SHA-256
  std::vector<ResumeRecord> resumes;
  int64_t best_epoch = 0;  // epoch of best_step as metrics.jsonl counts it (1-based); 0: none or not recorded
  int64_t world_size = 1;  // data-parallel workers that trained it (train --nproc); a resume must use as many
  // train.average_last: the weight files of the last validations, oldest first ("snapshot-00001234.pt"),
  // and the ones averaged.pt is the mean of.
  std::vector<std::string> snapshots;
  std::vector<std::string> averaged_from;
  // The forward pass's precision the run trains with, train.precision resolved: "fp32" or "bf16"
  // (never "auto"; a resume keeps it on any machine). Runs written before it trained in fp32.
  std::string precision = "fp32";
};

// Every field up to interval_time is required when reading (a state.json with one missing is
// refused); checksums and resumes default to empty, best_epoch to 0, world_size to 1, precision
// to "fp32".
void to_json(nlohmann::json& j, const TrainState& s);
void from_json(const nlohmann::json& j, TrainState& s);

// state.json text -> TrainState; throws std::runtime_error naming `origin` when it is not one.
TrainState parse_state(const std::string& text, const std::string& origin);
void save_state(const TrainState& state, const std::string& path);
TrainState load_state(const std::string& path);  // one-line error when missing, corrupt or truncated

}  // namespace seq2seq
