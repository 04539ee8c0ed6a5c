// seq2seq: entry point. Sets threads and logging, dispatches, and maps errors to exit codes.
#include "commands.h"

#include "seq2seq/system/doctor.h"
#include "seq2seq/system/logging.h"
#include "seq2seq/system/memory.h"
#include "seq2seq/train/launch.h"
#include "seq2seq/util/errors.h"
#include "seq2seq/util/io.h"

#include <cctype>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <thread>

namespace {

// Logging and threads, before any tensor work: denormals flushed on this thread is what the
// OpenMP pool threads, started later, inherit; LibTorch starts with one thread here.
void set_up_process(const std::string& log_level, int threads) {
  seq2seq::init_logging(log_level);
  seq2seq::flush_denormals();
  seq2seq::set_threads(threads);
}

// Standard output's last check: whatever the command printed reached it (flushed), or the
// reason why not becomes the error.
int with_output_checked(int exit_code) {
  seq2seq::check_output(std::cout, "standard output");
  return exit_code;
}

// Runs `body` and returns its exit code; an exception becomes a one-line error and exit code 2
// (config and usage errors) or 1. A closed pipe ends the program quietly, as SIGPIPE does
// where it is not ignored: the reader has stopped reading, which is no error of ours.
template <typename Body>
int run_reporting_errors(Body&& body) {
  using namespace seq2seq;
  try {
    return with_output_checked(body());
  } catch (const OutputError& e) {
    if (e.error_number == EPIPE) {
      std::signal(SIGPIPE, SIG_DFL);
      std::raise(SIGPIPE);
      return 1;
    }
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  } catch (const ConfigError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const UsageError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    // c10::Error carries a multi-line backtrace; the first line is the message.
    std::cerr << "error: " << first_line(e.what()) << "\n";
    return 1;
  }
}

// CLI11's message as one line of ours: lines joined, the first letter lower-case as in our own
// messages ("could not convert: --beam = x").
std::string parse_error_line(std::string message) {
  while (!message.empty() && message.back() == '\n') message.pop_back();
  for (size_t at = message.find('\n'); at != std::string::npos; at = message.find('\n', at))
    message.replace(at, 1, "; ");
  if (message.size() > 1 && std::isupper(static_cast<unsigned char>(message[0])) &&
      !std::isupper(static_cast<unsigned char>(message[1])))
    message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
  return message;
}

// "seq2seq config show": the command whose --help a parse error points to, as far as the
// command line got before the error.
std::string command_path(CLI::App& app) {
  std::string path = "seq2seq";
  for (CLI::App* command = &app; !command->get_subcommands().empty();) {
    command = command->get_subcommands().front();
    path += " " + command->get_name();
  }
  return path;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace seq2seq;
  // Before any allocation that matters: keeps big freed blocks in the heap (memory.h).
  configure_allocator();
  // Every write to std::cout is checked (util/io.h): this keeps the reason of a failure.
  WriteErrorRecorder stdout_errors(std::cout);
  // A child that `train --nproc` or `compare --train --jobs` started: its job comes as data in the
  // environment (train/launch.h), not as a command line.
  if (std::getenv(train::kChildJobVariable) != nullptr)
    return run_reporting_errors([] {
      const train::TrainJob job = *train::child_job_from_env();
      set_up_process(job.log_level, job.threads);
      train::StopOnInterrupt interrupt;
      return train::run_train_job(job, train::world_from_env(), interrupt.flag(), std::cout);
    });

  CLI::App app{"seq2seq: train, evaluate and compare RNN, attention and Transformer translation models"};
  app.set_version_flag("--version", std::string("seq2seq ") + SEQ2SEQ_VERSION);
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the subcommand

  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::string log_level;
  app.add_option("--threads", threads, "CPU threads for tensor work (default: all cores)")->check(cli::at_least(1));
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error|off (default: SPDLOG_LEVEL or info)");

  std::vector<cli::Command> commands = {
      cli::add_doctor(app), cli::add_config(app),    cli::add_data(app),      cli::add_bench(app),
      cli::add_train(app),  cli::add_eval(app),      cli::add_translate(app), cli::add_compare(app),
      cli::add_score(app),  cli::add_attention(app), cli::add_average(app),
  };
#ifdef SEQ2SEQ_HAVE_HTTPLIB
  commands.push_back(cli::add_serve(app));
#endif

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version print to standard output, which is checked like any command's.
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success))
      return run_reporting_errors([&] { return app.exit(e); });
    std::cerr << "error: " << parse_error_line(e.what()) << " (see " << command_path(app) << " --help)\n";
    return 2;
  }

  return run_reporting_errors([&] {
    set_up_process(log_level, threads);
    for (auto& command : commands)
      if (command.app->parsed()) return command.run();
    return 2;
  });
}
