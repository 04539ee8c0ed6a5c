// Statistics over compared runs: mean ± sd over seeds, and the paired bootstrap of each run
// against its baseline, on all sentences and per source-length band.
#include "seq2seq/report/statistics.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <numeric>
#include <string>

namespace seq2seq::report {

namespace {

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

// `run` against `base`, both with per-sentence statistics of the same sentences.
Significance paired_significance(const RunSummary& base, const RunSummary& run, const eval::BootstrapOptions& options) {
  Significance sig;
  sig.baseline = base.name;
  sig.bleu = eval::paired_bootstrap(base.sentence_stats, run.sentence_stats, options);
  if (run.eval.contains("bands")) {
    const auto& bands = run.eval["bands"];
    const auto members = band_members(bands, run.source_lengths);
    for (size_t b = 0; b < bands.size(); ++b)
      if (!members[b].empty())
        sig.bands[bands[b]["label"].get<std::string>()] = eval::paired_bootstrap(
            subset(base.sentence_stats, members[b]), subset(run.sentence_stats, members[b]), options);
  }
  return sig;
}

}  // namespace

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
      run.significance = paired_significance(*base, run, options);
    }
}

}  // namespace seq2seq::report
