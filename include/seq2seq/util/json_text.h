// JSON text parsed strictly: a key given twice in one object is an error, not "the last one wins".
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace seq2seq {

// Parses `text` as nlohmann::json::parse does (comments skipped when `ignore_comments`; syntax
// errors throw nlohmann::json::parse_error), except that a key repeated in one object throws
// ConfigError "ORIGIN:LINE: duplicate key model.type; keep one" (arrays appear in the key path as
// "runs[2].name"). The same key in different objects is fine.
nlohmann::json parse_json_unique_keys(std::string_view text, const std::string& origin, bool ignore_comments = false);

}  // namespace seq2seq
