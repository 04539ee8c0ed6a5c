// `seq2seq train`: train a model from a config into a run directory, or resume one.
#include "commands.h"

#include "seq2seq/config.h"
#include "seq2seq/errors.h"
#include "seq2seq/train/trainer.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <iostream>

namespace seq2seq::cli {

namespace {
// The one piece of process-wide state: SIGINT asks the training loop to stop after its step.
std::atomic<bool> g_stop_requested{false};
extern "C" void on_sigint(int) {
  g_stop_requested = true;
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C kills at once
}
}  // namespace

Command add_train(CLI::App& root) {
  auto* app = root.add_subcommand("train", "Train a model (rnn, bahdanau or transformer) into a run directory");
  struct Options {
    std::string config, run, device = "auto";
    std::vector<std::string> overrides;
    bool resume = false;
    int64_t max_steps = 0;
  };
  auto o = std::make_shared<Options>();
  app->add_option("--config", o->config, "Config file (JSON); not needed with --resume");
  app->add_option("--run", o->run, "Run directory (default: runs/<config name>)");
  app->add_flag("--resume", o->resume, "Continue the run in --run from its last checkpoint");
  add_set_option(*app, o->overrides);
  app->add_option("--device", o->device, "auto|cpu|cuda (default: cuda when available)");
  app->add_option("--max-steps", o->max_steps, "Stop after this many steps in total (resumable), 0 = no limit");
  app->footer(
      "Example: seq2seq train --config configs/quick/bahdanau.json --run runs/bahdanau\n"
      "Ctrl-C finishes the current step, writes a checkpoint and exits; continue with --resume.");

  return {app, [o] {
            if (o->config.empty() && !o->resume)
              throw UsageError("train: --config is required (or --run DIR --resume)");
            if (o->resume && o->run.empty())
              throw UsageError("train --resume: name the run to continue with --run DIR");
            Config config;
            if (!o->config.empty() && !o->resume) {
              config = load_config(o->config);
              apply_overrides(config, o->overrides);
            }
            train::TrainOptions options;
            options.run_dir = o->run.empty() ? "runs/" + std::filesystem::path(o->config).stem().string() : o->run;
            options.resume = o->resume;
            options.overrides = o->overrides;
            options.device = o->device;
            options.max_steps = o->max_steps;
            options.stop = &g_stop_requested;
            std::signal(SIGINT, on_sigint);
            auto result = train::train_model(config, options);
            std::signal(SIGINT, SIG_DFL);
            std::cout << nlohmann::json{{"run", options.run_dir},
                                        {"stop_reason", result.stop_reason},
                                        {"steps", result.steps},
                                        {"epochs", result.epochs_done},
                                        {"elapsed_s", result.elapsed_s}}
                             .dump()
                      << "\n";
            if (result.stop_reason == "diverged") return 1;
            if (result.stop_reason == "interrupted") return 130;
            return 0;
          }};
}

}  // namespace seq2seq::cli
