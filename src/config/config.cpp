// Strict JSON configuration: typed structs, unknown-key detection, overrides, validation.
#include "seq2seq/config/config.h"

#include "seq2seq/util/io.h"
#include "seq2seq/util/json_text.h"
#include "seq2seq/util/text_input.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace seq2seq {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SplitPaths, src, tgt)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DataConfig, train, valid, test, src_lang, tgt_lang, tokenizer,
                                                lowercase, min_freq, max_size, max_len, spm_type, vocab_size,
                                                joint_vocab, spm_dir)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ModelConfig, type, emb_dim, hidden_dim, layers, heads, ff_dim, dropout,
                                                attention_dropout, cell, bidirectional, reverse_source, norm,
                                                final_norm, positions, max_positions, tie_embeddings,
                                                share_embeddings, init)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TrainConfig, epochs, batch_size, batch_tokens, bucket_chunk, optimizer,
                                                lr, betas, eps, weight_decay, clip, label_smoothing, schedule,
                                                warmup_steps, plateau_factor, plateau_patience, min_lr, teacher_forcing,
                                                seed, valid_every, valid_bleu_max, early_stopping_metric, patience, min_delta,
                                                log_every, device, average_last,
                                                lr_drop_resets_patience, precision)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DecodeConfig, beam, length_penalty, max_len_ratio, max_len, batch_size)

void to_json(nlohmann::json& j, const Config& c) {
  j = nlohmann::json{{"data", c.data}, {"model", c.model}, {"train", c.train}, {"decode", c.decode}};
}

void from_json(const nlohmann::json& j, Config& c) {
  Config defaults;
  c.data = j.value("data", defaults.data);
  c.model = j.value("model", defaults.model);
  c.train = j.value("train", defaults.train);
  c.decode = j.value("decode", defaults.decode);
}

namespace {

// Which file each value of a config came from, for error messages: `files` has the config's
// shape, and each leaf names the file that set that value (the file loaded, or a base it
// extends). Constructed from a bare string (a file, "--set key=value"), every key is that one.
struct KeyOrigins {
  KeyOrigins(std::string top_file) : top(std::move(top_file)) {}  // NOLINT: implicit on purpose
  std::string top;
  nlohmann::json files;

  // The file that set `key_path` ("model.dropout"); for a section, the file of its first value;
  // for a key no file set (a default), the file loaded.
  std::string of(const std::string& key_path) const {
    const nlohmann::json* node = &files;
    std::stringstream parts(key_path);
    std::string part;
    while (std::getline(parts, part, '.')) {
      if (!node->is_object() || !node->contains(part)) return top;
      node = &node->at(part);
    }
    while (node->is_object() && !node->empty()) node = &node->begin().value();
    return node->is_string() ? node->get<std::string>() : top;
  }
};

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// " (did you mean X?)" for the closest known key, or "" when nothing is close.
std::string suggestion(const std::string& key, const nlohmann::json& known) {
  std::string best;
  size_t best_distance = std::max<size_t>(2, key.size() / 3) + 1;
  for (const auto& item : known.items()) {
    size_t d = edit_distance(key, item.key());
    if (d < best_distance) {
      best_distance = d;
      best = item.key();
    }
  }
  return best.empty() ? "" : " (did you mean " + best + "?)";
}

std::string type_name(const nlohmann::json& j) {
  if (j.is_number_integer()) return "an integer";
  if (j.is_number()) return "a number";
  if (j.is_boolean()) return "true or false";
  if (j.is_string()) return "a string";
  if (j.is_array()) return "an array of " + std::to_string(j.size());
  if (j.is_object()) return "an object";
  return "null";
}

bool same_kind(const nlohmann::json& expected, const nlohmann::json& given) {
  if (expected.is_number_integer()) return given.is_number_integer();
  if (expected.is_number()) return given.is_number();
  if (expected.is_array()) {
    if (!given.is_array() || given.size() != expected.size()) return false;
    for (size_t i = 0; i < given.size(); ++i)
      if (!same_kind(expected[i], given[i])) return false;
    return true;
  }
  return expected.type() == given.type();
}

// Every integer key is a C++ int: a larger value would be silently wrapped by the conversion.
void require_int_range(const nlohmann::json& expected, const nlohmann::json& given, const std::string& key_path,
                       const KeyOrigins& origin) {
  if (!expected.is_number_integer() || !given.is_number_integer()) return;
  const bool fits = given.is_number_unsigned()
                        ? given.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int>::max())
                        : given.get<int64_t>() >= std::numeric_limits<int>::min() &&
                              given.get<int64_t>() <= std::numeric_limits<int>::max();
  if (!fits)
    throw ConfigError(origin.of(key_path) + ": " + key_path + ": " + given.dump() + " is out of range (at most " +
                      std::to_string(std::numeric_limits<int>::max()) + ")");
}

