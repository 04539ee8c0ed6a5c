// Hints for a word outside the vocabulary: the closest vocabulary words by edit distance.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace seq2seq::session {

// Levenshtein distance counted in code points, so that "hünd" -> "hund" is one edit, not two.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The largest distance a suggestion for `word` may have: about a third of its length (at least
// 1, at most 4), so that short words do not collect unrelated suggestions.
std::size_t max_hint_distance(std::string_view word);

// Up to `k` entries of `vocabulary` nearest to `word` (within max_hint_distance), nearest
// first; equal distances keep the vocabulary's order (most frequent first). Specials such as
// "<unk>" are never suggested.
std::vector<std::string> closest_words(std::string_view word, const std::vector<std::string>& vocabulary,
                                       std::size_t k = 3);

// "unknown word 'hundd' (did you mean: hund, hunde, mund?)", or "(no close word in the
// vocabulary)" when there are no suggestions.
std::string unknown_word_hint(std::string_view word, const std::vector<std::string>& suggestions);

}  // namespace seq2seq::session
