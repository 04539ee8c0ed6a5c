// `seq2seq train`: train a model from a config into a run directory, or resume one.
#include "commands.h"

#include "seq2seq/config.h"
#include "seq2seq/errors.h"
#include "seq2seq/train/launch.h"
#include "seq2seq/train/trainer.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

namespace seq2seq::cli {

namespace {
// The one piece of process-wide state: SIGINT asks the training loop to stop after its step.
std::atomic<bool> g_stop_requested{false};
extern "C" void on_sigint(int) {
  g_stop_requested = true;
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C kills at once
}
// This process's command line after the program name, without --nproc N: what every worker runs.
std::vector<std::string> worker_args() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  for (std::size_t start = 0; start < all.size();) {
    const std::size_t end = all.find('\0', start);
    args.push_back(all.substr(start, end - start));
    start = end == std::string::npos ? all.size() : end + 1;
  }
  std::vector<std::string> kept;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--nproc") {
      ++i;  // and its value
      continue;
    }
    if (args[i].rfind("--nproc=", 0) == 0) continue;
    kept.push_back(args[i]);
  }
  return kept;
}
}  // namespace

Command add_train(CLI::App& root) {
  auto* app = root.add_subcommand("train", "Train a model (rnn, bahdanau or transformer) into a run directory");
  struct Options {
    std::string config, run, device = "auto";
    std::vector<std::string> overrides;
    bool resume = false;
    int64_t max_steps = 0;
    int nproc = 1;
  };
  auto o = std::make_shared<Options>();
  app->add_option("--config", o->config, "Config file (JSON); not needed with --resume");
  app->add_option("--run", o->run, "Run directory (default: runs/<config name>)");
  app->add_flag("--resume", o->resume, "Continue the run in --run from its last checkpoint");
  add_set_option(*app, o->overrides);
  app->add_option("--device", o->device, "auto|cpu|cuda (default: cuda when available)");
  app->add_option("--max-steps", o->max_steps, "Stop after this many steps in total (resumable), 0 = no limit");
  app->add_option("--nproc", o->nproc,
                  "Data-parallel workers on this machine (c10d/Gloo), each with the global --threads")
      ->check(CLI::Range(1, 256));
  app->footer(
      "Example: seq2seq train --config configs/quick/bahdanau.json --run runs/bahdanau\n"
      "         seq2seq --threads 1 train --nproc 2 --config configs/quick/rnn.json   (2 workers x 1 thread)\n"
      "Ctrl-C finishes the current step, writes a checkpoint and exits; continue with --resume.\n"
      "A worker started with RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT set (as torchrun sets them)\n"
      "joins that job: one per machine or GPU, rank 0 writes the run directory.");

  return {app, [o] {
            if (o->config.empty() && !o->resume)
              throw UsageError("train: --config is required (or --run DIR --resume)");
            if (o->resume && o->run.empty())
              throw UsageError("train --resume: name the run to continue with --run DIR");
            const train::World world = train::world_from_env();
            if (o->nproc > 1) {
              if (world.distributed())
                throw UsageError("train: --nproc starts workers itself; it cannot be given to a worker (WORLD_SIZE=" +
                                 std::to_string(world.size) + " is set)");
              if (!train::distributed_available())
                throw UsageError("train --nproc: distributed training is not available in this build: " +
                                 train::distributed_unavailable_reason());
              train::LaunchOptions launch;
              launch.nproc = o->nproc;
              launch.args = worker_args();
              return train::launch_workers(launch);
            }
            if (world.distributed() && !world.writer()) {
              // The other ranks say only what goes wrong; rank 0 logs the run.
              spdlog::set_level(spdlog::level::warn);
              spdlog::set_pattern(fmt::format("[%H:%M:%S %L rank {}] %v", world.rank));
            }
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
            options.world = world;
            std::signal(SIGINT, on_sigint);
            // A write past `ulimit -f` then fails with EFBIG (a one-line error, the previous
            // checkpoint intact) instead of killing the process.
            std::signal(SIGXFSZ, SIG_IGN);
            auto result = train::train_model(config, options);
            std::signal(SIGINT, SIG_DFL);
            if (world.writer())  // one result line per job
              std::cout << nlohmann::json{{"run", options.run_dir},
                                          {"stop_reason", result.stop_reason},
                                          {"steps", result.steps},
                                          {"epochs", result.epochs_done},
                                          {"elapsed_s", result.elapsed_s},
                                          {"tokens", result.tokens},
                                          {"train_s", result.train_s},
                                          {"workers", world.size}}
                               .dump()
                        << "\n";
            if (result.stop_reason == "diverged") return 1;
            if (result.stop_reason == "interrupted") return 130;
            return 0;
          }};
}

}  // namespace seq2seq::cli
