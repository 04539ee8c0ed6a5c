// Teacher-forced statistics: hand-computed numbers on a toy input, the bins' invariants, and a
// real tiny model whose mean cross-entropy is the perplexity's log.
#include "seq2seq/data/batcher.h"
#include "seq2seq/data/vocab.h"
#include "seq2seq/eval/perplexity.h"
#include "seq2seq/eval/teacher_forced.h"
#include "seq2seq/models/factory.h"
#include "toy_pairs.h"

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <random>
#include <vector>

namespace eval = seq2seq::eval;
using seq2seq::data::Vocab;

namespace {

// Two sentences. A: 3 source words (band 1-10), T = 3 target tokens; B: 15 source words (band
// 11-20), T = 5. `hit` marks the tokens the model ranks first (predicted == reference).
//   A  j:        0     1     2          B  j:        0     1     2     3     4
//      log p:  -1.0  -0.5  -1.5            log p:  -0.2  -0.4  -0.6  -0.8  -1.0
//      hit:     yes   no    yes            hit:     yes   yes   no    yes   no
//      bin:      0     3     6             bin:      0     2     4     6     8
// bins: A floor(10*j/3) = 0, 3 (10/3 = 3.33), 6 (20/3 = 6.67); B floor(10*j/5) = 0, 2, 4, 6, 8.
std::vector<eval::ScoredSentence> toy_sentences() {
  auto sentence = [](int src_words, std::vector<double> log_probs, std::vector<bool> hit) {
    eval::ScoredSentence s;
    s.src_words = src_words;
    s.log_probs = log_probs;
    for (std::size_t j = 0; j < hit.size(); ++j) {
      s.reference.push_back(10 + static_cast<int64_t>(j));
      s.predicted.push_back(hit[j] ? s.reference.back() : 99);
    }
    return s;
  };
  return {sentence(3, {-1.0, -0.5, -1.5}, {true, false, true}),
          sentence(15, {-0.2, -0.4, -0.6, -0.8, -1.0}, {true, true, false, true, false})};
}

}  // namespace

TEST(TeacherForced, PositionBinIsTheFloorOfTenJOverT) {
  EXPECT_EQ(eval::position_bin(0, 3), 0);
  EXPECT_EQ(eval::position_bin(1, 3), 3);   // 3.33
  EXPECT_EQ(eval::position_bin(2, 3), 6);   // 6.67
  EXPECT_EQ(eval::position_bin(3, 10), 3);  // exactly 0.3: bin 3, not 2 through rounding
  EXPECT_EQ(eval::position_bin(9, 10), 9);
  EXPECT_EQ(eval::position_bin(29, 30), 9);  // 9.67
  EXPECT_EQ(eval::position_bin(0, 1), 0);
}

