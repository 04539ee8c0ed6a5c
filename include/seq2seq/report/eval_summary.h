// The readable summary of an eval report: scores, signatures and the BLEU-by-length table.
#pragma once
#include <nlohmann/json.hpp>

#include <string>

namespace seq2seq::report {

// r: what eval::evaluate_run returns as its report (eval/<split>.json).
std::string render_eval_summary(const nlohmann::json& r);

}  // namespace seq2seq::report
