// Logging set-up: spdlog to stderr, level from --log-level or SPDLOG_LEVEL.
#pragma once
#include <string>

namespace seq2seq {

// level: trace|debug|info|warn|error|critical|off; empty = SPDLOG_LEVEL or "info".
void init_logging(const std::string& level);

}  // namespace seq2seq