TEST(TeacherForced, ToyInputGivesTheHandComputedNumbers) {
  const auto stats = eval::teacher_forced_stats(toy_sentences());
  // All: 8 tokens; nll = (1.0 + 0.5 + 1.5) + (0.2 + 0.4 + 0.6 + 0.8 + 1.0) = 3.0 + 3.0 = 6.0, so
  // cross-entropy 6.0 / 8 = 0.75; hits 2 + 3 = 5, so accuracy 5 / 8 = 0.625.
  EXPECT_EQ(stats.sentences, 2);
  EXPECT_EQ(stats.tokens.tokens, 8);
  EXPECT_NEAR(stats.tokens.cross_entropy(), 0.75, 1e-12);
  EXPECT_NEAR(stats.tokens.accuracy(), 0.625, 1e-12);

  // Bands as BLEU by length: 1-10, 11-20, 21-30, 31-40, 41+.
  ASSERT_EQ(stats.bands.size(), 5u);
  // 1-10 holds A: 3 tokens, nll 3.0 -> 1.0 nats/token; 2 hits of 3 -> 0.6667.
  EXPECT_EQ(stats.bands[0].label, "1-10");
  EXPECT_EQ(stats.bands[0].sentences, 1);
  EXPECT_EQ(stats.bands[0].tokens.tokens, 3);
  EXPECT_NEAR(stats.bands[0].tokens.cross_entropy(), 1.0, 1e-12);
  EXPECT_NEAR(stats.bands[0].tokens.accuracy(), 2.0 / 3.0, 1e-12);
  // 11-20 holds B: 5 tokens, nll 3.0 -> 0.6 nats/token; 3 hits of 5 -> 0.6.
  EXPECT_EQ(stats.bands[1].label, "11-20");
  EXPECT_EQ(stats.bands[1].tokens.tokens, 5);
  EXPECT_NEAR(stats.bands[1].tokens.cross_entropy(), 0.6, 1e-12);
  EXPECT_NEAR(stats.bands[1].tokens.accuracy(), 0.6, 1e-12);
  // The other bands are empty: no tokens, NaN means.
  for (std::size_t b = 2; b < 5; ++b) {
    EXPECT_EQ(stats.bands[b].sentences, 0);
    EXPECT_TRUE(std::isnan(stats.bands[b].tokens.accuracy()));
    EXPECT_TRUE(std::isnan(stats.bands[b].tokens.cross_entropy()));
  }

  // Bins over both sentences (NaN: no token):
  //   bin 0: A0 hit, B0 hit -> 2 tokens, 1.0     bin 2: B1 hit  -> 1, 1.0
  //   bin 3: A1 miss        -> 1, 0.0            bin 4: B2 miss -> 1, 0.0
  //   bin 6: A2 hit, B3 hit -> 2, 1.0            bin 8: B4 miss -> 1, 0.0
  //   bins 1, 5, 7, 9: none
  const std::vector<int64_t> all_tokens = {2, 0, 1, 1, 1, 0, 2, 0, 1, 0};
  const std::vector<double> all_accuracy = {1.0, NAN, 1.0, 0.0, 0.0, NAN, 1.0, NAN, 0.0, NAN};
  // Band 1-10 (A alone): bins 0 hit, 3 miss, 6 hit. Band 11-20 (B alone): 0, 2 hits, 4 miss, 6 hit, 8 miss.
  const std::vector<int64_t> short_tokens = {1, 0, 0, 1, 0, 0, 1, 0, 0, 0};
  const std::vector<double> short_accuracy = {1.0, NAN, NAN, 0.0, NAN, NAN, 1.0, NAN, NAN, NAN};
  const std::vector<int64_t> long_tokens = {1, 0, 1, 0, 1, 0, 1, 0, 1, 0};
  const std::vector<double> long_accuracy = {1.0, NAN, 1.0, NAN, 0.0, NAN, 1.0, NAN, 0.0, NAN};
  auto expect_bins = [](const eval::PositionTallies& bins, const std::vector<int64_t>& tokens,
                        const std::vector<double>& accuracy, const char* what) {
    for (int bin = 0; bin < eval::kPositionBins; ++bin) {
      SCOPED_TRACE(std::string(what) + " bin " + std::to_string(bin));
      EXPECT_EQ(bins[bin].tokens, tokens[bin]);
      if (std::isnan(accuracy[bin]))
        EXPECT_TRUE(std::isnan(bins[bin].accuracy()));
      else
        EXPECT_DOUBLE_EQ(bins[bin].accuracy(), accuracy[bin]);
    }
  };
  expect_bins(stats.positions, all_tokens, all_accuracy, "all");
  expect_bins(stats.bands[0].positions, short_tokens, short_accuracy, "1-10");
  expect_bins(stats.bands[1].positions, long_tokens, long_accuracy, "11-20");

  // The JSON eval writes: the same numbers, null where a mean has no tokens.
  const nlohmann::json j = stats;
  EXPECT_EQ(j["tokens"], 8);
  EXPECT_DOUBLE_EQ(j["cross_entropy"].get<double>(), 0.75);
  EXPECT_EQ(j["bands"][1]["band"], "11-20");
  EXPECT_DOUBLE_EQ(j["bands"][1]["accuracy"].get<double>(), 0.6);
  EXPECT_TRUE(j["bands"][4]["accuracy"].is_null());
  EXPECT_EQ(j["position_tokens"]["all"], nlohmann::json(all_tokens));
  EXPECT_EQ(j["position_tokens"]["bands"]["11-20"], nlohmann::json(long_tokens));
  EXPECT_DOUBLE_EQ(j["position_accuracy"]["all"][0].get<double>(), 1.0);
  EXPECT_TRUE(j["position_accuracy"]["all"][1].is_null());
  EXPECT_DOUBLE_EQ(j["position_accuracy"]["bands"]["1-10"][3].get<double>(), 0.0);
}

TEST(TeacherForced, MismatchedSizesAreRefused) {
  auto sentences = toy_sentences();
  sentences[1].predicted.pop_back();
  EXPECT_THROW(eval::teacher_forced_stats(sentences), std::invalid_argument);
}

