// Fuzz target: corpus lines through the UTF-8 and control-character checks, the tokenizer and the
// detokenizer; any text quoted into a message.
#include "fuzz_common.h"

#include "seq2seq/data/tokenizer.h"
#include "seq2seq/util/text_input.h"
#include "seq2seq/util/utf8.h"

#include <stdexcept>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace seq2seq;
  const std::string_view text = fuzz::as_text(data, size);
  fuzz::check(utf8_encode(utf8_decode(text)) == text, "decode/encode keeps every byte");
  const std::string quoted = quote_input(text);
  fuzz::check(find_invalid(quoted) == kValid, "quoted input is well-formed UTF-8");
  fuzz::check(quoted.find_first_of(std::string("\t\0", 2)) == std::string::npos && find_control_char(quoted) == kValid,
              "quoted input holds no control character");
  fuzz::check(quoted.size() <= 60 * 4 + 40, "quoted input is short");
  bool split_refused = false;
  try {
    split_text_lines(text, "fuzz.txt");
  } catch (const std::runtime_error&) {
    split_refused = true;
  }
  const data::WordTokenizer lower(true), cased(false);
  std::size_t line_number = 0;
  for (const auto& line : fuzz::split(text, "\n")) {
    ++line_number;
    const std::size_t bad = find_invalid(line);
    bool refused = false;
    try {
      require_valid_utf8(line, "fuzz.txt", line_number);
    } catch (const std::runtime_error&) {
      refused = true;
    }
    fuzz::check(refused == (bad != kValid), "require_valid_utf8 refuses exactly the ill-formed lines");
    fuzz::check(bad == kValid || bad < line.size(), "find_invalid points inside the line");
    fuzz::check(!refused || split_refused, "split_text_lines refuses ill-formed lines too");
    if (refused) continue;  // the corpus readers stop here
    const std::string lowered = lowercase(line);
    fuzz::check(find_invalid(lowered) == kValid, "lowercase keeps UTF-8 well-formed");
    split_whitespace(line);
    display_width(line);
    for (const data::WordTokenizer* tokenizer : {&lower, &cased}) {
      const auto tokens = tokenizer->tokenize(line);
      for (const auto& token : tokens) {
        fuzz::check(!token.empty(), "no empty token");
        fuzz::check(find_invalid(token) == kValid, "tokens of well-formed text are well-formed");
        for (char32_t c : utf8_decode(token)) fuzz::check(!is_space(c), "no whitespace inside a token");
      }
      const std::string joined = tokenizer->detokenize(tokens);
      fuzz::check(find_invalid(joined) == kValid, "detokenized text is well-formed");
      fuzz::check(tokens.empty() == joined.empty(), "detokenize gives text exactly when there are tokens");
    }
  }
  return 0;
}
