// Run comparison: summaries from run directories, tables in every format, and two SVG charts.
#include "seq2seq/report/compare.h"

#include "seq2seq/config.h"
#include "seq2seq/io.h"
#include "seq2seq/report/progress.h"
#include "seq2seq/report/svg.h"
#include "seq2seq/report/table.h"
#include "seq2seq/run.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
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

double eval_score(const RunSummary& run, const char* metric) {
  return run.eval.contains(metric) ? number_or_nan(run.eval[metric]["score"]) : kNaN;
}

Table runs_table(const std::vector<RunSummary>& runs) {
  Table table({"run", "model", "params", "train time", "tokens/s", "epochs", "best valid loss", "valid PPL", "BLEU",
               "chrF2", "eval"});
  for (const auto& r : runs)
    table.add_row({r.name, r.model, with_commas(r.parameters), format_duration(r.elapsed_s), fixed(r.tokens_per_s, 0),
                   std::to_string(r.epochs) + (r.complete ? "" : " (incomplete)"), fixed(r.best_valid_loss, 3),
                   fixed(r.best_valid_ppl, 2), fixed(eval_score(r, "bleu"), 2), fixed(eval_score(r, "chrf"), 2),
                   r.eval_split.empty() ? "-" : r.eval_split});
  return table;
}

// Rows: source-length bands; columns: one BLEU per run, plus each band's sentence count.
Table bands_table(const std::vector<RunSummary>& runs) {
  std::vector<std::string> header = {"source words", "sentences"};
  for (const auto& r : runs) header.push_back("BLEU " + r.name);
  Table table(header);
  for (const auto& label : band_labels(runs)) {
    std::vector<std::string> row = {label};
    std::string count = "-";
    for (const auto& r : runs)
      if (auto* band = band_of(r, label)) {
        count = std::to_string((*band)["sentences"].get<int64_t>());
        break;
      }
    row.push_back(count);
    for (const auto& r : runs) {
      auto* band = band_of(r, label);
      row.push_back(band ? fixed(number_or_nan((*band)["bleu"]), 2) : "-");
    }
    table.add_row(row);
  }
  return table;
}

}  // namespace

RunSummary summarize_run(const std::string& dir, const std::string& eval_split) {
  require_run_dir(dir);
  const RunPaths paths{dir};
  RunSummary s;
  s.dir = dir;
  s.name = std::filesystem::path(dir).lexically_normal().filename().string();
  if (s.name.empty()) s.name = std::filesystem::path(dir).lexically_normal().parent_path().filename().string();
  s.config = nlohmann::json(load_config(paths.config()));
  s.model = s.config["model"]["type"].get<std::string>();
  if (file_exists(paths.state())) {
    auto state = load_state(paths.state());
    s.parameters = state.parameters;
    s.train_s = state.train_s;
    s.elapsed_s = state.elapsed_s;
    s.tokens_per_s = state.train_s > 0 ? state.tokens / state.train_s : 0.0;
    s.epochs = state.epoch;
    s.steps = state.step;
    s.complete = state.complete;
    s.stop_reason = state.stop_reason;
  }
  s.best_valid_loss = kNaN;
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
      const double loss = number_or_nan(m["valid_loss"]);
      if (!std::isfinite(loss)) continue;
      s.valid_curve.emplace_back(number_or_nan(m["elapsed_s"]), loss);
      if (!(loss >= s.best_valid_loss)) s.best_valid_loss = loss;
    }
  }
  s.best_valid_ppl = std::isfinite(s.best_valid_loss) ? std::exp(s.best_valid_loss) : kNaN;
  const std::string eval_file = paths.eval_dir() + "/" + eval_split + ".json";
  if (file_exists(eval_file)) {
    s.eval = nlohmann::json::parse(read_file(eval_file));
    s.eval_split = eval_split;
  }
  return s;
}

std::vector<std::string> config_differences(const std::vector<std::string>& names,
                                            const std::vector<nlohmann::json>& configs) {
  std::vector<std::string> lines;
  for (const auto& key : differing_keys(configs)) {
    const auto pointer = pointer_for(key);
    std::string line = key + ":";
    for (size_t i = 0; i < configs.size(); ++i) {
      line += (i ? " | " : " ") + names[i] + "=";
      line += configs[i].contains(pointer) ? configs[i].at(pointer).dump() : "(missing)";
    }
    lines.push_back(line);
  }
  return lines;
}