// Whatever the lengths: the bins hold every token once, and their token-weighted mean accuracy
// is the overall accuracy (so is it in every band).
TEST(TeacherForced, BinsPartitionTheTokens) {
  std::mt19937 rng(7);
  std::vector<eval::ScoredSentence> sentences;
  int64_t total = 0;
  for (int i = 0; i < 200; ++i) {
    eval::ScoredSentence s;
    s.src_words = static_cast<int>(rng() % 60);
    const int length = 1 + static_cast<int>(rng() % 45);
    for (int j = 0; j < length; ++j) {
      s.reference.push_back(rng() % 5);
      s.predicted.push_back(rng() % 5);
      s.log_probs.push_back(-static_cast<double>(rng() % 1000) / 100.0);
    }
    total += length;
    sentences.push_back(s);
  }
  const auto stats = eval::teacher_forced_stats(sentences);
  auto check = [](const eval::PositionTallies& bins, const eval::TokenTally& whole) {
    int64_t tokens = 0;
    double weighted = 0.0, nll = 0.0;
    for (const auto& bin : bins) {
      tokens += bin.tokens;
      if (bin.tokens) weighted += bin.accuracy() * static_cast<double>(bin.tokens);
      nll += bin.nll;
    }
    EXPECT_EQ(tokens, whole.tokens);
    if (whole.tokens) {
      EXPECT_NEAR(weighted / static_cast<double>(tokens), whole.accuracy(), 1e-12);
    }
    EXPECT_NEAR(nll, whole.nll, 1e-9);
  };
  EXPECT_EQ(stats.tokens.tokens, total);
  check(stats.positions, stats.tokens);
  int64_t band_tokens = 0, band_sentences = 0;
  for (const auto& band : stats.bands) {
    SCOPED_TRACE(band.label);
    check(band.positions, band.tokens);
    band_tokens += band.tokens.tokens;
    band_sentences += band.sentences;
  }
  EXPECT_EQ(band_tokens, total);
  EXPECT_EQ(band_sentences, 200);
}

// A real model through the same teacher-forced pass as validation: the mean cross-entropy is the
// log of the perplexity eval reports, and the accuracy is the argmax of an independent forward().
TEST(TeacherForced, RealModelAgreesWithPerplexityAndForward) {
  torch::manual_seed(3);
  seq2seq::ModelConfig config;
  config.type = seq2seq::ModelType::bahdanau;
  config.emb_dim = config.hidden_dim = 16;
  config.layers = 1;
  config.dropout = 0.0;
  auto model = seq2seq::models::make_model(config, 14, 14);
  model->train();  // teacher_forced must switch to eval mode and back
  // Nine pairs of different lengths over a 10-word vocabulary on each side.
  const auto examples = seq2seq::testing::toy_pairs(9, {/*words=*/10, /*tgt_stride=*/3, /*tgt_lengths=*/7,
                                                        /*tgt_offset=*/2, /*first_index=*/100});
  std::vector<int> src_words;
  for (int i = 0; i < 9; ++i) src_words.push_back(5 * i);  // spread over several bands
  const torch::Device cpu(torch::kCPU);
  const auto stats = eval::teacher_forced(*model, examples, src_words, 4, cpu);
  const auto loss = eval::corpus_loss(*model, examples, 4, cpu);
  EXPECT_TRUE(model->is_training());
  EXPECT_EQ(stats.sentences, 9);
  EXPECT_EQ(stats.tokens.tokens, loss.tokens);
  EXPECT_NEAR(stats.tokens.cross_entropy(), std::log(loss.perplexity()), 1e-5);

  // Accuracy from forward() on all nine pairs at once: argmax against tgt_out where not <pad>.
  model->eval();
  torch::NoGradGuard no_grad;
  std::vector<int64_t> all(examples.size());
  for (std::size_t k = 0; k < all.size(); ++k) all[k] = static_cast<int64_t>(k);
  const auto batch = seq2seq::data::collate(examples, all);
  const auto logits = model->forward(batch);  // (B, T, V)
  const auto real = batch.tgt_out != Vocab::kPad;
  const auto hits = ((logits.argmax(-1) == batch.tgt_out) & real).sum().item<int64_t>();
  EXPECT_EQ(stats.tokens.correct, hits);
  // Sentence k sits in band 5k words: 0, 5, 10 in 1-10; 15, 20 in 11-20; 25, 30; 35, 40; none past 40.
  EXPECT_EQ(stats.bands[0].sentences, 3);
  EXPECT_EQ(stats.bands[1].sentences, 2);
  EXPECT_EQ(stats.bands[4].sentences, 0);
}
