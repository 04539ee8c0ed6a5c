// Duplicate keys found while nlohmann's parser runs, through its per-event callback.
#include "seq2seq/util/json_text.h"

#include "seq2seq/util/errors.h"
#include "seq2seq/util/text_input.h"

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <set>
#include <vector>

namespace seq2seq {

namespace {

// A pointer into the text that records how far the parser has read: the lexer pulls one
// character at a time, so when the parser reports a key, `*reached` is just past its closing
// quote, and the newlines before it give the key's line.
class TrackingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  TrackingIterator(const char* at, const char** reached) : at_(at), reached_(reached) {}
  reference operator*() const { return *at_; }
  TrackingIterator& operator++() {
    *reached_ = ++at_;
    return *this;
  }
  TrackingIterator operator++(int) {
    TrackingIterator before = *this;
    ++*this;
    return before;
  }
  bool operator==(const TrackingIterator& other) const { return at_ == other.at_; }
  bool operator!=(const TrackingIterator& other) const { return at_ != other.at_; }

 private:
  const char* at_;
  const char** reached_;
};

// One open object or array of the parse: the keys seen so far, or the index of the element.
struct Level {
  bool array = false;
  std::set<std::string> keys;
  std::string key;  // the object's current key
  long index = -1;  // the array's current element
};

std::string key_path(const std::vector<Level>& levels) {
  std::string path;
  for (const Level& level : levels) {
    if (level.array)
      path += "[" + std::to_string(level.index) + "]";
    else
      path += (path.empty() ? "" : ".") + level.key;
  }
  return path;
}

}  // namespace

nlohmann::json parse_json_unique_keys(std::string_view text, const std::string& origin, bool ignore_comments) {
  using event = nlohmann::json::parse_event_t;
  const char* reached = text.data();
  std::vector<Level> levels;
  const auto callback = [&](int /*depth*/, event kind, nlohmann::json& parsed) {
    // Each element of an array starts with a value or the start of an object or array.
    const bool element_starts = kind == event::value || kind == event::object_start || kind == event::array_start;
    if (element_starts && !levels.empty() && levels.back().array) ++levels.back().index;
    switch (kind) {
      case event::object_start:
      case event::array_start:
        levels.emplace_back();
        levels.back().array = kind == event::array_start;
        break;
      case event::object_end:
      case event::array_end:
        levels.pop_back();
        break;
      case event::key: {
        Level& level = levels.back();
        level.key = parsed.get<std::string>();
        if (!level.keys.insert(level.key).second) {
          const auto line = 1 + std::count(text.data(), reached, '\n');
          throw ConfigError(origin + ":" + std::to_string(line) + ": duplicate key " + quote_input(key_path(levels)) +
                            "; keep one (the later one would silently win)");
        }
        break;
      }
      case event::value:
        break;
    }
    return true;
  };
  return nlohmann::json::parse(TrackingIterator(text.data(), &reached),
                               TrackingIterator(text.data() + text.size(), &reached), callback,
                               /*allow_exceptions=*/true, ignore_comments);
}

}  // namespace seq2seq
