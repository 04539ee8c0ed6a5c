// BLEU by source-length band: corpus BLEU of each band's sentences, from summed statistics.
#include "seq2seq/eval/length_buckets.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace seq2seq::eval {

int source_words(const std::string& line) {
  std::istringstream words(line);
  std::string word;
  int n = 0;
  while (words >> word) ++n;
  return n;
}

std::vector<Band> make_bands(const std::vector<int>& edges) {
  for (std::size_t i = 0; i < edges.size(); ++i)
    if (edges[i] < 1 || (i > 0 && edges[i] <= edges[i - 1]))
      throw std::invalid_argument("length band edges must be positive and strictly increasing");
  std::vector<Band> bands;
  int lo = 1;
  for (int edge : edges) {
    Band band;
    band.lo = lo;
    band.hi = edge;
    band.label = std::to_string(lo) + "-" + std::to_string(edge);
    bands.push_back(band);
    lo = edge + 1;
  }
  Band last;
  last.lo = lo;
  last.hi = -1;
  last.label = std::to_string(lo) + "+";
  bands.push_back(last);
  return bands;
}

std::size_t band_index(const std::vector<Band>& bands, int src_len) {
  std::size_t b = 0;
  while (bands[b].hi != -1 && src_len > bands[b].hi) ++b;
  return b;
}

std::vector<Band> bleu_by_length(const std::vector<int>& src_lengths, const std::vector<std::string>& hyps,
                                 const std::vector<std::string>& refs, bool lowercase, const std::vector<int>& edges) {
  if (src_lengths.size() != hyps.size() || hyps.size() != refs.size())
    throw std::invalid_argument("BLEU by length needs one source length, hypothesis and reference per sentence: " +
                                std::to_string(src_lengths.size()) + " source lengths, " + std::to_string(hyps.size()) +
                                " hypotheses, " + std::to_string(refs.size()) + " references");
  std::vector<Band> bands = make_bands(edges);
  std::vector<int64_t> length_sum(bands.size(), 0);
  for (std::size_t i = 0; i < hyps.size(); ++i) {
    const std::size_t b = band_index(bands, src_lengths[i]);
    bands[b].stats += bleu_stats(hyps[i], refs[i], lowercase);
    ++bands[b].sentences;
    length_sum[b] += src_lengths[i];
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t b = 0; b < bands.size(); ++b) {
    Band& band = bands[b];
    band.bleu = band.sentences ? bleu_from_stats(band.stats, lowercase).score : nan;
    band.mean_src_len = band.sentences ? static_cast<double>(length_sum[b]) / band.sentences : nan;
  }
  return bands;
}

void to_json(nlohmann::json& j, const Band& band) {
  auto number_or_null = [](double x) { return std::isnan(x) ? nlohmann::json(nullptr) : nlohmann::json(x); };
  j = nlohmann::json{{"label", band.label},
                     {"lo", band.lo},
                     {"hi", band.hi < 0 ? nlohmann::json(nullptr) : nlohmann::json(band.hi)},
                     {"sentences", band.sentences},
                     {"bleu", number_or_null(band.bleu)},
                     {"mean_src_len", number_or_null(band.mean_src_len)}};
}

}  // namespace seq2seq::eval
