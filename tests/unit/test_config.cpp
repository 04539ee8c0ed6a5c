// Config: strict loading, round trips, overrides, and that every shipped config validates.
#include "seq2seq/config/config.h"
#include "seq2seq/util/io.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

using nlohmann::json;
using seq2seq::Config;
using seq2seq::ConfigError;

namespace {

std::string error_of(const json& j) {
  try {
    seq2seq::config_from_json(j, "x.json");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Config, DefaultsRoundTripThroughJson) {
  Config c;
  c.model.type = seq2seq::ModelType::transformer;
  c.model.hidden_dim = 256;
  c.train.lr = 5e-4;
  c.train.betas = {0.9, 0.98};
  c.data.train.src = "a.de";
  json j = c;
  Config back = seq2seq::config_from_json(j, "mem");
  EXPECT_EQ(json(back), j);
  EXPECT_EQ(back.train.betas[1], 0.98);
  EXPECT_EQ(back.data.train.src, "a.de");
}

TEST(Config, SaveLoadGivesTheSameConfig) {
  Config c;
  c.data.train = {"a.de", "a.en"};
  c.train.epochs = 3;
  c.decode.beam = 4;
  auto path = std::filesystem::temp_directory_path() / "seq2seq_config_roundtrip.json";
  seq2seq::save_config(c, path.string());
  Config back = seq2seq::load_config(path.string());
  EXPECT_EQ(json(back), json(c));
  std::filesystem::remove(path);
}

TEST(Config, PartialFileKeepsDefaults) {
  Config c = seq2seq::config_from_json(json::parse(R"({"model": {"type": "rnn"}})"), "x.json");
  EXPECT_EQ(c.model.type, seq2seq::ModelType::rnn);
  EXPECT_EQ(c.model.emb_dim, Config{}.model.emb_dim);
}

TEST(Config, UnknownKeyNamesFileKeyPathAndSuggestion) {
  EXPECT_EQ(error_of(json::parse(R"({"model": {"hiden_dim": 3}})")),
            "x.json: model.hiden_dim: unknown key (did you mean hidden_dim?)");
  EXPECT_EQ(error_of(json::parse(R"({"modle": {}})")), "x.json: modle: unknown key (did you mean model?)");
  EXPECT_EQ(error_of(json::parse(R"({"data": {"train": {"source": "a"}}})")), "x.json: data.train.source: unknown key");
}

TEST(Config, WrongTypeNamesKey) {
  EXPECT_EQ(error_of(json::parse(R"({"train": {"epochs": "ten"}})")),
            "x.json: train.epochs: expected an integer, got a string");
  EXPECT_EQ(error_of(json::parse(R"({"train": {"epochs": 2.5}})")),
            "x.json: train.epochs: expected an integer, got a number");
  EXPECT_EQ(error_of(json::parse(R"({"data": {"lowercase": 1}})")),
            "x.json: data.lowercase: expected true or false, got an integer");
  EXPECT_EQ(error_of(json::parse(R"({"train": {"betas": [0.9]}})")),
            "x.json: train.betas: expected an array of 2, got an array of 1");
  // Integers are fine where a float is expected.
  EXPECT_EQ(error_of(json::parse(R"({"train": {"lr": 1}})")), "");
}

TEST(Config, OutOfRangeValuesAreRejected) {
  EXPECT_EQ(error_of(json::parse(R"({"model": {"dropout": -0.1}})")), "x.json: model.dropout: must be in [0, 1)");
  EXPECT_EQ(error_of(json::parse(R"({"train": {"batch_size": 0}})")), "x.json: train.batch_size: must be at least 1");
  EXPECT_EQ(error_of(json::parse(R"({"model": {"type": "lstm2"}})")),
            "x.json: model.type: unknown value \"lstm2\" (expected one of: rnn, bahdanau, transformer)");
  EXPECT_NE(
      error_of(json::parse(R"({"model": {"type": "transformer", "hidden_dim": 256, "emb_dim": 256, "heads": 7}})"))
          .find("model.heads"),
      std::string::npos);
}

TEST(Config, InvalidJsonAndMissingFileNameTheFile) {
  auto path = std::filesystem::temp_directory_path() / "seq2seq_bad.json";
  seq2seq::write_file_atomic(path.string(), "{\"model\": ");
  try {
    seq2seq::load_config(path.string());
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path.string() + ": invalid JSON", 0), 0u) << e.what();
  }
  std::filesystem::remove(path);
  EXPECT_THROW(seq2seq::load_config("/nonexistent/config.json"), ConfigError);
}

