// `seq2seq compare` as library calls: compare run directories (evaluating them first where
// needed), or diff configs, or train configs into runs and then compare those.
#pragma once
#include <iosfwd>
#include <string>
#include <vector>

namespace seq2seq::session {

struct CompareOptions {
  std::vector<std::string> runs;       // run directories to compare ...
  std::vector<std::string> configs;    // ... or config files to diff (and with train, to train)
  std::vector<std::string> overrides;  // --set items for the configs
  std::string format = "table";        // table | markdown | json | csv
  std::string out;                     // folder for compare.json, compare.md and the SVG charts
  std::string split = "test";          // eval split to compare
  std::string runs_dir = "runs";       // where train puts runs/<config stem>
  std::string device = "auto";
  bool no_eval = false;  // do not evaluate runs without eval results
  bool unverified = false;  // evaluate runs that lost their state.json, unchecked
  bool train = false;    // with configs: train each (complete runs are skipped, started ones resumed)
  int beam = 0;          // beam for the evaluations compare runs (0 = decode.beam)
  // With configs and train: train each config N times, into runs_dir/NAME.s1 ... NAME.sN, seed k
  // with train.seed + k - 1 (recorded in the run's config.json). 0: once, into runs_dir/NAME.
  int seeds = 0;
  // With configs and train: how many runs train at once, each a child process of this binary
  // with threads / jobs threads (at least 1), its output in runs_dir/NAME.log. 1: one after another, in this process.
  int jobs = 1;
};

// Dispatches on the options (runs or configs); prints to `out`; returns the exit code.
int compare(const CompareOptions& options, std::ostream& out);

}  // namespace seq2seq::session
