// Children of this binary: the job as data, one fork/exec path, the two launchers (signals passed
// on, failures named), the child's side, and torchrun's environment.
#include "seq2seq/train/launch.h"

#include "seq2seq/util/errors.h"

#include <spdlog/spdlog.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <thread>

namespace seq2seq::train {

namespace {

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

int env_int(const char* name, const std::string& text, int low, int high) {
  std::size_t used = 0;
  long value = 0;
  try {
    value = std::stol(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || value < low || value > high)
    throw UsageError(fmt::format("environment variable {}={}: expected a whole number from {} to {}", name, text, low,
                                 high));
  return static_cast<int>(value);
}

// Signals that reached the launcher and are not yet passed on (the handler only counts).
volatile std::sig_atomic_t g_pending_sigint = 0;
volatile std::sig_atomic_t g_pending_sigterm = 0;
extern "C" void on_launcher_signal(int signal) {
  if (signal == SIGINT) g_pending_sigint = g_pending_sigint + 1;
  if (signal == SIGTERM) g_pending_sigterm = g_pending_sigterm + 1;
}

// While alive: SIGINT and SIGTERM on this process are counted (not acted on), and pass_on()
// sends each one received to the children, once per signal. The old handlers come back when it
// goes out of scope, also when an exception leaves the caller.
class SignalRelay {
 public:
  SignalRelay() {
    g_pending_sigint = 0;
    g_pending_sigterm = 0;
    struct sigaction action {};
    action.sa_handler = on_launcher_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  ~SignalRelay() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  SignalRelay(const SignalRelay&) = delete;
  SignalRelay& operator=(const SignalRelay&) = delete;

  // Sends what arrived since the last call to `send`; returns true once anything has arrived.
  template <typename Send>
  bool pass_on(Send&& send, const char* on_stop) {
    while (sigint_sent_ < g_pending_sigint) {
      sigint_sent_++;
      interrupted_ = true;
      spdlog::warn("interrupted (SIGINT): {}", on_stop);
      send(SIGINT);
    }
    while (sigterm_sent_ < g_pending_sigterm) {
      sigterm_sent_++;
      interrupted_ = true;
      spdlog::warn("terminated (SIGTERM): {}", on_stop);
      send(SIGTERM);
    }
    return interrupted_;
  }

 private:
  struct sigaction old_int_ {}, old_term_ {};
  int sigint_sent_ = 0, sigterm_sent_ = 0;
  bool interrupted_ = false;
};

std::string describe(int status) {
  if (WIFSIGNALED(status)) {
    const int signal = WTERMSIG(status);
    const char* name = sigabbrev_np(signal);
    return fmt::format("was killed by signal {} (SIG{})", signal, name ? name : "?");
  }
  return fmt::format("exited with status {}", WEXITSTATUS(status));
}

int exit_code(int status) { return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status); }

struct Worker {
  int rank = 0;
  pid_t pid = -1;
  bool running = true;
  int status = 0;
};

// The first SIGINT or SIGTERM while a StopOnInterrupt is alive (a handler may only touch a
// lock-free atomic).
std::atomic<int> g_stop_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);
extern "C" void on_stop_signal(int signal) {
  int none = 0;
  g_stop_signal.compare_exchange_strong(none, signal);
  std::signal(SIGINT, SIG_DFL);  // a second signal kills at once
  std::signal(SIGTERM, SIG_DFL);
}

// This process's environment for a child: without a job or World of its own (the child gets
// those from its launcher alone), plus `extra` ("NAME=value").
std::vector<std::string> child_environment(const std::vector<std::string>& extra) {
  const std::vector<std::string_view> dropped = {kChildJobVariable, "RANK",        "WORLD_SIZE",
                                                 "LOCAL_RANK",      "MASTER_ADDR", "MASTER_PORT"};
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    if (std::find(dropped.begin(), dropped.end(), text.substr(0, text.find('='))) == dropped.end())
      environment.emplace_back(text);
  }
  environment.insert(environment.end(), extra.begin(), extra.end());
  return environment;
}

// The one way a child starts: `program` (this binary) runs `job`, handed over as JSON in its
// environment, with `world`'s variables when it is a data-parallel worker. It runs in a process
// group of its own, so that a Ctrl-C on the terminal reaches the launcher alone, which passes it
// on once (a second SIGINT would kill the child at once). With a log_path its stdout and stderr
// are appended there and its stdin is /dev/null; without one it shares this process's.
pid_t start_child(const std::string& program, const TrainJob& job, const std::optional<World>& world,
                  const std::string& log_path) {
  // Everything is made before fork: the child only calls async-signal-safe functions.
  std::vector<std::string> extra = {std::string(kChildJobVariable) + "=" + nlohmann::json(job).dump()};
  if (world)
    extra.insert(extra.end(), {"RANK=" + std::to_string(world->rank), "LOCAL_RANK=" + std::to_string(world->local_rank),
                               "WORLD_SIZE=" + std::to_string(world->size), "MASTER_ADDR=" + world->master_addr,
                               "MASTER_PORT=" + std::to_string(world->master_port)});
  std::vector<std::string> environment = child_environment(extra);
  std::vector<char*> envp;
  for (auto& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::string program_copy = program;
  char* const argv[] = {program_copy.data(), nullptr};
  const std::string failure = "error: cannot start " + program + "\n";

  int log = -1;
  if (!log_path.empty()) {
    log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log < 0) throw std::runtime_error(log_path + ": cannot open the job's log: " + std::strerror(errno));
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    if (log >= 0) ::close(log);
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    if (log >= 0) {
      ::dup2(log, 1);
      ::dup2(log, 2);
      const int null = ::open("/dev/null", O_RDONLY);
      if (null >= 0) ::dup2(null, 0);
    }
    ::execve(argv[0], argv, envp.data());
    [[maybe_unused]] auto ignored = ::write(2, failure.data(), failure.size());
    ::_exit(127);
  }
  if (log >= 0) ::close(log);
  ::setpgid(pid, pid);
  return pid;
}

}  // namespace

