// BLEU, chrF and BLEU-by-length: agreement with sacreBLEU 2.5.1 on the fixture, and hand-computed cases.
#include "seq2seq/eval/bleu.h"
#include "seq2seq/eval/chrf.h"
#include "seq2seq/eval/length_buckets.h"
#include "seq2seq/util/io.h"
#include "seq2seq/util/utf8.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace eval = seq2seq::eval;
using nlohmann::json;

namespace {

const std::string kFixture = std::string(SEQ2SEQ_TEST_DATA_DIR) + "/bleu/";

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << path;
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

struct Fixture {
  std::vector<std::string> hyps = read_lines(kFixture + "hyp.txt");
  std::vector<std::string> refs = read_lines(kFixture + "ref.txt");
  json scores = json::parse(seq2seq::read_file(kFixture + "scores.json"));
};

// The signature without its version field, which names the implementation.
std::string without_version(const std::string& signature) { return signature.substr(0, signature.rfind("|version:")); }

void expect_matches_sacrebleu(const eval::BleuResult& ours, const json& theirs) {
  EXPECT_NEAR(ours.score, theirs["score"].get<double>(), 0.01);
  EXPECT_NEAR(ours.bp, theirs["bp"].get<double>(), 1e-4);
  EXPECT_EQ(ours.stats.sys_len, theirs["sys_len"].get<int64_t>());
  EXPECT_EQ(ours.stats.ref_len, theirs["ref_len"].get<int64_t>());
  for (int n = 0; n < 4; ++n) {
    EXPECT_EQ(ours.stats.counts[n], theirs["counts"][n].get<int64_t>()) << "order " << n + 1;
    EXPECT_EQ(ours.stats.totals[n], theirs["totals"][n].get<int64_t>()) << "order " << n + 1;
    EXPECT_NEAR(ours.precisions[n], theirs["precisions"][n].get<double>(), 0.01) << "order " << n + 1;
  }
  EXPECT_EQ(without_version(ours.signature), without_version(theirs["signature"].get<std::string>()));
}

}  // namespace

// ---- agreement with sacreBLEU 2.5.1 (tests/data/bleu/README.md) ----

TEST(BleuSacrebleu, FixtureHasThreeHundredAlignedLines) {
  Fixture f;
  EXPECT_EQ(f.hyps.size(), 300u);
  EXPECT_EQ(f.refs.size(), 300u);
}

TEST(BleuSacrebleu, CorpusBleuCasedMatches) {
  Fixture f;
  expect_matches_sacrebleu(eval::corpus_bleu(f.hyps, f.refs), f.scores["bleu"]);
}

TEST(BleuSacrebleu, CorpusBleuLowercasedMatches) {
  Fixture f;
  expect_matches_sacrebleu(eval::corpus_bleu(f.hyps, f.refs, /*lowercase=*/true), f.scores["bleu_lc"]);
}

TEST(BleuSacrebleu, ChrfMatches) {
  Fixture f;
  eval::ChrfResult chrf = eval::corpus_chrf(f.hyps, f.refs);
  EXPECT_NEAR(chrf.score, f.scores["chrf"]["score"].get<double>(), 0.01);
  EXPECT_EQ(without_version(chrf.signature), without_version(f.scores["chrf"]["signature"].get<std::string>()));
}

TEST(BleuSacrebleu, SentenceBleuFirstTwentyMatch) {
  Fixture f;
  const json& expected = f.scores["sentence_bleu_first20"];
  ASSERT_EQ(expected.size(), 20u);
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(eval::sentence_bleu(f.hyps[i], f.refs[i]), expected[i].get<double>(), 0.01) << "line " << i + 1;
}

TEST(BleuSacrebleu, StatisticsAddUpOverSentences) {
  Fixture f;
  eval::BleuStats sum;
  for (std::size_t i = 0; i < f.hyps.size(); ++i) sum += eval::bleu_stats(f.hyps[i], f.refs[i]);
  eval::BleuResult from_sum = eval::bleu_from_stats(sum);
  eval::BleuResult corpus = eval::corpus_bleu(f.hyps, f.refs);
  EXPECT_EQ(from_sum.stats, corpus.stats);
  EXPECT_DOUBLE_EQ(from_sum.score, corpus.score);
}

