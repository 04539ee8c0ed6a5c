// The readable summary of an eval report: scores, signatures, the BLEU-by-length table and the
// teacher-forced tables.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace seq2seq::report {

// r: what eval::evaluate_run returns as its report (eval/<split>.json).
std::string render_eval_summary(const nlohmann::json& r);

// The two source-length bands whose accuracy by relative target position eval and compare show:
// "short" is the first band, and "long" the last band in which some report has sentences (the
// longest sources the split holds: a fixed band such as 41+ is empty on many test sets). Both
// labels are the same when one band holds every sentence, and empty without a report.
// `teacher_forced`: the "teacher_forced" objects of eval reports (missing ones left out).
struct ShortAndLong {
  std::string short_band, long_band;
};
ShortAndLong short_and_long_bands(const std::vector<nlohmann::json>& teacher_forced);

// The teacher-forced tables of an eval report (empty for a report written before it had them).
std::string render_teacher_forced(const nlohmann::json& teacher_forced);

}  // namespace seq2seq::report
