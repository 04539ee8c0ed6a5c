// state.json: TrainState to and from JSON, old files (without checksums, resumes, best_epoch) included.
#include "seq2seq/run/train_state.h"

#include "seq2seq/util/errors.h"
#include "seq2seq/util/io.h"
#include "seq2seq/util/json_text.h"
#include "seq2seq/util/text_input.h"

#include <cstdint>
#include <stdexcept>

namespace seq2seq {

// The fields every state.json has had, in file order.
#define SEQ2SEQ_STATE_REQUIRED(X)                                                                                   \
  X(step)                                                                                                           \
  X(epoch)                                                                                                          \
  X(batch_in_epoch)                                                                                                 \
  X(best_score) X(best_step) X(bad_validations) X(validations) X(schedule) X(rng) X(elapsed_s) X(train_s) X(tokens) \
      X(complete) X(stop_reason) X(parameters) X(device) X(interval_loss) X(interval_steps) X(interval_tokens)      \
          X(interval_time)

void to_json(nlohmann::json& j, const TrainState& s) {
  j = nlohmann::json::object();
#define SEQ2SEQ_WRITE(field) j[#field] = s.field;
  SEQ2SEQ_STATE_REQUIRED(SEQ2SEQ_WRITE)
#undef SEQ2SEQ_WRITE
  j["checksums"] = s.checksums;
  j["resumes"] = s.resumes;
  j["best_epoch"] = s.best_epoch;
  j["world_size"] = s.world_size;
  j["snapshots"] = s.snapshots;
  j["averaged_from"] = s.averaged_from;
  j["precision"] = s.precision;
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
  s.world_size = j.contains("world_size") ? j.at("world_size").get<int64_t>() : 1;
  s.snapshots.clear();
  s.averaged_from.clear();
  if (j.contains("snapshots")) j.at("snapshots").get_to(s.snapshots);
  if (j.contains("averaged_from")) j.at("averaged_from").get_to(s.averaged_from);
  s.precision = j.contains("precision") ? j.at("precision").get<std::string>() : "fp32";
}

#undef SEQ2SEQ_STATE_REQUIRED

namespace {

// nlohmann converts a JSON number to an integer field with a plain cast: 1.5 would silently read
// as 1, and a number past int64 (1e107, found by fuzz_run_json under UBSan) is undefined
// behaviour. So every field that state.json writes as an integer must read back as one that fits.
// `like` is a state with one of each nested record, serialized: it gives the expected types.
void require_integers(const nlohmann::json& value, const nlohmann::json& like, const std::string& key,
                      const std::string& origin) {
  if (like.is_object() && value.is_object()) {
    for (const auto& [name, expected] : like.items())
      if (value.contains(name))
        require_integers(value.at(name), expected, key.empty() ? name : key + "." + name, origin);
  } else if (like.is_array() && !like.empty() && value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i)
      require_integers(value[i], like[0], key + "[" + std::to_string(i) + "]", origin);
  } else if (like.is_number_integer() && value.is_number()) {
    const bool fits =
        value.is_number_integer() && !(value.is_number_unsigned() && value.get<uint64_t>() > uint64_t(INT64_MAX));
    if (!fits)
      throw std::runtime_error(origin + ": corrupt training state (" + key + " = " + value.dump() +
                               " is not a whole number of 64 bits); train again without --resume");
  }
}

}  // namespace

TrainState parse_state(const std::string& text, const std::string& origin) {
  try {
    const auto j = parse_json_unique_keys(text, origin);  // a key twice: which one was meant?
    TrainState like;
    like.resumes.resize(1);
    require_integers(j, nlohmann::json(like), "", origin);
    auto state = j.get<TrainState>();
    if (state.world_size < 1)
      throw std::runtime_error(origin + ": corrupt training state (world_size = " + std::to_string(state.world_size) +
                               ", at least 1); train again without --resume");
    if (state.precision != "fp32" && state.precision != "bf16")
      throw std::runtime_error(origin + ": corrupt training state (precision = \"" + quote_input(state.precision) +
                               "\", fp32 or bf16); train again without --resume");
    return state;
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