void to_json(nlohmann::json& j, const TrainJob& job) {
  j = {{"config", job.config}, {"run_dir", job.run_dir},     {"resume", job.resume},   {"overrides", job.overrides},
       {"device", job.device}, {"max_steps", job.max_steps}, {"threads", job.threads}, {"log_level", job.log_level}};
}

void from_json(const nlohmann::json& j, TrainJob& job) {
  j.at("config").get_to(job.config);
  j.at("run_dir").get_to(job.run_dir);
  j.at("resume").get_to(job.resume);
  j.at("overrides").get_to(job.overrides);
  j.at("device").get_to(job.device);
  j.at("max_steps").get_to(job.max_steps);
  j.at("threads").get_to(job.threads);
  j.at("log_level").get_to(job.log_level);
}

std::optional<TrainJob> child_job_from_env() {
  const auto text = env(kChildJobVariable);
  if (!text) return std::nullopt;
  ::unsetenv(kChildJobVariable);
  try {
    return nlohmann::json::parse(*text).get<TrainJob>();
  } catch (const nlohmann::json::exception& e) {
    throw UsageError(fmt::format("environment variable {}: not a training job ({})", kChildJobVariable, e.what()));
  }
}

StopOnInterrupt::StopOnInterrupt() {
  g_stop_signal = 0;
  old_sigint_ = std::signal(SIGINT, on_stop_signal);
  old_sigterm_ = std::signal(SIGTERM, on_stop_signal);
  old_sigxfsz_ = std::signal(SIGXFSZ, SIG_IGN);
}

StopOnInterrupt::~StopOnInterrupt() {
  std::signal(SIGINT, old_sigint_);
  std::signal(SIGTERM, old_sigterm_);
  std::signal(SIGXFSZ, old_sigxfsz_);
}

const std::atomic<int>* StopOnInterrupt::flag() const { return &g_stop_signal; }

World world_from_env() {
  World world;
  const auto size = env("WORLD_SIZE");
  if (!size) return world;
  world.size = env_int("WORLD_SIZE", *size, 1, 1 << 16);
  const auto rank = env("RANK");
  if (!rank && world.size > 1) throw UsageError("WORLD_SIZE is set but RANK is not: set both (as torchrun does)");
  world.rank = rank ? env_int("RANK", *rank, 0, world.size - 1) : 0;
  const auto local_rank = env("LOCAL_RANK");
  world.local_rank = local_rank ? env_int("LOCAL_RANK", *local_rank, 0, 1 << 16) : world.rank;
  if (const auto addr = env("MASTER_ADDR"); addr && !addr->empty()) world.master_addr = *addr;
  if (const auto port = env("MASTER_PORT")) world.master_port = env_int("MASTER_PORT", *port, 1, 65535);
  return world;
}

int free_local_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  const int error = errno;
  ::close(fd);
  if (!ok) throw std::runtime_error(std::string("cannot find a free port on 127.0.0.1: ") + std::strerror(error));
  return ntohs(address.sin_port);
}

