// Fuzz target: the translate input-line path without a model (tokenize, find unknown words,
// cut, encode). Input: a first line whose words make the vocabulary, then input lines; the
// first byte is the model's longest source (1..64 tokens).
#include "fuzz_common.h"

#include "seq2seq/data/source_line.h"

#include <algorithm>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace seq2seq;
  if (size == 0) return 0;
  const int max_tokens = 1 + data[0] % 64;
  const auto lines = fuzz::split(fuzz::as_text(data + 1, size - 1), "\n");
  const data::WordTokenizer tokenizer(data[0] & 64);
  const data::Vocab vocab = data::Vocab::build({tokenizer.tokenize(lines[0])}, 1, 0);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto source = data::prepare_source(lines[i], tokenizer, vocab, max_tokens);
    const auto all = tokenizer.tokenize(lines[i]);
    fuzz::check(source.tokens.size() <= static_cast<std::size_t>(max_tokens), "cut to max_tokens");
    fuzz::check(std::equal(source.tokens.begin(), source.tokens.end(), all.begin()), "the cut keeps the start");
    fuzz::check((source.cut_from > 0) == (all.size() > static_cast<std::size_t>(max_tokens)), "cut_from iff cut");
    if (source.tokens.empty()) {
      fuzz::check(source.ids.empty(), "no ids without tokens");
      continue;
    }
    fuzz::check(source.ids.size() == source.tokens.size() + 2, "<bos> tokens <eos>");
    fuzz::check(source.ids.front() == data::Vocab::kBos && source.ids.back() == data::Vocab::kEos, "framing");
    std::size_t unknown = 0;
    for (const auto& token : all) unknown += !vocab.contains(token);
    fuzz::check(unknown == source.unknown.size(), "every unknown word is reported");
    for (std::size_t k = 0; k < source.tokens.size(); ++k) {
      const int64_t id = source.ids[k + 1];
      fuzz::check(id >= 0 && id < vocab.size(), "ids inside the vocabulary");
      fuzz::check(vocab.contains(source.tokens[k]) ? vocab.token(id) == source.tokens[k] : id == data::Vocab::kUnk,
                  "known words by id, others as <unk>");
    }
  }
  return 0;
}
