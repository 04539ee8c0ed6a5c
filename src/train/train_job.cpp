// A TrainJob run in this process (the `train` command, and every child launch.cpp starts): the
// part of the launcher that trains, kept out of launch.cpp, which builds without LibTorch.
#include "seq2seq/train/launch.h"
#include "seq2seq/train/trainer.h"

#include <ATen/Parallel.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <ostream>

namespace seq2seq::train {

void inherit_process_settings(TrainJob& job) {
  job.threads = static_cast<int>(at::get_num_threads());
  const auto level = spdlog::level::to_string_view(spdlog::get_level());
  job.log_level.assign(level.data(), level.size());
}

int run_train_job(const TrainJob& job, const World& world, const std::atomic<int>* stop, std::ostream& out) {
  if (world.distributed() && !world.writer()) {
    // The other ranks say only what goes wrong; rank 0 logs the run.
    spdlog::set_level(spdlog::level::warn);
    spdlog::set_pattern(fmt::format("[%H:%M:%S %L rank {}] %v", world.rank));
  }
  TrainOptions options;
  options.run_dir = job.run_dir;
  options.resume = job.resume;
  options.overrides = job.overrides;
  options.device = job.device;
  options.max_steps = job.max_steps;
  options.stop = stop;
  options.world = world;
  const TrainResult result = train_model(job.config, options);
  if (world.writer())  // one result line per job
    out << nlohmann::json{{"run", options.run_dir},        {"stop_reason", result.stop_reason},
                          {"steps", result.steps},         {"epochs", result.epochs_done},
                          {"elapsed_s", result.elapsed_s}, {"tokens", result.tokens},
                          {"train_s", result.train_s},     {"workers", world.size}}
               .dump()
        << "\n";
  if (result.stop_reason == "diverged") return 1;
  // 128 + the signal, as a shell reports a process that signal ended: 130 for Ctrl-C, 143 for
  // SIGTERM (what SLURM, systemd and Kubernetes send before SIGKILL).
  if (result.stop_reason == "interrupted") return 128 + (stop && stop->load() != 0 ? stop->load() : SIGINT);
  return 0;
}

}  // namespace seq2seq::train
