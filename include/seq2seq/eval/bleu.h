// BLEU as sacreBLEU 2.x computes it by default: 13a tokenization, exact n-gram counts, corpus level.
#pragma once
#include <nlohmann/json_fwd.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace seq2seq::eval {

// Sufficient statistics of BLEU: they add up over sentences, and the corpus score is computed
// once from their sum (never by averaging sentence scores).
struct BleuStats {
  std::array<int64_t, 4> counts{};  // matched n-grams (clipped by the reference count), n = 1..4
  std::array<int64_t, 4> totals{};  // hypothesis n-grams, n = 1..4
  int64_t sys_len = 0;              // hypothesis tokens
  int64_t ref_len = 0;              // reference tokens
  BleuStats& operator+=(const BleuStats& other);
};
bool operator==(const BleuStats& a, const BleuStats& b);
inline bool operator!=(const BleuStats& a, const BleuStats& b) { return !(a == b); }

struct BleuResult {
  double score = 0.0;                  // 0..100
  double bp = 0.0;                     // brevity penalty
  std::array<double, 4> precisions{};  // 0..100, smoothed as sacreBLEU smooths them
  BleuStats stats;
  std::string signature;  // nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:...
};

// mteval-v13a tokenization exactly as sacreBLEU's Tokenizer13a: unescapes &quot; &amp; &lt; &gt;,
// splits off punctuation (periods and commas only away from digits, dashes after digits),
// and joins tokens with single spaces.
std::string tokenize_13a(const std::string& line);

// Statistics of one sentence pair: both sides lowercased (as Python's str.lower(), see utf8.h)
// when asked, right-stripped and 13a-tokenized.
BleuStats bleu_stats(const std::string& hyp, const std::string& ref, bool lowercase = false);
// The statistics of every pair, in order: what corpus BLEU sums, and what the paired bootstrap
// (eval/bootstrap.h) resamples. Throws std::invalid_argument when hyps and refs differ in size.
std::vector<BleuStats> sentence_stats(const std::vector<std::string>& hyps, const std::vector<std::string>& refs,
                                      bool lowercase = false);

// Corpus BLEU with sacreBLEU's defaults (smooth exp, no effective order).
// Throws std::invalid_argument when hyps and refs differ in size.
BleuResult corpus_bleu(const std::vector<std::string>& hyps, const std::vector<std::string>& refs,
                       bool lowercase = false);

// The score from summed statistics (corpus level: smooth exp, effective order off).
BleuResult bleu_from_stats(const BleuStats& stats, bool lowercase = false);

// sacreBLEU's sentence_bleu(): smooth exp with effective order (orders the hypothesis is too
// short to have are left out instead of zeroing the score).
double sentence_bleu(const std::string& hyp, const std::string& ref, bool lowercase = false);

// {"score", "signature", "precisions", "counts", "totals", "bp", "ratio", "sys_len", "ref_len"}.
void to_json(nlohmann::json& j, const BleuResult& result);

}  // namespace seq2seq::eval