nlohmann::json comparison_json(const std::vector<RunSummary>& runs) {
  nlohmann::json out;
  out["runs"] = nlohmann::json::array();
  std::vector<std::string> names;
  std::vector<nlohmann::json> configs;
  for (const auto& r : runs) {
    nlohmann::json bands = nlohmann::json::array();
    if (r.eval.contains("bands")) bands = r.eval["bands"];
    out["runs"].push_back({{"name", r.name},
                           {"dir", r.dir},
                           {"model", r.model},
                           {"parameters", r.parameters},
                           {"train_s", r.train_s},
                           {"elapsed_s", r.elapsed_s},
                           {"tokens_per_s", r.tokens_per_s},
                           {"epochs", r.epochs},
                           {"steps", r.steps},
                           {"complete", r.complete},
                           {"stop_reason", r.stop_reason},
                           {"best_valid_loss", number_or_null(r.best_valid_loss)},
                           {"best_valid_ppl", number_or_null(r.best_valid_ppl)},
                           {"eval_split", r.eval_split},
                           {"bleu", number_or_null(eval_score(r, "bleu"))},
                           {"chrf", number_or_null(eval_score(r, "chrf"))},
                           {"bands", bands}});
    names.push_back(r.name);
    configs.push_back(r.config);
  }
  out["config_differences"] = config_differences_json(names, configs);
  return out;
}

nlohmann::json config_differences_json(const std::vector<std::string>& names,
                                       const std::vector<nlohmann::json>& configs) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& key : differing_keys(configs)) {
    const auto pointer = pointer_for(key);
    nlohmann::json values = nlohmann::json::object();
    for (size_t i = 0; i < configs.size(); ++i)
      values[names[i]] = configs[i].contains(pointer) ? configs[i].at(pointer) : nlohmann::json();
    out[key] = values;
  }
  return out;
}

std::string render_comparison(const std::vector<RunSummary>& runs, const std::string& format) {
  if (format == "json") return comparison_json(runs).dump(2) + "\n";
  std::vector<std::string> names;
  std::vector<nlohmann::json> configs;
  for (const auto& r : runs) {
    names.push_back(r.name);
    configs.push_back(r.config);
  }
  const auto diffs = config_differences(names, configs);
  const Table main = runs_table(runs), bands = bands_table(runs);
  std::ostringstream out;
  if (format == "csv") {
    // CSV holds one table: a row per run, with the band BLEU scores as extra columns.
    std::vector<std::string> header = main.header();
    const auto labels = band_labels(runs);
    for (const auto& label : labels) {
      header.push_back("BLEU " + label);
      header.push_back("sentences " + label);
    }
    Table csv(header);
    for (size_t i = 0; i < runs.size(); ++i) {
      auto row = main.data()[i];
      for (const auto& label : labels) {
        auto* band = band_of(runs[i], label);
        row.push_back(band ? fixed(number_or_nan((*band)["bleu"]), 2) : "");
        row.push_back(band ? std::to_string((*band)["sentences"].get<int64_t>()) : "");
      }
      csv.add_row(row);
    }
    return csv.to_csv();
  }
  if (format == "markdown") {
    out << "## Runs\n\n" << main.to_markdown() << "\n## BLEU by source length\n\n" << bands.to_markdown();
    out << "\n## Config differences\n\n";
    if (diffs.empty()) out << "(none)\n";
    for (const auto& d : diffs) out << "- `" << d << "`\n";
    return out.str();
  }
  out << main.to_text() << "\nBLEU by source length (words)\n" << bands.to_text() << "\nConfig differences\n";
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
  for (const auto& r : runs) {
    Series series{r.name + " (" + r.model + ")", {}, {}};
    for (size_t i = 0; i < labels.size(); ++i) {
      auto* band = band_of(r, labels[i]);
      series.x.push_back(static_cast<double>(i));
      series.y.push_back(band ? number_or_nan((*band)["bleu"]) : kNaN);
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
    Series series{r.name + " (" + r.model + ")", {}, {}};
    for (const auto& [seconds, loss] : r.valid_curve) {
      series.x.push_back(seconds / 60.0);
      series.y.push_back(loss);
    }
    chart.series.push_back(series);
  }
  return render_line_chart(chart);
}

}  // namespace seq2seq::report
