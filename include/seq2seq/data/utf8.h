// UTF-8 validation, decoding and encoding: the small amount of Unicode the data pipeline needs.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace seq2seq::data::utf8 {

inline constexpr std::size_t kValid = std::string_view::npos;

// Byte offset of the first byte that does not start a well-formed UTF-8 sequence (overlong
// forms, surrogates and code points above U+10FFFF are ill-formed, as in Python's decoder),
// or kValid when the whole text is well-formed.
std::size_t find_invalid(std::string_view text);

// Decodes the code point starting at text[pos] and advances pos past it. An ill-formed byte
// decodes to U+FFFD and advances pos by one byte.
char32_t next(std::string_view text, std::size_t& pos);

// Appends the UTF-8 encoding of `cp` to `out`.
void append(std::string& out, char32_t cp);

}  // namespace seq2seq::data::utf8
