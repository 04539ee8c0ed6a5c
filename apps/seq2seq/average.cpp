// `seq2seq average`: checkpoint averaging after training (train.average_last does it at the end).
#include "commands.h"

#include "seq2seq/session/average.h"

#include <iostream>
#include <memory>

namespace seq2seq::cli {

Command add_average(CLI::App& root) {
  auto* app = root.add_subcommand("average", "Average a run's last N snapshots into RUN/averaged.pt");
  auto o = std::make_shared<session::AverageOptions>();
  app->add_option("--run", o->run, "Run directory (trained with train.average_last N)")->required();
  app->add_option("--last", o->last, "How many of the newest snapshots (default 5)")->check(at_least(1));
  app->footer(
      "Example: seq2seq average --run runs/transformer --last 5\n"
      "then: seq2seq eval --run runs/transformer --weights averaged --split valid");
  return {app, [o] { return session::average(*o, std::cout); }};
}

}  // namespace seq2seq::cli