int launch_workers(const TrainJob& job, const LaunchOptions& options) {
  if (options.nproc < 1) throw UsageError("--nproc must be at least 1");
  const std::string program = options.program.empty() ? "/proc/self/exe" : options.program;
  const int port = options.master_port > 0 ? options.master_port : free_local_port();
  spdlog::info("launching {} workers on this machine (MASTER_ADDR=127.0.0.1 MASTER_PORT={})", options.nproc, port);

  SignalRelay relay;
  std::vector<Worker> workers;
  for (int rank = 0; rank < options.nproc; ++rank) {
    World world;
    world.rank = world.local_rank = rank;
    world.size = options.nproc;
    world.master_port = port;
    const pid_t pid = start_child(program, job, world, "");
    workers.push_back({rank, pid});
    spdlog::info("worker rank {}: pid {}", rank, pid);
  }

  using Clock = std::chrono::steady_clock;
  std::optional<Worker> failed;                  // the first worker that died or failed
  Clock::time_point term_at{}, kill_at{};  // when to SIGTERM, then SIGKILL, the rest after a failure
  bool term_pending = false, kill_pending = false;
  bool interrupted = false;
  auto alive = [&] {
    int n = 0;
    for (const auto& w : workers) n += w.running;
    return n;
  };
  auto signal_all = [&](int signal) {
    for (const auto& w : workers)
      if (w.running) ::kill(w.pid, signal);
  };
  while (alive() > 0) {
    // Pass on what reached the launcher, once per signal received.
    interrupted = relay.pass_on(signal_all,
                                "asking every worker to stop after its step (rank 0 writes a checkpoint)");
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      for (auto& w : workers) {
        if (w.pid != pid) continue;
        w.running = false;
        w.status = status;
        const int code = exit_code(status);
        const bool stopped = code == 128 + SIGINT || code == 128 + SIGTERM;  // saved and stopped
        const bool normal = code == 0 || (stopped && (interrupted || !failed));
        if (!normal && !failed) {
          failed = w;
          spdlog::error("worker rank {} (pid {}) {}; stopping the other {} worker(s)", w.rank, w.pid, describe(status),
                        alive());
          term_at = Clock::now() + std::chrono::seconds(options.grace_s);
          kill_at = term_at + std::chrono::seconds(5);
          term_pending = kill_pending = true;
        }
      }
      continue;
    }
    if (pid < 0 && errno != EINTR && errno != ECHILD) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
    const auto now = Clock::now();
    if (term_pending && now >= term_at) {
      signal_all(SIGTERM);
      term_pending = false;
    }
    if (kill_pending && now >= kill_at) {
      signal_all(SIGKILL);
      kill_pending = false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  if (failed) {
    spdlog::error("the distributed run failed: worker rank {} {}", failed->rank, describe(failed->status));
    const int code = exit_code(failed->status);
    return code == 0 ? 1 : code;
  }
  int code = 0;
  for (const auto& w : workers) code = std::max(code, exit_code(w.status));
  return code;
}

std::vector<JobResult> run_jobs(const std::vector<Job>& jobs, int parallel, const std::string& program_name) {
  if (parallel < 1) throw UsageError("--jobs must be at least 1");
  const std::string program = program_name.empty() ? "/proc/self/exe" : program_name;
  SignalRelay relay;

  using Clock = std::chrono::steady_clock;
  std::vector<JobResult> results(jobs.size());
  std::vector<pid_t> pids(jobs.size(), -1);
  std::vector<Clock::time_point> started_at(jobs.size());
  size_t next = 0;
  int running = 0;
  bool interrupted = false;
  auto start = [&](size_t i) {
    const pid_t pid = start_child(program, jobs[i].train, std::nullopt, jobs[i].log_path);
    pids[i] = pid;
    started_at[i] = Clock::now();
    results[i].started = true;
    running++;
    spdlog::info("{}: started (pid {}; log {})", jobs[i].name, pid, jobs[i].log_path);
  };
  auto signal_running = [&](int signal) {
    for (size_t i = 0; i < jobs.size(); ++i)
      if (pids[i] > 0) ::kill(pids[i], signal);
  };
  while (true) {
    while (!interrupted && running < parallel && next < jobs.size()) start(next++);
    if (running == 0) break;
    interrupted = relay.pass_on(signal_running,
                                "asking the running jobs to stop after their step (each writes a checkpoint)");
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      for (size_t i = 0; i < jobs.size(); ++i) {
        if (pids[i] != pid) continue;
        pids[i] = -1;
        running--;
        results[i].code = exit_code(status);
        results[i].how = describe(status);
        results[i].seconds = std::chrono::duration<double>(Clock::now() - started_at[i]).count();
        if (results[i].code == 0)
          spdlog::info("{}: finished in {:.0f} s", jobs[i].name, results[i].seconds);
        else
          spdlog::error("{}: {} after {:.0f} s (see {})", jobs[i].name, results[i].how, results[i].seconds,
                        jobs[i].log_path);
      }
      continue;
    }
    if (pid < 0 && errno != EINTR && errno != ECHILD)
      throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return results;
}

}  // namespace seq2seq::train