// Walks `given` against the defaults: every key must exist there with the same kind of value.
void check_keys(const nlohmann::json& expected, const nlohmann::json& given, const std::string& path,
                const KeyOrigins& origin) {
  if (!given.is_object())
    throw ConfigError(origin.of(path) + ": " + (path.empty() ? "<top level>" : path) + ": expected an object, got " +
                      type_name(given));
  for (const auto& item : given.items()) {
    std::string key_path = path.empty() ? item.key() : path + "." + item.key();
    if (!expected.contains(item.key()))
      throw ConfigError(origin.of(key_path) + ": " + quote_input(key_path) + ": unknown key" +
                        suggestion(item.key(), expected));
    const auto& want = expected.at(item.key());
    if (want.is_object()) {
      check_keys(want, item.value(), key_path, origin);
    } else if (!same_kind(want, item.value())) {
      throw ConfigError(origin.of(key_path) + ": " + key_path + ": expected " + type_name(want) + ", got " +
                        type_name(item.value()));
    }
    require_int_range(want, item.value(), key_path, origin);
  }
}

void require(bool ok, const KeyOrigins& origin, const std::string& key, const std::string& what) {
  if (!ok) throw ConfigError(origin.of(key) + ": " + key + ": " + what);
}

void require_one_of(const std::string& value, std::initializer_list<const char*> allowed, const KeyOrigins& origin,
                    const std::string& key) {
  std::string list;
  for (const char* a : allowed) {
    if (value == a) return;
    list += list.empty() ? a : std::string(", ") + a;
  }
  throw ConfigError(origin.of(key) + ": " + key + ": unknown value \"" + value + "\" (expected one of: " + list + ")");
}

template <typename Enum>
void require_enum_name(const nlohmann::json& j, const char* section, const char* key,
                       std::initializer_list<Enum> values, const KeyOrigins& origin) {
  if (!j.is_object() || !j.contains(section) || !j.at(section).is_object() || !j.at(section).contains(key)) return;
  const auto& value = j.at(section).at(key);
  if (!value.is_string()) return;  // check_keys reports the wrong type
  std::string list;
  for (Enum e : values) {
    const std::string name = to_string(e);
    if (value.get<std::string>() == name) return;
    list += list.empty() ? name : ", " + name;
  }
  const std::string key_path = std::string(section) + "." + key;
  throw ConfigError(origin.of(key_path) + ": " + key_path + ": unknown value \"" +
                    quote_input(value.get<std::string>()) + "\" (expected one of: " + list + ")");
}

// The enum-like options, checked as strings: converting an unknown name would not fail but give
// the first value of the enum (NLOHMANN_JSON_SERIALIZE_ENUM's rule).
void require_enum_names(const nlohmann::json& j, const KeyOrigins& origin) {
  require_enum_name(j, "model", "type", {ModelType::rnn, ModelType::bahdanau, ModelType::transformer}, origin);
  require_enum_name(j, "model", "cell", {Cell::gru, Cell::lstm}, origin);
  require_enum_name(j, "model", "norm", {Norm::post, Norm::pre}, origin);
  require_enum_name(j, "model", "positions", {PositionEncoding::sinusoidal, PositionEncoding::learned}, origin);
  require_enum_name(j, "model", "init", {Init::default_, Init::normal}, origin);
  require_enum_name(j, "train", "schedule",
                    {Schedule::constant, Schedule::plateau, Schedule::inverse_sqrt, Schedule::linear, Schedule::cosine},
                    origin);
  require_enum_name(j, "train", "precision", {Precision::fp32, Precision::bf16, Precision::auto_}, origin);
}

