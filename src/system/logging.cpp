// Logs go to stderr so that stdout carries only results.
#include "seq2seq/system/logging.h"

#include "seq2seq/util/errors.h"

#include <spdlog/cfg/env.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace seq2seq {

void init_logging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("seq2seq");
  logger->set_pattern("%^[%H:%M:%S %L]%$ %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::info);
  spdlog::cfg::load_env_levels();  // SPDLOG_LEVEL
  if (!level.empty()) {
    auto parsed = spdlog::level::from_str(level);
    if (parsed == spdlog::level::off && level != "off")
      throw UsageError("--log-level " + level + ": unknown level (use trace, debug, info, warn, error, off)");
    spdlog::set_level(parsed);
  }
}

}  // namespace seq2seq
