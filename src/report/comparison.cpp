// Rendering a comparison of runs: the runs table, mean ± sd over seeds, BLEU by source length
// with p-values, and the config differences, in text, markdown, CSV and JSON; and two SVG charts.
#include "seq2seq/report/comparison.h"

#include "summary_numbers.h"

#include "seq2seq/config/config.h"
#include "seq2seq/report/eval_summary.h"
#include "seq2seq/report/progress.h"
#include "seq2seq/report/statistics.h"
#include "seq2seq/report/svg.h"
#include "seq2seq/report/table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <sstream>
#include <utility>

namespace seq2seq::report {

namespace {

using detail::eval_score;
using detail::kNaN;
using detail::number_or_nan;
using detail::number_or_null;

std::string fixed(double x, int digits) { return std::isfinite(x) ? fmt::format("{:.{}f}", x, digits) : "-"; }

std::string with_commas(int64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// Token counts as a reader takes them in at a glance: 8,412 / 612.4k / 12.35M.
std::string compact_count(double n) {
  if (!std::isfinite(n)) return "-";
  if (n < 1e4) return with_commas(std::llround(n));
  if (n < 1e6) return fmt::format("{:.1f}k", n / 1e3);
  if (n < 1e9) return fmt::format("{:.2f}M", n / 1e6);
  return fmt::format("{:.2f}G", n / 1e9);
}

// p-values with four decimals (the smallest with 1,000 resamples is 1/1001 = 0.0010), starred
// below 0.05 as sacreBLEU stars them.
constexpr double kSignificant = 0.05;
std::string p_text(std::optional<double> p, bool star = true) {
  if (!p) return "-";
  return fmt::format("{:.4f}", *p) + (star && *p < kSignificant ? "*" : "");
}

// "mean ± sd", the mean alone below two values, "-" without any.
std::string mean_sd(const Spread& s, int digits) {
  if (!std::isfinite(s.mean)) return "-";
  return std::isfinite(s.sd) ? fixed(s.mean, digits) + " ± " + fixed(s.sd, digits) : fixed(s.mean, digits);
}
nlohmann::json spread_json(const Spread& s) {
  nlohmann::json values = nlohmann::json::array();
  for (double v : s.values) values.push_back(number_or_null(v));
  return {{"mean", number_or_null(s.mean)}, {"sd", number_or_null(s.sd)}, {"values", values}};
}

// Band labels in order, from the first run that has eval results.
std::vector<std::string> band_labels(const std::vector<RunSummary>& runs) {
  for (const auto& run : runs)
    if (run.eval.contains("bands")) {
      std::vector<std::string> labels;
      for (const auto& band : run.eval["bands"]) labels.push_back(band["label"].get<std::string>());
      return labels;
    }
  return {};
}

const nlohmann::json* band_of(const RunSummary& run, const std::string& label) {
  if (!run.eval.contains("bands")) return nullptr;
  for (const auto& band : run.eval["bands"])
    if (band["label"] == label) return &band;
  return nullptr;
}

double band_bleu(const RunSummary& run, const std::string& label) {
  auto* band = band_of(run, label);
  return band ? number_or_nan((*band)["bleu"]) : kNaN;
}

// The teacher-forced statistics of a run's eval results; null for results written before eval
// computed them, and for runs without results.
const nlohmann::json* teacher_forced_of(const RunSummary& run) {
  return run.eval.contains("teacher_forced") ? &run.eval["teacher_forced"] : nullptr;
}

bool any_teacher_forced(const std::vector<RunSummary>& runs) {
  return std::any_of(runs.begin(), runs.end(), [](const RunSummary& r) { return teacher_forced_of(r) != nullptr; });
}

// A band's teacher-forced "cross_entropy" or "accuracy"; NaN where the run has none.
double forced_band_value(const RunSummary& run, const std::string& label, const char* key) {
  if (const auto* tf = teacher_forced_of(run))
    for (const auto& band : (*tf)["bands"])
      if (band["band"] == label) return number_or_nan(band[key]);
  return kNaN;
}

// A band's accuracy in relative-position bin `bin`; NaN where the run has none.
double position_accuracy(const RunSummary& run, const std::string& label, std::size_t bin) {
  const auto* tf = teacher_forced_of(run);
  if (!tf || !(*tf)["position_accuracy"]["bands"].contains(label)) return kNaN;
  const auto& bins = (*tf)["position_accuracy"]["bands"][label];
  return bin < bins.size() ? number_or_nan(bins[bin]) : kNaN;
}

std::string band_sentences(const std::vector<RunSummary>& runs, const std::string& label) {
  for (const auto& r : runs)
    if (auto* band = band_of(r, label)) return std::to_string((*band)["sentences"].get<int64_t>());
  return "-";
}

std::string band_sentences(const RunSummary& run, const std::string& label) {
  auto* band = band_of(run, label);
  return band ? std::to_string((*band)["sentences"].get<int64_t>()) : "-";
}

// A group's count in a band: the count, or "min-max" when its runs were evaluated on different sentences.
std::string band_sentences(const std::vector<RunSummary>& runs, const RunGroup& group, const std::string& label) {
  std::vector<std::string> counts;
  for (auto i : group.members)
    if (const std::string n = band_sentences(runs[i], label); n != "-") counts.push_back(n);
  if (counts.empty()) return "-";
  auto [low, high] = std::minmax_element(counts.begin(), counts.end(),
                                         [](const std::string& a, const std::string& b) { return std::stoll(a) < std::stoll(b); });
  return *low == *high ? *low : *low + "-" + *high;
}

// Whether every evaluated run was evaluated on the same sentences: then one "sentences" column
// serves all; otherwise each run's counts are shown beside its BLEU.
bool same_sentences(const std::vector<RunSummary>& runs) {
  const RunSummary* first = nullptr;
  for (const auto& r : runs) {
    if (!r.eval.contains("bands")) continue;
    if (!first) {
      first = &r;
      continue;
    }
    if (!r.sentences_sha256.empty() && !first->sentences_sha256.empty() && r.sentences_sha256 != first->sentences_sha256)
      return false;
    for (const auto& band : r.eval["bands"])
      if (band_sentences(*first, band["label"].get<std::string>()) != std::to_string(band["sentences"].get<int64_t>()))
        return false;
  }
  return true;
}

// What the eval column says: the split and the weights its results were made by, or why there are none.
std::string eval_text(const RunSummary& r) {
  if (!r.error.empty()) return "failed (see below)";
  if (!r.eval_note.empty()) return "left out (see below)";
  return r.eval_split.empty() ? "-" : r.eval_split + " (" + r.weights + ")";
}

// The runs that could not be compared, or whose results were left out, with the reasons.
std::vector<std::string> run_notes(const std::vector<RunSummary>& runs) {
  std::vector<std::string> notes;
  for (const auto& r : runs) {
    if (!r.error.empty()) notes.push_back(r.name + ": " + r.error);
    else if (!r.eval_note.empty()) notes.push_back(r.name + ": results left out: " + r.eval_note);
  }
  return notes;
}

// The p-value of a run against its baseline: overall (label "") or in one band.
std::optional<double> p_value(const RunSummary& run, const std::string& label = "") {
  if (!run.significance) return std::nullopt;
  if (label.empty()) return run.significance->bleu.p_value;
  auto found = run.significance->bands.find(label);
  if (found == run.significance->bands.end()) return std::nullopt;
  return found->second.p_value;
}

// The largest p over a group's runs (the conservative summary of several seeds).
std::optional<double> max_p(const std::vector<RunSummary>& runs, const RunGroup& group, const std::string& label = "") {
  std::optional<double> largest;
  for (auto i : group.members)
    if (auto p = p_value(runs[i], label)) largest = largest ? std::max(*largest, *p) : *p;
  return largest;
}

std::string stop_text(const RunSummary& r) {
  if (!r.stop_reason.empty()) return r.stop_reason;
  return r.steps > 0 && !r.complete ? "incomplete" : "-";
}

std::string best_epoch_text(int64_t epoch) { return epoch > 0 ? std::to_string(epoch) : "-"; }

// The per-run quantities averaged over seeds.
double parameters_of(const RunSummary& r) { return static_cast<double>(r.parameters); }
double elapsed_of(const RunSummary& r) { return r.elapsed_s; }
double train_s_of(const RunSummary& r) { return r.train_s; }
double tokens_of(const RunSummary& r) { return static_cast<double>(r.tokens); }
double tokens_per_s_of(const RunSummary& r) { return r.tokens_per_s; }
double epochs_of(const RunSummary& r) { return static_cast<double>(r.epochs); }
double best_epoch_of(const RunSummary& r) { return r.best_epoch > 0 ? static_cast<double>(r.best_epoch) : kNaN; }
double valid_loss_of(const RunSummary& r) { return r.best_valid_loss; }
double valid_ppl_of(const RunSummary& r) { return r.best_valid_ppl; }
double bleu_of(const RunSummary& r) { return eval_score(r, "bleu"); }
double chrf_of(const RunSummary& r) { return eval_score(r, "chrf"); }

Table runs_table(const std::vector<RunSummary>& runs, bool seeds) {
  std::vector<std::string> header = {"run",       "model",  "params",     "train time", "tokens seen",
                                     "tokens/s",  "epochs", "best epoch", "stop",       "best valid loss",
                                     "valid PPL", "BLEU",   "chrF2",      "p",          "eval"};
  if (seeds) header.insert(header.begin() + 2, "seed");
  Table table(header);
  for (const auto& r : runs) {
    std::vector<std::string> row = {r.name,
                                    r.model,
                                    with_commas(r.parameters),
                                    format_duration(r.elapsed_s),
                                    compact_count(static_cast<double>(r.tokens)),
                                    fixed(r.tokens_per_s, 0),
                                    std::to_string(r.epochs),
                                    best_epoch_text(r.best_epoch),
                                    stop_text(r),
                                    fixed(r.best_valid_loss, 3),
                                    fixed(r.best_valid_ppl, 2),
                                    fixed(eval_score(r, "bleu"), 2),
                                    fixed(eval_score(r, "chrf"), 2),
                                    p_text(p_value(r)),
                                    eval_text(r)};
    if (seeds) row.insert(row.begin() + 2, std::to_string(r.seed));
    table.add_row(row);
  }
  return table;
}

// One row per config: mean ± sd over its seeds, and the largest p.
Table groups_table(const std::vector<RunSummary>& runs) {
  Table table({"config", "model", "seeds", "params", "train time", "tokens seen", "best epoch", "best valid loss",
               "valid PPL", "BLEU", "chrF2", "p (max)"});
  for (const auto& g : group_runs(runs)) {
    auto over_seeds = [&](double (*get)(const RunSummary&)) { return group_spread(runs, g, get); };
    const Spread time = over_seeds(elapsed_of);
    table.add_row({g.name, runs[g.members.front()].model, std::to_string(g.members.size()),
                   with_commas(std::llround(over_seeds(parameters_of).mean)),
                   format_duration(time.mean) + (std::isfinite(time.sd) ? " ± " + format_duration(time.sd) : ""),
                   compact_count(over_seeds(tokens_of).mean), mean_sd(over_seeds(best_epoch_of), 1),
                   mean_sd(over_seeds(valid_loss_of), 3), mean_sd(over_seeds(valid_ppl_of), 2),
                   mean_sd(over_seeds(bleu_of), 2), mean_sd(over_seeds(chrf_of), 2), p_text(max_p(runs, g))});
  }
  return table;
}

// Rows: source-length bands; columns: each band's sentence count, then per run its BLEU and
// (after the first run) its p against the first.
Table bands_table(const std::vector<RunSummary>& runs) {
  const bool shared = same_sentences(runs);
  std::vector<std::string> header = {"source words"};
  if (shared) header.push_back("sentences");
  for (size_t i = 0; i < runs.size(); ++i) {
    if (!shared) header.push_back("sentences " + runs[i].name);
    header.push_back("BLEU " + runs[i].name);
    if (i > 0) header.push_back("p " + runs[i].name);
  }
  Table table(header);
  for (const auto& label : band_labels(runs)) {
    std::vector<std::string> row = {label};
    if (shared) row.push_back(band_sentences(runs, label));
    for (size_t i = 0; i < runs.size(); ++i) {
      if (!shared) row.push_back(band_sentences(runs[i], label));
      row.push_back(fixed(band_bleu(runs[i], label), 2));
      if (i > 0) row.push_back(p_text(p_value(runs[i], label)));
    }
    table.add_row(row);
  }
  return table;
}

// The same with seeds: per config the mean ± sd of its seeds, and the largest p.
Table group_bands_table(const std::vector<RunSummary>& runs) {
  const auto groups = group_runs(runs);
  const bool shared = same_sentences(runs);
  std::vector<std::string> header = {"source words"};
  if (shared) header.push_back("sentences");
  for (size_t g = 0; g < groups.size(); ++g) {
    if (!shared) header.push_back("sentences " + groups[g].name);
    header.push_back("BLEU " + groups[g].name);
    if (g > 0) header.push_back("p " + groups[g].name);
  }
  Table table(header);
  for (const auto& label : band_labels(runs)) {
    std::vector<std::string> row = {label};
    if (shared) row.push_back(band_sentences(runs, label));
    for (size_t g = 0; g < groups.size(); ++g) {
      if (!shared) row.push_back(band_sentences(runs, groups[g], label));
      row.push_back(
          mean_sd(group_spread(runs, groups[g], [&](const RunSummary& r) { return band_bleu(r, label); }), 2));
      if (g > 0) row.push_back(p_text(max_p(runs, groups[g], label)));
    }
    table.add_row(row);
  }
  return table;
}

// Rows: source-length bands; columns: per run (with seeds, per config: mean ± sd over its seeds)
// the teacher-forced cross-entropy (nats/token) and token accuracy (%).
Table teacher_forced_table(const std::vector<RunSummary>& runs, bool seeds) {
  std::vector<std::string> header = {"source words"};
  std::vector<std::string> names;
  if (seeds)
    for (const auto& g : group_runs(runs)) names.push_back(g.name);
  else
    for (const auto& r : runs) names.push_back(r.name);
  for (const auto& name : names) {
    header.push_back("CE " + name);
    header.push_back("acc % " + name);
  }
  Table table(header);
  for (const auto& label : band_labels(runs)) {
    std::vector<std::string> row = {label};
    auto cross_entropy = [&](const RunSummary& r) { return forced_band_value(r, label, "cross_entropy"); };
    auto accuracy = [&](const RunSummary& r) { return 100 * forced_band_value(r, label, "accuracy"); };
    if (seeds) {
      for (const auto& g : group_runs(runs)) {
        row.push_back(mean_sd(group_spread(runs, g, cross_entropy), 3));
        row.push_back(mean_sd(group_spread(runs, g, accuracy), 1));
      }
    } else {
      for (const auto& r : runs) {
        row.push_back(fixed(cross_entropy(r), 3));
        row.push_back(fixed(accuracy(r), 1));
      }
    }
    table.add_row(row);
  }
  return table;
}

// What the p column means, or "" when no run has one.
std::string significance_footnote(const std::vector<RunSummary>& runs, bool seeds) {
  const Significance* any = nullptr;
  for (const auto& r : runs)
    if (r.significance) {
      any = &*r.significance;
      break;
    }
  if (!any) return "";
  std::string note = fmt::format(
      "p: paired bootstrap resampling of BLEU (Koehn 2004; {} resamples, seed {}, as sacreBLEU --paired-bs) "
      "against {}: the chance of a difference at least this large if both were equally good. * p < 0.05.",
      with_commas(any->bleu.resamples), any->bleu.seed, seeds ? runs.front().group : runs.front().name);
  if (pairs_by_seed(runs)) note += fmt::format(" Each seed is paired with the same seed of {}.", runs.front().group);
  if (seeds) note += " The mean ± sd tables show the largest p over the seeds (conservative).";
  return note;
}

// Words joined into lines of at most `width` bytes (a longer word gets a line of its own).
std::string wrap(const std::string& text, std::size_t width = 100) {
  std::istringstream words(text);
  std::string out, line, word;
  while (words >> word) {
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      out += line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  return out + line + (line.empty() ? "" : "\n");
}

// The configs the diff compares: every run, or with seeds one per config (its first run).
void diff_inputs(const std::vector<RunSummary>& runs, std::vector<std::string>& names,
                 std::vector<nlohmann::json>& configs) {
  if (has_seeds(runs)) {
    for (const auto& g : group_runs(runs)) {
      names.push_back(g.name);
      configs.push_back(runs[g.members.front()].config);
    }
    return;
  }
  for (const auto& r : runs) {
    names.push_back(r.name);
    configs.push_back(r.config);
  }
}

// "train.betas.0" -> /train/betas/0
nlohmann::json::json_pointer pointer_for(const std::string& dotted_key) {
  std::string path = "/" + dotted_key;
  std::replace(path.begin(), path.end(), '.', '/');
  return nlohmann::json::json_pointer(path);
}

// Keys whose values differ between the configs that read them, with who reads each.
struct Difference {
  std::string key;
  std::vector<bool> used;
};
std::vector<Difference> differences(const std::vector<nlohmann::json>& configs) {
  std::vector<Config> typed;
  for (const auto& c : configs) typed.push_back(c.get<Config>());
  std::vector<Difference> out;
  for (const auto& key : differing_keys(configs)) {
    const auto pointer = pointer_for(key);
    Difference d{key, {}};
    std::vector<nlohmann::json> values;
    for (size_t i = 0; i < configs.size(); ++i) {
      d.used.push_back(config_uses_key(typed[i], key));
      if (d.used.back()) values.push_back(configs[i].contains(pointer) ? configs[i].at(pointer) : nlohmann::json());
    }
    bool differ = false;
    for (size_t i = 1; i < values.size(); ++i) differ = differ || values[i] != values[0];
    if (differ) out.push_back(std::move(d));
  }
  return out;
}

nlohmann::json significance_json(const RunSummary& r) {
  if (!r.significance) return nullptr;
  nlohmann::json bands = nlohmann::json::object();
  for (const auto& [label, result] : r.significance->bands) bands[label] = result;
  return {{"baseline", r.significance->baseline}, {"bleu", r.significance->bleu}, {"bands", bands}};
}

nlohmann::json p_values_json(const std::vector<RunSummary>& runs, const RunGroup& g, const std::string& label = "") {
  nlohmann::json values = nlohmann::json::array();
  for (auto i : g.members) {
    auto p = p_value(runs[i], label);
    values.push_back(p ? nlohmann::json(*p) : nlohmann::json());
  }
  auto largest = max_p(runs, g, label);
  return {{"max", largest ? nlohmann::json(*largest) : nlohmann::json()}, {"values", values}};
}

nlohmann::json groups_json(const std::vector<RunSummary>& runs) {
  nlohmann::json out = nlohmann::json::array();
  const auto labels = band_labels(runs);
  for (const auto& g : group_runs(runs)) {
    nlohmann::json names = nlohmann::json::array(), seeds = nlohmann::json::array();
    for (auto i : g.members) {
      names.push_back(runs[i].name);
      seeds.push_back(runs[i].seed);
    }
    nlohmann::json bands = nlohmann::json::array();
    for (const auto& label : labels)
      bands.push_back(
          {{"label", label},
           {"bleu", spread_json(group_spread(runs, g, [&](const RunSummary& r) { return band_bleu(r, label); }))},
           {"p_value", p_values_json(runs, g, label)}});
    auto get = [&](double (*f)(const RunSummary&)) { return spread_json(group_spread(runs, g, f)); };
    out.push_back({{"name", g.name},
                   {"model", runs[g.members.front()].model},
                   {"runs", names},
                   {"seeds", seeds},
                   {"parameters", get(parameters_of)},
                   {"train_s", get(train_s_of)},
                   {"elapsed_s", get(elapsed_of)},
                   {"tokens", get(tokens_of)},
                   {"best_epoch", get(best_epoch_of)},
                   {"best_valid_loss", get(valid_loss_of)},
                   {"best_valid_ppl", get(valid_ppl_of)},
                   {"bleu", get(bleu_of)},
                   {"chrf", get(chrf_of)},
                   {"p_value", p_values_json(runs, g)},
                   {"bands", bands}});
  }
  return out;
}

// A score's CSV cells: its value and, with seeds, its sd; empty where there is none.
void add_score_cells(std::vector<std::string>& row, double value, double sd, int digits, bool seeds) {
  row.push_back(std::isfinite(value) ? fixed(value, digits) : "");
  if (seeds) row.push_back(std::isfinite(sd) ? fixed(sd, digits) : "");
}

std::string p_cell(std::optional<double> p) { return p ? p_text(p, false) : ""; }

std::vector<std::string> csv_header(const std::vector<std::string>& labels, bool seeds) {
  std::vector<std::string> header = {"run", "model"};
  if (seeds) header.insert(header.end(), {"group", "seed"});
  header.insert(header.end(), {"params", "train time", "tokens seen", "tokens/s", "epochs", "best epoch", "stop"});
  for (const char* score : {"best valid loss", "valid PPL", "BLEU", "chrF2"}) {
    header.push_back(score);
    if (seeds) header.push_back(std::string(score) + " sd");
  }
  header.insert(header.end(), {"p", "eval"});
  for (const auto& label : labels) {
    header.push_back("BLEU " + label);
    if (seeds) header.push_back("BLEU sd " + label);
    header.push_back("p " + label);
    header.push_back("sentences " + label);
  }
  return header;
}

// One run's row; with seeds its sd cells are empty.
std::vector<std::string> csv_run_row(const RunSummary& r, const std::vector<std::string>& labels, bool seeds) {
  std::vector<std::string> row = {r.name, r.model};
  if (seeds) row.insert(row.end(), {r.group, std::to_string(r.seed)});
  row.insert(row.end(), {std::to_string(r.parameters), format_duration(r.elapsed_s), std::to_string(r.tokens),
                         fixed(r.tokens_per_s, 0), std::to_string(r.epochs),
                         r.best_epoch > 0 ? std::to_string(r.best_epoch) : "", stop_text(r)});
  add_score_cells(row, r.best_valid_loss, kNaN, 3, seeds);
  add_score_cells(row, r.best_valid_ppl, kNaN, 2, seeds);
  add_score_cells(row, eval_score(r, "bleu"), kNaN, 2, seeds);
  add_score_cells(row, eval_score(r, "chrf"), kNaN, 2, seeds);
  row.insert(row.end(), {p_cell(p_value(r)), eval_text(r)});
  for (const auto& label : labels) {
    add_score_cells(row, band_bleu(r, label), kNaN, 2, seeds);
    row.push_back(p_cell(p_value(r, label)));
    auto* band = band_of(r, label);
    row.push_back(band ? std::to_string((*band)["sentences"].get<int64_t>()) : "");
  }
  return row;
}

// A config's row, its seed column "mean": the means over its seeds, their standard deviations
// and the largest p.
std::vector<std::string> csv_group_row(const std::vector<RunSummary>& runs, const RunGroup& g,
                                       const std::vector<std::string>& labels) {
  const RunSummary& first = runs[g.members.front()];
  auto over_seeds = [&](double (*get)(const RunSummary&)) { return group_spread(runs, g, get); };
  std::vector<std::string> row = {g.name, first.model, g.name, "mean"};
  row.push_back(fixed(over_seeds(parameters_of).mean, 0));
  row.push_back(format_duration(over_seeds(elapsed_of).mean));
  row.push_back(fixed(over_seeds(tokens_of).mean, 0));
  row.push_back(fixed(over_seeds(tokens_per_s_of).mean, 0));
  row.push_back(fixed(over_seeds(epochs_of).mean, 1));
  row.push_back(fixed(over_seeds(best_epoch_of).mean, 1));
  row.push_back("");  // stop
  for (auto [get, digits] : {std::pair{valid_loss_of, 3}, {valid_ppl_of, 2}, {bleu_of, 2}, {chrf_of, 2}}) {
    const Spread score = over_seeds(get);
    add_score_cells(row, score.mean, score.sd, digits, true);
  }
  row.insert(row.end(), {p_cell(max_p(runs, g)), first.eval_split});
  for (const auto& label : labels) {
    const Spread band = group_spread(runs, g, [&](const RunSummary& r) { return band_bleu(r, label); });
    add_score_cells(row, band.mean, band.sd, 2, true);
    row.push_back(p_cell(max_p(runs, g, label)));
    const std::string count = band_sentences(runs, g, label);
    row.push_back(count == "-" ? "" : count);
  }
  return row;
}

// CSV holds one table: a row per run, with its band scores and p-values as extra columns. With
// seeds it adds sd columns and, per config, a row whose seed column says "mean".
std::string comparison_csv(const std::vector<RunSummary>& runs) {
  const bool seeds = has_seeds(runs);
  const auto labels = band_labels(runs);
  Table csv(csv_header(labels, seeds));
  for (const auto& r : runs) csv.add_row(csv_run_row(r, labels, seeds));
  if (seeds)
    for (const auto& g : group_runs(runs)) csv.add_row(csv_group_row(runs, g, labels));
  return csv.to_csv();
}

}  // namespace

std::vector<std::string> config_differences(const std::vector<std::string>& names,
                                            const std::vector<nlohmann::json>& configs) {
  std::vector<std::string> lines;
  for (const auto& d : differences(configs)) {
    const auto pointer = pointer_for(d.key);
    std::string line = d.key + ":";
    for (size_t i = 0; i < configs.size(); ++i) {
      line += (i ? " | " : " ") + names[i] + "=";
      if (!d.used[i])
        line += "(unused)";
      else
        line += configs[i].contains(pointer) ? configs[i].at(pointer).dump() : "(missing)";
    }
    lines.push_back(line);
  }
  return lines;
}

nlohmann::json config_differences_json(const std::vector<std::string>& names,
                                       const std::vector<nlohmann::json>& configs) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& d : differences(configs)) {
    const auto pointer = pointer_for(d.key);
    nlohmann::json values = nlohmann::json::object();
    for (size_t i = 0; i < configs.size(); ++i)
      if (d.used[i]) values[names[i]] = configs[i].contains(pointer) ? configs[i].at(pointer) : nlohmann::json();
    out[d.key] = values;
  }
  return out;
}

nlohmann::json comparison_json(const std::vector<RunSummary>& runs) {
  nlohmann::json out;
  out["runs"] = nlohmann::json::array();
  for (const auto& r : runs) {
    nlohmann::json bands = nlohmann::json::array();
    if (r.eval.contains("bands")) bands = r.eval["bands"];
    out["runs"].push_back({{"name", r.name},
                           {"dir", r.dir},
                           {"model", r.model},
                           {"group", r.group},
                           {"seed", r.seed},
                           {"parameters", r.parameters},
                           {"train_s", r.train_s},
                           {"elapsed_s", r.elapsed_s},
                           {"tokens", r.tokens},
                           {"tokens_per_s", r.tokens_per_s},
                           {"epochs", r.epochs},
                           {"steps", r.steps},
                           {"best_epoch", r.best_epoch > 0 ? nlohmann::json(r.best_epoch) : nlohmann::json()},
                           {"complete", r.complete},
                           {"stop_reason", r.stop_reason},
                           {"best_valid_loss", number_or_null(r.best_valid_loss)},
                           {"best_valid_ppl", number_or_null(r.best_valid_ppl)},
                           {"eval_split", r.eval_split},
                           {"weights", r.weights},
                           {"eval_note", r.eval_note},
                           {"error", r.error},
                           {"bleu", number_or_null(eval_score(r, "bleu"))},
                           {"chrf", number_or_null(eval_score(r, "chrf"))},
                           {"significance", significance_json(r)},
                           {"bands", bands},
                           {"teacher_forced", teacher_forced_of(r) ? *teacher_forced_of(r) : nlohmann::json()}});
  }
  out["groups"] = groups_json(runs);
  out["same_sentences"] = same_sentences(runs);
  const bool seeds = has_seeds(runs);
  const Significance* any = nullptr;
  for (const auto& r : runs)
    if (r.significance && !any) any = &*r.significance;
  out["significance"] = {{"test", "paired bootstrap resampling (Koehn 2004), as sacreBLEU --paired-bs; two-sided"},
                         {"metric", "bleu"},
                         {"baseline", runs.empty() ? "" : (seeds ? runs.front().group : runs.front().name)},
                         {"pairing", pairs_by_seed(runs) ? "each seed with the same seed of the baseline config"
                                                         : "each run with the baseline run"},
                         {"resamples", any ? nlohmann::json(any->bleu.resamples) : nlohmann::json()},
                         {"seed", any ? nlohmann::json(any->bleu.seed) : nlohmann::json()}};
  std::vector<std::string> names;
  std::vector<nlohmann::json> configs;
  diff_inputs(runs, names, configs);
  out["config_differences"] = config_differences_json(names, configs);
  return out;
}

std::string render_comparison(const std::vector<RunSummary>& runs, const std::string& format) {
  if (format == "json") return comparison_json(runs).dump(2) + "\n";
  const bool seeds = has_seeds(runs);
  std::vector<std::string> names;
  std::vector<nlohmann::json> configs;
  diff_inputs(runs, names, configs);
  const auto diffs = config_differences(names, configs);
  const Table main = runs_table(runs, seeds);
  if (format == "csv") return comparison_csv(runs);
  const Table bands = seeds ? group_bands_table(runs) : bands_table(runs);
  const std::string footnote = significance_footnote(runs, seeds);
  const std::string bands_title =
      seeds ? "BLEU by source length (words), mean ± sd over seeds" : "BLEU by source length (words)";
  const bool forced = any_teacher_forced(runs);
  const std::string forced_title =
      std::string("Teacher-forced cross-entropy (nats/token) and token accuracy by source length (words)") +
      (seeds ? ", mean ± sd over seeds" : "");
  const auto notes = run_notes(runs);
  const std::string sentences_note =
      same_sentences(runs) ? ""
                           : "The runs were evaluated on different sentences (counts per run): their BLEU is not "
                             "comparable band by band.";
  std::ostringstream out;
  if (format == "markdown") {
    out << "## Runs\n\n" << main.to_markdown();
    if (!notes.empty()) out << "\n";
    for (const auto& note : notes) out << "- " << note << "\n";
    if (seeds) out << "\n## Mean ± sd over seeds\n\n" << groups_table(runs).to_markdown();
    out << "\n## " << bands_title << "\n\n" << bands.to_markdown();
    if (!sentences_note.empty()) out << "\n" << sentences_note << "\n";
    if (!footnote.empty()) out << "\n" << footnote << "\n";
    if (forced) out << "\n## " << forced_title << "\n\n" << teacher_forced_table(runs, seeds).to_markdown();
    out << "\n## Config differences\n\n";
    if (diffs.empty()) out << "(none)\n";
    for (const auto& d : diffs) out << "- `" << d << "`\n";
    return out.str();
  }
  out << main.to_text();
  for (const auto& note : notes) out << "  " << note << "\n";
  if (seeds) out << "\nMean ± sd over seeds\n" << groups_table(runs).to_text();
  out << "\n" << bands_title << "\n" << bands.to_text();
  if (!sentences_note.empty()) out << wrap(sentences_note);
  if (!footnote.empty()) out << "\n" << wrap(footnote);
  if (forced) out << "\n" << forced_title << "\n" << teacher_forced_table(runs, seeds).to_text();
  out << "\nConfig differences\n";
  if (diffs.empty()) out << "  (none)\n";
  for (const auto& d : diffs) out << "  " << d << "\n";
  return out.str();
}

std::string bleu_by_length_svg(const std::vector<RunSummary>& runs) {
  LineChart chart;
  chart.title = "BLEU by source sentence length";
  chart.x_label = "source sentence length (words)";
  chart.y_label = "BLEU";
  const auto labels = band_labels(runs);
  for (size_t i = 0; i < labels.size(); ++i) chart.x_ticks.push_back({static_cast<double>(i), labels[i]});
  chart.y_min = 0;
  if (has_seeds(runs)) {
    chart.title += " (mean ± 1 sd over seeds)";
    for (const auto& g : group_runs(runs)) {
      Series series{fmt::format("{} ({}), {} seed{}", g.name, runs[g.members.front()].model, g.members.size(),
                                g.members.size() == 1 ? "" : "s"),
                    {},
                    {},
                    {}};
      for (size_t i = 0; i < labels.size(); ++i) {
        const auto s = group_spread(runs, g, [&](const RunSummary& r) { return band_bleu(r, labels[i]); });
        series.x.push_back(static_cast<double>(i));
        series.y.push_back(s.mean);
        series.y_err.push_back(s.sd);
      }
      chart.series.push_back(series);
    }
    return render_line_chart(chart);
  }
  for (const auto& r : runs) {
    Series series{r.name + " (" + r.model + ")", {}, {}, {}};
    for (size_t i = 0; i < labels.size(); ++i) {
      series.x.push_back(static_cast<double>(i));
      series.y.push_back(band_bleu(r, labels[i]));
    }
    chart.series.push_back(series);
  }
  return render_line_chart(chart);
}

std::string valid_loss_svg(const std::vector<RunSummary>& runs) {
  LineChart chart;
  chart.title = "Validation loss against training time";
  chart.x_label = "training time (minutes)";
  chart.y_label = "validation loss (nats/token)";
  for (const auto& r : runs) {
    Series series{r.name + " (" + r.model + ")", {}, {}, {}};
    for (const auto& [seconds, loss] : r.valid_curve) {
      series.x.push_back(seconds / 60.0);
      series.y.push_back(loss);
    }
    chart.series.push_back(series);
  }
  return render_line_chart(chart);
}

bool has_teacher_forced(const std::vector<RunSummary>& runs) { return any_teacher_forced(runs); }

std::string position_accuracy_svg(const std::vector<RunSummary>& runs) {
  std::vector<nlohmann::json> reports;
  for (const auto& r : runs)
    if (const auto* tf = teacher_forced_of(r)) reports.push_back(*tf);
  const auto bands = short_and_long_bands(reports);
  const std::size_t bins = reports.empty() ? 0 : reports.front()["position_accuracy"]["all"].size();
  std::vector<LineChart> panels;
  for (const auto& [kind, label] : {std::pair{"short", bands.short_band}, {"long", bands.long_band}}) {
    LineChart chart;
    chart.title = fmt::format("Token accuracy by target position, {} sources ({} words)", kind, label);
    chart.x_label = "relative position in the target sentence (j / T, bins of 0.1)";
    chart.y_label = "token accuracy";
    chart.x_min = 0, chart.x_max = 1, chart.y_min = 0, chart.y_max = 1;
    // Each bin drawn at its middle: bin b holds the tokens with b/10 <= j/T < (b+1)/10.
    auto middle = [bins](std::size_t bin) { return (static_cast<double>(bin) + 0.5) / static_cast<double>(bins); };
    if (has_seeds(runs)) {
      chart.title += ", mean ± sd";
      for (const auto& g : group_runs(runs)) {
        // The model's name once when the config is named after it ("rnn, 3 seeds").
        const std::string& model = runs[g.members.front()].model;
        Series series{fmt::format("{}{}, {} seed{}", g.name, g.name == model ? "" : " (" + model + ")",
                                  g.members.size(), g.members.size() == 1 ? "" : "s"),
                      {},
                      {},
                      {}};
        for (std::size_t bin = 0; bin < bins; ++bin) {
          const auto s = group_spread(runs, g, [&](const RunSummary& r) { return position_accuracy(r, label, bin); });
          series.x.push_back(middle(bin));
          series.y.push_back(s.mean);
          series.y_err.push_back(s.sd);
        }
        chart.series.push_back(series);
      }
    } else {
      for (const auto& r : runs) {
        Series series{r.name + " (" + r.model + ")", {}, {}, {}};
        for (std::size_t bin = 0; bin < bins; ++bin) {
          series.x.push_back(middle(bin));
          series.y.push_back(position_accuracy(r, label, bin));
        }
        chart.series.push_back(series);
      }
    }
    panels.push_back(chart);
  }
  return render_panels(panels);
}

}  // namespace seq2seq::report
