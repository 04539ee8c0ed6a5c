// Reading run directories for comparison: a run's record, validation curve and eval results, the
// per-sentence BLEU statistics the paired bootstrap needs, and runs grouped by seed suffix.
#include "seq2seq/report/run_summary.h"

#include "summary_numbers.h"

#include "seq2seq/config/config.h"
#include "seq2seq/data/corpus.h"
#include "seq2seq/eval/length_buckets.h"
#include "seq2seq/run/run.h"
#include "seq2seq/util/io.h"
#include "seq2seq/util/sha256.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <stdexcept>
#include <tuple>

namespace seq2seq::report {

namespace {

using detail::eval_score;
using detail::kNaN;
using detail::number_or_nan;

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

// The run's record from state.json: size, time, tokens, epochs and how it stopped.
void read_state(RunSummary& s, const TrainState& state) {
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

// The validation curve and best validation loss from metrics.jsonl. Returns the epoch of the last
// line marked "best" (0: none), for runs whose state.json predates best_epoch.
int64_t read_metrics(RunSummary& s, const RunPaths& paths) {
  s.best_valid_loss = kNaN;
  int64_t best_epoch = 0;
  if (!file_exists(paths.metrics())) return best_epoch;
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
      best_epoch = m["epoch"].get<int64_t>();
    const double loss = number_or_nan(m["valid_loss"]);
    if (!std::isfinite(loss)) continue;
    s.valid_curve.emplace_back(number_or_nan(m["elapsed_s"]), loss);
    if (!(loss >= s.best_valid_loss)) s.best_valid_loss = loss;
  }
  return best_epoch;
}

std::string name_of(const std::string& dir) {
  std::string name = std::filesystem::path(dir).lexically_normal().filename().string();
  if (name.empty()) name = std::filesystem::path(dir).lexically_normal().parent_path().filename().string();
  return name;
}

// The run's record, read once for the checks below; no state before the first checkpoint.
std::optional<TrainState> state_of(const RunPaths& paths) {
  if (!file_exists(paths.state())) return std::nullopt;
  return load_state(paths.state());
}

std::string reported_weights(const RunPaths& paths, const std::optional<TrainState>& state) {
  if (file_exists(paths.best()) || (state && state->checksums.count("best.pt"))) return "best.pt";
  return "model.pt";
}

std::string eval_mismatch(const RunPaths& paths, const std::string& split, const std::string& weights,
                          const Config& config, const std::optional<TrainState>& state) {
  const std::string file = paths.eval_dir() + "/" + split + ".json";
  if (!file_exists(file)) return "no " + split + " results yet";
  nlohmann::json report;
  try {
    report = nlohmann::json::parse(read_file(file));
  } catch (const nlohmann::json::exception&) {
    return file + " is not JSON";
  }
  if (!report.is_object()) return file + " is not an eval report";
  if (report.value("split", split) != split)
    return file + " holds results on " + report.value("split", std::string()) + ", not the " + split + " split";
  const SplitPaths& files = split == "valid" ? config.data.valid : config.data.test;
  if (report.contains("src") && report["src"] != files.src)
    return file + " was made on " + report["src"].dump() + ", not on the " + split + " split's " + files.src;
  if (report.value("checkpoint", std::string("best.pt")) != weights)
    return file + " was made from " + report.value("checkpoint", std::string()) + ", not " + weights;
  const std::string made_from = report.value("checkpoint_sha256", std::string());
  if (!made_from.empty()) {
    std::string now;
    if (state)
      if (const auto found = state->checksums.find(weights); found != state->checksums.end()) now = found->second;
    if (now.empty() && file_exists(paths.file(weights))) now = sha256_file(paths.file(weights));
    if (made_from != now) return file + " was made from other weights than today's " + weights;
    return "";
  }
  std::error_code error;
  const auto eval_time = std::filesystem::last_write_time(file, error);
  const auto weights_time = std::filesystem::last_write_time(paths.file(weights), error);
  if (!error && eval_time < weights_time) return file + " is older than " + weights;
  return "";
}

}  // namespace

std::string reported_weights(const std::string& dir) {
  const RunPaths paths{dir};
  return reported_weights(paths, state_of(paths));
}

std::string eval_mismatch(const std::string& dir, const std::string& split, const std::string& weights) {
  const RunPaths paths{dir};
  return eval_mismatch(paths, split, weights, load_config(paths.config()), state_of(paths));
}

RunSummary failed_run(const std::string& dir, const std::string& error) {
  RunSummary s;
  s.dir = dir;
  s.name = name_of(dir);
  std::tie(s.group, s.seed_index) = split_seed_suffix(s.name);
  s.best_valid_loss = s.best_valid_ppl = kNaN;
  s.error = error;
  return s;
}

RunSummary summarize_run(const std::string& dir, const std::string& eval_split) {
  require_run_dir(dir);
  const RunPaths paths{dir};
  RunSummary s;
  s.dir = dir;
  s.name = name_of(dir);
  std::tie(s.group, s.seed_index) = split_seed_suffix(s.name);
  const Config config = load_config(paths.config());
  s.config = nlohmann::json(config);
  s.model = to_string(config.model.type);
  s.seed = config.train.seed;
  const auto state = state_of(paths);
  if (state) read_state(s, *state);
  const int64_t metrics_best_epoch = read_metrics(s, paths);
  if (s.best_epoch == 0) s.best_epoch = metrics_best_epoch;
  s.best_valid_ppl = std::isfinite(s.best_valid_loss) ? std::exp(s.best_valid_loss) : kNaN;
  s.weights = reported_weights(paths, state);
  const std::string eval_file = paths.eval_dir() + "/" + eval_split + ".json";
  if (!file_exists(eval_file)) {
    s.sentences_note = eval_file + " is missing";
  } else if (const std::string mismatch = eval_mismatch(paths, eval_split, s.weights, config, state);
             !mismatch.empty()) {
    s.eval_note = s.sentences_note = mismatch;  // results of other sentences or weights stand for nothing here
  } else {
    s.eval = nlohmann::json::parse(read_file(eval_file));
    s.eval_split = eval_split;
    load_sentences(s, paths, eval_split);
  }
  return s;
}

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

}  // namespace seq2seq::report