TEST(BleuSacrebleu, JsonHasEveryField) {
  Fixture f;
  json j = eval::corpus_bleu(f.hyps, f.refs);
  for (const char* key : {"score", "signature", "precisions", "counts", "totals", "bp", "ratio", "sys_len", "ref_len"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["counts"], f.scores["bleu"]["counts"]);
  EXPECT_NEAR(j["ratio"].get<double>(), 4984.0 / 5226.0, 1e-12);
}

// ---- hand-computed BLEU ----

TEST(BleuHand, PerfectMatchIsHundred) {
  eval::BleuResult r = eval::corpus_bleu({"the cat sat on the mat ."}, {"the cat sat on the mat."});
  EXPECT_DOUBLE_EQ(r.score, 100.0);
  EXPECT_DOUBLE_EQ(r.bp, 1.0);
  EXPECT_DOUBLE_EQ(eval::sentence_bleu("a b c d e", "a b c d e"), 100.0);
}

TEST(BleuHand, EmptyHypothesisIsZero) {
  eval::BleuResult r = eval::corpus_bleu({""}, {"the cat sat on the mat"});
  EXPECT_EQ(r.score, 0.0);
  EXPECT_EQ(r.bp, 0.0);
  EXPECT_EQ(r.stats.sys_len, 0);
  EXPECT_EQ(r.stats.ref_len, 6);
  EXPECT_EQ(eval::sentence_bleu("", "a b"), 0.0);
}

TEST(BleuHand, NoOverlapIsZero) {
  eval::BleuResult r = eval::corpus_bleu({"a b c d e"}, {"f g h i j"});
  EXPECT_EQ(r.score, 0.0);
  EXPECT_EQ(r.stats.counts, (std::array<int64_t, 4>{0, 0, 0, 0}));
  EXPECT_EQ(r.stats.totals, (std::array<int64_t, 4>{5, 4, 3, 2}));
}

TEST(BleuHand, BrevityPenalty) {
  // Every n-gram of the 5-token hypothesis is in the 6-token reference: BLEU = BP = exp(1 - 6/5).
  eval::BleuResult r = eval::corpus_bleu({"the cat sat on the"}, {"the cat sat on the mat"});
  EXPECT_EQ(r.stats.counts, r.stats.totals);
  EXPECT_NEAR(r.bp, std::exp(1.0 - 6.0 / 5.0), 1e-12);
  EXPECT_NEAR(r.score, 100.0 * std::exp(-0.2), 1e-9);
  // A longer hypothesis is not penalized for length.
  EXPECT_DOUBLE_EQ(eval::corpus_bleu({"the cat sat on the mat mat"}, {"the cat sat on the mat"}).bp, 1.0);
}

TEST(BleuHand, MultiSentenceCorpus) {
  // Sentence 1: "the cat is on the mat" / "the cat sat on the mat"
  //   1-grams 5/6 (is), 2-grams 3/5 (the cat, on the, the mat), 3-grams 1/4 (on the mat), 4-grams 0/3.
  // Sentence 2: "a dog runs." / "the dog runs fast." -> tokens "a dog runs ." / "the dog runs fast ."
  //   1-grams 3/4 (dog runs .), 2-grams 1/3 (dog runs), 3-grams 0/2, 4-grams 0/1; lengths 4 and 5.
  eval::BleuResult r =
      eval::corpus_bleu({"the cat is on the mat", "a dog runs."}, {"the cat sat on the mat", "the dog runs fast."});
  EXPECT_EQ(r.stats.counts, (std::array<int64_t, 4>{8, 4, 1, 0}));
  EXPECT_EQ(r.stats.totals, (std::array<int64_t, 4>{10, 8, 6, 4}));
  EXPECT_EQ(r.stats.sys_len, 10);
  EXPECT_EQ(r.stats.ref_len, 11);
  // No 4-gram matches: smoothing "exp" gives it 1 / (2 * 4).
  const double p1 = 8.0 / 10, p2 = 4.0 / 8, p3 = 1.0 / 6, p4 = 1.0 / (2 * 4);
  const double bp = std::exp(1.0 - 11.0 / 10.0);
  EXPECT_NEAR(r.precisions[3], 100.0 * p4, 1e-12);
  EXPECT_NEAR(r.score, 100.0 * bp * std::pow(p1 * p2 * p3 * p4, 0.25), 1e-9);
  // The corpus score is not the mean of sentence scores.
  double mean = (eval::sentence_bleu("the cat is on the mat", "the cat sat on the mat") +
                 eval::sentence_bleu("a dog runs.", "the dog runs fast.")) /
                2;
  EXPECT_GT(std::abs(mean - r.score), 1.0);
}

TEST(BleuHand, ShortHypothesisEffectiveOrder) {
  // "the cat" has no 3- or 4-grams: corpus BLEU (no effective order) is 0, sentence BLEU uses
  // orders 1..2 only: BP * 100 with BP = exp(1 - 3/2).
  EXPECT_EQ(eval::corpus_bleu({"the cat"}, {"the cat sat"}).score, 0.0);
  EXPECT_NEAR(eval::sentence_bleu("the cat", "the cat sat"), 100.0 * std::exp(-0.5), 1e-9);
}

TEST(BleuHand, LowercaseFoldsCase) {
  EXPECT_LT(eval::corpus_bleu({"The Cat Sat On The Mat"}, {"the cat sat on the mat"}).score, 1.0);
  EXPECT_DOUBLE_EQ(eval::corpus_bleu({"The Cat Sat On The Mat"}, {"the cat sat on the mat"}, true).score, 100.0);
  EXPECT_DOUBLE_EQ(eval::corpus_bleu({"ÜBER ÄRGER"}, {"über ärger"}, true).score,
                   eval::corpus_bleu({"a b"}, {"a b"}).score);
  EXPECT_EQ(seq2seq::lowercase("ÄÖÜ ẞ ΣΑΣ ΟΔΟΣ. ДОМ Ÿ İ"), "äöü ß σας οδος. дом ÿ i\u0307");  // as Python's lower()
  EXPECT_NE(eval::corpus_bleu({"x"}, {"x"}, true).signature.find("case:lc"), std::string::npos);
}

TEST(BleuHand, SizeMismatchNamesBothCounts) {
  try {
    eval::corpus_bleu({"a", "b", "c"}, {"a", "b"});
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("3 hypotheses"), std::string::npos) << what;
    EXPECT_NE(what.find("2 references"), std::string::npos) << what;
  }
  EXPECT_THROW(eval::corpus_chrf({"a"}, {}), std::invalid_argument);
}