// The training split has no default: a config (or a base it extends) names its data.
void require_training_data(const Config& c, const KeyOrigins& origin) {
  require(!c.data.train.src.empty(), origin, "data.train.src",
          "no training file (there is no default): state data.train, data.valid and data.test "
          "({\"src\": FILE, \"tgt\": FILE} each) in the config or in a base it extends");
}

void require_decode_value(const std::string& key, double value, const KeyOrigins& origin) {
  const std::string problem = decode_value_problem(key, value);
  require(problem.empty(), origin, "decode." + key, problem);
}

// validate()'s checks, each error naming the file that set the key.
void check_values(const Config& c, const KeyOrigins& origin) {
  const auto& d = c.data;
  require(d.min_freq >= 1, origin, "data.min_freq", "must be at least 1");
  require(d.max_size >= 0, origin, "data.max_size", "must be 0 (no limit) or positive");
  require(d.max_len >= 1, origin, "data.max_len", "must be at least 1");
  require_one_of(d.tokenizer, {"word", "spm"}, origin, "data.tokenizer");
  require_one_of(d.spm_type, {"unigram", "bpe"}, origin, "data.spm_type");
  require(d.vocab_size >= 16, origin, "data.vocab_size", "must be at least 16 (the specials and some characters)");

  const auto& m = c.model;
  require(m.emb_dim >= 1, origin, "model.emb_dim", "must be positive");
  require(m.hidden_dim >= 1, origin, "model.hidden_dim", "must be positive");
  require(m.layers >= 1, origin, "model.layers", "must be at least 1");
  require(m.heads >= 1, origin, "model.heads", "must be at least 1");
  require(m.ff_dim >= 1, origin, "model.ff_dim", "must be positive");
  require(m.dropout >= 0 && m.dropout < 1, origin, "model.dropout", "must be in [0, 1)");
  require(m.attention_dropout >= 0 && m.attention_dropout < 1, origin, "model.attention_dropout", "must be in [0, 1)");
  require(m.max_positions >= 1, origin, "model.max_positions", "must be positive");
  if (m.type == ModelType::transformer) {
    require(m.hidden_dim % m.heads == 0, origin, "model.heads",
            "must divide model.hidden_dim (" + std::to_string(m.hidden_dim) + ")");
    require(m.emb_dim == m.hidden_dim, origin, "model.emb_dim",
            "must equal model.hidden_dim (" + std::to_string(m.hidden_dim) + ", d_model) for the transformer");
    // Reversal helps a recurrent encoder (the first words end up next to the decoder's start);
    // self-attention sees every position at once, so it would only relabel the positions.
    require(!m.reverse_source, origin, "model.reverse_source",
            "must be false for the transformer (reversing the source is for the RNN models)");
  }
  // Three-way tying needs one vocabulary for source and target: a joint SentencePiece model.
  require(!m.share_embeddings || (m.type == ModelType::transformer && d.tokenizer == "spm" && d.joint_vocab), origin,
          "model.share_embeddings",
          "needs model.type \"transformer\", data.tokenizer \"spm\" and data.joint_vocab true (one vocabulary "
          "for both languages)");
  require(!m.share_embeddings || m.tie_embeddings, origin, "model.share_embeddings",
          "needs model.tie_embeddings true as well (source embedding = target embedding = output projection)");

  const auto& t = c.train;
  require(t.epochs >= 1, origin, "train.epochs", "must be at least 1");
  require(t.batch_size >= 1, origin, "train.batch_size", "must be at least 1");
  require(t.batch_tokens >= 0, origin, "train.batch_tokens", "must be 0 (use batch_size) or positive");
  require(t.bucket_chunk >= 1, origin, "train.bucket_chunk", "must be at least 1");
  require_one_of(t.optimizer, {"adam", "adamw"}, origin, "train.optimizer");
  require(t.lr > 0, origin, "train.lr", "must be positive");
  require(t.betas[0] >= 0 && t.betas[0] < 1 && t.betas[1] >= 0 && t.betas[1] < 1, origin, "train.betas",
          "both must be in [0, 1)");
  require(t.eps > 0, origin, "train.eps", "must be positive");
  require(t.weight_decay >= 0, origin, "train.weight_decay", "must not be negative");
  require(t.clip >= 0, origin, "train.clip", "must not be negative (0 = no clipping)");
  require(t.label_smoothing >= 0 && t.label_smoothing < 1, origin, "train.label_smoothing", "must be in [0, 1)");
  require(t.warmup_steps >= 1, origin, "train.warmup_steps", "must be at least 1");
  require(t.plateau_factor > 0 && t.plateau_factor < 1, origin, "train.plateau_factor", "must be in (0, 1)");
  require(t.plateau_patience >= 0, origin, "train.plateau_patience", "must not be negative");
  require(t.min_lr >= 0, origin, "train.min_lr", "must not be negative");
  require((t.schedule != Schedule::linear && t.schedule != Schedule::cosine) || t.min_lr < t.lr, origin, "train.min_lr",
          "must be below train.lr: the linear and cosine schedules decay from train.lr to train.min_lr");
  require(t.teacher_forcing >= 0 && t.teacher_forcing <= 1, origin, "train.teacher_forcing", "must be in [0, 1]");
  // The Transformer computes every target position at once from the reference prefix: there is
  // no step at which its own prediction could be fed back.
  require(t.teacher_forcing == 1 || m.type != ModelType::transformer, origin, "train.teacher_forcing",
          "must be 1 for the transformer (scheduled sampling is for the RNN models)");
  require(t.valid_every >= 0, origin, "train.valid_every", "must not be negative");
  require(t.valid_bleu_max >= 0, origin, "train.valid_bleu_max", "must not be negative");
  require_one_of(t.early_stopping_metric, {"valid_loss", "valid_bleu"}, origin, "train.early_stopping_metric");
  require(t.patience >= 0, origin, "train.patience", "must not be negative");
  require(t.min_delta >= 0, origin, "train.min_delta", "must not be negative");
  require(t.log_every >= 1, origin, "train.log_every", "must be at least 1");
  require(t.average_last >= 0, origin, "train.average_last", "must not be negative (0 = no averaging)");
  // Combinations that cannot do what they say.
  require(t.early_stopping_metric != "valid_bleu" || t.valid_bleu_max > 0, origin, "train.valid_bleu_max",
          "must be positive when train.early_stopping_metric is \"valid_bleu\" (no BLEU, no best checkpoint)");
  require(t.early_stopping_metric != "valid_bleu" || !d.valid.src.empty(), origin, "data.valid.src",
          "must name a file when train.early_stopping_metric is \"valid_bleu\"");
  // The patience counter restarts when the plateau schedule lowers the rate; a patience no longer
  // than the schedule's would stop the run before the rate could ever drop.
  require(t.schedule != Schedule::plateau || t.patience == 0 || t.patience > t.plateau_patience + 1, origin,
          "train.patience",
          "must be 0 or more than train.plateau_patience + 1 (" + std::to_string(t.plateau_patience + 1) +
              ") with the plateau schedule, or the run stops before the rate is ever lowered");
  require_one_of(t.device, {"auto", "cpu", "cuda"}, origin, "train.device");

  const auto& k = c.decode;
  require_decode_value("beam", k.beam, origin);
  require_decode_value("length_penalty", k.length_penalty, origin);
  require_decode_value("max_len_ratio", k.max_len_ratio, origin);
  require_decode_value("max_len", k.max_len, origin);
  require_decode_value("batch_size", k.batch_size, origin);
}