TEST(Config, OverridesReachNestedKeysAndAreTyped) {
  Config c;
  seq2seq::apply_overrides(c, {"train.lr=5e-4", "data.train.src=foo/bar.de", "data.lowercase=false", "model.type=rnn",
                               "train.betas=[0.8,0.9]", "decode.beam=3"});
  EXPECT_DOUBLE_EQ(c.train.lr, 5e-4);
  EXPECT_EQ(c.data.train.src, "foo/bar.de");
  EXPECT_FALSE(c.data.lowercase);
  EXPECT_EQ(c.model.type, seq2seq::ModelType::rnn);
  EXPECT_DOUBLE_EQ(c.train.betas[0], 0.8);
  EXPECT_EQ(c.decode.beam, 3);
}

TEST(Config, BadOverridesAreErrors) {
  Config c;
  auto message = [&](const std::string& item) {
    try {
      seq2seq::apply_overrides(c, {item});
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(message("train.epochs=many"), "--set train.epochs=many: train.epochs: expected an integer, got \"many\"");
  EXPECT_EQ(message("train.epochs=1.5"), "--set train.epochs=1.5: train.epochs: expected an integer, got a number");
  EXPECT_EQ(message("train.lrr=1"), "--set train.lrr=1: train.lrr: unknown key (did you mean lr?)");
  EXPECT_EQ(message("train.lr"), "--set train.lr: expected key=value, for example train.lr=5e-4");
  EXPECT_EQ(message("model.dropout=2"), "--set model.dropout=2: model.dropout: must be in [0, 1)");
  EXPECT_EQ(message("train=3"), "--set train=3: train: is a section; set one of its keys");
  EXPECT_EQ(message("train.epochs=4294967297"),
            "--set train.epochs=4294967297: train.epochs: 4294967297 is out of range (at most 2147483647)");
}

// Found by tests/fuzz/fuzz_config: integers past int were wrapped silently (4294967297 epochs
// trained 1).
TEST(Config, IntegersPastIntAreRefusedNotWrapped) {
  EXPECT_EQ(error_of(json::parse(R"({"train": {"epochs": 4294967297}})")),
            "x.json: train.epochs: 4294967297 is out of range (at most 2147483647)");
  EXPECT_EQ(error_of(json::parse(R"({"train": {"seed": 18446744073709551615}})")),
            "x.json: train.seed: 18446744073709551615 is out of range (at most 2147483647)");
  EXPECT_NE(
      error_of(json::parse(R"({"data": {"max_len": -2147483649}})")).find("data.max_len: -2147483649 is out of range"),
      std::string::npos);
}

TEST(Config, DiffListsExactlyTheDifferingKeys) {
  Config a, b;
  b.model.type = seq2seq::ModelType::rnn;
  b.train.lr = 0.5;
  b.train.betas[1] = 0.98;
  auto keys = seq2seq::differing_keys({json(a), json(b)});
  EXPECT_EQ(keys, (std::vector<std::string>{"model.type", "train.betas.1", "train.lr"}));
  EXPECT_TRUE(seq2seq::differing_keys({json(a), json(a)}).empty());
}

TEST(Config, UsesKeyKnowsWhichModelTypeAndScheduleReadWhat) {
  using seq2seq::config_uses_key;
  Config rnn, bahdanau, transformer;
  rnn.model.type = seq2seq::ModelType::rnn;
  bahdanau.model.type = seq2seq::ModelType::bahdanau;
  transformer.model.type = seq2seq::ModelType::transformer;
  for (const char* key : {"model.heads", "model.ff_dim", "model.attention_dropout", "model.norm", "model.final_norm",
                          "model.positions", "model.max_positions", "model.tie_embeddings"}) {
    EXPECT_FALSE(config_uses_key(rnn, key)) << key;
    EXPECT_FALSE(config_uses_key(bahdanau, key)) << key;
    EXPECT_TRUE(config_uses_key(transformer, key)) << key;
  }
  for (const char* key : {"model.cell", "model.bidirectional"}) {
    EXPECT_TRUE(config_uses_key(rnn, key)) << key;
    EXPECT_FALSE(config_uses_key(bahdanau, key)) << key;  // always a bidirectional GRU
    EXPECT_FALSE(config_uses_key(transformer, key)) << key;
  }
  for (const Config* c : {&rnn, &bahdanau, &transformer})
    for (const char* key : {"model.type", "model.emb_dim", "model.hidden_dim", "model.layers", "model.dropout",
                            "model.init", "train.lr", "train.seed", "data.train.src", "decode.beam", "no.such.key"})
      EXPECT_TRUE(config_uses_key(*c, key)) << key;
  for (const char* key : {"model.reverse_source", "train.teacher_forcing"}) {  // the RNN models only
    EXPECT_TRUE(config_uses_key(rnn, key)) << key;
    EXPECT_TRUE(config_uses_key(bahdanau, key)) << key;
    EXPECT_FALSE(config_uses_key(transformer, key)) << key;
  }
  Config warmup, plateau;
  warmup.train.schedule = seq2seq::Schedule::inverse_sqrt;
  plateau.train.schedule = seq2seq::Schedule::plateau;
  EXPECT_TRUE(config_uses_key(warmup, "train.warmup_steps"));
  EXPECT_FALSE(config_uses_key(plateau, "train.warmup_steps"));
  EXPECT_FALSE(config_uses_key(rnn, "train.warmup_steps"));  // constant
  for (const char* key : {"train.plateau_factor", "train.plateau_patience", "train.min_lr"}) {
    EXPECT_TRUE(config_uses_key(plateau, key)) << key;
    EXPECT_FALSE(config_uses_key(warmup, key)) << key;
  }
}

// Found by tests/fuzz/fuzz_config: a number past double (1e999) is nlohmann's out_of_range, not a
// parse_error, and escaped as "error: [json.exception.out_of_range.406] ..." without the file, exit 1.
TEST(Config, NumbersPastDoubleNameTheFileOrOverride) {
  const auto dir = std::filesystem::temp_directory_path() / "seq2seq_config_1e999";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "big.json").string();
  seq2seq::write_file_atomic(path, R"({"train": {"lr": 1e999}})");
  try {
    seq2seq::load_config(path);
    FAIL() << "1e999 accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path + ": invalid JSON: ", 0), 0u) << e.what();
  }
  Config c;
  try {
    seq2seq::apply_overrides(c, {"train.lr=1e999"});
    FAIL() << "--set train.lr=1e999 accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "--set train.lr=1e999: train.lr: expected a number, got \"1e999\"");
  }
  std::filesystem::remove_all(dir);
}

