// Paired bootstrap resampling: the properties the test must have, and hand-checked pieces.
#include "seq2seq/eval/bleu.h"
#include "seq2seq/eval/bootstrap.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

namespace eval = seq2seq::eval;

namespace {

const std::string kFixture = std::string(SEQ2SEQ_TEST_DATA_DIR) + "/bleu/";

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << path;
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The fixture's 300 pairs (sacreBLEU-checked BLEU, tests/data/bleu/README.md).
struct Fixture {
  std::vector<std::string> hyps = read_lines(kFixture + "hyp.txt");
  std::vector<std::string> refs = read_lines(kFixture + "ref.txt");
};

// The first half of each hypothesis' words: a clearly worse system on the same sentences.
std::vector<std::string> truncated(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  for (const auto& line : lines) {
    std::vector<std::string> words;
    std::string word;
    for (char c : line + " ")
      if (c == ' ') {
        if (!word.empty()) words.push_back(word);
        word.clear();
      } else {
        word += c;
      }
    std::string half;
    for (std::size_t i = 0; i < words.size() / 2; ++i) half += (i ? " " : "") + words[i];
    out.push_back(half);
  }
  return out;
}

}  // namespace

TEST(Bootstrap, SystemAgainstItselfHasNoDifferenceAndPOne) {
  Fixture f;
  const auto stats = eval::sentence_stats(f.hyps, f.refs);
  const auto r = eval::paired_bootstrap(stats, stats);
  EXPECT_EQ(r.difference, 0.0);
  EXPECT_EQ(r.p_value, 1.0);
  EXPECT_EQ(r.sentences, 300);
  EXPECT_EQ(r.resamples, 1000);
  EXPECT_EQ(r.baseline.mean, r.system.mean);
  EXPECT_EQ(r.baseline.ci, r.system.ci);
}

TEST(Bootstrap, ClearlyBetterSystemIsSignificant) {
  Fixture f;
  const auto good = eval::sentence_stats(f.hyps, f.refs);
  const auto bad = eval::sentence_stats(truncated(f.hyps), f.refs);
  const auto r = eval::paired_bootstrap(bad, good);
  EXPECT_GT(r.difference, 10.0);
  EXPECT_LT(r.p_value, 0.01);
  // Either order: the test is two-sided.
  const auto reversed = eval::paired_bootstrap(good, bad);
  EXPECT_NEAR(reversed.difference, -r.difference, 1e-9);
  EXPECT_LT(reversed.p_value, 0.01);
}

TEST(Bootstrap, NearlyEqualSystemsAreNotSignificant) {
  Fixture f;
  // Change one hypothesis of 300: a difference far inside the resampling noise.
  auto other = f.hyps;
  other[7] = f.refs[7];
  const auto r = eval::paired_bootstrap(eval::sentence_stats(f.hyps, f.refs), eval::sentence_stats(other, f.refs));
  EXPECT_NE(r.difference, 0.0);
  EXPECT_GT(r.p_value, 0.05);
}

TEST(Bootstrap, MeanIsCloseToCorpusBleuAndTheIntervalCoversIt) {
  Fixture f;
  const auto stats = eval::sentence_stats(f.hyps, f.refs);
  const double corpus = eval::corpus_bleu(f.hyps, f.refs).score;
  const auto r = eval::paired_bootstrap(eval::sentence_stats(truncated(f.hyps), f.refs), stats);
  EXPECT_NEAR(r.system.score, corpus, 1e-9);
  EXPECT_NEAR(r.system.mean, corpus, 0.5);
  EXPECT_GT(r.system.ci, 0.0);
  EXPECT_LT(r.system.mean - r.system.ci, corpus);
  EXPECT_GT(r.system.mean + r.system.ci, corpus);
}

TEST(Bootstrap, SameSeedSameResultsOtherSeedOtherResamples) {
  Fixture f;
  const auto good = eval::sentence_stats(f.hyps, f.refs);
  auto other = f.hyps;
  for (std::size_t i = 0; i < other.size(); i += 10) other[i] = f.refs[i];
  const auto better = eval::sentence_stats(other, f.refs);
  const auto a = eval::paired_bootstrap(good, better), b = eval::paired_bootstrap(good, better);
  EXPECT_EQ(a.p_value, b.p_value);
  EXPECT_EQ(a.system.mean, b.system.mean);
  EXPECT_EQ(a.system.ci, b.system.ci);
  eval::BootstrapOptions seed7;
  seed7.seed = 7;
  const auto c = eval::paired_bootstrap(good, better, seed7);
  EXPECT_EQ(c.seed, 7u);
  EXPECT_EQ(c.difference, a.difference);  // the observed difference does not depend on the seed
  EXPECT_NE(c.system.mean, a.system.mean);
}