// Keys and types against the defaults, then the enum names; the values are checked after.
Config typed_config(const nlohmann::json& j, const KeyOrigins& origin) {
  nlohmann::json defaults = Config{};
  check_keys(defaults, j, "", origin);
  require_enum_names(j, origin);
  return j.get<Config>();
}

// A config file's JSON; a key written twice is refused (the later one would silently win).
nlohmann::json read_json_file(const std::string& path) {
  const std::string problem = input_file_problem(path);
  if (!problem.empty()) throw ConfigError(path + ": " + problem + " (a config file was expected)");
  std::string text;
  try {
    text = read_file(path);
  } catch (const std::exception& e) {
    throw ConfigError(e.what());
  }
  try {
    return parse_json_unique_keys(text, path, /*ignore_comments=*/true);
  } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for 1e999
    throw ConfigError(path + ": invalid JSON: " + e.what());
  }
}

// `value`'s shape with every leaf replaced by `file` (an empty section counts as a leaf).
nlohmann::json origins_of(const nlohmann::json& value, const std::string& file) {
  if (!value.is_object() || value.empty()) return file;
  nlohmann::json files = nlohmann::json::object();
  for (const auto& item : value.items()) files[item.key()] = origins_of(item.value(), file);
  return files;
}

// Lays `child` over `base` key by key: sections are merged recursively, anything else is
// replaced. `base_files` (KeyOrigins::files of `base`) records `file` for each value replaced.
void merge_over(nlohmann::json& base, nlohmann::json& base_files, const nlohmann::json& child,
                const std::string& file) {
  for (const auto& item : child.items()) {
    const std::string& key = item.key();
    const nlohmann::json& value = item.value();
    if (value.is_object() && base.contains(key) && base[key].is_object()) {
      if (value.empty()) continue;
      nlohmann::json& files = base_files[key];
      if (!files.is_object()) files = nlohmann::json::object();  // the base's section was empty
      merge_over(base[key], files, value, file);
    } else {
      base[key] = value;
      base_files[key] = origins_of(value, file);
    }
  }
}