// Found by tests/fuzz/fuzz_config: flatten() threw std::out_of_range on an empty object.
TEST(Config, FlattenTakesAnyJson) {
  EXPECT_EQ(seq2seq::flatten(json::object()).size(), 1u);
  const auto flat = seq2seq::flatten(json::parse(R"({"a/b": {"c~d": 1}, "e": []})"));
  ASSERT_EQ(flat.size(), 2u);
  EXPECT_EQ(flat[0].first, "a/b.c~d");
  EXPECT_EQ(flat[1].first, "e");
  EXPECT_EQ(seq2seq::differing_keys({json::object(), json::parse(R"({"x": 1})")}), (std::vector<std::string>{"x"}));
}

// Each resolves (its "extends" chain merged) and names all three splits itself or through a base:
// there is no default corpus.
TEST(Config, EveryShippedConfigValidatesAndNamesItsData) {
  int count = 0, extending = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(SEQ2SEQ_SOURCE_DIR "/configs")) {
    if (entry.path().extension() != ".json") continue;
    ++count;
    const std::string path = entry.path().string();
    if (json::parse(seq2seq::read_file(path)).contains("extends")) ++extending;
    Config config;
    ASSERT_NO_THROW(config = seq2seq::load_config(path)) << path;
    const json resolved = config;
    EXPECT_FALSE(resolved.contains("extends")) << path;
    EXPECT_NE(resolved["data"]["train"]["src"], "") << path;
    EXPECT_NE(resolved["data"]["train"]["tgt"], "") << path;
    EXPECT_NE(resolved["data"]["valid"]["src"], "") << path;
    EXPECT_NE(resolved["data"]["test"]["src"], "") << path;
  }
  EXPECT_GE(count, 17);
  EXPECT_GE(extending, 8);  // the near-copies say only what they change
}

TEST(Config, EnumOptionsRoundTripByTheirJsonNames) {
  using namespace seq2seq;
  Config c;
  c.model.type = ModelType::transformer, c.model.cell = Cell::lstm, c.model.norm = Norm::pre;
  c.model.positions = PositionEncoding::learned, c.model.init = Init::normal;
  c.model.emb_dim = c.model.hidden_dim = 256;
  c.train.schedule = Schedule::inverse_sqrt;
  json j = c;
  EXPECT_EQ(j["model"]["type"], "transformer");
  EXPECT_EQ(j["model"]["cell"], "lstm");
  EXPECT_EQ(j["model"]["norm"], "pre");
  EXPECT_EQ(j["model"]["positions"], "learned");
  EXPECT_EQ(j["model"]["init"], "normal");
  EXPECT_EQ(j["train"]["schedule"], "inverse_sqrt");
  EXPECT_EQ(json(Config{})["model"]["init"], "default");
  Config back = config_from_json(j, "mem");
  EXPECT_EQ(json(back), j);
  EXPECT_EQ(back.model.cell, Cell::lstm);
  EXPECT_EQ(back.train.schedule, Schedule::inverse_sqrt);
  EXPECT_EQ(to_string(ModelType::bahdanau), "bahdanau");
  EXPECT_EQ(to_string(Init::default_), "default");
  EXPECT_EQ(to_string(Schedule::plateau), "plateau");
}

