// Sentence-by-sentence translation with a loaded run (what `seq2seq translate` drives).
#include "seq2seq/decode/sentence_translator.h"

#include "seq2seq/data/source_line.h"
#include "seq2seq/data/vocab.h"
#include "seq2seq/decode/corpus_translation.h"

#include <algorithm>

namespace seq2seq::decode {

Translator::Translator(LoadedRun& run, const TranslatorOptions& options) : run_(run) {
  set_options(options);
  max_tokens_ = run.config.data.max_len;
  if (const int64_t limit = run.model->max_source_ids(); limit > 0)
    max_tokens_ = std::min<int>(max_tokens_, static_cast<int>(limit) - 2);  // <bos> and <eos> take two
}

void Translator::set_options(const TranslatorOptions& options) {
  options_ = options;
  search_ = SearchOptions::from(run_.config.decode);
  if (options.beam > 0) search_.beam = options.beam;
  search_.nbest = std::max(1, options.nbest);
  if (search_.nbest > search_.beam) search_.beam = search_.nbest;
  // Attention rows are kept whenever the model has them: they say what each <unk> replaces.
  search_.attention = options.attention || run_.model->has_attention();
}

Translation Translator::translate(const std::string& line) {
  Translation out;
  auto source = data::prepare_source(line, *run_.tokenizers.src, run_.src_vocab, max_tokens_);
  if (source.tokens.empty()) return out;
  const auto& tokens = source.tokens;
  const auto& ids = source.ids;
  out.unknown = source.unknown;
  out.cut_from = source.cut_from;
  auto src = torch::tensor(ids, torch::kLong).unsqueeze(0).to(run_.device);  // (1, S)
  auto src_len = torch::tensor({static_cast<int64_t>(ids.size())}, torch::kLong);
  torch::InferenceMode inference;
  auto hyps = search(*run_.model, src, src_len, search_).front();
  for (const auto& hyp : hyps) {
    out.texts.push_back(run_.tokenizers.tgt->detokenize(output_tokens(hyp, tokens, run_.tgt_vocab, options_.unk_brackets)));
    out.scores.push_back(hyp.score);
  }
  const auto& best = hyps.front();
  if (options_.attention && run_.model->has_attention()) {
    out.attention_columns = {"<bos>"};
    out.attention_columns.insert(out.attention_columns.end(), tokens.begin(), tokens.end());
    out.attention_columns.push_back("<eos>");
    for (const auto id : best.tokens) out.attention_rows.push_back(run_.tgt_vocab.token(id));
    if (best.finished) out.attention_rows.push_back("<eos>");
    out.attention.assign(best.attention.begin(),
                         best.attention.begin() + std::min(best.attention.size(), out.attention_rows.size()));
  }
  out.src_tokens = std::move(tokens);
  return out;
}

}  // namespace seq2seq::decode