// Reads `path` and, when it names a base ("extends", relative to the file's own directory),
// the base first, recursively, with the file merged over it. `chain` holds the files being
// read, outermost first, to refuse a cycle; `files` receives KeyOrigins::files of the result.
nlohmann::json resolve_extends(const std::string& path, std::vector<std::string>& chain, nlohmann::json& files) {
  nlohmann::json j = read_json_file(path);
  if (!j.is_object()) throw ConfigError(path + ": <top level>: expected an object, got " + type_name(j));
  chain.push_back(path);
  const auto extends = j.find("extends");
  if (extends == j.end()) {
    files = origins_of(j, path);
    return j;
  }
  if (!extends->is_string() || extends->get<std::string>().empty())
    throw ConfigError(path + ": extends: expected the path of a base config (a string, relative to this file), got " +
                      (extends->is_string() ? std::string("an empty string") : type_name(*extends)));
  namespace fs = std::filesystem;
  const fs::path relative = extends->get<std::string>();
  const std::string base = (fs::path(path).parent_path() / relative).lexically_normal().string();
  std::error_code ec;
  if (const std::string problem = input_file_problem(base); !problem.empty())
    throw ConfigError(path + ": extends: " + base + (problem == "no such file" ? " not found" : ": " + problem) +
                      " (\"" + quote_input(relative.string()) + "\" is relative to the directory of " + path + ")");
  // The same file under another spelling (./a.json, a symlink) closes a cycle too.
  const fs::path base_canonical = fs::weakly_canonical(base, ec);
  for (const auto& earlier : chain)
    if (fs::weakly_canonical(earlier, ec) == base_canonical) {
      std::string cycle;
      for (const auto& file : chain) cycle += file + " -> ";
      throw ConfigError(chain.front() + ": extends: a cycle: " + cycle + base);
    }
  j.erase(extends);
  nlohmann::json merged = resolve_extends(base, chain, files);
  merge_over(merged, files, j, path);
  return merged;
}

// Records `origin` as where the value at `key_path` came from.
void set_origin(nlohmann::json& files, const std::string& key_path, const std::string& origin) {
  nlohmann::json* node = &files;
  std::stringstream parts(key_path);
  std::string part;
  while (std::getline(parts, part, '.')) {
    if (!node->is_object()) *node = nlohmann::json::object();  // a section no file set, or set empty
    node = &(*node)[part];
  }
  *node = origin;
}

