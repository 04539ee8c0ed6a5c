// Run comparison: summaries from run directories, seeds as mean ± sd, paired bootstrap against the
// first run, tables in every format, and two SVG charts.
#include "seq2seq/report/compare.h"

#include "seq2seq/config.h"
#include "seq2seq/data/corpus.h"
#include "seq2seq/eval/length_buckets.h"
#include "seq2seq/io.h"
#include "seq2seq/report/progress.h"
#include "seq2seq/report/svg.h"
#include "seq2seq/report/table.h"
#include "seq2seq/run.h"
#include "seq2seq/sha256.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <numeric>
#include <sstream>

namespace seq2seq::report {

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string fixed(double x, int digits) { return std::isfinite(x) ? fmt::format("{:.{}f}", x, digits) : "-"; }
nlohmann::json number_or_null(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(); }
double number_or_nan(const nlohmann::json& j) { return j.is_number() ? j.get<double>() : kNaN; }

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

// Mean and sample standard deviation (n - 1) of the finite values; sd is NaN below two values.
struct Spread {
  double mean = kNaN, sd = kNaN;
  std::vector<double> values;  // every value, NaN included, in run order
};
Spread spread(std::vector<double> values) {
  Spread s;
  s.values = std::move(values);
  std::vector<double> finite;
  for (double v : s.values)
    if (std::isfinite(v)) finite.push_back(v);
  if (finite.empty()) return s;
  s.mean = std::accumulate(finite.begin(), finite.end(), 0.0) / finite.size();
  if (finite.size() >= 2) {
    double squares = 0;
    for (double v : finite) squares += (v - s.mean) * (v - s.mean);
    s.sd = std::sqrt(squares / (finite.size() - 1));
  }
  return s;
}
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

// "train.betas.0" -> /train/betas/0
nlohmann::json::json_pointer pointer_for(const std::string& dotted_key) {
  std::string path = "/" + dotted_key;
  std::replace(path.begin(), path.end(), '.', '/');
  return nlohmann::json::json_pointer(path);
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

std::string band_sentences(const std::vector<RunSummary>& runs, const std::string& label) {
  for (const auto& r : runs)
    if (auto* band = band_of(r, label)) return std::to_string((*band)["sentences"].get<int64_t>());
  return "-";
}

double eval_score(const RunSummary& run, const char* metric) {
  return run.eval.contains(metric) ? number_or_nan(run.eval[metric]["score"]) : kNaN;
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

// A group's values of one per-run quantity.
template <typename Get>
Spread group_spread(const std::vector<RunSummary>& runs, const RunGroup& group, Get get) {
  std::vector<double> values;
  for (auto i : group.members) values.push_back(get(runs[i]));
  return spread(std::move(values));
}

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
                                    r.eval_split.empty() ? "-" : r.eval_split};
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
  std::vector<std::string> header = {"source words", "sentences"};
  for (size_t i = 0; i < runs.size(); ++i) {
    header.push_back("BLEU " + runs[i].name);
    if (i > 0) header.push_back("p " + runs[i].name);
  }
  Table table(header);
  for (const auto& label : band_labels(runs)) {
    std::vector<std::string> row = {label, band_sentences(runs, label)};
    for (size_t i = 0; i < runs.size(); ++i) {
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
  std::vector<std::string> header = {"source words", "sentences"};
  for (size_t g = 0; g < groups.size(); ++g) {
    header.push_back("BLEU " + groups[g].name);
    if (g > 0) header.push_back("p " + groups[g].name);
  }
  Table table(header);
  for (const auto& label : band_labels(runs)) {
    std::vector<std::string> row = {label, band_sentences(runs, label)};
    for (size_t g = 0; g < groups.size(); ++g) {
      row.push_back(
          mean_sd(group_spread(runs, groups[g], [&](const RunSummary& r) { return band_bleu(r, label); }), 2));
      if (g > 0) row.push_back(p_text(max_p(runs, groups[g], label)));
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

// Reads the eval split's hypotheses (eval/<split>.hyp) and its source and reference files (as
// config.json names them), and keeps per-sentence BLEU statistics and source lengths.
void load_sentences(RunSummary& s, const RunPaths& paths, const std::string& split) {
  const std::string hyp_file = paths.eval_dir() + "/" + split + ".hyp";
  if (!file_exists(hyp_file)) {
    s.sentences_note = hyp_file + " is missing";
    return;
  }
  const Config config = s.config.get<Config>();
  const SplitPaths* files = split == "test" ? &config.data.test : split == "valid" ? &config.data.valid : nullptr;
  if (!files || files->src.empty()) {
    s.sentences_note = paths.config() + " names no files for the " + split + " split";
    return;
  }
  try {
    const auto corpus = data::read_corpus(*files, split);
    const auto hyps = data::read_lines(hyp_file);
    if (hyps.size() != corpus.size()) {
      s.sentences_note =
          fmt::format("{} has {} lines, {} has {}", hyp_file, hyps.size(), corpus.src_path, corpus.size());
      return;
    }
    auto stats = eval::sentence_stats(hyps, corpus.tgt, config.data.lowercase);
    eval::BleuStats total;
    for (const auto& sentence : stats) total += sentence;
    const double bleu = eval::bleu_from_stats(total).score, recorded = eval_score(s, "bleu");
    if (std::isfinite(recorded) && std::abs(bleu - recorded) > 0.01) {
      s.sentences_note = fmt::format("{} scores {:.2f} BLEU against {}, but eval/{}.json says {:.2f} (evaluate again)",
                                     hyp_file, bleu, corpus.tgt_path, split, recorded);
      return;
    }
    Sha256 digest;
    for (size_t i = 0; i < corpus.size(); ++i) {
      s.source_lengths.push_back(eval::source_words(corpus.src[i]));
      digest.update(corpus.src[i] + "\t" + corpus.tgt[i] + "\n");
    }
    s.sentence_stats = std::move(stats);
    s.sentences_sha256 = digest.hex();
  } catch (const std::exception& e) {
    s.sentence_stats.clear();
    s.source_lengths.clear();
    s.sentences_note = e.what();
  }
}

// The runs' sentence indices in each band of `bands` (eval.json's band list, in order), by the
// rule bleu_by_length() uses: a sentence goes to the first band whose upper bound it does not pass.
std::vector<std::vector<size_t>> band_members(const nlohmann::json& bands, const std::vector<int>& lengths) {
  std::vector<std::vector<size_t>> members(bands.size());
  for (size_t i = 0; i < lengths.size(); ++i)
    for (size_t b = 0; b < bands.size(); ++b)
      if (!bands[b].contains("hi") || !bands[b]["hi"].is_number() || lengths[i] <= bands[b]["hi"].get<int>()) {
        members[b].push_back(i);
        break;
      }
  return members;
}

std::vector<eval::BleuStats> subset(const std::vector<eval::BleuStats>& stats, const std::vector<size_t>& indices) {
  std::vector<eval::BleuStats> out;
  out.reserve(indices.size());
  for (auto i : indices) out.push_back(stats[i]);
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

// CSV holds one table: a row per run, with its band scores and p-values as extra columns. With
// seeds it adds sd columns and, per config, a row whose seed column says "mean": the means,
// their standard deviations and the largest p over the seeds.
std::string comparison_csv(const std::vector<RunSummary>& runs) {
  const bool seeds = has_seeds(runs);
  const auto labels = band_labels(runs);
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
  Table csv(header);
  auto score_cells = [&](std::vector<std::string>& row, double value, double sd, int digits) {
    row.push_back(std::isfinite(value) ? fixed(value, digits) : "");
    if (seeds) row.push_back(std::isfinite(sd) ? fixed(sd, digits) : "");
  };
  auto p_cell = [](std::optional<double> p) { return p ? p_text(p, false) : ""; };
  for (const auto& r : runs) {
    std::vector<std::string> row = {r.name, r.model};
    if (seeds) row.insert(row.end(), {r.group, std::to_string(r.seed)});
    row.insert(row.end(), {std::to_string(r.parameters), format_duration(r.elapsed_s), std::to_string(r.tokens),
                           fixed(r.tokens_per_s, 0), std::to_string(r.epochs),
                           r.best_epoch > 0 ? std::to_string(r.best_epoch) : "", stop_text(r)});
    score_cells(row, r.best_valid_loss, kNaN, 3);
    score_cells(row, r.best_valid_ppl, kNaN, 2);
    score_cells(row, eval_score(r, "bleu"), kNaN, 2);
    score_cells(row, eval_score(r, "chrf"), kNaN, 2);
    row.insert(row.end(), {p_cell(p_value(r)), r.eval_split});
    for (const auto& label : labels) {
      score_cells(row, band_bleu(r, label), kNaN, 2);
      row.push_back(p_cell(p_value(r, label)));
      auto* band = band_of(r, label);
      row.push_back(band ? std::to_string((*band)["sentences"].get<int64_t>()) : "");
    }
    csv.add_row(row);
  }
  if (!seeds) return csv.to_csv();
  for (const auto& g : group_runs(runs)) {
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
      score_cells(row, score.mean, score.sd, digits);
    }
    row.insert(row.end(), {p_cell(max_p(runs, g)), first.eval_split});
    for (const auto& label : labels) {
      const Spread band = group_spread(runs, g, [&](const RunSummary& r) { return band_bleu(r, label); });
      score_cells(row, band.mean, band.sd, 2);
      row.push_back(p_cell(max_p(runs, g, label)));
      const std::string count = band_sentences(runs, label);
      row.push_back(count == "-" ? "" : count);
    }
    csv.add_row(row);
  }
  return csv.to_csv();
}

}  // namespace

std::pair<std::string, int> split_seed_suffix(const std::string& name) {
  const auto dot = name.rfind(".s");
  if (dot == std::string::npos || dot == 0 || dot + 2 >= name.size() || name.size() - dot - 2 > 6) return {name, 0};
  for (size_t i = dot + 2; i < name.size(); ++i)
    if (name[i] < '0' || name[i] > '9') return {name, 0};
  const int k = std::stoi(name.substr(dot + 2));
  if (k < 1) return {name, 0};
  return {name.substr(0, dot), k};
}

std::vector<RunGroup> group_runs(const std::vector<RunSummary>& runs) {
  std::vector<RunGroup> groups;
  std::map<std::string, size_t> seeded;  // group name -> index in groups, for NAME.sK runs only
  for (size_t i = 0; i < runs.size(); ++i) {
    if (runs[i].seed_index > 0) {
      auto [it, added] = seeded.emplace(runs[i].group, groups.size());
      if (!added) {
        groups[it->second].members.push_back(i);
        continue;
      }
    }
    groups.push_back({runs[i].group, {i}});  // a run without a seed suffix is its own group
  }
  return groups;
}

bool has_seeds(const std::vector<RunSummary>& runs) {
  for (const auto& g : group_runs(runs))
    if (g.members.size() > 1) return true;
  return false;
}

bool pairs_by_seed(const std::vector<RunSummary>& runs) {
  return has_seeds(runs) && group_runs(runs).front().members.size() > 1;
}

void add_significance(std::vector<RunSummary>& runs, const eval::BootstrapOptions& options) {
  for (auto& r : runs) r.significance.reset();
  if (runs.size() < 2) return;
  const bool by_seed = pairs_by_seed(runs);
  const auto groups = group_runs(runs);
  const RunGroup& first = groups.front();
  for (size_t g = 1; g < groups.size(); ++g)
    for (auto i : groups[g].members) {
      RunSummary& run = runs[i];
      const RunSummary* base = &runs[first.members.front()];
      if (by_seed) {
        base = nullptr;
        for (auto j : first.members)
          if (runs[j].seed_index == run.seed_index) base = &runs[j];
        if (!base) {
          spdlog::warn("{}: {} has no run of the same seed to pair it with; no p-value", run.name, first.name);
          continue;
        }
      }
      if (base->sentence_stats.empty() || run.sentence_stats.empty()) {
        const RunSummary& lacking = base->sentence_stats.empty() ? *base : run;
        spdlog::warn("{} against {}: no p-value ({})", run.name, base->name, lacking.sentences_note);
        continue;
      }
      if (base->sentences_sha256 != run.sentences_sha256) {
        spdlog::warn("{} against {}: no p-value (they were evaluated on different sentences)", run.name, base->name);
        continue;
      }
      Significance sig;
      sig.baseline = base->name;
      sig.bleu = eval::paired_bootstrap(base->sentence_stats, run.sentence_stats, options);
      if (run.eval.contains("bands")) {
        const auto& bands = run.eval["bands"];
        const auto members = band_members(bands, run.source_lengths);
        for (size_t b = 0; b < bands.size(); ++b)
          if (!members[b].empty())
            sig.bands[bands[b]["label"].get<std::string>()] = eval::paired_bootstrap(
                subset(base->sentence_stats, members[b]), subset(run.sentence_stats, members[b]), options);
      }
      run.significance = std::move(sig);
    }
}

RunSummary summarize_run(const std::string& dir, const std::string& eval_split) {
  require_run_dir(dir);
  const RunPaths paths{dir};
  RunSummary s;
  s.dir = dir;
  s.name = std::filesystem::path(dir).lexically_normal().filename().string();
  if (s.name.empty()) s.name = std::filesystem::path(dir).lexically_normal().parent_path().filename().string();
  std::tie(s.group, s.seed_index) = split_seed_suffix(s.name);
  const Config config = load_config(paths.config());
  s.config = nlohmann::json(config);
  s.model = to_string(config.model.type);
  s.seed = config.train.seed;
  if (file_exists(paths.state())) {
    auto state = load_state(paths.state());
    s.parameters = state.parameters;
    s.train_s = state.train_s;
    s.elapsed_s = state.elapsed_s;
    s.tokens = state.tokens;
    s.tokens_per_s = state.train_s > 0 ? state.tokens / state.train_s : 0.0;
    s.epochs = state.epoch;
    s.steps = state.step;
    s.best_epoch = state.best_epoch;
    s.complete = state.complete;
    s.stop_reason = state.stop_reason;
  }
  s.best_valid_loss = kNaN;
  int64_t metrics_best_epoch = 0;  // for runs whose state.json predates best_epoch
  if (file_exists(paths.metrics())) {
    std::ifstream in(paths.metrics());
    std::string line;
    int64_t number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (line.empty()) continue;
      nlohmann::json m;
      try {
        m = nlohmann::json::parse(line);
      } catch (const nlohmann::json::exception&) {
        throw std::runtime_error(paths.metrics() + ":" + std::to_string(number) + ": not a JSON line (file damaged?)");
      }
      if (m.value("best", false) && m.contains("epoch") && m["epoch"].is_number_integer())
        metrics_best_epoch = m["epoch"].get<int64_t>();
      const double loss = number_or_nan(m["valid_loss"]);
      if (!std::isfinite(loss)) continue;
      s.valid_curve.emplace_back(number_or_nan(m["elapsed_s"]), loss);
      if (!(loss >= s.best_valid_loss)) s.best_valid_loss = loss;
    }
  }
  if (s.best_epoch == 0) s.best_epoch = metrics_best_epoch;
  s.best_valid_ppl = std::isfinite(s.best_valid_loss) ? std::exp(s.best_valid_loss) : kNaN;
  const std::string eval_file = paths.eval_dir() + "/" + eval_split + ".json";
  if (file_exists(eval_file)) {
    s.eval = nlohmann::json::parse(read_file(eval_file));
    s.eval_split = eval_split;
    load_sentences(s, paths, eval_split);
  } else {
    s.sentences_note = eval_file + " is missing";
  }
  return s;
}

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
                           {"bleu", number_or_null(eval_score(r, "bleu"))},
                           {"chrf", number_or_null(eval_score(r, "chrf"))},
                           {"significance", significance_json(r)},
                           {"bands", bands}});
  }
  out["groups"] = groups_json(runs);
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
  std::ostringstream out;
  if (format == "markdown") {
    out << "## Runs\n\n" << main.to_markdown();
    if (seeds) out << "\n## Mean ± sd over seeds\n\n" << groups_table(runs).to_markdown();
    out << "\n## " << bands_title << "\n\n" << bands.to_markdown();
    if (!footnote.empty()) out << "\n" << footnote << "\n";
    out << "\n## Config differences\n\n";
    if (diffs.empty()) out << "(none)\n";
    for (const auto& d : diffs) out << "- `" << d << "`\n";
    return out.str();
  }
  out << main.to_text();
  if (seeds) out << "\nMean ± sd over seeds\n" << groups_table(runs).to_text();
  out << "\n" << bands_title << "\n" << bands.to_text();
  if (!footnote.empty()) out << "\n" << wrap(footnote);
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

}  // namespace seq2seq::report
