// chrF2 as sacreBLEU 2.x computes it by default (character 6-grams, no word n-grams, beta 2).
#pragma once
#include <nlohmann/json_fwd.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace seq2seq::eval {

// Per character n-gram order (1..6): hypothesis n-grams, reference n-grams, matches.
// They add up over sentences; the corpus score is computed once from the sum.
struct ChrfStats {
  static constexpr int kOrder = 6;
  std::array<int64_t, kOrder> hyp{}, ref{}, match{};
  ChrfStats& operator+=(const ChrfStats& other);
};

struct ChrfResult {
  double score = 0.0;     // 0..100
  std::string signature;  // nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:...
};

// Statistics of one pair: whitespace removed, n-grams over Unicode code points.
ChrfStats chrf_stats(const std::string& hyp, const std::string& ref, bool lowercase = false);

// sacreBLEU's default (eps_smoothing off): precision and recall are averaged over the orders
// that both sides have, then combined into one F-beta score (beta 2).
double chrf_from_stats(const ChrfStats& stats);

// Throws std::invalid_argument when hyps and refs differ in size.
ChrfResult corpus_chrf(const std::vector<std::string>& hyps, const std::vector<std::string>& refs,
                       bool lowercase = false);

// {"score", "signature"}.
void to_json(nlohmann::json& j, const ChrfResult& result);

}  // namespace seq2seq::eval