// Lays each "a.b=value" item over `j` (a whole config, every key present), the value typed by
// the field it replaces, and records "--set ITEM" as the key's origin. Keys, types and enum names
// are checked here, item by item; the values' ranges and agreement are the caller's, once, after
// every item is in. Returns whether data.train.src was set.
bool overlay_overrides(nlohmann::json& j, KeyOrigins& origin, const std::vector<std::string>& overrides) {
  bool sets_training_data = false;
  for (const auto& item : overrides) {
    const std::string where = "--set " + item;
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      throw ConfigError(where + ": expected key=value, for example train.lr=5e-4");
    std::string path = item.substr(0, eq), text = item.substr(eq + 1);
    nlohmann::json* node = &j;
    std::string walked;
    std::stringstream parts(path);
    std::string part;
    while (std::getline(parts, part, '.')) {
      walked += walked.empty() ? part : "." + part;
      if (!node->is_object() || !node->contains(part))
        throw ConfigError(where + ": " + walked + ": unknown key" + (node->is_object() ? suggestion(part, *node) : ""));
      node = &(*node)[part];
    }
    if (node->is_object()) throw ConfigError(where + ": " + path + ": is a section; set one of its keys");
    nlohmann::json value;
    if (node->is_string()) {
      value = text;  // strings are taken verbatim, so paths need no quoting
    } else {
      try {
        value = nlohmann::json::parse(text);
      } catch (const nlohmann::json::exception&) {  // parse_error, and out_of_range for 1e999
        throw ConfigError(where + ": " + path + ": expected " + type_name(*node) + ", got \"" + text + "\"");
      }
      if (!same_kind(*node, value))
        throw ConfigError(where + ": " + path + ": expected " + type_name(*node) + ", got " + type_name(value));
      require_int_range(*node, value, path, where);
    }
    *node = value;
    set_origin(origin.files, path, where);
    require_enum_names(j, origin);
    sets_training_data |= path == "data.train.src";
  }
  return sets_training_data;
}

}  // namespace

std::string decode_value_problem(const std::string& key, double value) {
  if (!std::isfinite(value)) return "must be a finite number";
  if (key == "beam" || key == "nbest" || key == "max_len" || key == "batch_size")
    return value >= 1 ? "" : "must be at least 1";
  // GNMT's score / ((5 + len) / 6)^alpha: 0 leaves the scores as they are, a larger alpha favours
  // longer translations more; below 0 it would penalise length on top of the log-probabilities.
  if (key == "length_penalty") return value >= 0 ? "" : "must be 0 or more";
  if (key == "max_len_ratio") return value > 0 ? "" : "must be positive";
  throw std::invalid_argument("decode_value_problem: no decoding value is called " + key);
}

void validate(const Config& c, const std::string& origin) { check_values(c, origin); }

Config config_from_json(const nlohmann::json& j, const std::string& origin) {
  Config config = typed_config(j, origin);
  check_values(config, origin);
  return config;
}

Config load_config(const std::string& path) { return load_config(path, {}); }

Config load_config(const std::string& path, const std::vector<std::string>& overrides) {
  std::vector<std::string> chain;
  KeyOrigins origin(path);
  const nlohmann::json j = resolve_extends(path, chain, origin.files);
  Config config = typed_config(j, origin);
  if (!overrides.empty()) {
    nlohmann::json whole = config;
    overlay_overrides(whole, origin, overrides);
    config = whole.get<Config>();
  }
  require_training_data(config, origin);
  check_values(config, origin);
  return config;
}

void apply_overrides(Config& config, const std::vector<std::string>& overrides, const std::string& origin) {
  if (overrides.empty()) return;
  KeyOrigins origins(origin);
  nlohmann::json j = config;
  const bool sets_training_data = overlay_overrides(j, origins, overrides);
  Config result = j.get<Config>();
  if (sets_training_data) require_training_data(result, origins);
  check_values(result, origins);
  config = result;
}

void save_config(const Config& config, const std::string& path) {
  nlohmann::json j = config;
  write_file_atomic(path, j.dump(2) + "\n");
}

