// UTF-8 decoding and the few Unicode properties that sacreBLEU-compatible metrics depend on.
#include "seq2seq/util/utf8.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <stdexcept>
#include <string>

namespace seq2seq {

namespace {

constexpr char32_t kEscapeBase = 0xDC00;

// Decodes the code point starting at text[pos]; sets `length` to the bytes it takes.
char32_t decode_one(std::string_view text, std::size_t pos, std::size_t& length) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(pos);
  length = 1;
  if (lead < 0x80) return lead;
  std::size_t need = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((lead & 0xE0) == 0xC0) {
    need = 1, cp = lead & 0x1F, min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    need = 2, cp = lead & 0x0F, min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    need = 3, cp = lead & 0x07, min = 0x10000;
  } else {
    return kEscapeBase + lead;
  }
  if (pos + need >= text.size()) return kEscapeBase + lead;  // truncated sequence
  for (std::size_t i = 1; i <= need; ++i) {
    unsigned char next = byte(pos + i);
    if ((next & 0xC0) != 0x80) return kEscapeBase + lead;
    cp = (cp << 6) | (next & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are invalid UTF-8.
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return kEscapeBase + lead;
  length = need + 1;
  return cp;
}

void encode_one(char32_t cp, std::string& out) {
  if (cp >= kEscapeBase + 0x80 && cp <= kEscapeBase + 0xFF) {
    out += static_cast<char>(cp - kEscapeBase);  // an escaped invalid byte goes back as it was
  } else if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

std::size_t find_invalid(std::string_view text) {
  for (std::size_t pos = 0, length = 0; pos < text.size(); pos += length) {
    if (static_cast<unsigned char>(text[pos]) < 0x80) {  // ASCII, nearly all of an English corpus
      length = 1;
      continue;
    }
    if (is_escaped_byte(decode_one(text, pos, length))) return pos;
  }
  return kValid;
}

void require_valid_utf8(std::string_view line, const std::string& path, std::size_t line_number) {
  const std::size_t bad = find_invalid(line);
  if (bad != kValid)
    throw std::runtime_error(path + ":" + std::to_string(line_number) + ": invalid UTF-8 at byte " +
                             std::to_string(bad + 1) +
                             " of the line; convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8)");
}

char32_t next_code_point(std::string_view text, std::size_t& pos) {
  std::size_t length = 0;
  const char32_t cp = decode_one(text, pos, length);
  pos += length;
  return cp;
}

void append_utf8(std::string& out, char32_t cp) { encode_one(cp, out); }

std::u32string utf8_decode(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (std::size_t pos = 0, length = 0; pos < text.size(); pos += length) out += decode_one(text, pos, length);
  return out;
}

std::string utf8_encode(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t cp : text) encode_one(cp, out);
  return out;
}

bool is_space(char32_t c) {
  if (c <= 0x20) return c == 0x20 || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
  if (c < 0x85) return false;
  return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

std::vector<std::string_view> split_whitespace(std::string_view text) {
  std::vector<std::string_view> pieces;
  std::size_t start = std::string_view::npos;
  for (std::size_t pos = 0, length = 0; pos < text.size(); pos += length) {
    bool space = is_space(decode_one(text, pos, length));
    if (space && start != std::string_view::npos) {
      pieces.push_back(text.substr(start, pos - start));
      start = std::string_view::npos;
    } else if (!space && start == std::string_view::npos) {
      start = pos;
    }
  }
  if (start != std::string_view::npos) pieces.push_back(text.substr(start));
  return pieces;
}

std::string_view rstrip(std::string_view text) {
  std::size_t end = 0;  // one past the last non-space code point
  for (std::size_t pos = 0, length = 0; pos < text.size(); pos += length)
    if (!is_space(decode_one(text, pos, length))) end = pos + length;
  return text.substr(0, end);
}

namespace {

struct LowerRange {
  char32_t first, last;
  int32_t delta;
  uint8_t stride;
};
struct CodeRange {
  char32_t first, last;
};

#include "unicode_tables.inc"

template <typename Range, std::size_t N>
const Range* find_range(const Range (&ranges)[N], char32_t c) {
  // The last range starting at or before c.
  const Range* it = std::upper_bound(std::begin(ranges), std::end(ranges), c,
                                     [](char32_t value, const Range& r) { return value < r.first; });
  if (it == std::begin(ranges)) return nullptr;
  --it;
  return c <= it->last ? it : nullptr;
}

}  // namespace

char32_t to_lower(char32_t c) {
  const LowerRange* r = find_range(kLowerRanges, c);
  if (r == nullptr || (c - r->first) % r->stride != 0) return c;
  return static_cast<char32_t>(static_cast<int32_t>(c) + r->delta);
}

bool is_cased(char32_t c) { return find_range(kCased, c) != nullptr; }

bool is_case_ignorable(char32_t c) { return find_range(kCaseIgnorable, c) != nullptr; }

std::string lowercase(std::string_view text) {
  const std::u32string in = utf8_decode(text);
  std::u32string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char32_t c = in[i];
    if (c == 0x130) {  // İ: i + combining dot above, the one multi-character lowercase
      out += U'i';
      out += char32_t{0x307};
    } else if (c == 0x3A3) {
      // Final sigma: a cased letter before (case-ignorables skipped) and none after.
      std::size_t j = i;
      while (j > 0 && is_case_ignorable(in[j - 1])) --j;
      bool final_sigma = j > 0 && is_cased(in[j - 1]);
      std::size_t k = i + 1;
      while (k < in.size() && is_case_ignorable(in[k])) ++k;
      if (final_sigma && k < in.size() && is_cased(in[k])) final_sigma = false;
      out += final_sigma ? char32_t{0x3C2} : char32_t{0x3C3};
    } else {
      out += to_lower(c);
    }
  }
  return utf8_encode(out);
}

std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  for (std::size_t pos = 0, length = 0; pos < text.size(); pos += length) {
    decode_one(text, pos, length);
    ++width;
  }
  return width;
}

std::vector<std::string> utf8_chars(std::string_view text) {
  std::vector<std::string> chars;
  for (std::size_t pos = 0, length = 0; pos < text.size(); pos += length) {
    decode_one(text, pos, length);
    chars.emplace_back(text.substr(pos, length));
  }
  return chars;
}

}  // namespace seq2seq
