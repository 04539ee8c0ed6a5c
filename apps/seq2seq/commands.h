// Subcommand registration: each apps/seq2seq/<name>.cpp adds one subcommand.
#pragma once
#include "seq2seq/run/run_options.h"

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace seq2seq::cli {

// A registered subcommand and what runs when it was chosen; returns the exit code.
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

Command add_doctor(CLI::App& root);
Command add_config(CLI::App& root);
Command add_data(CLI::App& root);
// `data synth`, registered by add_data under the `data` subcommand (apps/seq2seq/data_synth.cpp).
Command add_data_synth(CLI::App& data_app);
Command add_train(CLI::App& root);
Command add_eval(CLI::App& root);
Command add_translate(CLI::App& root);
Command add_compare(CLI::App& root);
Command add_bench(CLI::App& root);
Command add_score(CLI::App& root);
Command add_attention(CLI::App& root);
Command add_average(CLI::App& root);

// "--set key=value" (repeatable), shared by every command that loads a config.
inline void add_set_option(CLI::App& app, std::vector<std::string>& overrides) {
  app.add_option("--set", overrides, "Override a config key, e.g. --set train.lr=5e-4 (repeatable)")
      ->type_name("KEY=VALUE");
}

// --weights (or its older name --checkpoint) and --device: which weights of a run, on which device.
inline void add_weights_options(CLI::App& app, std::string& checkpoint, std::string& device) {
  app.add_option("--weights,--checkpoint", checkpoint,
                 "best (best.pt) | last (model.pt) | averaged (averaged.pt: train.average_last, seq2seq average) | "
                 "snapshot-STEP (a snapshot train.average_last keeps)")
      ->check(CLI::Validator(
          [](const std::string& w) {
            return is_weights_name(w) ? std::string() : w + ": use " + kWeightsNames;
          },
          "best|last|averaged|snapshot-STEP"));
  app.add_option("--device", device, "auto|cpu|cuda");
}

// --run, --checkpoint and --device, shared by every command that loads a trained run.
inline void add_run_options(CLI::App& app, RunOptions& run) {
  app.add_option("--run", run.dir, "Run directory")->required();
  add_weights_options(app, run.checkpoint, run.device);
  app.add_flag("--unverified", run.unverified,
               "Load a run that has lost its state.json, without checking its weights, config.json and vocabularies");
}

}  // namespace seq2seq::cli
