// Typed experiment configuration: strict JSON load/save and --set overrides.
#pragma once
#include "seq2seq/util/errors.h"

#include <nlohmann/json.hpp>

#include <array>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace seq2seq {

// One split of a parallel corpus. Aligned line files: `src` + `tgt`.
// TSV (one "source<TAB>target" pair per line): `src` names the .tsv file and `tgt` stays empty.
struct SplitPaths {
  std::string src;
  std::string tgt;
};

struct DataConfig {
  // No default corpus: a config (or a base it extends) names its files, and load_config refuses
  // one without data.train. valid may stay empty (no validation), test too (eval then needs --src).
  SplitPaths train;
  SplitPaths valid;
  SplitPaths test;
  std::string src_lang = "de";
  std::string tgt_lang = "en";
  std::string tokenizer = "word";  // "word": the \w+|[^\w\s] rule; "spm": SentencePiece subwords (data/tokenizer.h)
  bool lowercase = true;
  int min_freq = 2;
  int max_size = 0;   // 0 = no limit (specials not counted)
  int max_len = 100;  // training pairs with more tokens on either side are dropped (and counted)
  // SentencePiece (tokenizer "spm"); min_freq and max_size are then unused.
  std::string spm_type = "unigram";  // unigram | bpe
  int vocab_size = 8000;             // pieces per model, the four specials included
  bool joint_vocab = false;          // one model and one vocabulary for both languages
  std::string spm_dir;               // "": train the models into the run directory; else copy them from
                                     // this directory (written by `seq2seq data spm --config FILE --out DIR`)
};

// The enum-like options. Each is written in JSON by its lower-case name (the NLOHMANN_JSON_SERIALIZE_ENUM
// tables in config.cpp); to_string() gives that name, and loading rejects any other spelling.
enum class ModelType { rnn, bahdanau, transformer };
enum class Cell { gru, lstm };
enum class Norm { post, pre };  // LayerNorm after (post) or before (pre) each residual block
enum class PositionEncoding { sinusoidal, learned };
enum class Init { default_, normal };  // "default": each layer's own scheme; "normal": N(0, 0.01)
enum class Schedule { constant, plateau, inverse_sqrt, linear, cosine };
// Arithmetic of the forward pass: fp32, or bf16 mixed precision (system/precision.h); auto picks
// bf16 where the CPU has native bfloat16 instructions. A run records the one it resolved to.
enum class Precision { auto_, fp32, bf16 };

// The first name of each table is also what an unknown string would silently become, so
// config_from_json() and apply_overrides() check the strings before converting.
NLOHMANN_JSON_SERIALIZE_ENUM(ModelType, {{ModelType::rnn, "rnn"},
                                         {ModelType::bahdanau, "bahdanau"},
                                         {ModelType::transformer, "transformer"}})
NLOHMANN_JSON_SERIALIZE_ENUM(Cell, {{Cell::gru, "gru"}, {Cell::lstm, "lstm"}})
NLOHMANN_JSON_SERIALIZE_ENUM(Norm, {{Norm::post, "post"}, {Norm::pre, "pre"}})
NLOHMANN_JSON_SERIALIZE_ENUM(PositionEncoding,
                             {{PositionEncoding::sinusoidal, "sinusoidal"}, {PositionEncoding::learned, "learned"}})
NLOHMANN_JSON_SERIALIZE_ENUM(Init, {{Init::default_, "default"}, {Init::normal, "normal"}})
NLOHMANN_JSON_SERIALIZE_ENUM(Schedule, {{Schedule::constant, "constant"},
                                        {Schedule::plateau, "plateau"},
                                        {Schedule::inverse_sqrt, "inverse_sqrt"},
                                        {Schedule::linear, "linear"},
                                        {Schedule::cosine, "cosine"}})
NLOHMANN_JSON_SERIALIZE_ENUM(Precision,
                             {{Precision::auto_, "auto"}, {Precision::fp32, "fp32"}, {Precision::bf16, "bf16"}})

// The JSON name of a value: "rnn", "lstm", "inverse_sqrt", ...
template <typename Enum, typename = std::enable_if_t<std::is_enum_v<Enum>>>
std::string to_string(Enum value) {
  return nlohmann::json(value).template get<std::string>();
}

struct ModelConfig {
  ModelType type = ModelType::bahdanau;
  int emb_dim = 256;
  int hidden_dim = 512;  // RNN hidden size; d_model for the Transformer
  int layers = 1;        // RNN layers; encoder and decoder layers for the Transformer
  int heads = 8;         // Transformer attention heads
  int ff_dim = 512;      // Transformer feed-forward size
  double dropout = 0.5;
  double attention_dropout = 0.0;  // Transformer: dropout on attention weights
  Cell cell = Cell::gru;           // rnn
  bool bidirectional = false;      // rnn encoder (bahdanau is always bidirectional)
  bool reverse_source = false;     // rnn, bahdanau: the encoder reads the source words last to first
  Norm norm = Norm::post;          // transformer
  bool final_norm = true;          // transformer: LayerNorm after each stack (as nn.Transformer)
  PositionEncoding positions = PositionEncoding::sinusoidal;  // transformer
  int max_positions = 512;                                    // transformer: longest sequence (learned positions)
  bool tie_embeddings = false;                                // transformer: target embedding = output projection
  bool share_embeddings = false;  // transformer, joint vocabulary: source embedding = target embedding too (three-way)
  Init init = Init::default_;                                 // normal: N(0, 0.01), as bentrevett's tutorials
};