TEST(Config, BadEnumValuesAreErrorsNotTheFirstValue) {
  EXPECT_EQ(error_of(json::parse(R"({"model": {"cell": "rnn"}})")),
            "x.json: model.cell: unknown value \"rnn\" (expected one of: gru, lstm)");
  EXPECT_EQ(error_of(json::parse(R"({"model": {"norm": "Pre"}})")),
            "x.json: model.norm: unknown value \"Pre\" (expected one of: post, pre)");
  EXPECT_EQ(error_of(json::parse(R"({"model": {"positions": "rotary"}})")),
            "x.json: model.positions: unknown value \"rotary\" (expected one of: sinusoidal, learned)");
  EXPECT_EQ(error_of(json::parse(R"({"model": {"init": "xavier"}})")),
            "x.json: model.init: unknown value \"xavier\" (expected one of: default, normal)");
  EXPECT_EQ(error_of(json::parse(R"({"train": {"schedule": "cosine_restarts"}})")),
            "x.json: train.schedule: unknown value \"cosine_restarts\" (expected one of: constant, plateau, inverse_sqrt, linear, cosine)");
  EXPECT_EQ(error_of(json::parse(R"({"model": {"cell": 1}})")),
            "x.json: model.cell: expected a string, got an integer");
  seq2seq::Config c;
  try {
    seq2seq::apply_overrides(c, {"model.type=gpt"});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "--set model.type=gpt: model.type: unknown value \"gpt\" (expected one of: rnn, bahdanau, transformer)");
  }
  EXPECT_EQ(c.model.type, seq2seq::ModelType::bahdanau);  // unchanged
}

TEST(Config, TeacherForcingBelowOneIsForRnnModelsOnly) {
  EXPECT_EQ(error_of(json::parse(R"({"model": {"type": "rnn"}, "train": {"teacher_forcing": 0.5}})")), "");
  EXPECT_EQ(error_of(json::parse(R"({"model": {"type": "bahdanau"}, "train": {"teacher_forcing": 0.5}})")), "");
  EXPECT_EQ(error_of(json::parse(R"({"model": {"type": "transformer", "hidden_dim": 256, "emb_dim": 256},
                                     "train": {"teacher_forcing": 0.5}})")),
            "x.json: train.teacher_forcing: must be 1 for the transformer (scheduled sampling is for the RNN models)");
}

TEST(Config, ReverseSourceIsForRnnModelsOnlyAndDefaultsToFalse) {
  EXPECT_FALSE(Config{}.model.reverse_source);
  // A config written before the key existed (a run's old config.json) loads, reading forwards.
  json old = Config{};
  old["model"].erase("reverse_source");
  EXPECT_FALSE(seq2seq::config_from_json(old, "old.json").model.reverse_source);
  EXPECT_TRUE(json(Config{})["model"].contains("reverse_source"));  // config show writes it out
  for (const char* type : {"rnn", "bahdanau"}) {
    Config c = seq2seq::config_from_json(json{{"model", {{"type", type}, {"reverse_source", true}}}}, "x.json");
    EXPECT_TRUE(c.model.reverse_source) << type;
  }
  EXPECT_EQ(error_of(json::parse(R"({"model": {"type": "transformer", "hidden_dim": 256, "emb_dim": 256,
                                                "reverse_source": true}})")),
            "x.json: model.reverse_source: must be false for the transformer (reversing the source is for the RNN "
            "models)");
  Config c;
  c.model.type = seq2seq::ModelType::rnn;
  seq2seq::apply_overrides(c, {"model.reverse_source=true"});
  EXPECT_TRUE(c.model.reverse_source);
  EXPECT_THROW(seq2seq::apply_overrides(c, {"model.reverse_source=1"}), ConfigError);  // a bool, not a number
}

