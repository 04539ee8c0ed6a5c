// Data-parallel jobs without LibTorch: where a worker stands (torchrun's environment variables)
// and the launcher behind `seq2seq train --nproc N`, which starts N workers of this binary on this
// machine and waits for them.
#pragma once

#include <chrono>
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

struct LaunchOptions {
  int nproc = 2;                  // workers to start
  std::vector<std::string> args;  // the worker's command line after the program name (without --nproc)
  std::string program;            // the binary to start; empty = this one (/proc/self/exe)
  int master_port = 0;            // 0: a free port on 127.0.0.1
  int grace_s = 10;               // after a worker fails, how long the others get to exit by themselves
};

// Starts nproc workers (RANK 0..nproc-1, WORLD_SIZE, MASTER_ADDR=127.0.0.1, MASTER_PORT,
// LOCAL_RANK), each in a process group of its own, and waits for them. Ctrl-C (SIGINT) and
// SIGTERM on the launcher are passed to every worker once, so that all of them stop at the same
// step and rank 0 writes a checkpoint; a second Ctrl-C passes on again, which kills them.
// When a worker dies or fails, the launcher names its rank and how it ended, gives the others
// grace_s seconds, then kills them (SIGTERM, then SIGKILL 5 s later) and returns that worker's
// exit code (128 + signal when killed). Returns 0 when every worker exits 0, 130 when all were
// interrupted.
int launch_workers(const LaunchOptions& options);

// Independent runs of this binary side by side (`compare --train --jobs N`): each job is one
// command line, its stdout and stderr appended to log_path.
struct Job {
  std::string name;               // names the job in log lines
  std::vector<std::string> args;  // the command line after the program name
  std::string log_path;           // the job's stdout and stderr (appended)
};
struct JobResult {
  bool started = false;
  int code = 0;             // exit code (128 + signal when killed)
  std::string how;          // "exited with status 1", "was killed by signal 9 (SIGKILL)"
  double seconds = 0;       // wall time
};
// Starts the jobs in order, at most `parallel` at once, each in a process group of its own, and
// waits for all of them. A failed job does not stop the others (the runs are independent); the
// caller reads the results. Ctrl-C (SIGINT) and SIGTERM are passed once to the running jobs, and
// no further job starts. `program` empty = this binary (/proc/self/exe).
std::vector<JobResult> run_jobs(const std::vector<Job>& jobs, int parallel, const std::string& program = "");

// A port on 127.0.0.1 that was free a moment ago (bound to port 0 and released).
int free_local_port();

}  // namespace seq2seq::train
