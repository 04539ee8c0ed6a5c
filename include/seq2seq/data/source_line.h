// One input line made ready for a model, without LibTorch: tokenize, find unknown words, cut to
// the longest source the model takes, encode (what `translate` does before decoding).
#pragma once
#include "seq2seq/data/tokenizer.h"
#include "seq2seq/data/vocab.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace seq2seq::data {

struct SourceLine {
  std::vector<std::string> tokens;   // after the cut
  std::vector<std::string> unknown;  // tokens outside the vocabulary, in order (read as <unk>)
  int64_t cut_from = 0;              // > 0: the line had this many tokens and was cut to max_tokens
  std::vector<int64_t> ids;          // <bos> tokens <eos>; empty when the line holds no tokens
};

// max_tokens >= 1: the most source tokens (without <bos>/<eos>) the model was trained on.
SourceLine prepare_source(std::string_view line, const Tokenizer& tokenizer, const Vocab& vocab, int max_tokens);

}  // namespace seq2seq::data
