// Fuzz target: a config file's JSON, then `--set` items, one per line after a line "--".
// Bad input must end in ConfigError (exit 2 with one line), never in another exception or a
// crash; an accepted config must survive its own round trip through JSON. The strict parser
// (duplicate keys refused) must agree with nlohmann's wherever it accepts.
#include "fuzz_common.h"

#include "seq2seq/config/config.h"
#include "seq2seq/util/errors.h"
#include "seq2seq/util/json_text.h"

#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace seq2seq;
  const auto parts = fuzz::split(fuzz::as_text(data, size), "\n--\n");
  std::vector<std::string> overrides;
  if (parts.size() > 1) overrides = fuzz::split(parts[1], "\n");
  nlohmann::json j;
  try {
    j = parse_json_unique_keys(parts[0], "fuzz.json", /*ignore_comments=*/true);
  } catch (const nlohmann::json::exception&) {
    return 0;  // load_config turns this (parse_error, out_of_range for 1e999) into a ConfigError
  } catch (const ConfigError& e) {
    fuzz::check(std::string(e.what()).find('\n') == std::string::npos, "a duplicate key is one line");
    return 0;
  }
  fuzz::check(j == nlohmann::json::parse(parts[0], nullptr, true, /*ignore_comments=*/true),
              "the strict parser reads what nlohmann reads");
  try {
    Config config = config_from_json(j, "fuzz.json");
    apply_overrides(config, overrides);
    const nlohmann::json saved = config;
    const Config again = config_from_json(nlohmann::json::parse(saved.dump(2)), "saved.json");
    fuzz::check(nlohmann::json(again) == saved, "a saved config reads back as itself");
    // Nothing is silently changed on the way in: every number of the file is the config's.
    const nlohmann::json given = j.flatten(), kept = saved.flatten();
    if (overrides.empty())
      for (const auto& item : given.items())
        if (item.value().is_number())
          fuzz::check(kept.contains(item.key()) && kept[item.key()] == item.value(), "numbers are kept exactly");
    flatten(saved);
    differing_keys({saved, j});
  } catch (const ConfigError&) {}
  return 0;
}