std::vector<std::pair<std::string, nlohmann::json>> flatten(const nlohmann::json& j) {
  std::vector<std::pair<std::string, nlohmann::json>> out;
  const nlohmann::json flat = j.flatten();  // keep alive: items() only references it
  for (const auto& [key, value] : flat.items()) {
    // json::flatten gives JSON pointers "/a/b" ("" for an empty object at the top, "~1" and
    // "~0" for '/' and '~' inside a key); arrays come out per element ("train.betas.0").
    std::string dotted;
    for (std::size_t i = key.empty() ? 0 : 1; i < key.size(); ++i) {
      if (key[i] == '/') {
        dotted += '.';
      } else if (key[i] == '~' && i + 1 < key.size()) {
        dotted += key[++i] == '1' ? '/' : '~';
      } else {
        dotted += key[i];
      }
    }
    out.emplace_back(dotted, value);
  }
  return out;
}

std::vector<std::string> differing_keys(const std::vector<nlohmann::json>& configs) {
  std::map<std::string, std::vector<nlohmann::json>> values;
  for (size_t i = 0; i < configs.size(); ++i)
    for (auto& [key, value] : flatten(configs[i])) {
      auto& slot = values[key];
      slot.resize(configs.size());
      slot[i] = value;
    }
  std::vector<std::string> keys;
  for (auto& [key, slot] : values) {
    slot.resize(configs.size());
    for (size_t i = 1; i < slot.size(); ++i)
      if (slot[i] != slot[0]) {
        keys.push_back(key);
        break;
      }
  }
  return keys;
}

namespace {

bool is_transformer(const Config& c) { return c.model.type == ModelType::transformer; }
// The plain RNN's own options: bahdanau is always a bidirectional GRU (models/bahdanau.h).
bool is_plain_rnn(const Config& c) { return c.model.type == ModelType::rnn; }
bool is_recurrent(const Config& c) { return c.model.type != ModelType::transformer; }
bool warms_up(const Config& c) {
  return c.train.schedule == Schedule::inverse_sqrt || c.train.schedule == Schedule::linear ||
         c.train.schedule == Schedule::cosine;
}
bool on_plateau(const Config& c) { return c.train.schedule == Schedule::plateau; }
bool has_floor(const Config& c) {
  return c.train.schedule == Schedule::plateau || c.train.schedule == Schedule::linear ||
         c.train.schedule == Schedule::cosine;
}
bool uses_spm(const Config& c) { return c.data.tokenizer == "spm"; }
bool uses_words(const Config& c) { return c.data.tokenizer == "word"; }

// The keys that only some configs read, and which. Read from the models (models/*.cpp) and
// the schedule (train/schedule.cpp): a key a model starts to read moves here or leaves.
struct ConditionalKey {
  const char* key;
  bool (*read_by)(const Config&);
};
constexpr ConditionalKey kConditionalKeys[] = {
    {"model.heads", is_transformer},
    {"model.ff_dim", is_transformer},
    {"model.attention_dropout", is_transformer},
    {"model.norm", is_transformer},
    {"model.final_norm", is_transformer},
    {"model.positions", is_transformer},
    {"model.max_positions", is_transformer},
    {"model.tie_embeddings", is_transformer},
    {"model.share_embeddings", is_transformer},
    {"data.spm_type", uses_spm},
    {"data.vocab_size", uses_spm},
    {"data.joint_vocab", uses_spm},
    {"data.spm_dir", uses_spm},
    {"data.min_freq", uses_words},
    {"data.max_size", uses_words},
    {"model.cell", is_plain_rnn},
    {"model.bidirectional", is_plain_rnn},
    {"model.reverse_source", is_recurrent},
    {"train.teacher_forcing", is_recurrent},
    {"train.warmup_steps", warms_up},
    {"train.plateau_factor", on_plateau},
    {"train.plateau_patience", on_plateau},
    {"train.min_lr", has_floor},
    {"train.lr_drop_resets_patience", on_plateau},
};

}  // namespace

bool config_uses_key(const Config& config, const std::string& dotted_key) {
  for (const auto& conditional : kConditionalKeys)
    if (dotted_key == conditional.key) return conditional.read_by(config);
  return true;
}

}  // namespace seq2seq