// ---- 13a tokenizer ----

TEST(Tokenizer13a, Cases) {
  EXPECT_EQ(eval::tokenize_13a("Hello, world!"), "Hello , world !");
  EXPECT_EQ(eval::tokenize_13a("It costs $3.50, or 3,000."), "It costs $ 3.50 , or 3,000 .");
  EXPECT_EQ(eval::tokenize_13a("&quot;quoted&quot; &amp; &lt;tag&gt;"), "\" quoted \" & < tag >");
  EXPECT_EQ(eval::tokenize_13a("&amp;quot;"), "& quot ;");  // unescaped once, in sacreBLEU's order
  EXPECT_EQ(eval::tokenize_13a("well-known 1990-2000 -5"), "well-known 1990 - 2000 -5");
  EXPECT_EQ(eval::tokenize_13a("5.a a.5 x., don't"), "5 . a a . 5 x . , don't");
  EXPECT_EQ(eval::tokenize_13a("a <skipped> b"), "a b");
  EXPECT_EQ(eval::tokenize_13a("hyphen-\nated\nnext line"), "hyphenated next line");
  EXPECT_EQ(eval::tokenize_13a("(a){b}[c]/d:e;f?g@h#i%j^k_l`m|n~o+p*q=r"),
            "( a ) { b } [ c ] / d : e ; f ? g @ h # i % j ^ k _ l ` m | n ~ o + p * q = r");
  EXPECT_EQ(eval::tokenize_13a("  spaced \t out  "), "spaced out");
  EXPECT_EQ(eval::tokenize_13a("Größe: 3,5 m."), "Größe : 3,5 m .");
  EXPECT_EQ(eval::tokenize_13a(""), "");
}

// ---- chrF ----

TEST(ChrfHand, PerfectEmptyAndDisjoint) {
  EXPECT_NEAR(eval::corpus_chrf({"the cat sat"}, {"the cat sat"}).score, 100.0, 1e-9);
  EXPECT_NEAR(eval::corpus_chrf({"thecat sat"}, {"the cat  sat"}).score, 100.0, 1e-9);  // whitespace ignored
  EXPECT_EQ(eval::corpus_chrf({""}, {"the cat"}).score, 0.0);
  EXPECT_EQ(eval::corpus_chrf({"xyz"}, {"abc"}).score, 0.0);
}

