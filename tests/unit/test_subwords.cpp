// SentencePiece subwords: deterministic training, exact round trips of German text, the
// specials as our ids, joint and separate models, unknown characters, and errors naming files.
#include "seq2seq/data/batcher.h"
#include "seq2seq/data/tokenizer.h"
#include "seq2seq/data/vocab.h"
#include "seq2seq/util/io.h"

#include <gtest/gtest.h>

#include <filesystem>

using seq2seq::DataConfig;
using seq2seq::data::SentencePieceTokenizer;
using seq2seq::data::Vocab;

namespace {

// A small German/English corpus with umlauts, ß, digits, hyphens and punctuation.
struct Corpus {
  std::vector<std::string> de, en;
};
Corpus corpus() {
  const std::vector<std::pair<std::string, std::string>> subjects = {
      {"Der Hund", "The dog"}, {"Die Katze", "The cat"}, {"Ein 12-jähriges Mädchen", "A 12-year-old girl"},
      {"Zwei Männer", "Two men"}, {"Die Straßenbahn", "The tram"}, {"Ein Fußballspieler", "A football player"}};
  const std::vector<std::pair<std::string, std::string>> rests = {
      {"läuft über die Straße.", "runs across the street."},
      {"spielt im Grünen, während es regnet!", "plays in the park while it rains!"},
      {"wartet seit 3 Stunden (ungefähr) auf den Bus?", "has been waiting 3 hours (roughly) for the bus?"},
      {"isst ein Brötchen mit Käse; danach schläft er.", "eats a roll with cheese; then he sleeps."}};
  Corpus c;
  for (int round = 0; round < 5; ++round)
    for (const auto& [s_de, s_en] : subjects)
      for (const auto& [r_de, r_en] : rests) {
        c.de.push_back(s_de + " " + r_de);
        c.en.push_back(s_en + " " + r_en);
      }
  return c;
}

DataConfig spm_config(const std::string& type, bool joint, bool lowercase = false) {
  DataConfig config;
  config.tokenizer = "spm";
  config.spm_type = type;
  config.vocab_size = 120;
  config.joint_vocab = joint;
  config.lowercase = lowercase;
  return config;
}

}  // namespace

TEST(SentencePiece, TrainingIsDeterministic) {
  const auto c = corpus();
  for (const std::string type : {"unigram", "bpe"}) {
    const auto config = spm_config(type, false);
    const auto first = seq2seq::data::train_spm(config, c.de, c.en);
    const auto second = seq2seq::data::train_spm(config, c.de, c.en);
    ASSERT_EQ(first.size(), 2u) << type;
    EXPECT_EQ(first, second) << type << ": the same corpus gave different models";
    EXPECT_NE(first[0], first[1]) << type << ": the source and target models are the same";
  }
}

TEST(SentencePiece, EncodeThenDecodeGivesTheInputBack) {
  const auto c = corpus();
  const std::vector<std::string> lines = {
      "Ein 12-jähriges Mädchen läuft über die Straße.", "Zwei Männer spielen im Grünen, während es regnet!",
      "Die Straßenbahn wartet seit 3 Stunden (ungefähr) auf den Bus?", "Der Fußballspieler isst ein Brötchen mit Käse;"};
  for (const std::string type : {"unigram", "bpe"}) {
    const auto models = seq2seq::data::train_spm(spm_config(type, false), c.de, c.en);
    const SentencePieceTokenizer tokenizer(models[0], /*lowercase=*/false, "spm.src.model");
    for (const auto& line : lines) {
      const auto pieces = tokenizer.tokenize(line);
      EXPECT_GT(pieces.size(), 1u);
      EXPECT_EQ(std::count(pieces.begin(), pieces.end(), "<unk>"), 0) << type << ": " << line;
      EXPECT_EQ(tokenizer.detokenize(pieces), line) << type;
    }
    // Lowercased models see and give back lower case.
    const auto lower = seq2seq::data::train_spm(spm_config(type, false, true), c.de, c.en);
    const SentencePieceTokenizer lc(lower[0], /*lowercase=*/true, "spm.src.model");
    EXPECT_EQ(lc.detokenize(lc.tokenize("Ein 12-jähriges Mädchen läuft über die Straße.")),
              "ein 12-jähriges mädchen läuft über die straße.");
  }
}

