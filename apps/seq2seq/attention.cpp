// `seq2seq attention demo`: the attention walk-through, as tables or as JSON.
#include "commands.h"

#include "seq2seq/models/attention_demo.h"

#include <fmt/format.h>

#include <iostream>
#include <string>
#include <vector>

namespace seq2seq::cli {

namespace {

std::string cell(const nlohmann::json& value) {
  return value.is_null() ? fmt::format("{:>9}", "-inf") : fmt::format("{:>9.4f}", value.get<double>());
}

// A matrix with its rows labelled by token and its columns by `columns`.
void print_matrix(const std::string& title, const nlohmann::json& rows, const std::vector<std::string>& row_labels,
                  const std::vector<std::string>& columns) {
  std::cout << "  " << title << "\n" << fmt::format("    {:<9}", "");
  for (const auto& c : columns) std::cout << fmt::format("{:>9}", c);
  std::cout << "\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    std::cout << fmt::format("    {:<9}", row_labels[i]);
    for (const auto& value : rows[i]) std::cout << cell(value);
    std::cout << "\n";
  }
}

std::vector<std::string> numbered(const std::string& prefix, size_t n) {
  std::vector<std::string> labels;
  for (size_t i = 1; i <= n; ++i) labels.push_back(prefix + std::to_string(i));
  return labels;
}

void print_demo(const nlohmann::json& demo) {
  const auto tokens = demo["tokens"].get<std::vector<std::string>>();
  std::cout << "Attention, step by step, on \"Your journey starts with one step\" (six 3-d embeddings, DESIGN.md).\n"
            << "Scores, weights and context vectors, rows = the attending token (query), 4 decimals.\n\n";
  print_matrix("embeddings x", demo["embeddings"], tokens, numbered("x", 3));
  int n = 0;
  bool shown_projections = false;
  for (const auto& m : demo["mechanisms"]) {
    std::cout << "\n" << ++n << ". " << m["name"].get<std::string>() << ": " << m["about"].get<std::string>() << "\n";
    if (m.contains("W_query") && shown_projections) {
      std::cout << "  W_q, W_k, W_v: the same three matrices as in 2. (drawn again after the same seed)\n";
    } else if (m.contains("W_query")) {
      shown_projections = true;
      std::cout << "  W_q, W_k, W_v: torch::rand({3, 2}) each, in that order, after torch::manual_seed(" << demo["seed"]
                << ")\n";
      const auto in = numbered("in", 3), out = numbered("out", 2);
      print_matrix("W_q", m["W_query"], in, out);
      print_matrix("W_k", m["W_key"], in, out);
      print_matrix("W_v", m["W_value"], in, out);
    }
    const size_t width = m["context"][0].size();
    if (m.contains("heads_detail")) {
      for (const auto& head : m["heads_detail"]) {
        const std::string h = "head " + std::to_string(head["head"].get<int>());
        print_matrix(h + " scores", head["scores"], tokens, tokens);
        print_matrix(h + " weights", head["weights"], tokens, tokens);
        print_matrix(h + " context", head["context"], tokens, numbered("c", head["context"][0].size()));
      }
      print_matrix("weights averaged over heads", m["weights_averaged"], tokens, tokens);
      print_matrix("context (heads concatenated, then the output projection)", m["context"], tokens,
                   numbered("c", width));
    } else {
      print_matrix("scores", m["scores"], tokens, tokens);
      print_matrix("weights", m["weights"], tokens, tokens);
      print_matrix("context", m["context"], tokens, numbered("c", width));
    }
  }
}

}  // namespace

Command add_attention(CLI::App& root) {
  auto* app = root.add_subcommand("attention", "Attention mechanisms, explained on a small example");
  app->require_subcommand(1);
  auto* demo = app->add_subcommand(
      "demo", "Walk through simple, self, causal and multi-head attention on \"Your journey starts with one step\"");
  auto json = std::make_shared<bool>(false);
  demo->add_flag("--json", *json, "Print the same numbers as one JSON object");
  return {app, [=] {
            auto result = models::attention_demo();
            if (*json)
              std::cout << result.dump(2) << "\n";
            else
              print_demo(result);
            return 0;
          }};
}

}  // namespace seq2seq::cli