// The keys of subword vocabularies, checkpoint averaging and selection by BLEU: every one
// validated, and the combinations that cannot do what they say refused.
TEST(Config, SubwordAveragingAndSelectionKeysAreValidated) {
  auto message = [](const std::string& text) { return error_of(json::parse(text)); };
  EXPECT_EQ(message(R"({"data": {"tokenizer": "bpe"}})"),
            "x.json: data.tokenizer: unknown value \"bpe\" (expected one of: word, spm)");
  EXPECT_EQ(message(R"({"data": {"tokenizer": "spm", "spm_type": "char"}})"),
            "x.json: data.spm_type: unknown value \"char\" (expected one of: unigram, bpe)");
  EXPECT_EQ(message(R"({"data": {"tokenizer": "spm", "vocab_size": 8}})"),
            "x.json: data.vocab_size: must be at least 16 (the specials and some characters)");
  EXPECT_EQ(message(R"({"data": {"joint_vocab": "yes"}})").find("x.json: data.joint_vocab: expected"), 0u);
  EXPECT_EQ(message(R"({"data": {"tokenizer": "spm", "spm_type": "bpe", "vocab_size": 4000, "joint_vocab": true,
                                 "spm_dir": "data/spm"}})"),
            "");
  // Three-way tying: a transformer, one joint SentencePiece vocabulary, and tied output weights.
  const std::string shared_needs =
      "x.json: model.share_embeddings: needs model.type \"transformer\", data.tokenizer \"spm\" and "
      "data.joint_vocab true (one vocabulary for both languages)";
  EXPECT_EQ(message(R"({"model": {"type": "transformer", "hidden_dim": 64, "emb_dim": 64, "heads": 4,
                                  "share_embeddings": true, "tie_embeddings": true}})"),
            shared_needs);
  EXPECT_EQ(message(R"({"data": {"tokenizer": "spm"}, "model": {"type": "transformer", "hidden_dim": 64,
                       "emb_dim": 64, "heads": 4, "share_embeddings": true, "tie_embeddings": true}})"),
            shared_needs);
  EXPECT_EQ(message(R"({"data": {"tokenizer": "spm", "joint_vocab": true}, "model": {"type": "bahdanau",
                       "share_embeddings": true}})"),
            shared_needs);
  EXPECT_EQ(message(R"({"data": {"tokenizer": "spm", "joint_vocab": true}, "model": {"type": "transformer",
                       "hidden_dim": 64, "emb_dim": 64, "heads": 4, "share_embeddings": true}})"),
            "x.json: model.share_embeddings: needs model.tie_embeddings true as well (source embedding = target "
            "embedding = output projection)");
  EXPECT_EQ(message(R"({"data": {"tokenizer": "spm", "joint_vocab": true}, "model": {"type": "transformer",
                       "hidden_dim": 64, "emb_dim": 64, "heads": 4, "share_embeddings": true,
                       "tie_embeddings": true}})"),
            "");
  EXPECT_EQ(message(R"({"train": {"average_last": -1}})"),
            "x.json: train.average_last: must not be negative (0 = no averaging)");
  EXPECT_EQ(message(R"({"train": {"early_stopping_metric": "valid_bleu", "valid_bleu_max": 0}})"),
            "x.json: train.valid_bleu_max: must be positive when train.early_stopping_metric is \"valid_bleu\" "
            "(no BLEU, no best checkpoint)");
  EXPECT_EQ(message(R"({"data": {"valid": {"src": ""}}, "train": {"early_stopping_metric": "valid_bleu"}})"),
            "x.json: data.valid.src: must name a file when train.early_stopping_metric is \"valid_bleu\"");
  // plateau_patience 1: the rate drops at the 2nd bad validation, so patience 2 would stop there.
  EXPECT_EQ(message(R"({"train": {"schedule": "plateau", "plateau_patience": 1, "patience": 2}})"),
            "x.json: train.patience: must be 0 or more than train.plateau_patience + 1 (2) with the plateau "
            "schedule, or the run stops before the rate is ever lowered");
  EXPECT_EQ(message(R"({"train": {"schedule": "plateau", "plateau_patience": 1, "patience": 3}})"), "");
  EXPECT_EQ(message(R"({"train": {"schedule": "inverse_sqrt", "plateau_patience": 1, "patience": 1}})"), "");
  EXPECT_EQ(message(R"({"train": {"lr_drop_resets_patience": 1}})").find("x.json: train.lr_drop_resets_patience: "
                                                                          "expected"),
            0u);
  EXPECT_TRUE(Config{}.train.lr_drop_resets_patience);
}

TEST(Config, TokenizerKeysAreUnusedByTheOtherTokenizer) {
  Config words, pieces;
  pieces.data.tokenizer = "spm";
  for (const char* key : {"data.spm_type", "data.vocab_size", "data.joint_vocab", "data.spm_dir"}) {
    EXPECT_FALSE(seq2seq::config_uses_key(words, key)) << key;
    EXPECT_TRUE(seq2seq::config_uses_key(pieces, key)) << key;
  }
  for (const char* key : {"data.min_freq", "data.max_size"}) {
    EXPECT_TRUE(seq2seq::config_uses_key(words, key)) << key;
    EXPECT_FALSE(seq2seq::config_uses_key(pieces, key)) << key;
  }
}

namespace {

namespace fs = std::filesystem;

// Config files in a fresh directory of the test's own, with subdirectories, removed after.
class ConfigExtends : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("seq2seq_extends_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes `text` to `relative` under the test's directory; returns the file's path.
  std::string write(const std::string& relative, const std::string& text) {
    const fs::path path = dir_ / relative;
    fs::create_directories(path.parent_path());
    seq2seq::write_file_atomic(path.string(), text);
    return path.string();
  }
  std::string path(const std::string& relative) const { return (dir_ / relative).lexically_normal().string(); }

  static std::string load_error(const std::string& file) {
    try {
      seq2seq::load_config(file);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }

  fs::path dir_;
};

// A base that is a whole config: its own data, an rnn, a few training keys.
const char* kBase = R"({
  "data": {"train": {"src": "base.de", "tgt": "base.en"}, "valid": {"src": "v.de", "tgt": "v.en"},
           "lowercase": false, "min_freq": 3},
  "model": {"type": "rnn", "emb_dim": 32, "hidden_dim": 64, "cell": "lstm"},
  "train": {"epochs": 5, "lr": 0.01, "betas": [0.8, 0.9]},
  "decode": {"beam": 2}
})";

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