struct TrainConfig {
  int epochs = 10;
  int batch_size = 128;            // sentences per batch (used when batch_tokens is 0)
  int batch_tokens = 0;            // > 0: batches hold about this many source+target tokens
  int bucket_chunk = 100;          // length bucketing: sort within chunks of this many batches
  std::string optimizer = "adam";  // adam | adamw
  double lr = 1e-3;
  std::array<double, 2> betas{0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0.0;
  double clip = 1.0;  // max global gradient L2 norm; 0 = no clipping
  double label_smoothing = 0.0;
  Schedule schedule = Schedule::constant;
  int warmup_steps = 4000;      // inverse_sqrt, linear, cosine: steps of linear warmup to train.lr
  double plateau_factor = 0.5;  // plateau: lr *= factor after plateau_patience bad validations
  int plateau_patience = 1;
  double min_lr = 1e-6;  // plateau: the lowest rate; linear, cosine: the rate at the planned last step
  double teacher_forcing = 1.0;  // rnn, bahdanau: probability of feeding the reference token (scheduled sampling)
  int seed = 1234;
  int valid_every = 0;                               // also validate every N steps (0 = once per epoch only)
  int valid_bleu_max = 1000;                         // sentences greedily decoded for validation BLEU (0 = no BLEU)
  std::string early_stopping_metric = "valid_loss";  // valid_loss | valid_bleu
  int patience = 0;                                  // validations without improvement before stopping (0 = never)
  double min_delta = 0;  // an improvement smaller than this (BLEU points or loss) still counts against patience
  int log_every = 50;                                // steps between progress log lines when stderr is not a terminal
  std::string device = "auto";                       // auto | cpu | cuda
  // fp32 | bf16 (mixed: bfloat16 matrix products, fp32 weights, optimizer and loss) | auto (bf16
  // where the CPU computes bfloat16 natively, else fp32). state.json records what it resolved to.
  Precision precision = Precision::auto_;
  int average_last = 0;  // > 0: keep the weights of the last N validations and write averaged.pt, their mean
  // plateau: when the schedule lowers the rate, the patience counter starts again, so that the
  // lowered rate gets `patience` validations of its own.
  bool lr_drop_resets_patience = true;
};

struct DecodeConfig {
  int beam = 5;                 // 1 = greedy
  double length_penalty = 1.0;  // GNMT alpha: score / ((5 + len) / 6)^alpha
  double max_len_ratio = 1.5;   // output length limit = max_len_ratio * source length + 10 ...
  int max_len = 200;            // ... and never more than this
  int batch_size = 64;          // sentences decoded together
};

struct Config {
  DataConfig data;
  ModelConfig model;
  TrainConfig train;
  DecodeConfig decode;
};

// JSON conversion (every field written; missing fields keep their defaults).
void to_json(nlohmann::json& j, const Config& c);
void from_json(const nlohmann::json& j, Config& c);

// Strict loading: unknown keys (with a "did you mean" hint), wrong types and out-of-range
// values throw ConfigError naming `origin` (usually the file) and the key path.
Config config_from_json(const nlohmann::json& j, const std::string& origin);
// A file may name a base, {"extends": "../rnn.json", ...}, relative to its own directory: the
// base is loaded first (it may extend another), then the file's keys replace the base's one by
// one, sections merged recursively. The merged whole is checked as config_from_json does, each
// error naming the file that set the key; it must name data.train.src. A cycle, a missing base
// and a non-string "extends" are errors naming the files.
Config load_config(const std::string& path);
// load_config with "a.b=value" overrides laid over the file's keys (each value typed by the field
// it replaces), and then the whole checked once, so that keys that must agree can be changed
// together: --set model.hidden_dim=32 --set model.emb_dim=32. Errors name "--set ITEM" for an
// overridden key and the file for the others.
Config load_config(const std::string& path, const std::vector<std::string>& overrides);
// The same for a config already loaded: all overrides applied, then the whole validated once;
// errors name `origin` (where `config` came from) for a key no override set.
void apply_overrides(Config& config, const std::vector<std::string>& overrides,
                     const std::string& origin = "the default config");
// Range and enum checks; throws ConfigError naming origin and key. An empty data.train passes
// (`data stats --src` reads no split of it); load_config refuses a file without one.
void validate(const Config& config, const std::string& origin);
// What is wrong with a decoding value ("" when nothing): the range of each decode.* key (beam,
// length_penalty, max_len_ratio, max_len, batch_size) and of nbest, applied both by validate()
// (naming file and key) and by the command-line options that override the keys (naming the option).
std::string decode_value_problem(const std::string& key, double value);
// Writes the resolved config atomically.
void save_config(const Config& config, const std::string& path);

// Flattened "a.b.c" -> value view, for diffs and display.
std::vector<std::pair<std::string, nlohmann::json>> flatten(const nlohmann::json& j);
// Keys whose values differ between configs (a key missing in one config counts as differing).
std::vector<std::string> differing_keys(const std::vector<nlohmann::json>& configs);

// Whether `config` reads the flattened key ("model.heads", "train.warmup_steps"): false for a
// key that only other model types read (model.heads for an rnn, model.cell for a transformer)
// or only another learning-rate schedule (train.warmup_steps unless inverse_sqrt). Every other
// key, unknown ones included, counts as read. The one place that knows which model type uses
// which key (the table in config.cpp); compare's config diff asks it.
bool config_uses_key(const Config& config, const std::string& dotted_key);

}  // namespace seq2seq
