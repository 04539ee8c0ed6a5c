// Error types that map to exit codes: usage and config errors exit 2, everything else 1.
#pragma once
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

// The first line of a library's message (LibTorch's carry a backtrace), for one-line errors.
inline std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace seq2seq