// "../../base/rnn.json" from configs/exp/sub/: found next to the file, not the working directory.
TEST_F(ConfigExtends, BaseIsResolvedRelativeToTheFileThatNamesIt) {
  write("base/rnn.json", kBase);
  const std::string child = write("exp/sub/child.json", R"({"extends": "../../base/rnn.json"})");
  const Config config = seq2seq::load_config(child);
  EXPECT_EQ(config.data.train.src, "base.de");
  EXPECT_EQ(config.model.type, seq2seq::ModelType::rnn);
  EXPECT_EQ(config.model.hidden_dim, 64);
  // The same text one directory up names a file that is not there.
  const std::string elsewhere = write("exp/child.json", R"({"extends": "../../base/rnn.json"})");
  EXPECT_TRUE(contains(load_error(elsewhere), "not found")) << load_error(elsewhere);
}

TEST_F(ConfigExtends, ChildOverridesKeyByKeyAndMergesSections) {
  write("rnn.json", kBase);
  const std::string child = write("child.json", R"({
    "extends": "rnn.json",
    "data": {"train": {"src": "child.de"}},
    "model": {"hidden_dim": 128},
    "train": {"betas": [0.7, 0.95]}
  })");
  const Config c = seq2seq::load_config(child);
  EXPECT_EQ(c.data.train.src, "child.de");  // replaced
  EXPECT_EQ(c.data.train.tgt, "base.en");   // kept: data.train merged, not replaced
  EXPECT_EQ(c.data.valid.src, "v.de");
  EXPECT_FALSE(c.data.lowercase);
  EXPECT_EQ(c.data.min_freq, 3);
  EXPECT_EQ(c.model.type, seq2seq::ModelType::rnn);
  EXPECT_EQ(c.model.emb_dim, 32);
  EXPECT_EQ(c.model.hidden_dim, 128);
  EXPECT_EQ(c.model.cell, seq2seq::Cell::lstm);
  EXPECT_EQ(c.train.epochs, 5);
  EXPECT_DOUBLE_EQ(c.train.lr, 0.01);
  EXPECT_DOUBLE_EQ(c.train.betas[0], 0.7);  // an array is a value: replaced whole
  EXPECT_DOUBLE_EQ(c.train.betas[1], 0.95);
  EXPECT_EQ(c.decode.beam, 2);
  // The resolved whole is what a run records: saved and loaded again, no base needed.
  const std::string saved = path("saved.json");
  seq2seq::save_config(c, saved);
  EXPECT_FALSE(json::parse(seq2seq::read_file(saved)).contains("extends"));
  EXPECT_EQ(json(seq2seq::load_config(saved)), json(c));
}

// Each "extends" is relative to the file it is in: x/a.json -> y/b.json -> y/deeper/c.json.
TEST_F(ConfigExtends, ThreeLevelChainAppliesEachLevelInTurn) {
  write("y/deeper/c.json", R"({"data": {"train": {"src": "c.de", "tgt": "c.en"}},
                               "train": {"epochs": 1, "lr": 0.1}, "decode": {"beam": 2, "max_len": 50}})");
  write("y/b.json", R"({"extends": "deeper/c.json", "train": {"lr": 0.2}, "decode": {"beam": 3}})");
  const std::string a = write("x/a.json", R"({"extends": "../y/b.json", "decode": {"beam": 4}})");
  const Config c = seq2seq::load_config(a);
  EXPECT_EQ(c.data.train.src, "c.de");
  EXPECT_EQ(c.train.epochs, 1);
  EXPECT_DOUBLE_EQ(c.train.lr, 0.2);
  EXPECT_EQ(c.decode.beam, 4);
  EXPECT_EQ(c.decode.max_len, 50);
}

TEST_F(ConfigExtends, CycleIsRefusedNamingTheChain) {
  const std::string a = write("a.json", R"({"extends": "sub/b.json"})");
  write("sub/b.json", R"({"extends": "../a.json"})");
  const std::string error = load_error(a);
  EXPECT_EQ(error, a + ": extends: a cycle: " + a + " -> " + path("sub/b.json") + " -> " + path("a.json"));
  EXPECT_FALSE(contains(error, "\n"));
}

TEST_F(ConfigExtends, SelfExtendsIsRefused) {
  const std::string a = write("a.json", R"({"extends": "a.json", "train": {"epochs": 2}})");
  EXPECT_EQ(load_error(a), a + ": extends: a cycle: " + a + " -> " + path("a.json"));
  // Spelled another way, the same file.
  const std::string b = write("sub/b.json", R"({"extends": "../sub/./b.json"})");
  EXPECT_EQ(load_error(b), b + ": extends: a cycle: " + b + " -> " + path("sub/b.json"));
}

