// The attention walk-through (models::attention_demo's JSON) as labelled tables.
#include "seq2seq/report/attention_demo.h"

#include <fmt/format.h>

#include <ostream>
#include <sstream>
#include <string>
#include <vector>

namespace seq2seq::report {

namespace {

std::string cell(const nlohmann::json& value) {
  return value.is_null() ? fmt::format("{:>9}", "-inf") : fmt::format("{:>9.4f}", value.get<double>());
}

// A matrix with its rows labelled by token and its columns by `columns`.
void print_matrix(std::ostream& out, const std::string& title, const nlohmann::json& rows,
                  const std::vector<std::string>& row_labels, const std::vector<std::string>& columns) {
  out << "  " << title << "\n" << fmt::format("    {:<9}", "");
  for (const auto& c : columns) out << fmt::format("{:>9}", c);
  out << "\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    out << fmt::format("    {:<9}", row_labels[i]);
    for (const auto& value : rows[i]) out << cell(value);
    out << "\n";
  }
}

std::vector<std::string> numbered(const std::string& prefix, size_t n) {
  std::vector<std::string> labels;
  for (size_t i = 1; i <= n; ++i) labels.push_back(prefix + std::to_string(i));
  return labels;
}

}  // namespace

std::string render_attention_demo(const nlohmann::json& demo) {
  std::ostringstream out;
  const auto tokens = demo["tokens"].get<std::vector<std::string>>();
  out << "Attention, step by step, on \"Your journey starts with one step\" (six 3-d embeddings, DESIGN.md).\n"
      << "Scores, weights and context vectors, rows = the attending token (query), 4 decimals.\n\n";
  print_matrix(out, "embeddings x", demo["embeddings"], tokens, numbered("x", 3));
  int n = 0;
  bool shown_projections = false;
  for (const auto& m : demo["mechanisms"]) {
    out << "\n" << ++n << ". " << m["name"].get<std::string>() << ": " << m["about"].get<std::string>() << "\n";
    if (m.contains("W_query") && shown_projections) {
      out << "  W_q, W_k, W_v: the same three matrices as in 2. (drawn again after the same seed)\n";
    } else if (m.contains("W_query")) {
      shown_projections = true;
      out << "  W_q, W_k, W_v: torch::rand({3, 2}) each, in that order, after torch::manual_seed(" << demo["seed"]
          << ")\n";
      const auto in = numbered("in", 3), out_labels = numbered("out", 2);
      print_matrix(out, "W_q", m["W_query"], in, out_labels);
      print_matrix(out, "W_k", m["W_key"], in, out_labels);
      print_matrix(out, "W_v", m["W_value"], in, out_labels);
    }
    const size_t width = m["context"][0].size();
    if (m.contains("heads_detail")) {
      for (const auto& head : m["heads_detail"]) {
        const std::string h = "head " + std::to_string(head["head"].get<int>());
        print_matrix(out, h + " scores", head["scores"], tokens, tokens);
        print_matrix(out, h + " weights", head["weights"], tokens, tokens);
        print_matrix(out, h + " context", head["context"], tokens, numbered("c", head["context"][0].size()));
      }
      print_matrix(out, "weights averaged over heads", m["weights_averaged"], tokens, tokens);
      print_matrix(out, "context (heads concatenated, then the output projection)", m["context"], tokens,
                   numbered("c", width));
    } else {
      print_matrix(out, "scores", m["scores"], tokens, tokens);
      print_matrix(out, "weights", m["weights"], tokens, tokens);
      print_matrix(out, "context", m["context"], tokens, numbered("c", width));
    }
  }
  return out.str();
}

}  // namespace seq2seq::report
