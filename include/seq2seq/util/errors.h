// Error types that map to exit codes: usage and config errors exit 2, everything else 1.
#pragma once
#include <cstring>
#include <stdexcept>
#include <string>

namespace seq2seq {

// Something the user must fix in a config file (names file and key path).
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Wrong or conflicting command-line arguments.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A write to an output that failed (disk full, closed pipe, ...): "writing standard output: No
// space left on device". Exit 1; a closed pipe (EPIPE) ends the program quietly, as SIGPIPE would.
struct OutputError : std::runtime_error {
  OutputError(const std::string& output, int error_number)
      : std::runtime_error("writing " + output + ": " + std::strerror(error_number)), error_number(error_number) {}
  int error_number;  // errno of the failed write
};

// The first line of a library's message (LibTorch's carry a backtrace), for one-line errors.
inline std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace seq2seq
