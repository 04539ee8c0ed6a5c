// The compare command: evaluate and compare runs, diff configs, or train configs and compare.
#include "seq2seq/session/compare.h"

#include "seq2seq/config.h"
#include "seq2seq/errors.h"
#include "seq2seq/eval/evaluate.h"
#include "seq2seq/io.h"
#include "seq2seq/report/compare.h"
#include "seq2seq/run.h"
#include "seq2seq/train/trainer.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <ostream>
#include <stdexcept>

namespace seq2seq::session {

namespace {

// Evaluates a run on `split` unless its eval results are already there.
void ensure_eval(const std::string& dir, const CompareOptions& o) {
  const std::string file = RunPaths{dir}.eval_dir() + "/" + o.split + ".json";
  if (file_exists(file)) return;
  spdlog::info("{}: no {} results yet; evaluating", dir, o.split);
  auto run = load_run({dir, "best", o.device});
  auto options = decode::SearchOptions::from(run.config.decode);
  if (o.beam > 0) options.beam = o.beam;
  auto output = eval::evaluate_run(run, eval::load_split(run, o.split), options, run.config.decode.batch_size);
  eval::save_eval(run, output);
}

int compare_runs(const std::vector<std::string>& dirs, const CompareOptions& o, std::ostream& out) {
  std::vector<report::RunSummary> runs;
  for (const auto& dir : dirs) {
    require_run_dir(dir);
    if (!o.no_eval) ensure_eval(dir, o);
    runs.push_back(report::summarize_run(dir, o.split));
    if (runs.back().eval_split.empty())
      spdlog::warn("{}: no eval/{}.json (run `seq2seq eval --run {} --split {}`, or drop --no-eval)", dir, o.split, dir,
                   o.split);
  }
  out << report::render_comparison(runs, o.format) << std::flush;
  if (!o.out.empty()) {
    create_directories(o.out);
    write_file_atomic(o.out + "/compare.json", report::comparison_json(runs).dump(2) + "\n");
    write_file_atomic(o.out + "/compare.md", report::render_comparison(runs, "markdown"));
    write_file_atomic(o.out + "/bleu_by_length.svg", report::bleu_by_length_svg(runs));
    write_file_atomic(o.out + "/valid_loss.svg", report::valid_loss_svg(runs));
    spdlog::info("wrote {0}/compare.json, {0}/compare.md, {0}/bleu_by_length.svg, {0}/valid_loss.svg", o.out);
  }
  return 0;
}

// A run trained from another config would silently stand in for this one.
void require_same_config(const std::string& dir, const Config& config, const std::string& config_file) {
  const auto previous = load_config(RunPaths{dir}.config());
  auto keys = differing_keys({nlohmann::json(previous), nlohmann::json(config)});
  if (keys.empty()) return;
  std::string list;
  for (const auto& k : keys) list += (list.empty() ? "" : ", ") + k;
  throw UsageError(dir + " was trained from a different config than " + config_file + " (" + list +
                   "); delete that run directory or pass another --runs-dir");
}

int compare_configs(const CompareOptions& o, std::ostream& out) {
  std::vector<std::string> names;
  std::vector<nlohmann::json> configs;
  std::vector<Config> resolved;
  for (const auto& file : o.configs) {
    Config config = load_config(file);
    apply_overrides(config, o.overrides);
    names.push_back(std::filesystem::path(file).stem().string());
    configs.push_back(config);
    resolved.push_back(config);
  }
  if (!o.train) {
    if (o.format == "json") {
      out << report::config_differences_json(names, configs).dump(2) << "\n";
    } else {
      auto lines = report::config_differences(names, configs);
      if (lines.empty()) out << "no differences\n";
      for (const auto& line : lines) out << line << "\n";
    }
    return 0;
  }
  std::vector<std::string> dirs;
  for (size_t i = 0; i < resolved.size(); ++i) {
    const std::string dir = o.runs_dir + "/" + names[i];
    const bool started = file_exists(RunPaths{dir}.state());
    if (started) require_same_config(dir, resolved[i], o.configs[i]);
    if (started && load_state(RunPaths{dir}.state()).complete) {
      spdlog::info("{}: already trained; skipping", dir);
    } else {
      train::TrainOptions options;
      options.run_dir = dir;
      options.device = o.device;
      options.resume = started;
      spdlog::info("{}: {} {}", dir, started ? "resuming" : "training", o.configs[i]);
      auto result = train::train_model(resolved[i], options);
      if (result.stop_reason == "diverged") throw std::runtime_error(dir + ": training diverged (see its train.log)");
    }
    dirs.push_back(dir);
  }
  return compare_runs(dirs, o, out);
}

}  // namespace

int compare(const CompareOptions& o, std::ostream& out) {
  if (!o.configs.empty() && !o.runs.empty()) throw UsageError("compare: give run directories or --configs, not both");
  if (!o.configs.empty()) return compare_configs(o, out);
  if (o.runs.empty()) throw UsageError("compare: name at least one run directory (or --configs FILE...)");
  if (o.train) throw UsageError("compare: --train goes with --configs");
  return compare_runs(o.runs, o, out);
}

}  // namespace seq2seq::session
