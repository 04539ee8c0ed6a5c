// Comparing runs, rendered: the summaries of run directories (report/run_summary.h) as tables in
// text, markdown or CSV, as JSON, as the differences between their configs, and as SVG charts.
// With seeds (NAME.s1, NAME.s2, ...) each config is also shown as mean ± standard deviation, and
// the p-values are those add_significance() (report/statistics.h) set.
#pragma once
#include "seq2seq/report/run_summary.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace seq2seq::report {

nlohmann::json comparison_json(const std::vector<RunSummary>& runs);
// format: table | markdown | csv. Runs table, mean ± sd over seeds (with seeds), BLEU-by-length
// table, the significance footnote, the teacher-forced cross-entropy and accuracy by length (when
// some run has them; not in CSV), then the config differences.
std::string render_comparison(const std::vector<RunSummary>& runs, const std::string& format);

// "key: a=1 | b=2 | c=(unused)" for every resolved key whose value differs between the configs
// that read it (config_uses_key): a key at most one of them reads is left out, and a config
// that ignores a listed key shows "(unused)".
std::vector<std::string> config_differences(const std::vector<std::string>& names,
                                            const std::vector<nlohmann::json>& configs);

// {"key": {"name": value, ...}} for the same keys; names that ignore the key are left out.
nlohmann::json config_differences_json(const std::vector<std::string>& names,
                                       const std::vector<nlohmann::json>& configs);

// One line per run (with seeds: per config, the mean with ±1 sd error bars).
std::string bleu_by_length_svg(const std::vector<RunSummary>& runs);
std::string valid_loss_svg(const std::vector<RunSummary>& runs);

// Whether some run's eval results hold teacher-forced statistics (eval writes them; results
// written before it did have none, and compare leaves them out).
bool has_teacher_forced(const std::vector<RunSummary>& runs);
// Teacher-forced token accuracy against relative position in the target sentence, one line per
// run (with seeds: per config, mean ± 1 sd), in two panels: short sources (the first length band)
// and long ones (the last band with sentences; eval_summary.h, short_and_long_bands()).
std::string position_accuracy_svg(const std::vector<RunSummary>& runs);

}  // namespace seq2seq::report