TEST_F(ConfigExtends, MissingBaseNamesTheReferringFileAndTheResolvedPath) {
  write("base.json", R"({"extends": "nowhere/gone.json"})");
  const std::string child = write("sub/child.json", R"({"extends": "../base.json"})");
  const std::string error = load_error(child);
  // The file that names the missing base (base.json, not child.json), and where it looked.
  EXPECT_EQ(error.rfind(path("base.json") + ": extends: " + path("nowhere/gone.json") + " not found", 0), 0u) << error;
  EXPECT_FALSE(contains(error, "\n"));
}

TEST_F(ConfigExtends, ExtendsMustBeAString) {
  const std::string number = write("n.json", R"({"extends": 3})");
  EXPECT_EQ(load_error(number),
            number + ": extends: expected the path of a base config (a string, relative to this file), got an integer");
  const std::string list = write("l.json", R"({"extends": ["a.json"]})");
  EXPECT_TRUE(contains(load_error(list), list + ": extends: expected the path")) << load_error(list);
  const std::string empty = write("e.json", R"({"extends": ""})");
  EXPECT_TRUE(contains(load_error(empty), "got an empty string")) << load_error(empty);
  // Only at the top level: inside a section it is an unknown key.
  const std::string nested = write("m.json", R"({"model": {"extends": "x.json"}})");
  EXPECT_EQ(load_error(nested), nested + ": model.extends: unknown key");
}

// An error about a key names the file that set it, base or child.
TEST_F(ConfigExtends, ErrorsNameTheFileTheKeyCameFrom) {
  const std::string typo = write("typo.json", R"({"data": {"train": {"src": "a"}}, "model": {"hiden_dim": 3}})");
  const std::string over_typo = write("sub/child.json", R"({"extends": "../typo.json", "train": {"epochs": 2}})");
  EXPECT_EQ(load_error(over_typo), path("typo.json") + ": model.hiden_dim: unknown key (did you mean hidden_dim?)");
  write("base.json", kBase);
  const std::string bad_value = write("bad.json", R"({"extends": "base.json", "model": {"dropout": 2}})");
  EXPECT_EQ(load_error(bad_value), bad_value + ": model.dropout: must be in [0, 1)");
  const std::string bad_base = write("bad_base.json", R"({"extends": "bad.json", "train": {"epochs": 2}})");
  EXPECT_EQ(load_error(bad_base), path("bad.json") + ": model.dropout: must be in [0, 1)");
  const std::string wrong_type = write("wrong.json", R"({"extends": "base.json", "train": {"epochs": "two"}})");
  EXPECT_EQ(load_error(wrong_type), wrong_type + ": train.epochs: expected an integer, got a string");
}

TEST_F(ConfigExtends, OverridesApplyToTheResolvedConfig) {
  write("rnn.json", kBase);
  const std::string child = write("child.json", R"({"extends": "rnn.json", "model": {"hidden_dim": 128}})");
  Config c = seq2seq::load_config(child);
  seq2seq::apply_overrides(c, {"model.emb_dim=16", "data.valid.src=w.de"});
  EXPECT_EQ(c.model.emb_dim, 16);
  EXPECT_EQ(c.model.hidden_dim, 128);
  EXPECT_EQ(c.model.cell, seq2seq::Cell::lstm);
  EXPECT_EQ(c.data.valid.src, "w.de");
  EXPECT_EQ(c.data.valid.tgt, "v.en");
}

// The corpus is in the config: no split has a default, and a file that names no training data is
// refused at load, before a run directory exists.
TEST_F(ConfigExtends, TrainingDataHasNoDefault) {
  EXPECT_EQ(Config{}.data.train.src, "");
  EXPECT_EQ(Config{}.data.valid.src, "");
  EXPECT_EQ(Config{}.data.test.src, "");
  const std::string bare = write("bare.json", R"({"model": {"type": "rnn"}, "train": {"epochs": 2}})");
  const std::string error = load_error(bare);
  EXPECT_EQ(error.rfind(bare + ": data.train.src: no training file (there is no default): state data.train, "
                               "data.valid and data.test",
                        0),
            0u)
      << error;
  EXPECT_FALSE(contains(error, "\n"));
  // A base that names the data is enough.
  write("data.json", R"({"data": {"train": {"src": "t.de", "tgt": "t.en"}}})");
  const std::string child = write("child.json", R"({"extends": "data.json", "model": {"type": "rnn"}})");
  EXPECT_EQ(seq2seq::load_config(child).data.train.src, "t.de");
  // Emptying it with --set is refused too.
  Config c = seq2seq::load_config(child);
  EXPECT_THROW(seq2seq::apply_overrides(c, {"data.train.src="}), ConfigError);
  // A config built in code without files still validates (data stats --src reads none of them).
  EXPECT_NO_THROW(seq2seq::validate(Config{}, "mem"));
}