TEST(SentencePiece, PiecesAreTheVocabularyWithOurSpecialsFirst) {
  const auto c = corpus();
  const auto models = seq2seq::data::train_spm(spm_config("unigram", false), c.de, c.en);
  const SentencePieceTokenizer tokenizer(models[1], false, "spm.tgt.model");
  const auto pieces = tokenizer.fixed_vocabulary();
  ASSERT_GE(pieces.size(), 4u);
  EXPECT_LE(pieces.size(), 120u);
  EXPECT_EQ(std::vector<std::string>(pieces.begin(), pieces.begin() + 4), Vocab::specials());
  // build_vocabs takes the pieces as they are, so piece ids are SentencePiece's ids.
  const DataConfig config = spm_config("unigram", false);
  const auto tokenizers = seq2seq::data::make_tokenizers(config, models);
  seq2seq::data::ParallelCorpus parallel;
  parallel.src = c.de;
  parallel.tgt = c.en;
  const auto [src_vocab, tgt_vocab] = seq2seq::data::build_vocabs(parallel, tokenizers, 2, 0);
  EXPECT_EQ(tgt_vocab.tokens(), pieces);
  EXPECT_EQ(src_vocab.tokens(), tokenizers.src->fixed_vocabulary());
  for (const auto& piece : tokenizers.tgt->tokenize("The dog runs across the street."))
    EXPECT_NE(tgt_vocab.id(piece), Vocab::kUnk) << piece;
}

TEST(SentencePiece, JointModelServesBothLanguages) {
  const auto c = corpus();
  const auto config = spm_config("bpe", true);
  const auto models = seq2seq::data::train_spm(config, c.de, c.en);
  ASSERT_EQ(models.size(), 1u);
  EXPECT_EQ(seq2seq::data::spm_model_files(config), std::vector<std::string>{"spm.model"});
  const auto tokenizers = seq2seq::data::make_tokenizers(config, models);
  EXPECT_EQ(tokenizers.src, tokenizers.tgt);
  EXPECT_EQ(std::count_if(models.begin(), models.end(), [](const std::string& m) { return m.empty(); }), 0);
  for (const std::string line : {"Die Katze spielt im Grünen.", "The cat plays in the park."}) {
    const auto pieces = tokenizers.src->tokenize(line);
    EXPECT_EQ(std::count(pieces.begin(), pieces.end(), "<unk>"), 0) << line;
    EXPECT_EQ(tokenizers.src->detokenize(pieces), line);
  }
  EXPECT_EQ(seq2seq::data::spm_model_files(spm_config("bpe", false)),
            (std::vector<std::string>{"spm.src.model", "spm.tgt.model"}));
}

TEST(SentencePiece, CharactersNeverSeenBecomeUnk) {
  const auto c = corpus();
  const auto models = seq2seq::data::train_spm(spm_config("unigram", false), c.de, c.en);
  const SentencePieceTokenizer tokenizer(models[0], false, "spm.src.model");
  const auto pieces = tokenizer.tokenize("Der Hund spielt im Grünen, € 3.");
  EXPECT_EQ(std::count(pieces.begin(), pieces.end(), "<unk>"), 1) << "the euro sign is not in the corpus";
}

TEST(SentencePiece, ErrorsNameTheFile) {
  try {
    SentencePieceTokenizer tokenizer("not a model", false, "runs/x/spm.src.model");
    FAIL() << "garbage loaded as a model";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("runs/x/spm.src.model: not a SentencePiece model", 0), 0u) << e.what();
  }
  const auto dir = std::filesystem::temp_directory_path() / "seq2seq_spm_missing";
  std::filesystem::create_directories(dir);
  auto config = spm_config("unigram", false);
  config.spm_dir = dir.string();
  try {
    seq2seq::data::spm_models_for_training(config, {"a"}, {"b"});
    FAIL() << "a missing spm_dir model was not an error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind((dir / "spm.src.model").string() + ": missing SentencePiece model", 0), 0u)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("seq2seq data spm --config FILE --out " + dir.string()), std::string::npos);
  }
  // Models from data.spm_dir are read as they are, not trained again.
  const auto c = corpus();
  const auto models = seq2seq::data::train_spm(spm_config("unigram", false), c.de, c.en);
  seq2seq::write_file_atomic((dir / "spm.src.model").string(), models[0]);
  seq2seq::write_file_atomic((dir / "spm.tgt.model").string(), models[1]);
  EXPECT_EQ(seq2seq::data::spm_models_for_training(config, {"x"}, {"y"}), models);
  std::filesystem::remove_all(dir);
  // The word tokenizer needs no models.
  EXPECT_TRUE(seq2seq::data::spm_models_for_training(DataConfig{}, c.de, c.en).empty());
}
