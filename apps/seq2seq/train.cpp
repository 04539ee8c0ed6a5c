// `seq2seq train`: train a model from a config into a run directory, or resume one.
#include "commands.h"

#include "seq2seq/config/config.h"
#include "seq2seq/train/launch.h"
#include "seq2seq/util/errors.h"
#include "seq2seq/util/text_input.h"

#include <filesystem>
#include <iostream>

namespace seq2seq::cli {

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
      ->check(in_range(1, 256));
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
            }
            train::TrainJob job;
            if (!o->config.empty() && !o->resume) {
              require_input_file(o->config, "--config");
              job.config = load_config(o->config, o->overrides);
            }
            job.run_dir = o->run.empty() ? "runs/" + std::filesystem::path(o->config).stem().string() : o->run;
            job.resume = o->resume;
            job.overrides = o->overrides;
            job.device = o->device;
            job.max_steps = o->max_steps;
            if (o->nproc > 1) {
              train::inherit_process_settings(job);  // each worker with the global --threads
              train::LaunchOptions launch;
              launch.nproc = o->nproc;
              return train::launch_workers(job, launch);
            }
            train::StopOnInterrupt interrupt;
            return train::run_train_job(job, world, interrupt.flag(), std::cout);
          }};
}

}  // namespace seq2seq::cli
