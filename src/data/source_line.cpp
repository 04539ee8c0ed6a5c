// prepare_source: the translate input path up to the token ids.
#include "seq2seq/data/source_line.h"

#include <algorithm>

namespace seq2seq::data {

SourceLine prepare_source(std::string_view line, const Tokenizer& tokenizer, const Vocab& vocab, int max_tokens) {
  SourceLine out;
  out.tokens = tokenizer.tokenize(line);
  if (out.tokens.empty()) return out;
  for (const auto& token : out.tokens)
    if (!vocab.contains(token)) out.unknown.push_back(token);
  const std::size_t limit = static_cast<std::size_t>(std::max(1, max_tokens));
  if (out.tokens.size() > limit) {
    out.cut_from = static_cast<int64_t>(out.tokens.size());
    out.tokens.resize(limit);
  }
  out.ids = vocab.encode(out.tokens);
  return out;
}

}  // namespace seq2seq::data
