// The compare command: evaluate and compare runs, diff configs, or train configs and compare.
#include "seq2seq/session/compare_session.h"

#include "seq2seq/config/config.h"
#include "seq2seq/eval/evaluate.h"
#include "seq2seq/report/comparison.h"
#include "seq2seq/report/run_summary.h"
#include "seq2seq/report/statistics.h"
#include "seq2seq/run/run.h"
#include "seq2seq/system/precision.h"
#include "seq2seq/train/launch.h"
#include "seq2seq/train/trainer.h"
#include "seq2seq/util/errors.h"
#include "seq2seq/util/io.h"

#include <spdlog/spdlog.h>

#include <csignal>
#include <filesystem>
#include <limits>
#include <ostream>
#include <stdexcept>

namespace seq2seq::session {

namespace {

// Evaluates the weights the run is reported by on `split`, unless results made by exactly those
// weights on exactly that split are already there.
void ensure_eval(const std::string& dir, const CompareOptions& o) {
  const std::string weights = report::reported_weights(dir);
  const std::string why = report::eval_mismatch(dir, o.split, weights);
  if (why.empty()) return;
  spdlog::info("{}: {}; evaluating {}", dir, why, weights);
  auto run = load_run({dir, weights == "best.pt" ? "best" : "last", o.device, o.unverified});
  auto options = decode::SearchOptions::from(run.config.decode);
  if (o.beam > 0) options.beam = o.beam;
  options.precision = run.precision;  // the run's own, as eval's default
  AutocastGuard autocast(run.precision);
  auto output = eval::evaluate_run(run, eval::load_split(run, o.split), options, run.config.decode.batch_size);
  eval::save_eval(run, output);
}

// Each run evaluated (unless --no-eval) and read; a run that cannot be is listed with the reason,
// and the others are still compared. Returns 1 when a run could not be, else 0.
int compare_runs(const std::vector<std::string>& dirs, const CompareOptions& o, std::ostream& out) {
  for (const auto& dir : dirs) require_run_dir(dir);  // a path that is no run at all is a usage error
  std::vector<report::RunSummary> runs;
  int failures = 0;
  for (const auto& dir : dirs) {
    std::string error;
    try {
      if (!o.no_eval) ensure_eval(dir, o);
    } catch (const std::exception& e) {
      error = "not evaluated: " + first_line(e.what());
    }
    try {
      runs.push_back(report::summarize_run(dir, o.split));
      runs.back().error = error;
    } catch (const std::exception& e) {
      runs.push_back(report::failed_run(dir, "not read: " + first_line(e.what())));
    }
    const auto& run = runs.back();
    if (!run.error.empty()) {
      failures++;
      spdlog::error("{}: {}", dir, run.error);
    } else if (!run.eval_note.empty()) {
      spdlog::warn("{}: {}; its {} results are left out (drop --no-eval to evaluate it again)", dir, run.eval_note,
                   o.split);
    } else if (run.eval_split.empty()) {
      spdlog::warn("{}: no eval/{}.json (run `seq2seq eval --run {} --split {}`, or drop --no-eval)", dir, o.split,
                   dir, o.split);
    }
  }
  report::add_significance(runs);
  out << report::render_comparison(runs, o.format) << std::flush;
  if (!o.out.empty()) {
    create_directories(o.out);
    write_file_atomic(o.out + "/compare.json", report::comparison_json(runs).dump(2) + "\n");
    write_file_atomic(o.out + "/compare.md", report::render_comparison(runs, "markdown"));
    write_file_atomic(o.out + "/bleu_by_length.svg", report::bleu_by_length_svg(runs));
    write_file_atomic(o.out + "/valid_loss.svg", report::valid_loss_svg(runs));
    spdlog::info("wrote {0}/compare.json, {0}/compare.md, {0}/bleu_by_length.svg, {0}/valid_loss.svg", o.out);
    // Eval results written before eval computed teacher-forced statistics have none to draw.
    if (report::has_teacher_forced(runs)) {
      write_file_atomic(o.out + "/position_accuracy.svg", report::position_accuracy_svg(runs));
      spdlog::info("wrote {}/position_accuracy.svg", o.out);
    } else {
      spdlog::info("no position_accuracy.svg: no run's eval results have teacher-forced statistics (eval again)");
    }
  }
  if (failures > 0)
    spdlog::error("compare: {} of {} run(s) could not be compared (listed with the reason)", failures, runs.size());
  return failures > 0 ? 1 : 0;
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

// A run to train for `compare --configs ... --train`.
struct Planned {
  std::string dir, config_file;
  Config config;
};

// One run per config, or with --seeds N runs per config: NAME.s1 ... NAME.sN.
std::vector<Planned> plan_runs(const CompareOptions& o, const std::vector<std::string>& names,
                               const std::vector<Config>& resolved) {
  std::vector<Planned> plan;
  for (size_t i = 0; i < resolved.size(); ++i) {
    if (o.seeds == 0) {
      plan.push_back({o.runs_dir + "/" + names[i], o.configs[i], resolved[i]});
      continue;
    }
    for (int k = 1; k <= o.seeds; ++k) {
      Config config = resolved[i];
      const int64_t seed = int64_t{config.train.seed} + k - 1;
      if (seed > std::numeric_limits<int>::max())
        throw ConfigError(o.configs[i] + ": train.seed: " + std::to_string(config.train.seed) + " + " +
                          std::to_string(k - 1) + " (seed " + std::to_string(k) + " of --seeds " +
                          std::to_string(o.seeds) + ") is out of range");
      config.train.seed = static_cast<int>(seed);
      plan.push_back({o.runs_dir + "/" + names[i] + ".s" + std::to_string(k), o.configs[i], config});
    }
  }
  return plan;
}

// One after another, in this process. SIGINT or SIGTERM stops the run in training after its step
// (checkpointed, so that running the command again resumes it); returns 128 + that signal, or 0.
int train_in_process(const CompareOptions& o, const std::vector<const Planned*>& pending) {
  train::StopOnInterrupt interrupt;
  for (const Planned* run : pending) {
    train::TrainOptions options;
    options.stop = interrupt.flag();
    options.run_dir = run->dir;
    options.device = o.device;
    options.resume = file_exists(RunPaths{run->dir}.state());
    spdlog::info("{}: {} {} (train.seed {})", run->dir, options.resume ? "resuming" : "training", run->config_file,
                 run->config.train.seed);
    auto result = train::train_model(run->config, options);
    if (result.stop_reason == "diverged") throw std::runtime_error(run->dir + ": training diverged (see its train.log)");
    if (result.stop_reason == "interrupted") {
      spdlog::warn("{}: interrupted and checkpointed; run this command again to resume it", run->dir);
      return 128 + interrupt.flag()->load();
    }
  }
  return 0;
}

// Side by side: each run trains in a child process of this binary with T threads (this
// process's / jobs), so that the runs share the cores without their thread pools competing.
// Returns 128 + the signal when the jobs were stopped by SIGINT or SIGTERM (each checkpointed), or 0.
int train_side_by_side(const CompareOptions& o, const std::vector<const Planned*>& pending) {
  const int threads = std::max(1, static_cast<int>(at::get_num_threads()) / o.jobs);
  create_directories(o.runs_dir);
  std::vector<train::Job> jobs;
  for (const Planned* run : pending) {
    train::Job job;
    job.name = run->dir;
    job.log_path = run->dir + ".log";
    job.train.config = run->config;
    job.train.run_dir = run->dir;
    job.train.device = o.device;
    job.train.resume = file_exists(RunPaths{run->dir}.state());  // its config.json is this config (checked above)
    // This process's log level, and its share of the threads.
    train::inherit_process_settings(job.train);
    job.train.threads = threads;
    jobs.push_back(std::move(job));
  }
  spdlog::info("training {} run(s), {} at a time with {} thread(s) each", jobs.size(), o.jobs, threads);
  const auto results = train::run_jobs(jobs, o.jobs);
  std::string failed;
  int stopped_by = 0;  // the exit code of a job that a signal stopped after checkpointing
  for (size_t i = 0; i < jobs.size(); ++i) {
    const auto& r = results[i];
    if (r.started && r.code == 0) {
      const auto state = load_state(RunPaths{jobs[i].name}.state());
      if (state.stop_reason == "diverged") failed += (failed.empty() ? "" : "; ") + jobs[i].name + " diverged";
      continue;
    }
    if (!r.started) {
      failed += (failed.empty() ? "" : "; ") + jobs[i].name + " was not started";
    } else if (r.code == 128 + SIGINT || r.code == 128 + SIGTERM) {
      spdlog::warn("{}: interrupted and checkpointed; run this command again to resume it", jobs[i].name);
      stopped_by = r.code;
    } else {
      failed += (failed.empty() ? "" : "; ") + jobs[i].name + " " + r.how + " (see " + jobs[i].log_path + ")";
    }
  }
  if (!failed.empty()) throw std::runtime_error("compare --train: " + failed);
  return stopped_by;
}

int compare_configs(const CompareOptions& o, std::ostream& out) {
  std::vector<std::string> names;
  std::vector<nlohmann::json> configs;
  std::vector<Config> resolved;
  for (const auto& file : o.configs) {
    Config config = load_config(file, o.overrides);
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
  const std::vector<Planned> plan = plan_runs(o, names, resolved);
  std::vector<std::string> dirs;
  std::vector<const Planned*> pending;  // runs to train (or resume)
  for (const auto& run : plan) {
    const bool started = file_exists(RunPaths{run.dir}.state());
    if (started) require_same_config(run.dir, run.config, run.config_file);
    if (started && load_state(RunPaths{run.dir}.state()).complete)
      spdlog::info("{}: already trained; skipping", run.dir);
    else
      pending.push_back(&run);
    dirs.push_back(run.dir);
  }
  const int stopped_by = o.jobs <= 1 ? train_in_process(o, pending) : train_side_by_side(o, pending);
  if (stopped_by != 0) return stopped_by;  // nothing to compare until every run is trained
  return compare_runs(dirs, o, out);
}

}  // namespace

int compare(const CompareOptions& o, std::ostream& out) {
  if (!o.configs.empty() && !o.runs.empty()) throw UsageError("compare: give run directories or --configs, not both");
  if (o.seeds < 0) throw UsageError("compare: --seeds " + std::to_string(o.seeds) + ": give at least 1");
  if (o.jobs < 1) throw UsageError("compare: --jobs " + std::to_string(o.jobs) + ": give at least 1");
  if (o.jobs > 1 && (o.configs.empty() || !o.train))
    throw UsageError("compare: --jobs goes with --configs FILE... --train");
  if (o.seeds > 0 && (o.configs.empty() || !o.train))
    throw UsageError(
        "compare: --seeds goes with --configs FILE... --train (to compare trained seeds, name their "
        "run directories: runs/NAME.s1 runs/NAME.s2 ...)");
  if (!o.configs.empty()) return compare_configs(o, out);
  if (o.runs.empty()) throw UsageError("compare: name at least one run directory (or --configs FILE...)");
  if (o.train) throw UsageError("compare: --train goes with --configs");
  return compare_runs(o.runs, o, out);
}

}  // namespace seq2seq::session
