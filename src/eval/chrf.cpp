// chrF, following sacreBLEU 2.x (metrics/chrf.py, metrics/helpers.py) with its defaults.
#include "seq2seq/eval/chrf.h"

#include "seq2seq/util/utf8.h"

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string_view>
#include <unordered_map>

namespace seq2seq::eval {

namespace {

constexpr double kBeta = 2.0;

// ''.join(line.split()) on code points.
std::u32string strip_spaces(const std::string& text) {
  std::u32string out;
  for (char32_t c : utf8_decode(text))
    if (!is_space(c)) out += c;
  return out;
}

using CharNgrams = std::unordered_map<std::u32string_view, int64_t>;

CharNgrams char_ngrams(std::u32string_view line, std::size_t n) {
  CharNgrams counts;
  for (std::size_t i = 0; i + n <= line.size(); ++i) ++counts[line.substr(i, n)];
  return counts;
}

}  // namespace

ChrfStats& ChrfStats::operator+=(const ChrfStats& other) {
  for (int n = 0; n < kOrder; ++n) {
    hyp[n] += other.hyp[n];
    ref[n] += other.ref[n];
    match[n] += other.match[n];
  }
  return *this;
}

ChrfStats chrf_stats(const std::string& hyp, const std::string& ref, bool lowercase) {
  std::u32string hyp_chars = strip_spaces(lowercase ? seq2seq::lowercase(hyp) : hyp);
  std::u32string ref_chars = strip_spaces(lowercase ? seq2seq::lowercase(ref) : ref);
  ChrfStats stats;
  for (int i = 0; i < ChrfStats::kOrder; ++i) {
    std::size_t n = static_cast<std::size_t>(i) + 1;
    CharNgrams ref_ngrams = char_ngrams(ref_chars, n);
    CharNgrams hyp_ngrams = char_ngrams(hyp_chars, n);
    int64_t hyp_count = 0, ref_count = 0, matches = 0;
    for (const auto& [ngram, count] : hyp_ngrams) {
      hyp_count += count;
      auto found = ref_ngrams.find(ngram);
      if (found != ref_ngrams.end()) matches += std::min(count, found->second);
    }
    for (const auto& entry : ref_ngrams) ref_count += entry.second;
    // sacreBLEU counts no hypothesis n-grams for an order the reference is too short to have.
    stats.hyp[i] = ref_ngrams.empty() ? 0 : hyp_count;
    stats.ref[i] = ref_count;
    stats.match[i] = matches;
  }
  return stats;
}

double chrf_from_stats(const ChrfStats& stats) {
  const double factor = kBeta * kBeta;
  double avg_prec = 0.0, avg_rec = 0.0;
  int effective_order = 0;
  for (int i = 0; i < ChrfStats::kOrder; ++i) {
    if (stats.hyp[i] > 0 && stats.ref[i] > 0) {
      avg_prec += static_cast<double>(stats.match[i]) / stats.hyp[i];
      avg_rec += static_cast<double>(stats.match[i]) / stats.ref[i];
      ++effective_order;
    }
  }
  if (effective_order == 0) return 0.0;
  avg_prec /= effective_order;
  avg_rec /= effective_order;
  if (avg_prec + avg_rec == 0.0) return 0.0;
  return 100.0 * (1 + factor) * avg_prec * avg_rec / (factor * avg_prec + avg_rec);
}

ChrfResult corpus_chrf(const std::vector<std::string>& hyps, const std::vector<std::string>& refs, bool lowercase) {
  if (hyps.size() != refs.size())
    throw std::invalid_argument("chrF needs one reference per hypothesis: " + std::to_string(hyps.size()) +
                                " hypotheses, " + std::to_string(refs.size()) + " references");
  ChrfStats total;
  for (std::size_t i = 0; i < hyps.size(); ++i) total += chrf_stats(hyps[i], refs[i], lowercase);
  ChrfResult result;
  result.score = chrf_from_stats(total);
  result.signature = std::string("nrefs:1|case:") + (lowercase ? "lc" : "mixed") +
                     "|eff:yes|nc:6|nw:0|space:no|version:seq2seq-" + SEQ2SEQ_VERSION;
  return result;
}

void to_json(nlohmann::json& j, const ChrfResult& result) {
  j = nlohmann::json{{"score", result.score}, {"signature", result.signature}};
}

}  // namespace seq2seq::eval
