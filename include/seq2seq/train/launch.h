// Processes of this binary that train: a training job as data (TrainJob), the one way a child
// is started (fork + exec of this binary, the job in its environment), the two launchers that wait
// for children (`train --nproc N`'s workers, `compare --train --jobs N`'s runs), the child's side,
// and where a worker stands (torchrun's environment variables). No LibTorch in this header; what
// trains (run_train_job, inherit_process_settings) is defined in train_job.cpp, the rest in launch.cpp.
#pragma once

#include "seq2seq/config/config.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace seq2seq::train {

// Whether this build has c10d with Gloo (CMake found the headers), and if not why; defined in
// distributed.cpp, declared here so that code without LibTorch's headers can ask.
bool distributed_available();
std::string distributed_unavailable_reason();
// The process-group backends this build can create: "gloo", and "nccl" on a CUDA LibTorch with NCCL.
std::vector<std::string> distributed_backends();

// Every collective a rank waits in fails after this long (SEQ2SEQ_DIST_TIMEOUT seconds, default 600):
// it bounds how long the other ranks wait while rank 0 validates.
std::chrono::seconds collective_timeout();

// One worker's place in a job, as torchrun describes it: RANK and WORLD_SIZE, the address and
// port of rank 0's TCPStore (MASTER_ADDR, MASTER_PORT), and LOCAL_RANK (the worker's index on
// its own machine: its GPU with CUDA).
struct World {
  int rank = 0;
  int size = 1;
  int local_rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  bool distributed() const { return size > 1; }
  bool writer() const { return rank == 0; }  // only rank 0 writes the run directory
};

// The World the environment describes: size 1 when WORLD_SIZE is unset. Throws UsageError naming
// the variable when one is malformed or out of range (RANK >= WORLD_SIZE, a port past 65535).
World world_from_env();

// One training run as data: what `seq2seq train` resolves from its command line, and all a child
// process of this binary needs to run it. A child gets it as JSON in its environment
// (kChildJobVariable), never as a command line.
struct TrainJob {
  Config config;                       // the resolved config (unused with resume: the run's config.json)
  std::string run_dir;                 // runs/NAME
  bool resume = false;                 // continue the run in run_dir from its checkpoint
  std::vector<std::string> overrides;  // --set items; on resume applied to the run's config.json
  std::string device = "auto";         // auto | cpu | cuda
  int64_t max_steps = 0;               // stop (resumably) after this many steps in total; 0 = no limit
  // The child process's own settings, applied before it runs the job (unused by run_train_job).
  int threads = 1;        // CPU threads for tensor work
  std::string log_level;  // spdlog level; empty = SPDLOG_LEVEL or info
};
void to_json(nlohmann::json& j, const TrainJob& job);
void from_json(const nlohmann::json& j, TrainJob& job);  // every key required

// Sets job.threads and job.log_level to this process's (LibTorch's CPU threads, spdlog's level),
// so that a child runs as this process would.
void inherit_process_settings(TrainJob& job);

// The environment variable that hands a child its job (TrainJob as JSON).
inline constexpr const char* kChildJobVariable = "SEQ2SEQ_CHILD_JOB";

// The child's side: the job this process was started to run, nullopt when the environment names
// none. Removes the variable, so that no process this one starts inherits it. Throws UsageError
// when the job is not valid JSON for a TrainJob.
std::optional<TrainJob> child_job_from_env();

// Runs the job in this process, as `seq2seq train` does and as every child started here does:
// trains (a data-parallel rank when world.size > 1), writes the one result line (rank 0 alone)
// to `out`, and returns the exit code: 0, 1 when the loss diverged, 128 + the signal when
// interrupted through `stop` (130 for SIGINT, 143 for SIGTERM). Throws what train_model throws.
int run_train_job(const TrainJob& job, const World& world, const std::atomic<int>* stop, std::ostream& out);

// While alive, how a training process takes signals: the first SIGINT (Ctrl-C) or SIGTERM (what
// a scheduler sends before SIGKILL) sets flag() to the signal's number, and the job finishes its
// step, writes a checkpoint and returns; a second one kills at once. A write
// past `ulimit -f` fails with EFBIG (a one-line error, the previous checkpoint intact) instead of
// killing the process (SIGXFSZ ignored). The previous dispositions come back on destruction.
class StopOnInterrupt {
 public:
  StopOnInterrupt();
  ~StopOnInterrupt();
  StopOnInterrupt(const StopOnInterrupt&) = delete;
  StopOnInterrupt& operator=(const StopOnInterrupt&) = delete;
  const std::atomic<int>* flag() const;  // the signal received; 0: none

 private:
  void (*old_sigint_)(int) = SIG_DFL;
  void (*old_sigterm_)(int) = SIG_DFL;
  void (*old_sigxfsz_)(int) = SIG_DFL;
};

struct LaunchOptions {
  int nproc = 2;        // workers to start
  std::string program;  // the binary to start; empty = this one (/proc/self/exe)
  int master_port = 0;  // 0: a free port on 127.0.0.1
  int grace_s = 10;     // after a worker fails, how long the others get to exit by themselves
};

// Starts nproc workers of `job` (RANK 0..nproc-1, WORLD_SIZE, MASTER_ADDR=127.0.0.1, MASTER_PORT,
// LOCAL_RANK), each in a process group of its own, their output on this process's, and waits for
// them. Ctrl-C (SIGINT) and SIGTERM on the launcher are passed to every worker once, so that all
// of them stop at the same step and rank 0 writes a checkpoint; a second Ctrl-C passes on again,
// which kills them. When a worker dies or fails, the launcher names its rank and how it ended,
// gives the others grace_s seconds, then kills them (SIGTERM, then SIGKILL 5 s later) and returns
// that worker's exit code (128 + signal when killed). Returns 0 when every worker exits 0, 130
// (SIGINT) or 143 (SIGTERM) when all were stopped by that signal and rank 0 checkpointed.
int launch_workers(const TrainJob& job, const LaunchOptions& options);

// Independent runs side by side (`compare --train --jobs N`), each a child of this binary.
struct Job {
  std::string name;      // names the job in log lines
  TrainJob train;        // what the child runs
  std::string log_path;  // the child's stdout and stderr (appended)
};
struct JobResult {
  bool started = false;
  int code = 0;        // exit code (128 + signal when killed)
  std::string how;     // "exited with status 1", "was killed by signal 9 (SIGKILL)"
  double seconds = 0;  // wall time
};
// Starts the jobs in order, at most `parallel` at once, each in a process group of its own, and
// waits for all of them. A failed job does not stop the others (the runs are independent); the
// caller reads the results. Ctrl-C (SIGINT) and SIGTERM are passed once to the running jobs, and
// no further job starts. `program` empty = this binary (/proc/self/exe). The children carry no
// World: RANK, WORLD_SIZE and the rest are removed from their environment.
std::vector<JobResult> run_jobs(const std::vector<Job>& jobs, int parallel, const std::string& program = "");

// A port on 127.0.0.1 that was free a moment ago (bound to port 0 and released).
int free_local_port();

}  // namespace seq2seq::train
