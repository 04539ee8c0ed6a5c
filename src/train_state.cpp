// state.json: TrainState to and from JSON, old files (without checksums, resumes, best_epoch) included.
#include "seq2seq/train_state.h"

#include "seq2seq/errors.h"
#include "seq2seq/io.h"

#include <stdexcept>

namespace seq2seq {

// The fields every state.json has had, in file order.
#define SEQ2SEQ_STATE_REQUIRED(X)                                                                                \
  X(step)                                                                                                        \
  X(epoch)                                                                                                       \
  X(batch_in_epoch) X(best_score) X(best_step) X(bad_validations) X(validations) X(schedule) X(rng) X(elapsed_s) \
      X(train_s) X(tokens) X(complete) X(stop_reason) X(parameters) X(device) X(interval_loss) X(interval_steps) \
          X(interval_tokens) X(interval_time)

void to_json(nlohmann::json& j, const TrainState& s) {
  j = nlohmann::json::object();
#define SEQ2SEQ_WRITE(field) j[#field] = s.field;
  SEQ2SEQ_STATE_REQUIRED(SEQ2SEQ_WRITE)
#undef SEQ2SEQ_WRITE
  j["checksums"] = s.checksums;
  j["resumes"] = s.resumes;
  j["best_epoch"] = s.best_epoch;
}

void from_json(const nlohmann::json& j, TrainState& s) {
#define SEQ2SEQ_READ(field) j.at(#field).get_to(s.field);
  SEQ2SEQ_STATE_REQUIRED(SEQ2SEQ_READ)
#undef SEQ2SEQ_READ
  s.checksums.clear();
  s.resumes.clear();
  if (j.contains("checksums")) j.at("checksums").get_to(s.checksums);
  if (j.contains("resumes")) j.at("resumes").get_to(s.resumes);
  s.best_epoch = j.contains("best_epoch") ? j.at("best_epoch").get<int64_t>() : 0;
}

#undef SEQ2SEQ_STATE_REQUIRED

TrainState parse_state(const std::string& text, const std::string& origin) {
  try {
    return nlohmann::json::parse(text).get<TrainState>();
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(origin + ": corrupt or truncated training state (" + first_line(e.what()) +
                             "); train again without --resume");
  }
}

void save_state(const TrainState& state, const std::string& path) {
  write_file_atomic(path, nlohmann::json(state).dump(1) + "\n");
}

TrainState load_state(const std::string& path) {
  if (!file_exists(path))
    throw std::runtime_error(path + ": missing; this run cannot be resumed (train it again without --resume)");
  return parse_state(read_file(path), path);
}

}  // namespace seq2seq
