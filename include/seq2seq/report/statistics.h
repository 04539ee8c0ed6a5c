// Statistics over compared runs: mean ± standard deviation of a quantity over a config's seeds,
// and each run's BLEU tested against its baseline's by paired bootstrap resampling
// (eval/bootstrap.h).
#pragma once
#include "seq2seq/eval/bootstrap.h"
#include "seq2seq/report/run_summary.h"

#include <limits>
#include <utility>
#include <vector>

namespace seq2seq::report {

// Mean and sample standard deviation (n - 1) of the finite values; NaN when there are none, and
// sd NaN below two values.
struct Spread {
  double mean = std::numeric_limits<double>::quiet_NaN(), sd = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> values;  // every value, NaN included, in run order
};
Spread spread(std::vector<double> values);

// The spread of one per-run quantity, get(run), over a group's runs.
template <typename Get>
Spread group_spread(const std::vector<RunSummary>& runs, const RunGroup& group, Get get) {
  std::vector<double> values;
  for (auto i : group.members) values.push_back(get(runs[i]));
  return spread(std::move(values));
}

// Whether add_significance() pairs by seed: with seeds, when the first config has several.
bool pairs_by_seed(const std::vector<RunSummary>& runs);

// Pairs each run with its baseline and sets its `significance`: without seeds, every run
// against the first; with seeds, seed K of each config against seed K of the first config
// (the runs of the first config are the baselines; a first config of one run is every run's). A pair without
// per-sentence data, or whose references differ, is left without, with a warning naming both runs.
void add_significance(std::vector<RunSummary>& runs, const eval::BootstrapOptions& options = {});

}  // namespace seq2seq::report
