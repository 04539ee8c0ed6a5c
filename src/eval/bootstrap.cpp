// Paired bootstrap resampling of corpus BLEU from per-sentence statistics (formula in the header).
#include "seq2seq/eval/bootstrap.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <tuple>

namespace seq2seq::eval {

uint64_t uniform_index(std::mt19937_64& rng, uint64_t n) {
  // Reject the few raw values below 2^64 mod n, so that every residue is equally likely
  // (std::uniform_int_distribution would do, but its algorithm differs between libraries).
  const uint64_t threshold = (std::numeric_limits<uint64_t>::max() - n + 1) % n;  // 2^64 mod n
  for (;;) {
    const uint64_t r = rng();
    if (r >= threshold) return r % n;
  }
}

double bootstrap_p_value(const std::vector<double>& sample_diffs, double observed) {
  if (sample_diffs.empty()) return 1.0;
  const double mean = std::accumulate(sample_diffs.begin(), sample_diffs.end(), 0.0) / sample_diffs.size();
  int64_t at_least = 0;
  for (double d : sample_diffs) at_least += (d - mean >= observed);
  return static_cast<double>(at_least + 1) / static_cast<double>(sample_diffs.size() + 1);
}

std::pair<double, double> mean_and_ci(std::vector<double> scores) {
  if (scores.empty()) return {0.0, 0.0};
  std::sort(scores.begin(), scores.end());
  const std::size_t n = scores.size(), lower = n / 40, upper = n - lower - 1;
  const double mean = std::accumulate(scores.begin(), scores.end(), 0.0) / n;
  return {mean, 0.5 * (scores[upper] - scores[lower])};
}

PairedBootstrapResult paired_bootstrap(const std::vector<BleuStats>& baseline, const std::vector<BleuStats>& system,
                                       const BootstrapOptions& options) {
  if (baseline.size() != system.size())
    throw std::invalid_argument("paired bootstrap needs the same sentences for both systems: " +
                                std::to_string(baseline.size()) + " and " + std::to_string(system.size()));
  if (baseline.empty()) throw std::invalid_argument("paired bootstrap needs at least one sentence");
  if (options.resamples < 1) throw std::invalid_argument("paired bootstrap needs at least one resample");

  auto score = [](const BleuStats& stats) { return bleu_from_stats(stats).score; };
  BleuStats baseline_total, system_total;
  for (std::size_t i = 0; i < baseline.size(); ++i) {
    baseline_total += baseline[i];
    system_total += system[i];
  }
  PairedBootstrapResult result;
  result.sentences = static_cast<int64_t>(baseline.size());
  result.resamples = options.resamples;
  result.seed = options.seed;
  result.baseline.score = score(baseline_total);
  result.system.score = score(system_total);
  result.difference = result.system.score - result.baseline.score;

  std::mt19937_64 rng(options.seed);
  std::vector<double> baseline_scores, system_scores, diffs;
  baseline_scores.reserve(options.resamples);
  system_scores.reserve(options.resamples);
  diffs.reserve(options.resamples);
  const uint64_t n = baseline.size();
  for (int k = 0; k < options.resamples; ++k) {
    BleuStats b, s;
    for (uint64_t draw = 0; draw < n; ++draw) {
      const uint64_t i = uniform_index(rng, n);  // one index for both systems: the pairing
      b += baseline[i];
      s += system[i];
    }
    baseline_scores.push_back(score(b));
    system_scores.push_back(score(s));
    diffs.push_back(std::abs(system_scores.back() - baseline_scores.back()));
  }
  result.p_value = bootstrap_p_value(diffs, std::abs(result.difference));
  std::tie(result.baseline.mean, result.baseline.ci) = mean_and_ci(std::move(baseline_scores));
  std::tie(result.system.mean, result.system.ci) = mean_and_ci(std::move(system_scores));
  return result;
}

void to_json(nlohmann::json& j, const BootstrapEstimate& estimate) {
  j = nlohmann::json{{"score", estimate.score}, {"mean", estimate.mean}, {"ci", estimate.ci}};
}

void to_json(nlohmann::json& j, const PairedBootstrapResult& result) {
  j = nlohmann::json{{"sentences", result.sentences}, {"resamples", result.resamples},
                     {"seed", result.seed},           {"baseline", result.baseline},
                     {"system", result.system},       {"difference", result.difference},
                     {"p_value", result.p_value}};
}

}  // namespace seq2seq::eval