// Every sentence the same pair: every resample is the whole set again, so the resampled scores
// all equal the corpus score (ci 0), every d_k equals the observed difference, and no d_k minus
// their mean (0) reaches it: p = 1 / (R + 1).
TEST(Bootstrap, HandCheckedConstantCase) {
  const auto worse = eval::bleu_stats("the cat sat on the mat", "the cat sat on a mat");
  const auto better = eval::bleu_stats("the cat sat on a mat", "the cat sat on a mat");
  const std::vector<eval::BleuStats> baseline(20, worse), system(20, better);
  eval::BootstrapOptions options;
  options.resamples = 99;
  const auto r = eval::paired_bootstrap(baseline, system, options);
  EXPECT_DOUBLE_EQ(r.system.score, 100.0);
  // "the cat sat on the mat" against "the cat sat on a mat": 5/6, 3/5, 2/4 and 1/3 n-grams
  // matched (clipped), equal lengths (brevity penalty 1): 100 * (5/6 * 3/5 * 2/4 * 1/3)^(1/4).
  const double expected = 100.0 * std::pow(1.0 / 12, 0.25);
  EXPECT_NEAR(r.baseline.score, expected, 1e-9);
  EXPECT_NEAR(r.difference, 100.0 - expected, 1e-9);
  EXPECT_NEAR(r.system.mean, 100.0, 1e-9);
  EXPECT_NEAR(r.baseline.mean, expected, 1e-9);
  EXPECT_NEAR(r.system.ci, 0.0, 1e-9);
  EXPECT_DOUBLE_EQ(r.p_value, 1.0 / 100);
}

TEST(Bootstrap, PValueByHand) {
  // Differences 0.1 0.5 0.9 1.3, mean 0.7, centred -0.6 -0.2 0.2 0.6.
  EXPECT_DOUBLE_EQ(eval::bootstrap_p_value({0.1, 0.5, 0.9, 1.3}, 0.3), 2.0 / 5);   // 0.6 reaches 0.3
  EXPECT_DOUBLE_EQ(eval::bootstrap_p_value({0.1, 0.5, 0.9, 1.3}, 0.61), 1.0 / 5);  // none reaches 0.61
  EXPECT_DOUBLE_EQ(eval::bootstrap_p_value({0.1, 0.5, 0.9, 1.3}, 0.0), 3.0 / 5);   // 0.2 and 0.6; -0.2, -0.6 not
  EXPECT_DOUBLE_EQ(eval::bootstrap_p_value({0.0, 0.0, 0.0}, 0.0), 1.0);            // the system against itself
}

TEST(Bootstrap, MeanAndCiByHand) {
  // 40 scores 1..40 (shuffled): mean 20.5; ranks 40/40 = 1 and 40 - 1 - 1 = 38 hold 2 and 39.
  std::vector<double> scores;
  for (int i = 40; i >= 1; --i) scores.push_back(i);
  const auto [mean, ci] = eval::mean_and_ci(scores);
  EXPECT_DOUBLE_EQ(mean, 20.5);
  EXPECT_DOUBLE_EQ(ci, 0.5 * (39 - 2));
  // 1000 scores 0..999: ranks 25 and 974, as sacreBLEU's estimate_ci.
  scores.clear();
  for (int i = 0; i < 1000; ++i) scores.push_back(i);
  EXPECT_DOUBLE_EQ(eval::mean_and_ci(scores).second, 0.5 * (974 - 25));
}

TEST(Bootstrap, UniformIndexStaysInRangeAndCoversIt) {
  std::mt19937_64 rng(1);
  std::vector<int> seen(7, 0);
  for (int i = 0; i < 7000; ++i) {
    const uint64_t k = eval::uniform_index(rng, 7);
    ASSERT_LT(k, 7u);
    ++seen[k];
  }
  for (int count : seen) EXPECT_NEAR(count, 1000, 150);
  EXPECT_EQ(eval::uniform_index(rng, 1), 0u);
}

TEST(Bootstrap, BadInputThrows) {
  const std::vector<eval::BleuStats> one(1), two(2);
  EXPECT_THROW(eval::paired_bootstrap(one, two), std::invalid_argument);
  EXPECT_THROW(eval::paired_bootstrap({}, {}), std::invalid_argument);
  eval::BootstrapOptions none;
  none.resamples = 0;
  EXPECT_THROW(eval::paired_bootstrap(one, one, none), std::invalid_argument);
}

TEST(Bootstrap, Json) {
  const std::vector<eval::BleuStats> stats(3, eval::bleu_stats("a b c d", "a b c d"));
  eval::BootstrapOptions options;
  options.resamples = 10;
  const nlohmann::json j = eval::paired_bootstrap(stats, stats, options);
  EXPECT_EQ(j["sentences"], 3);
  EXPECT_EQ(j["resamples"], 10);
  EXPECT_EQ(j["seed"], 12345);
  EXPECT_EQ(j["p_value"], 1.0);
  EXPECT_EQ(j["difference"], 0.0);
  EXPECT_NEAR(j["system"]["score"].get<double>(), 100.0, 1e-9);
  EXPECT_TRUE(j["baseline"].contains("ci"));
}

TEST(BleuSentenceStats, SumToCorpusStatistics) {
  Fixture f;
  eval::BleuStats total;
  for (const auto& s : eval::sentence_stats(f.hyps, f.refs)) total += s;
  EXPECT_EQ(total, eval::corpus_bleu(f.hyps, f.refs).stats);
  EXPECT_THROW(eval::sentence_stats({"a"}, {}), std::invalid_argument);
}
