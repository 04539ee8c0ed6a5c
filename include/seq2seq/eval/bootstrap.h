// Paired bootstrap resampling for BLEU (Koehn 2004), computed as sacreBLEU 2.x's `--paired-bs`.
//
// Given per-sentence BLEU statistics of a baseline and a system on the same N sentences:
//   B, S      corpus BLEU of baseline and system over all N sentences; observed delta = |S - B|.
//   For each of R resamples (R = 1000): draw N sentence indices with replacement (the same
//   indices for both systems: that is what makes the test paired), sum each system's
//   statistics over them and compute corpus BLEU again: B_k, S_k, and d_k = |S_k - B_k|.
//   p = (1 + #{k : d_k - mean(d) >= delta}) / (R + 1)
// The d_k, centred on their mean, approximate the distribution of the difference under the null
// hypothesis that both systems are equally good; p is the chance of a difference at least as
// large as the observed one under it (two-sided). A small p (say < 0.05) means the difference
// is unlikely to be an accident of which sentences the test set holds. It says nothing about
// training noise: that is what several seeds are for.
//
// One deliberate difference from sacreBLEU: it counts d_k - mean(d) > delta (strictly), so a
// system compared with itself (every d_k = 0, delta = 0) gets p = 1/(R+1), "significant". We
// count >=, which gives p = 1 there; for two different systems a tie has probability zero and
// the p-values agree.
//
// Mean and 95% confidence interval of a system's score, as sacreBLEU's estimate_ci: the mean
// of the R resampled scores, and half the distance between the resampled scores of rank
// floor(R/40) and R - floor(R/40) - 1 (0-based, sorted ascending): "mean +- ci".
//
// Resampling uses std::mt19937_64 (the same sequence on every platform) seeded with
// BootstrapOptions::seed (12345, sacreBLEU's default SACREBLEU_SEED), and unbiased bounded
// draws, so the same seed gives the same p-values everywhere. The indices are not numpy's, so
// p-values match sacreBLEU's in distribution, not digit for digit.
#pragma once
#include "seq2seq/eval/bleu.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace seq2seq::eval {

struct BootstrapOptions {
  int resamples = 1000;   // R
  uint64_t seed = 12345;  // sacreBLEU's default
};

// A system's resampled score: mean of the R resampled scores and the 95% half-width.
struct BootstrapEstimate {
  double score = 0.0;  // corpus BLEU over all sentences
  double mean = 0.0;   // mean over resamples
  double ci = 0.0;     // 95% confidence interval: mean +- ci
};

struct PairedBootstrapResult {
  int64_t sentences = 0;
  int resamples = 0;
  uint64_t seed = 0;
  BootstrapEstimate baseline, system;
  double difference = 0.0;  // system.score - baseline.score (signed; the test uses its size)
  double p_value = 1.0;
};

// The paired test above. Throws std::invalid_argument when the two vectors differ in size, are
// empty, or options.resamples < 1.
PairedBootstrapResult paired_bootstrap(const std::vector<BleuStats>& baseline, const std::vector<BleuStats>& system,
                                       const BootstrapOptions& options = {});

// The pieces, exposed for tests.
// p from the resampled absolute differences and the observed one (formula above).
double bootstrap_p_value(const std::vector<double>& sample_diffs, double observed);
// (mean, 95% half-width) of resampled scores, as sacreBLEU's estimate_ci.
std::pair<double, double> mean_and_ci(std::vector<double> scores);
// A uniform integer in [0, n) from the generator, without modulo bias. n > 0.
uint64_t uniform_index(std::mt19937_64& rng, uint64_t n);

// {"sentences", "resamples", "seed", "baseline": {"score", "mean", "ci"}, "system": {...},
//  "difference", "p_value"}.
void to_json(nlohmann::json& j, const BootstrapEstimate& estimate);
void to_json(nlohmann::json& j, const PairedBootstrapResult& result);

}  // namespace seq2seq::eval
