// Subcommand registration: each apps/seq2seq/<name>.cpp adds one subcommand.
#pragma once
#include "seq2seq/config/config.h"
#include "seq2seq/run/run_options.h"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

namespace seq2seq::cli {

// A CLI11 check whose message reads as ours: CLI11 puts the option in front, "--jobs: must be
// at least 1, not 0" (its own PositiveNumber prints the whole range of a double instead). `problem`
// says what is wrong with a number ("" when nothing); text that is no number passes here, for
// CLI11's conversion to refuse.
inline CLI::Validator number_check(std::function<std::string(double)> problem, const std::string& description) {
  return CLI::Validator(
      [problem](std::string& text) {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (text.empty() || end != text.c_str() + text.size()) return std::string();
        const std::string what = problem(value);
        return what.empty() ? what : what + ", not " + text;
      },
      description);
}

inline CLI::Validator at_least(int minimum) {
  return number_check(
      [minimum](double value) { return value >= minimum ? "" : "must be at least " + std::to_string(minimum); },
      ">=" + std::to_string(minimum));
}

inline CLI::Validator in_range(int low, int high) {
  return number_check(
      [low, high](double value) {
        return value >= low && value <= high ? std::string()
                                             : "must be from " + std::to_string(low) + " to " + std::to_string(high);
      },
      std::to_string(low) + ".." + std::to_string(high));
}

// For an option that overrides a decode.* key (--beam, --length-penalty, ...): the key's own
// range, as config validation applies it to the file (decode_value_problem in config.h).
inline CLI::Validator decode_range(const std::string& key) {
  return number_check([key](double value) { return decode_value_problem(key, value); }, "");
}

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
// Only in a binary built with cpp-httplib (SEQ2SEQ_HAVE_HTTPLIB).
Command add_serve(CLI::App& root);

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
          [](const std::string& w) { return is_weights_name(w) ? std::string() : w + ": use " + kWeightsNames; },
          "best|last|averaged|snapshot-STEP"));
  app.add_option("--device", device, "auto|cpu|cuda");
}

// --precision for the commands that run a trained model: "" (not given) keeps the run's own.
inline void add_precision_option(CLI::App& app, std::string& precision) {
  app.add_option("--precision", precision,
                 "fp32 | bf16 (mixed: bfloat16 matrix products) | auto (bf16 where the CPU has native bfloat16); "
                 "default: the precision the run trained with (state.json)")
      ->check(CLI::IsMember({"fp32", "bf16", "auto"}));
}

// --run, --checkpoint and --device, shared by every command that loads a trained run.
inline void add_run_options(CLI::App& app, RunOptions& run) {
  app.add_option("--run", run.dir, "Run directory")->required();
  add_weights_options(app, run.checkpoint, run.device);
  app.add_flag("--unverified", run.unverified,
               "Load a run that has lost its state.json, without checking its weights, config.json and vocabularies");
}

}  // namespace seq2seq::cli
