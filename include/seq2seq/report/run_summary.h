// A run directory read for comparison: one RunSummary per run (its record, validation curve,
// eval results and per-sentence BLEU statistics), and runs of one config trained with several
// seeds (NAME.s1, NAME.s2, ...) grouped together.
#pragma once
#include "seq2seq/eval/bleu.h"
#include "seq2seq/eval/bootstrap.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace seq2seq::report {

// A run's test BLEU against its baseline's: on all sentences and per source-length band. Set by
// add_significance() (report/statistics.h); it lives here because every summary carries one.
struct Significance {
  std::string baseline;  // the run it is paired with
  eval::PairedBootstrapResult bleu;
  std::map<std::string, eval::PairedBootstrapResult> bands;  // by band label; empty bands left out
};

struct RunSummary {
  std::string name;  // directory name
  std::string dir;
  std::string model;
  int64_t parameters = 0;
  double train_s = 0;       // seconds inside training steps
  double elapsed_s = 0;     // training + validation seconds
  double tokens_per_s = 0;  // target tokens per second of training step
  int64_t tokens = 0;       // target tokens trained on
  int64_t epochs = 0, steps = 0;
  int64_t best_epoch = 0;  // epoch of best.pt (state.json; metrics.jsonl for older runs); 0: none
  bool complete = false;
  std::string stop_reason;
  int64_t seed = 0;                                    // train.seed
  std::string group;                                   // name without a ".sK" suffix: the runs of one config
  int seed_index = 0;                                  // K of "NAME.sK"; 0 for other names
  double best_valid_loss = 0, best_valid_ppl = 0;      // NaN when never validated
  std::string eval_split;                              // "" when no eval results
  std::string weights;     // the weights the run is reported by: best.pt, or model.pt without a best.pt
  std::string eval_note;   // why eval results on the split were left out ("" when used, or none exist)
  std::string error;       // why the run could not be evaluated or read ("" when it could)
  nlohmann::json eval;                                 // eval/<split>.json
  std::vector<std::pair<double, double>> valid_curve;  // (elapsed_s, valid_loss) per validation
  nlohmann::json config;                               // resolved config.json
  // Per-sentence BLEU statistics and source lengths of the eval split, for the paired
  // bootstrap: from eval/<split>.hyp and the split's files that config.json names. Empty when
  // one of them is missing or they disagree; `sentences_note` says why.
  std::vector<eval::BleuStats> sentence_stats;
  std::vector<int> source_lengths;
  std::string sentences_sha256;  // of the source and reference lines: a pair must share them
  std::string sentences_note;
  std::optional<Significance> significance;  // set by add_significance(); none for a baseline
};

// Reads config.json, state.json, metrics.jsonl, eval/<eval_split>.json and .hyp (when present
// and made by the weights the run is reported by; eval_note says why they were left out).
RunSummary summarize_run(const std::string& dir, const std::string& eval_split = "test");

// A run that could not be read or evaluated: its name and the reason, nothing else.
RunSummary failed_run(const std::string& dir, const std::string& error);

// The weights a run is reported by: best.pt, or model.pt for a run that has none (no validation).
std::string reported_weights(const std::string& dir);

// Why RUN/eval/<split>.json cannot stand for `weights` of the run ("" when it can): missing, made
// on other sentences (eval --src/--ref under that name, or a config that names other files now),
// from other weights, or from other bytes of the same weights file (its SHA-256 against
// state.json's; for results without one, older than the weights file).
std::string eval_mismatch(const std::string& dir, const std::string& split, const std::string& weights);

// "rnn.s2" -> {"rnn", 2}; any other name -> {name, 0}.
std::pair<std::string, int> split_seed_suffix(const std::string& name);

// The runs of one config, in the order their groups first appear.
struct RunGroup {
  std::string name;
  std::vector<std::size_t> members;  // indices into the runs
};
std::vector<RunGroup> group_runs(const std::vector<RunSummary>& runs);
// Some group holds more than one run: the report adds mean ± sd over seeds.
bool has_seeds(const std::vector<RunSummary>& runs);

}  // namespace seq2seq::report
