// The word tokenizer (\w+|[^\w\s] with Unicode word characters), its detokenizer, and the
// character tables both need.
#include "seq2seq/data/tokenizer.h"

#include "seq2seq/data/utf8.h"
#include "seq2seq/errors.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace seq2seq::data {

namespace {

// Code point ranges where Python 3.11 (Unicode 14) says `ch.isalnum() or ch == "_"`, for the
// blocks listed in tokenizer.h (generated with unicodedata, sorted, inclusive).
constexpr std::pair<char32_t, char32_t> kWordRanges[] = {
    // Basic Latin, Latin-1, Latin Extended-A/B, IPA, modifiers, Greek, Cyrillic
    {0x0030, 0x0039}, {0x0041, 0x005A}, {0x005F, 0x005F}, {0x0061, 0x007A}, {0x00AA, 0x00AA},
    {0x00B2, 0x00B3}, {0x00B5, 0x00B5}, {0x00B9, 0x00BA}, {0x00BC, 0x00BE}, {0x00C0, 0x00D6},
    {0x00D8, 0x00F6}, {0x00F8, 0x02C1}, {0x02C6, 0x02D1}, {0x02E0, 0x02E4}, {0x02EC, 0x02EC},
    {0x02EE, 0x02EE}, {0x0370, 0x0374}, {0x0376, 0x0377}, {0x037A, 0x037D}, {0x037F, 0x037F},
    {0x0386, 0x0386}, {0x0388, 0x038A}, {0x038C, 0x038C}, {0x038E, 0x03A1}, {0x03A3, 0x03F5},
    {0x03F7, 0x0481}, {0x048A, 0x052F},
    // Armenian, Hebrew, Arabic
    {0x0531, 0x0556}, {0x0559, 0x0559}, {0x0560, 0x0588}, {0x05D0, 0x05EA}, {0x05EF, 0x05F2},
    {0x0620, 0x064A}, {0x0660, 0x0669}, {0x066E, 0x066F}, {0x0671, 0x06D3}, {0x06D5, 0x06D5},
    {0x06E5, 0x06E6}, {0x06EE, 0x06FC}, {0x06FF, 0x06FF},
    // Latin Extended Additional, Greek Extended
    {0x1E00, 0x1F15}, {0x1F18, 0x1F1D}, {0x1F20, 0x1F45}, {0x1F48, 0x1F4D}, {0x1F50, 0x1F57},
    {0x1F59, 0x1F59}, {0x1F5B, 0x1F5B}, {0x1F5D, 0x1F5D}, {0x1F5F, 0x1F7D}, {0x1F80, 0x1FB4},
    {0x1FB6, 0x1FBC}, {0x1FBE, 0x1FBE}, {0x1FC2, 0x1FC4}, {0x1FC6, 0x1FCC}, {0x1FD0, 0x1FD3},
    {0x1FD6, 0x1FDB}, {0x1FE0, 0x1FEC}, {0x1FF2, 0x1FF4}, {0x1FF6, 0x1FFC},
    // Hiragana, Katakana, CJK unified ideographs (+ extension A), Hangul syllables
    {0x3041, 0x3096}, {0x309D, 0x309F}, {0x30A1, 0x30FA}, {0x30FC, 0x30FF}, {0x3400, 0x4DBF},
    {0x4E00, 0x9FFF}, {0xAC00, 0xD7A3},
    // Fullwidth digits and Latin letters, halfwidth katakana and Hangul
    {0xFF10, 0xFF19}, {0xFF21, 0xFF3A}, {0xFF41, 0xFF5A}, {0xFF66, 0xFFBE}, {0xFFC2, 0xFFC7},
    {0xFFCA, 0xFFCF}, {0xFFD2, 0xFFD7}, {0xFFDA, 0xFFDC},
};

// Ill-formed bytes travel through lowercase_utf8 as code points above U+10FFFF.
constexpr char32_t kRawByte = 0x110000;

// Simple (one code point to one code point) lower-case mapping of the blocks in tokenizer.h.
char32_t lower_simple(char32_t c) {
  auto even_up = [&](char32_t lo, char32_t hi) { return c >= lo && c <= hi && c % 2 == 0; };
  auto odd_up = [&](char32_t lo, char32_t hi) { return c >= lo && c <= hi && c % 2 == 1; };
  if (c < 0x80) return c >= 'A' && c <= 'Z' ? c + 0x20 : c;
  // Latin-1 and Latin Extended-A
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;
  if (even_up(0x100, 0x12F) || even_up(0x132, 0x137) || odd_up(0x139, 0x148) || even_up(0x14A, 0x177) ||
      odd_up(0x179, 0x17E))
    return c + 1;
  if (c == 0x178) return 0xFF;
  // Greek and Coptic
  if (c == 0x370 || c == 0x372 || c == 0x376 || even_up(0x3D8, 0x3EF) || c == 0x3F7 || c == 0x3FA) return c + 1;
  if (c == 0x37F) return 0x3F3;
  if (c == 0x386) return 0x3AC;
  if (c >= 0x388 && c <= 0x38A) return c + 37;
  if (c == 0x38C) return 0x3CC;
  if (c == 0x38E || c == 0x38F) return c + 63;
  if ((c >= 0x391 && c <= 0x3A1) || (c >= 0x3A3 && c <= 0x3AB)) return c + 0x20;
  if (c == 0x3CF) return 0x3D7;
  if (c == 0x3F4) return 0x3B8;
  if (c == 0x3F9) return 0x3F2;
  if (c >= 0x3FD && c <= 0x3FF) return c - 130;
  // Cyrillic and Cyrillic Supplement
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  if (c >= 0x410 && c <= 0x42F) return c + 0x20;
  if (even_up(0x460, 0x481) || even_up(0x48A, 0x4BF) || odd_up(0x4C1, 0x4CE) || even_up(0x4D0, 0x52F))
    return c + 1;
  if (c == 0x4C0) return 0x4CF;
  // Latin Extended Additional
  if (even_up(0x1E00, 0x1E95) || even_up(0x1EA0, 0x1EFF)) return c + 1;
  if (c == 0x1E9E) return 0xDF;  // capital sharp s -> ß
  return c;
}

bool is_letter(char32_t c) { return c < kRawByte && is_word_char(c) && !(c >= '0' && c <= '9') && c != '_'; }

bool is_word_token(const std::string& token) {
  std::size_t pos = 0;
  return !token.empty() && is_word_char(utf8::next(token, pos));
}

bool is_digits(const std::string& token) {
  return !token.empty() && std::all_of(token.begin(), token.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

bool is_one_of(const std::string& token, std::initializer_list<const char*> set) {
  return std::any_of(set.begin(), set.end(), [&](const char* s) { return token == s; });
}

// English clitics written after an apostrophe: man's, don't, I'd, I'm, they're, I've, we'll.
bool is_clitic(const std::string& token) {
  return is_one_of(token, {"s", "t", "d", "m", "re", "ve", "ll", "S", "T", "D", "M", "RE", "VE", "LL"});
}

bool is_quote(const std::string& token) {
  return is_one_of(token, {"\"", "'", "\u201C", "\u201D", "\u2018", "\u2019", "\u00BB"});
}

// Words after which a German hyphen stays on its word ("Ein- und Ausgang").
bool is_german_conjunction(const std::string& token) {
  return is_one_of(token, {"und", "oder", "bis", "bzw", "sowie"});
}

bool is_single_code_point(const std::string& token) {
  std::size_t pos = 0;
  utf8::next(token, pos);
  return pos == token.size();
}

}  // namespace

bool is_word_char(char32_t cp) {
  if (cp < 0x80) return (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || cp == '_';
  auto it = std::upper_bound(std::begin(kWordRanges), std::end(kWordRanges), cp,
                             [](char32_t value, const auto& range) { return value < range.first; });
  return it != std::begin(kWordRanges) && cp <= std::prev(it)->second;
}

bool is_space_char(char32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
         cp == 0x3000;
}

std::string lowercase_utf8(std::string_view text) {
  // Decode first: the final-sigma rule looks one code point back and one ahead.
  std::vector<char32_t> cps;
  cps.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t start = pos;
    char32_t cp = utf8::next(text, pos);
    if (cp == 0xFFFD && pos - start == 1 && static_cast<unsigned char>(text[start]) >= 0x80)
      cp = kRawByte + static_cast<unsigned char>(text[start]);
    cps.push_back(cp);
  }
  std::string out;
  out.reserve(text.size() + 8);
  for (std::size_t i = 0; i < cps.size(); ++i) {
    const char32_t cp = cps[i];
    if (cp >= kRawByte) {
      out += static_cast<char>(cp - kRawByte);
    } else if (cp == 0x130) {  // İ -> i + combining dot above, as Python does
      out += 'i';
      utf8::append(out, 0x307);
    } else if (cp == 0x3A3) {  // Σ: final ς at the end of a word, σ elsewhere
      const bool after_letter = i > 0 && is_letter(cps[i - 1]);
      const bool before_letter = i + 1 < cps.size() && is_letter(cps[i + 1]);
      utf8::append(out, after_letter && !before_letter ? 0x3C2 : 0x3C3);
    } else {
      utf8::append(out, lower_simple(cp));
    }
  }
  return out;
}

std::vector<std::string> WordTokenizer::tokenize(std::string_view text) const {
  std::string lowered;
  if (lowercase_) {
    lowered = lowercase_utf8(text);
    text = lowered;
  }
  std::vector<std::string> tokens;
  std::size_t word_start = std::string_view::npos;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t start = pos;
    const char32_t cp = utf8::next(text, pos);
    const bool ill_formed = cp == 0xFFFD && pos - start == 1 && static_cast<unsigned char>(text[start]) >= 0x80;
    if (!ill_formed && is_word_char(cp)) {
      if (word_start == std::string_view::npos) word_start = start;
      continue;
    }
    if (word_start != std::string_view::npos) {
      tokens.emplace_back(text.substr(word_start, start - word_start));
      word_start = std::string_view::npos;
    }
    if (ill_formed || !is_space_char(cp)) tokens.emplace_back(text.substr(start, pos - start));
  }
  if (word_start != std::string_view::npos) tokens.emplace_back(text.substr(word_start));
  return tokens;
}

std::string WordTokenizer::detokenize(const std::vector<std::string>& tokens) const {
  // glue_left[i]: no space between tokens i-1 and i; glue_right[i]: none between i and i+1.
  const std::size_t n = tokens.size();
  std::vector<char> glue_left(n, 0), glue_right(n, 0);
  bool double_open = false, low_double_open = false, single_open = false, low_single_open = false;
  auto opening = [&](std::size_t i) { glue_right[i] = 1; };
  auto closing = [&](std::size_t i) { glue_left[i] = 1; };
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& tok = tokens[i];
    const bool prev_word = i > 0 && is_word_token(tokens[i - 1]);
    const bool next_word = i + 1 < n && is_word_token(tokens[i + 1]);
    // A closing quote counts as the end of a word for hyphens: „BBQ“-Leuchtreklame.
    const bool prev_closed_quote = i > 0 && glue_left[i - 1] && is_quote(tokens[i - 1]);
    if (tok == "-" && prev_word && next_word && is_german_conjunction(tokens[i + 1])) {
      glue_left[i] = 1;  // suspended hyphen: "Limonade- und Bierdosen", "10- bis 12-jährige"
    } else if (tok == "-" || tok == "/") {
      if ((prev_word || prev_closed_quote) && next_word) glue_left[i] = glue_right[i] = 1;
    } else if (tok == "." || tok == "," || tok == ":") {
      closing(i);
      if (i > 0 && i + 1 < n && is_digits(tokens[i - 1]) && is_digits(tokens[i + 1])) glue_right[i] = 1;
    } else if (tok == "'" || tok == "\u2019") {
      const std::string* prev = i > 0 ? &tokens[i - 1] : nullptr;
      if (prev_word && next_word && (is_clitic(tokens[i + 1]) || is_single_code_point(*prev))) {
        glue_left[i] = glue_right[i] = 1;
      } else if (prev_word && (prev->back() == 's' || prev->back() == 'S')) {
        closing(i);
        single_open = false;
      } else if (single_open) {
        closing(i);
        single_open = false;
      } else {
        opening(i);
        single_open = true;
      }
    } else if (tok == "\u2018") {  // ‘ closes an open ‚ (German), else opens (English)
      if (low_single_open) {
        closing(i);
        low_single_open = false;
      } else {
        opening(i);
        single_open = true;
      }
    } else if (tok == "\u201A") {  // ‚
      opening(i);
      low_single_open = true;
    } else if (tok == "\"") {
      if (double_open) closing(i); else opening(i);
      double_open = !double_open;
    } else if (tok == "\u201E") {  // „
      opening(i);
      low_double_open = true;
    } else if (tok == "\u201C") {  // “ closes an open „ (German), else opens (English)
      if (low_double_open) {
        closing(i);
        low_double_open = false;
      } else {
        opening(i);
      }
    } else if (is_one_of(tok, {"!", "?", ";", ")", "]", "}", "%", "\u2026", "\u201D", "\u00BB"})) {
      closing(i);
    } else if (is_one_of(tok, {"(", "[", "{", "$", "\u00A3", "#", "\u00AB"})) {
      opening(i);
    }
  }
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0 && !glue_right[i - 1] && !glue_left[i]) out += ' ';
    out += tokens[i];
  }
  return out;
}

std::unique_ptr<Tokenizer> make_tokenizer(const DataConfig& config) {
  if (config.tokenizer == "word") return std::make_unique<WordTokenizer>(config.lowercase);
  throw ConfigError("data.tokenizer: unknown tokenizer \"" + config.tokenizer + "\" (use \"word\")");
}

}  // namespace seq2seq::data
