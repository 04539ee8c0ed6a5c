// Error types that map to exit codes: usage and config errors exit 2, everything else 1.
#pragma once
#include <stdexcept>

namespace seq2seq {

// Something the user must fix in a config file (names file and key path).
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Wrong or conflicting command-line arguments.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace seq2seq
