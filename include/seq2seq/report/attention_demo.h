// `seq2seq attention demo` as text: every mechanism's scores, weights and context vectors.
#pragma once
#include <nlohmann/json.hpp>

#include <string>

namespace seq2seq::report {

// demo: what models::attention_demo() returns. Matrices with rows labelled by token, 4 decimals.
std::string render_attention_demo(const nlohmann::json& demo);

}  // namespace seq2seq::report
