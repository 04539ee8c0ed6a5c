// Sentence-by-sentence translation with a loaded run (what `seq2seq translate` drives).
#include "seq2seq/decode/sentence_translator.h"

#include "seq2seq/data/source_line.h"
#include "seq2seq/data/vocab.h"
#include "seq2seq/decode/corpus_translation.h"
#include "seq2seq/models/transformer.h"
#include "seq2seq/system/precision.h"

#include <algorithm>

namespace seq2seq::decode {

namespace {

// What a matrix's boundary row and columns are called: translate prints the vocabulary's
// "<bos>"/"<eos>", the detail that serve returns has "<s>"/"</s>" (HypothesisDetail).
struct Boundaries {
  const char* bos;
  const char* eos;
};

// One hypothesis' attention (the search's rows) with its labels: rows `row_tokens`, then eos when
// it finished; columns bos, the source tokens, eos. For translate's best hypothesis and for each
// hypothesis in detail.
void label_attention(const Hypothesis& hyp, std::vector<std::string> row_tokens,
                     const std::vector<std::string>& src_tokens, const Boundaries& names,
                     std::vector<std::string>& rows, std::vector<std::string>& columns,
                     std::vector<std::vector<float>>& weights) {
  columns = {names.bos};
  columns.insert(columns.end(), src_tokens.begin(), src_tokens.end());
  columns.push_back(names.eos);
  rows = std::move(row_tokens);
  if (hyp.finished) rows.push_back(names.eos);
  weights.assign(hyp.attention.begin(), hyp.attention.begin() + std::min(hyp.attention.size(), rows.size()));
}

// The target rows a hypothesis has: one per generated id, and one for <eos> when it finished.
size_t generated_rows(const Hypothesis& hyp) { return hyp.tokens.size() + (hyp.finished ? 1 : 0); }

// The hypotheses of one source as a training batch: tgt_in = <bos> ids, tgt_out = ids <eos> (no
// <eos> for one cut at the length limit), right-padded; the source repeated. src: (1, S).
data::Batch teacher_forced_batch(const std::vector<Hypothesis>& hyps, const torch::Tensor& src,
                                 const torch::Tensor& src_len) {
  const auto n = static_cast<int64_t>(hyps.size());
  size_t longest = 0;
  for (const auto& hyp : hyps) longest = std::max(longest, hyp.tokens.size());
  const auto T = static_cast<int64_t>(longest) + 1;
  std::vector<int64_t> tgt_in(n * T, data::Vocab::kPad), tgt_out(n * T, data::Vocab::kPad);
  for (int64_t i = 0; i < n; ++i) {
    const auto& ids = hyps[i].tokens;
    tgt_in[i * T] = data::Vocab::kBos;
    for (size_t t = 0; t < ids.size(); ++t) tgt_in[i * T + t + 1] = tgt_out[i * T + t] = ids[t];
    if (hyps[i].finished) tgt_out[i * T + ids.size()] = data::Vocab::kEos;
  }
  data::Batch batch;
  batch.src = src.expand({n, src.size(1)}).contiguous();                               // (n, S)
  batch.src_len = src_len.expand({n}).contiguous();                                    // (n)
  batch.tgt_in = torch::tensor(tgt_in, torch::kLong).view({n, T}).to(src.device());    // (n, T)
  batch.tgt_out = torch::tensor(tgt_out, torch::kLong).view({n, T}).to(src.device());  // (n, T)
  return batch;
}

// One entry per output token, then one for <eos> when it finished, from the log-probability of
// each generated id and of <eos> (per_id). An <unk> that a model without attention cannot copy
// leaves no token behind (output_tokens; positions: the id each token was made from): its
// log-probability joins the next entry, so that the list stays aligned with the tokens and still
// sums to the hypothesis' log-probability.
std::vector<double> per_token(const std::vector<double>& per_id, const std::vector<size_t>& positions, bool finished) {
  const size_t ids = per_id.size() - (finished ? 1 : 0);
  std::vector<double> out;
  double pending = 0;
  bool has_pending = false;
  size_t next = 0;  // the next output token
  for (size_t t = 0; t < ids; ++t) {
    pending += per_id[t], has_pending = true;
    if (next < positions.size() && positions[next] == t) {
      out.push_back(pending);
      pending = 0, has_pending = false, ++next;
    }
  }
  if (finished) {
    out.push_back(pending + per_id[ids]);
    has_pending = false;
  }
  if (has_pending) {  // a cut hypothesis that ends in dropped <unk>s
    if (out.empty())
      out.push_back(pending);
    else
      out.back() += pending;
  }
  return out;
}

// Every layer's cross-attention, head by head, for hypothesis i of the batch: maps (L, n, H, T, S)
// on the CPU -> layers x heads x rows x S.
std::vector<std::vector<std::vector<std::vector<float>>>> layer_head_rows(const torch::Tensor& maps, int64_t i,
                                                                          size_t rows) {
  auto at = maps.accessor<float, 5>();
  const int64_t L = maps.size(0), H = maps.size(2), S = maps.size(4);
  std::vector<std::vector<std::vector<std::vector<float>>>> out(L, std::vector<std::vector<std::vector<float>>>(H));
  for (int64_t l = 0; l < L; ++l)
    for (int64_t h = 0; h < H; ++h)
      for (size_t t = 0; t < rows; ++t) {
        auto row = at[l][i][h][static_cast<int64_t>(t)];
        std::vector<float> weights(S);
        for (int64_t j = 0; j < S; ++j) weights[j] = row[j];
        out[l][h].push_back(std::move(weights));
      }
  return out;
}

}  // namespace

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
  search_.precision = run_.precision;
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
    out.texts.push_back(
        run_.tokenizers.tgt->detokenize(output_tokens(hyp, tokens, run_.tgt_vocab, options_.unk_brackets)));
    out.scores.push_back(hyp.score);
  }
  const auto& best = hyps.front();
  if (options_.attention && run_.model->has_attention()) {
    std::vector<std::string> rows;
    for (const auto id : best.tokens) rows.push_back(run_.tgt_vocab.token(id));
    label_attention(best, std::move(rows), tokens, {"<bos>", "<eos>"}, out.attention_rows, out.attention_columns,
                    out.attention);
  }
  if (options_.details) out.details = details(hyps, tokens, src, src_len);
  out.src_tokens = std::move(tokens);
  return out;
}

