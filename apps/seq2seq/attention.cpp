// `seq2seq attention demo`: the attention walk-through, as tables or as JSON.
#include "commands.h"

#include "seq2seq/models/attention_demo.h"
#include "seq2seq/report/attention_demo.h"

#include <iostream>

namespace seq2seq::cli {

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
              std::cout << report::render_attention_demo(result);
            return 0;
          }};
}

}  // namespace seq2seq::cli