// Overrides are laid over the file together and the whole is checked once, so that keys which
// must agree can change together, in any order; a pair that still disagrees is refused after all
// of them, naming the override or the file that set the key.
TEST_F(ConfigExtends, OverridesAreValidatedTogether) {
  const std::string file = write("transformer.json", R"({"data": {"train": {"src": "t.de", "tgt": "t.en"}},
    "model": {"type": "transformer", "emb_dim": 64, "hidden_dim": 64, "heads": 4}})");
  for (const auto& overrides : {std::vector<std::string>{"model.hidden_dim=32", "model.emb_dim=32"},
                                std::vector<std::string>{"model.emb_dim=32", "model.hidden_dim=32"}}) {
    const Config c = seq2seq::load_config(file, overrides);
    EXPECT_EQ(c.model.emb_dim, 32);
    EXPECT_EQ(c.model.hidden_dim, 32);
    Config loaded = seq2seq::load_config(file);
    seq2seq::apply_overrides(loaded, overrides, file);
    EXPECT_EQ(loaded.model.emb_dim, 32);
  }
  auto error = [&](const std::vector<std::string>& overrides) {
    try {
      seq2seq::load_config(file, overrides);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(error({"model.hidden_dim=32", "model.emb_dim=48"}),
            "--set model.emb_dim=48: model.emb_dim: must equal model.hidden_dim (32, d_model) for the transformer");
  // emb_dim is the file's: the error names the file, and the width the override gave.
  EXPECT_EQ(error({"model.hidden_dim=32"}),
            file + ": model.emb_dim: must equal model.hidden_dim (32, d_model) for the transformer");
  // A file that is wrong alone but right with its overrides loads.
  const std::string narrow = write("narrow.json", R"({"extends": "transformer.json", "model": {"emb_dim": 32}})");
  EXPECT_EQ(seq2seq::load_config(narrow, {"model.hidden_dim=32"}).model.hidden_dim, 32);
  EXPECT_THROW(seq2seq::load_config(narrow), ConfigError);
  // Keys and types are still checked item by item.
  EXPECT_EQ(error({"model.hidden_dim=32", "model.emb_dimm=32"}),
            "--set model.emb_dimm=32: model.emb_dimm: unknown key (did you mean emb_dim?)");
}

// One range per decoding value, for the config's decode.* keys and the options overriding them.
TEST(Config, DecodeValuesHaveOneRange) {
  using seq2seq::decode_value_problem;
  for (const char* key : {"beam", "nbest", "max_len", "batch_size"}) {
    EXPECT_EQ(decode_value_problem(key, 1), "") << key;
    EXPECT_EQ(decode_value_problem(key, 0), "must be at least 1") << key;
    EXPECT_EQ(decode_value_problem(key, -3), "must be at least 1") << key;
  }
  EXPECT_EQ(decode_value_problem("length_penalty", 0), "");
  EXPECT_EQ(decode_value_problem("length_penalty", 0.6), "");
  EXPECT_EQ(decode_value_problem("length_penalty", -0.5), "must be 0 or more");
  EXPECT_EQ(decode_value_problem("max_len_ratio", 1.5), "");
  EXPECT_EQ(decode_value_problem("max_len_ratio", 0), "must be positive");
  for (const char* key : {"beam", "length_penalty", "max_len_ratio"}) {
    EXPECT_EQ(decode_value_problem(key, std::nan("")), "must be a finite number") << key;
    EXPECT_EQ(decode_value_problem(key, HUGE_VAL), "must be a finite number") << key;
  }
  EXPECT_THROW(decode_value_problem("beem", 1), std::invalid_argument);

  // The config applies the same ranges, naming file and key.
  EXPECT_EQ(error_of(json::parse(R"({"decode": {"beam": 0}})")), "x.json: decode.beam: must be at least 1");
  EXPECT_EQ(error_of(json::parse(R"({"decode": {"length_penalty": -1}})")),
            "x.json: decode.length_penalty: must be 0 or more");
  EXPECT_EQ(error_of(json::parse(R"({"decode": {"max_len": 0}})")), "x.json: decode.max_len: must be at least 1");
  EXPECT_EQ(error_of(json::parse(R"({"decode": {"max_len_ratio": -1.5}})")),
            "x.json: decode.max_len_ratio: must be positive");
  EXPECT_EQ(error_of(json::parse(R"({"decode": {"batch_size": -2}})")),
            "x.json: decode.batch_size: must be at least 1");
  Config c;
  c.decode.length_penalty = std::nan("");
  try {
    seq2seq::validate(c, "mem");
    ADD_FAILURE() << "a NaN length penalty passed";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "mem: decode.length_penalty: must be a finite number");
  }
}