std::vector<HypothesisDetail> Translator::details(const std::vector<Hypothesis>& hyps,
                                                  const std::vector<std::string>& src_tokens, const torch::Tensor& src,
                                                  const torch::Tensor& src_len) {
  // The log-probabilities come from one teacher-forced pass over all hypotheses rather than from
  // the search, which keeps only their sums: the same numbers up to rounding (the steps and the
  // training pass compute the same function), and the search stays as fast as before.
  auto batch = teacher_forced_batch(hyps, src, src_len);
  AutocastGuard autocast(run_.precision);  // the search's precision
  auto logits = run_.model->forward(batch);                                                                 // (n, T, V)
  auto target_log_probs = torch::log_softmax(logits, -1).gather(2, batch.tgt_out.unsqueeze(2)).squeeze(2);  // (n, T)
  target_log_probs = target_log_probs.to(torch::kCPU, torch::kDouble).contiguous();
  torch::Tensor maps;  // (L, n, H, T, S)
  auto* transformer = dynamic_cast<models::TransformerModel*>(run_.model.get());
  if (options_.every_layer_and_head && transformer)
    maps = transformer->cross_attention_maps(batch.src, batch.src_len, batch.tgt_in)
               .to(torch::kCPU, torch::kFloat)
               .contiguous();

  std::vector<HypothesisDetail> details;
  for (size_t i = 0; i < hyps.size(); ++i) {
    const auto& hyp = hyps[i];
    HypothesisDetail detail;
    std::vector<size_t> positions;
    detail.tokens = output_tokens(hyp, src_tokens, run_.tgt_vocab, options_.unk_brackets, &positions);
    const auto* row = target_log_probs[static_cast<int64_t>(i)].data_ptr<double>();
    detail.token_log_probs = per_token(std::vector<double>(row, row + generated_rows(hyp)), positions, hyp.finished);
    for (const double log_prob : detail.token_log_probs) detail.log_prob += log_prob;
    if (run_.model->has_attention())
      label_attention(hyp, detail.tokens, src_tokens, {"<s>", "</s>"}, detail.attention_rows, detail.attention_columns,
                      detail.attention);
    if (maps.defined())
      detail.layer_head_attention = layer_head_rows(maps, static_cast<int64_t>(i), generated_rows(hyp));
    details.push_back(std::move(detail));
  }
  return details;
}

}  // namespace seq2seq::decode