TEST(ChrfHand, HandComputedPair) {
  // "ab" against "abc": order 1: P 2/2 R 2/3; order 2: P 1/1 R 1/2; orders 3..6: the hypothesis
  // has none, so they do not count. Averages P = 1, R = 7/12; F2 = 5PR / (4P + R).
  eval::ChrfStats s = eval::chrf_stats("ab", "abc");
  EXPECT_EQ(s.hyp, (std::array<int64_t, 6>{2, 1, 0, 0, 0, 0}));
  EXPECT_EQ(s.ref, (std::array<int64_t, 6>{3, 2, 1, 0, 0, 0}));
  EXPECT_EQ(s.match, (std::array<int64_t, 6>{2, 1, 0, 0, 0, 0}));
  const double p = 1.0, r = 7.0 / 12.0;
  EXPECT_NEAR(eval::corpus_chrf({"ab"}, {"abc"}).score, 100.0 * 5 * p * r / (4 * p + r), 1e-9);
  // Code points, not bytes: "ä" is one character.
  EXPECT_EQ(eval::chrf_stats("ä", "ä").hyp[0], 1);
  // Hypothesis n-grams of an order the reference lacks are not counted.
  EXPECT_EQ(eval::chrf_stats("abcd", "ab").hyp[2], 0);
}

// ---- BLEU by source length ----

TEST(LengthBands, DefaultBands) {
  std::vector<eval::Band> bands = eval::make_bands();
  ASSERT_EQ(bands.size(), 5u);
  std::vector<std::string> labels;
  for (const auto& b : bands) labels.push_back(b.label);
  EXPECT_EQ(labels, (std::vector<std::string>{"1-10", "11-20", "21-30", "31-40", "41+"}));
  EXPECT_EQ(bands.back().hi, -1);
  EXPECT_THROW(eval::make_bands({10, 10}), std::invalid_argument);
  EXPECT_THROW(eval::make_bands({0, 5}), std::invalid_argument);
}

TEST(LengthBands, SentencesGoToTheirBand) {
  std::vector<int> lengths = {1, 10, 11, 20, 21, 35, 40, 41, 100, 0};
  std::vector<std::string> hyps(lengths.size(), "a b c d"), refs(lengths.size(), "a b c d");
  std::vector<eval::Band> bands = eval::bleu_by_length(lengths, hyps, refs);
  std::vector<int64_t> counts;
  for (const auto& b : bands) counts.push_back(b.sentences);
  EXPECT_EQ(counts, (std::vector<int64_t>{3, 2, 1, 2, 2}));
  EXPECT_NEAR(bands[0].mean_src_len, 11.0 / 3, 1e-12);
  EXPECT_NEAR(bands[4].mean_src_len, 70.5, 1e-12);
}

TEST(LengthBands, BandBleuIsCorpusBleuOfItsSentences) {
  Fixture f;
  // Source lengths stand-in: the reference's word count, which spreads the fixture over bands.
  std::vector<int> lengths;
  for (const auto& ref : f.refs) {
    std::istringstream words(ref);
    lengths.push_back(static_cast<int>(std::distance(std::istream_iterator<std::string>(words), {})));
  }
  std::vector<int> edges = {10, 15, 20, 200};
  std::vector<eval::Band> bands = eval::bleu_by_length(lengths, f.hyps, f.refs, false, edges);
  ASSERT_EQ(bands.size(), 5u);
  int64_t total = 0;
  int non_empty = 0;
  for (const auto& band : bands) {
    std::vector<std::string> hyps, refs;
    for (std::size_t i = 0; i < lengths.size(); ++i)
      if (lengths[i] >= (band.lo == 1 ? 0 : band.lo) && (band.hi < 0 || lengths[i] <= band.hi)) {
        hyps.push_back(f.hyps[i]);
        refs.push_back(f.refs[i]);
      }
    EXPECT_EQ(band.sentences, static_cast<int64_t>(hyps.size())) << band.label;
    total += band.sentences;
    if (hyps.empty()) {
      EXPECT_TRUE(std::isnan(band.bleu)) << band.label;
      EXPECT_EQ(json(band)["bleu"], nullptr);
      continue;
    }
    ++non_empty;
    EXPECT_DOUBLE_EQ(band.bleu, eval::corpus_bleu(hyps, refs).score) << band.label;
  }
  EXPECT_EQ(total, 300);
  EXPECT_GE(non_empty, 3);               // the test covers several bands
  EXPECT_EQ(bands.back().sentences, 0);  // 201+ is empty
  EXPECT_THROW(eval::bleu_by_length({1}, f.hyps, f.refs), std::invalid_argument);
}
