// Comparing runs: one summary per run directory, rendered as tables, JSON, CSV and SVG charts.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace seq2seq::report {

struct RunSummary {
  std::string name;  // directory name
  std::string dir;
  std::string model;
  int64_t parameters = 0;
  double train_s = 0;       // seconds inside training steps
  double elapsed_s = 0;     // training + validation seconds
  double tokens_per_s = 0;  // target tokens per second of training step
  int64_t epochs = 0, steps = 0;
  bool complete = false;
  std::string stop_reason;
  double best_valid_loss = 0, best_valid_ppl = 0;      // NaN when never validated
  std::string eval_split;                              // "" when no eval results
  nlohmann::json eval;                                 // eval/<split>.json
  std::vector<std::pair<double, double>> valid_curve;  // (elapsed_s, valid_loss) per validation
  nlohmann::json config;                               // resolved config.json
};

// Reads config.json, state.json, metrics.jsonl and eval/<eval_split>.json (when present).
RunSummary summarize_run(const std::string& dir, const std::string& eval_split = "test");

nlohmann::json comparison_json(const std::vector<RunSummary>& runs);
// format: table | markdown | csv. Runs table, BLEU-by-length table, then the config differences.
std::string render_comparison(const std::vector<RunSummary>& runs, const std::string& format);
// "key: a | b | c" for every resolved key that differs between the configs.
std::vector<std::string> config_differences(const std::vector<std::string>& names,
                                            const std::vector<nlohmann::json>& configs);

// {"key": {"name": value, ...}} for the same keys.
nlohmann::json config_differences_json(const std::vector<std::string>& names,
                                       const std::vector<nlohmann::json>& configs);

std::string bleu_by_length_svg(const std::vector<RunSummary>& runs);
std::string valid_loss_svg(const std::vector<RunSummary>& runs);

}  // namespace seq2seq::report
