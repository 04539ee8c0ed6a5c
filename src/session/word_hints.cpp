// Edit-distance suggestions for unknown words (translate session, unknown REPL commands).
#include "seq2seq/session/word_hints.h"

#include "seq2seq/util/text_input.h"
#include "seq2seq/util/utf8.h"

#include <algorithm>
#include <numeric>

namespace seq2seq::session {

namespace {

std::size_t distance(const std::u32string& a, const std::u32string& b) {
  // One row of the dynamic-programming table: row[j] = distance(a[0..i), b[0..j)).
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];  // distance(a[0..i-1), b[0..j-1))
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) { return distance(utf8_decode(a), utf8_decode(b)); }

std::size_t max_hint_distance(std::string_view word) {
  const std::size_t length = utf8_decode(word).size();
  return std::clamp<std::size_t>((length + 1) / 3, 1, 4);
}

std::vector<std::string> closest_words(std::string_view word, const std::vector<std::string>& vocabulary,
                                       std::size_t k) {
  const std::u32string target = utf8_decode(word);
  const std::size_t limit = max_hint_distance(word);
  std::vector<std::pair<std::size_t, std::size_t>> found;  // (distance, index in vocabulary)
  for (std::size_t i = 0; i < vocabulary.size(); ++i) {
    const std::string& entry = vocabulary[i];
    if (entry.size() > 1 && entry.front() == '<' && entry.back() == '>') continue;  // <unk>, <bos>, ...
    const std::u32string candidate = utf8_decode(entry);
    const std::size_t gap =
        candidate.size() > target.size() ? candidate.size() - target.size() : target.size() - candidate.size();
    if (gap > limit || candidate == target) continue;  // the length difference alone is too far
    const std::size_t d = distance(target, candidate);
    if (d <= limit) found.emplace_back(d, i);
  }
  std::stable_sort(found.begin(), found.end());
  std::vector<std::string> words;
  for (std::size_t n = 0; n < found.size() && n < k; ++n) words.push_back(vocabulary[found[n].second]);
  return words;
}

std::string unknown_word_hint(std::string_view word, const std::vector<std::string>& suggestions) {
  std::string hint = "unknown word '" + quote_input(word) + "' (";
  if (suggestions.empty()) return hint + "no close word in the vocabulary)";
  hint += "did you mean: ";
  for (std::size_t i = 0; i < suggestions.size(); ++i) hint += (i ? ", " : "") + suggestions[i];
  return hint + "?)";
}

}  // namespace seq2seq::session
