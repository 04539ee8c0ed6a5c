// UTF-8 for the whole project: validation, decoding, Python's whitespace and lowercasing.
// One policy for ill-formed input: each byte that does not start a well-formed sequence decodes
// to U+DC00 + byte (Python's "surrogateescape") and encodes back to that byte, so nothing is lost.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace seq2seq {

inline constexpr std::size_t kValid = std::string_view::npos;

// Byte offset of the first byte that does not start a well-formed UTF-8 sequence (overlong
// forms, surrogates and code points above U+10FFFF are ill-formed, as in Python's decoder),
// or kValid when the whole text is well-formed.
std::size_t find_invalid(std::string_view text);

// Throws std::runtime_error "PATH:LINE: invalid UTF-8 at byte N of the line; convert ..." when
// `line` is ill-formed: the one message of every reader of text files (corpora, score).
void require_valid_utf8(std::string_view line, const std::string& path, std::size_t line_number);

// Decodes the code point starting at text[pos] and advances pos past it; an ill-formed byte
// decodes to its escape (is_escaped_byte) and advances pos by one.
char32_t next_code_point(std::string_view text, std::size_t& pos);
// True for U+DC80..U+DCFF: an ill-formed byte carried through decoding.
inline bool is_escaped_byte(char32_t c) { return c >= 0xDC80 && c <= 0xDCFF; }
// Appends the UTF-8 encoding of `cp` (an escaped byte as the byte itself) to `out`.
void append_utf8(std::string& out, char32_t cp);

// Decodes UTF-8; an invalid byte b becomes U+DC00+b (Python's "surrogateescape"), so that
// utf8_encode(utf8_decode(s)) == s for any bytes.
std::u32string utf8_decode(std::string_view text);
std::string utf8_encode(std::u32string_view text);

// Python's str.isspace(): ASCII whitespace, U+001C..U+001F, U+0085, U+00A0 and the Unicode
// space separators. Python's split()/strip() use exactly this set.
bool is_space(char32_t c);

// Python's str.split() with no argument: runs of whitespace separate, no empty pieces.
std::vector<std::string_view> split_whitespace(std::string_view text);

// Python's str.rstrip() with no argument.
std::string_view rstrip(std::string_view text);

// Python's str.lower() (the Unicode tables of Python 3.11, in src/unicode_tables.inc): simple
// lowercase mappings, İ -> i + U+0307, and Σ -> ς at the end of a word (Final_Sigma).
std::string lowercase(std::string_view text);

// The simple lowercase mapping of one code point (itself when it has none).
char32_t to_lower(char32_t c);
// Unicode's Cased and Case_Ignorable properties.
bool is_cased(char32_t c);
bool is_case_ignorable(char32_t c);

// Number of code points: the width a terminal gives text without wide (CJK) characters.
std::size_t display_width(std::string_view text);

// The text split into its code points, each as its own UTF-8 string.
std::vector<std::string> utf8_chars(std::string_view text);

}  // namespace seq2seq
