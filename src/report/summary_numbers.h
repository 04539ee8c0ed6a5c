// The report's private helpers for numbers read out of run summaries and their JSON: NaN (null in
// JSON) where a run has none. Shared by reading (run_summary.cpp) and rendering (comparison.cpp).
#pragma once
#include "seq2seq/report/run_summary.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

namespace seq2seq::report::detail {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

inline nlohmann::json number_or_null(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(); }
inline double number_or_nan(const nlohmann::json& j) { return j.is_number() ? j.get<double>() : kNaN; }

// A metric's corpus score from eval/<split>.json ("bleu", "chrf"); NaN without eval results.
inline double eval_score(const RunSummary& run, const char* metric) {
  return run.eval.contains(metric) ? number_or_nan(run.eval[metric]["score"]) : kNaN;
}

}  // namespace seq2seq::report::detail
