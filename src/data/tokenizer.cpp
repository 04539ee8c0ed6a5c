// The word tokenizer (\w+|[^\w\s] with Unicode word characters), its detokenizer, and the
// character tables both need.
#include "seq2seq/data/tokenizer.h"

#include "seq2seq/util/errors.h"
#include "seq2seq/util/utf8.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace seq2seq::data {

namespace {

// Code point ranges where Python 3.11 (Unicode 14) says `ch.isalnum() or ch == "_"`, for the
// blocks listed in tokenizer.h (generated with unicodedata, sorted, inclusive).
constexpr std::pair<char32_t, char32_t> kWordRanges[] = {
    // Basic Latin, Latin-1, Latin Extended-A/B, IPA, modifiers, Greek, Cyrillic
    {0x0030, 0x0039},
    {0x0041, 0x005A},
    {0x005F, 0x005F},
    {0x0061, 0x007A},
    {0x00AA, 0x00AA},
    {0x00B2, 0x00B3},
    {0x00B5, 0x00B5},
    {0x00B9, 0x00BA},
    {0x00BC, 0x00BE},
    {0x00C0, 0x00D6},
    {0x00D8, 0x00F6},
    {0x00F8, 0x02C1},
    {0x02C6, 0x02D1},
    {0x02E0, 0x02E4},
    {0x02EC, 0x02EC},
    {0x02EE, 0x02EE},
    {0x0370, 0x0374},
    {0x0376, 0x0377},
    {0x037A, 0x037D},
    {0x037F, 0x037F},
    {0x0386, 0x0386},
    {0x0388, 0x038A},
    {0x038C, 0x038C},
    {0x038E, 0x03A1},
    {0x03A3, 0x03F5},
    {0x03F7, 0x0481},
    {0x048A, 0x052F},
    // Armenian, Hebrew, Arabic
    {0x0531, 0x0556},
    {0x0559, 0x0559},
    {0x0560, 0x0588},
    {0x05D0, 0x05EA},
    {0x05EF, 0x05F2},
    {0x0620, 0x064A},
    {0x0660, 0x0669},
    {0x066E, 0x066F},
    {0x0671, 0x06D3},
    {0x06D5, 0x06D5},
    {0x06E5, 0x06E6},
    {0x06EE, 0x06FC},
    {0x06FF, 0x06FF},
    // Latin Extended Additional, Greek Extended
    {0x1E00, 0x1F15},
    {0x1F18, 0x1F1D},
    {0x1F20, 0x1F45},
    {0x1F48, 0x1F4D},
    {0x1F50, 0x1F57},
    {0x1F59, 0x1F59},
    {0x1F5B, 0x1F5B},
    {0x1F5D, 0x1F5D},
    {0x1F5F, 0x1F7D},
    {0x1F80, 0x1FB4},
    {0x1FB6, 0x1FBC},
    {0x1FBE, 0x1FBE},
    {0x1FC2, 0x1FC4},
    {0x1FC6, 0x1FCC},
    {0x1FD0, 0x1FD3},
    {0x1FD6, 0x1FDB},
    {0x1FE0, 0x1FEC},
    {0x1FF2, 0x1FF4},
    {0x1FF6, 0x1FFC},
    // Hiragana, Katakana, CJK unified ideographs (+ extension A), Hangul syllables
    {0x3041, 0x3096},
    {0x309D, 0x309F},
    {0x30A1, 0x30FA},
    {0x30FC, 0x30FF},
    {0x3400, 0x4DBF},
    {0x4E00, 0x9FFF},
    {0xAC00, 0xD7A3},
    // Fullwidth digits and Latin letters, halfwidth katakana and Hangul
    {0xFF10, 0xFF19},
    {0xFF21, 0xFF3A},
    {0xFF41, 0xFF5A},
    {0xFF66, 0xFFBE},
    {0xFFC2, 0xFFC7},
    {0xFFCA, 0xFFCF},
    {0xFFD2, 0xFFD7},
    {0xFFDA, 0xFFDC},
};

bool is_word_token(const std::string& token) {
  std::size_t pos = 0;
  return !token.empty() && is_word_char(next_code_point(token, pos));
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
  next_code_point(token, pos);
  return pos == token.size();
}

}  // namespace

bool is_word_char(char32_t cp) {
  if (cp < 0x80) return (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || cp == '_';
  auto it = std::upper_bound(std::begin(kWordRanges), std::end(kWordRanges), cp,
                             [](char32_t value, const auto& range) { return value < range.first; });
  return it != std::begin(kWordRanges) && cp <= std::prev(it)->second;
}

std::vector<std::string> WordTokenizer::tokenize(std::string_view text) const {
  std::string lowered;
  if (lowercase_) {
    lowered = seq2seq::lowercase(text);
    text = lowered;
  }
  std::vector<std::string> tokens;
  std::size_t word_start = std::string_view::npos;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t start = pos;
    const char32_t cp = next_code_point(text, pos);
    const bool ill_formed = is_escaped_byte(cp);
    if (!ill_formed && is_word_char(cp)) {
      if (word_start == std::string_view::npos) word_start = start;
      continue;
    }
    if (word_start != std::string_view::npos) {
      tokens.emplace_back(text.substr(word_start, start - word_start));
      word_start = std::string_view::npos;
    }
    if (ill_formed || !is_space(cp)) tokens.emplace_back(text.substr(start, pos - start));
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
      if (double_open)
        closing(i);
      else
        opening(i);
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
  throw ConfigError("data.tokenizer: \"" + config.tokenizer + "\" is not the word tokenizer (use make_tokenizers)");
}

}  // namespace seq2seq::data
