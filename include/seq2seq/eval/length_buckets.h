// BLEU by source-length band: where a fixed-size encoder state starts to lose information.
#pragma once
#include "seq2seq/eval/bleu.h"

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace seq2seq::eval {

// One band of source lengths [lo, hi] (hi = -1: no upper bound).
struct Band {
  std::string label;  // "1-10", "11-20", ..., "41+"
  int lo = 0, hi = -1;
  int64_t sentences = 0;
  double bleu = 0.0;          // corpus BLEU over the band's sentences; NaN when the band is empty
  double mean_src_len = 0.0;  // NaN when the band is empty
  BleuStats stats;            // summed over the band's sentences
};

// Source length in words, as the band table counts it (whitespace-separated words).
int source_words(const std::string& line);

// Bands from edges: {10, 20, 30, 40} gives 1-10, 11-20, 21-30, 31-40, 41+. A source of length 0
// falls into the first band. Edges must be positive and strictly increasing.
std::vector<Band> make_bands(const std::vector<int>& edges = {10, 20, 30, 40});

// The index of the band a source of `src_len` words falls into (bands as make_bands gives them).
std::size_t band_index(const std::vector<Band>& bands, int src_len);

// Sentence i (source length src_lengths[i] words) goes to its band; each band's BLEU is the
// corpus BLEU of its sentences. Throws std::invalid_argument when the three sizes differ.
std::vector<Band> bleu_by_length(const std::vector<int>& src_lengths, const std::vector<std::string>& hyps,
                                 const std::vector<std::string>& refs, bool lowercase = false,
                                 const std::vector<int>& edges = {10, 20, 30, 40});

// {"label", "lo", "hi" (null if open), "sentences", "bleu" (null if empty), "mean_src_len"}.
void to_json(nlohmann::json& j, const Band& band);

}  // namespace seq2seq::eval
