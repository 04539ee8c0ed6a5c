// Translating a corpus: encode, batched search (sentences of similar length together, so that
// little work goes to padding), <unk> replacement, detokenization.
#include "seq2seq/decode/corpus_translation.h"

#include <algorithm>
#include <numeric>

namespace seq2seq::decode {

std::vector<std::vector<Hypothesis>> translate_batched(models::Seq2SeqModel& model,
                                                       const std::vector<std::vector<int64_t>>& sources,
                                                       const SearchOptions& options, int batch_size,
                                                       const torch::Device& device, bool sort_by_length) {
  torch::InferenceMode inference;
  const bool was_training = model.is_training();
  model.eval();
  std::vector<size_t> order(sources.size());
  std::iota(order.begin(), order.end(), 0);
  if (sort_by_length)
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return sources[a].size() > sources[b].size(); });

  std::vector<std::vector<Hypothesis>> results(sources.size());
  for (size_t begin = 0; begin < order.size(); begin += batch_size) {
    const size_t end = std::min(order.size(), begin + static_cast<size_t>(batch_size));
    const int64_t rows = static_cast<int64_t>(end - begin);
    int64_t width = 0;  // the batch's longest source (its first, when sorted)
    for (size_t i = begin; i < end; ++i)
      width = std::max<int64_t>(width, static_cast<int64_t>(sources[order[i]].size()));
    auto src = torch::full({rows, width}, data::Vocab::kPad, torch::kLong);  // (B, S)
    auto src_len = torch::empty({rows}, torch::kLong);
    auto src_at = src.accessor<int64_t, 2>();
    for (int64_t r = 0; r < rows; ++r) {
      const auto& ids = sources[order[begin + r]];
      for (size_t j = 0; j < ids.size(); ++j) src_at[r][j] = ids[j];
      src_len[r] = static_cast<int64_t>(ids.size());
    }
    auto batch_results = search(model, src.to(device), src_len, options);
    for (int64_t r = 0; r < rows; ++r) results[order[begin + r]] = std::move(batch_results[r]);
  }
  if (was_training) model.train();
  return results;
}

CorpusTranslation translate_corpus(models::Seq2SeqModel& model, const TextCodec& codec,
                                   const std::vector<std::string>& lines, const CorpusTranslationOptions& options,
                                   const torch::Device& device) {
  CorpusTranslation out;
  // 1. Tokenize and encode every line (<bos> ... <eos>).
  std::vector<std::vector<int64_t>> sources;
  sources.reserve(lines.size());
  for (const auto& line : lines) {
    out.src_tokens.push_back(codec.tokenizers.src->tokenize(line));
    sources.push_back(codec.src_vocab.encode(out.src_tokens.back()));
  }
  // 2. Search, in batches. Attention rows are kept whenever the model has them: they say what
  // each <unk> replaces.
  SearchOptions search = options.search;
  search.attention = search.attention || (options.copy_unk && model.has_attention());
  out.hypotheses = translate_batched(model, sources, search, options.batch_size, device, options.sort_by_length);
  // 3. The best hypothesis as text: <unk> replaced, detokenized.
  for (size_t i = 0; i < lines.size(); ++i) {
    const bool empty_source = sources[i].size() <= 2;  // <bos> <eos> only
    if (empty_source) out.hypotheses[i].clear();
    out.texts.push_back(
        empty_source ? std::string()
                     : codec.tokenizers.tgt->detokenize(output_tokens(out.hypotheses[i].front(), out.src_tokens[i],
                                                                      codec.tgt_vocab, options.unk_brackets)));
  }
  return out;
}

std::vector<std::string> output_tokens(const Hypothesis& hyp, const std::vector<std::string>& src_tokens,
                                       const data::Vocab& tgt_vocab, bool brackets, std::vector<size_t>* positions) {
  std::vector<std::string> tokens;
  tokens.reserve(hyp.tokens.size());
  if (positions) positions->clear();
  for (size_t t = 0; t < hyp.tokens.size(); ++t) {
    if (hyp.tokens[t] != data::Vocab::kUnk) {
      tokens.push_back(tgt_vocab.token(hyp.tokens[t]));
      if (positions) positions->push_back(t);
      continue;
    }
    if (t >= hyp.attention.size() || src_tokens.empty()) continue;  // no attention: drop it
    const auto& row = hyp.attention[t];  // source positions: 0 = <bos>, 1..n = tokens, n+1 = <eos>
    size_t best = 1;
    for (size_t j = 1; j + 1 < row.size() && j <= src_tokens.size(); ++j)
      if (row[j] > row[best]) best = j;
    if (best - 1 >= src_tokens.size()) continue;
    std::string word = src_tokens[best - 1];
    if (brackets) {
      // A SentencePiece piece keeps its word-start mark outside: "▁hund" -> "▁[hund]".
      static const std::string kWordStart = "\u2581";
      const bool starts_word = word.rfind(kWordStart, 0) == 0;
      word = starts_word ? kWordStart + "[" + word.substr(kWordStart.size()) + "]" : "[" + word + "]";
    }
    tokens.push_back(std::move(word));
    if (positions) positions->push_back(t);
  }
  return tokens;
}

}  // namespace seq2seq::decode
