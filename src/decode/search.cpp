// Greedy and beam search. Finished sentences leave the batch, so each sentence's result is
// independent of its batch neighbours and the work shrinks as sentences end.
#include "seq2seq/decode/search.h"

#include "seq2seq/data/vocab.h"

#include <cmath>
#include <limits>

namespace seq2seq::decode {

using data::Vocab;
using models::DecoderState;
using models::Seq2SeqModel;

SearchOptions SearchOptions::from(const DecodeConfig& config) {
  SearchOptions options;
  options.beam = config.beam;
  options.length_penalty = config.length_penalty;
  options.max_len_ratio = config.max_len_ratio;
  options.max_len = config.max_len;
  return options;
}

int64_t max_output_length(int64_t src_len, const SearchOptions& options) {
  auto limit = static_cast<int64_t>(std::floor(options.max_len_ratio * static_cast<double>(src_len))) + 10;
  return std::max<int64_t>(1, std::min<int64_t>(limit, options.max_len));
}

namespace {

double length_normalised(double log_prob, int64_t length, double alpha) {
  if (alpha == 0) return log_prob;
  return log_prob / std::pow((5.0 + static_cast<double>(length)) / 6.0, alpha);
}

std::vector<float> attention_row(const torch::Tensor& attention, int64_t row, int64_t src_len) {
  // attention: (N, S) on the CPU; keep the real source positions only.
  auto values = attention[row].slice(0, 0, src_len).contiguous();
  return std::vector<float>(values.data_ptr<float>(), values.data_ptr<float>() + src_len);
}

std::vector<int64_t> limits_for(const torch::Tensor& src_len, const SearchOptions& options) {
  auto lengths = src_len.to(torch::kCPU).contiguous();
  std::vector<int64_t> limits(lengths.size(0));
  for (int64_t i = 0; i < lengths.size(0); ++i) limits[i] = max_output_length(lengths[i].item<int64_t>(), options);
  return limits;
}

}  // namespace

std::vector<std::vector<Hypothesis>> greedy_search(Seq2SeqModel& model, const torch::Tensor& src,
                                                   const torch::Tensor& src_len, const SearchOptions& options) {
  const int64_t batch = src.size(0);
  const auto limits = limits_for(src_len, options);
  const auto lengths = src_len.to(torch::kCPU);
  const bool want_attention = options.attention && model.has_attention();

  std::vector<Hypothesis> hyps(batch);
  std::vector<int64_t> active(batch);  // sentence id of each row still decoding
  for (int64_t i = 0; i < batch; ++i) active[i] = i;

  DecoderState state = model.start(src, src_len);
  auto prev = torch::full({batch}, Vocab::kBos, torch::dtype(torch::kLong).device(src.device()));
  while (!active.empty()) {
    auto out = model.step(state, prev);
    auto [best_logp, best_token] = out.log_probs.max(1);  // (A), (A)
    auto tokens = best_token.to(torch::kCPU);
    auto logps = best_logp.to(torch::kCPU).to(torch::kDouble);
    torch::Tensor attention;
    if (want_attention && out.attention.defined()) attention = out.attention.to(torch::kCPU).to(torch::kFloat);
    auto token_at = tokens.accessor<int64_t, 1>();
    auto logp_at = logps.accessor<double, 1>();

    std::vector<int64_t> keep_rows, still_active;
    for (size_t row = 0; row < active.size(); ++row) {
      Hypothesis& hyp = hyps[active[row]];
      const int64_t token = token_at[row];
      hyp.log_prob += logp_at[row];
      if (attention.defined())
        hyp.attention.push_back(attention_row(attention, row, lengths[active[row]].item<int64_t>()));
      if (token == Vocab::kEos) {
        hyp.finished = true;
        continue;
      }
      hyp.tokens.push_back(token);
      if (static_cast<int64_t>(hyp.tokens.size()) >= limits[active[row]]) continue;
      keep_rows.push_back(static_cast<int64_t>(row));
      still_active.push_back(active[row]);
    }
    if (still_active.size() != active.size() && !still_active.empty()) {
      auto index = torch::tensor(keep_rows, torch::kLong).to(src.device());
      state.select(index);
      best_token = best_token.index_select(0, index);
    }
    active = std::move(still_active);
    prev = best_token;
  }

  std::vector<std::vector<Hypothesis>> results(batch);
  for (int64_t i = 0; i < batch; ++i) {
    hyps[i].score = hyps[i].log_prob;
    results[i].push_back(std::move(hyps[i]));
  }
  return results;
}

std::vector<std::vector<Hypothesis>> beam_search(Seq2SeqModel& model, const torch::Tensor& src,
                                                 const torch::Tensor& src_len, const SearchOptions& options) {
  const int64_t batch = src.size(0);
  const int64_t beam = options.beam;
  const auto limits = limits_for(src_len, options);
  const auto lengths = src_len.to(torch::kCPU);
  const bool want_attention = options.attention && model.has_attention();
  const double neg_inf = -std::numeric_limits<double>::infinity();
  const auto device = src.device();

  // Alive hypotheses: beam per active sentence, rows laid out sentence-major.
  struct Alive {
    std::vector<int64_t> tokens;
    double log_prob = 0;
    std::vector<std::vector<float>> attention;
  };
  std::vector<std::vector<Alive>> alive(batch, std::vector<Alive>(beam));
  std::vector<std::vector<Hypothesis>> finished(batch);
  std::vector<int64_t> active(batch);
  for (int64_t i = 0; i < batch; ++i) active[i] = i;

  DecoderState state = model.start(src, src_len);
  // Every sentence starts with `beam` copies of its row; only the first copy is live at t = 0.
  auto expand = torch::arange(batch, torch::kLong).repeat_interleave(beam).to(device);  // (B*K)
  state.select(expand);
  auto prev = torch::full({batch * beam}, Vocab::kBos, torch::dtype(torch::kLong).device(device));
  std::vector<double> alive_scores(batch * beam, neg_inf);
  for (int64_t i = 0; i < batch; ++i) alive_scores[i * beam] = 0;

  while (!active.empty()) {
    const int64_t n_active = static_cast<int64_t>(active.size());
    auto out = model.step(state, prev);  // log_probs (A*K, V)
    const int64_t vocab = out.log_probs.size(1);
    auto scores = torch::tensor(alive_scores, torch::kDouble).to(device).to(out.log_probs.dtype());
    auto candidates = (out.log_probs + scores.unsqueeze(1)).view({n_active, beam * vocab});  // (A, K*V)
    const int64_t k2 = std::min<int64_t>(2 * beam, beam * vocab);
    auto [top_scores, top_index] = candidates.topk(k2, 1);  // (A, 2K)
    top_scores = top_scores.to(torch::kCPU).to(torch::kDouble);
    top_index = top_index.to(torch::kCPU);
    torch::Tensor attention;
    if (want_attention && out.attention.defined()) attention = out.attention.to(torch::kCPU).to(torch::kFloat);
    auto score_at = top_scores.accessor<double, 2>();
    auto index_at = top_index.accessor<int64_t, 2>();

    std::vector<std::vector<Alive>> next_alive;
    std::vector<double> next_scores;
    std::vector<int64_t> next_rows, next_tokens, still_active;
    for (int64_t a = 0; a < n_active; ++a) {
      const int64_t sentence = active[a];
      const int64_t src_length = lengths[sentence].item<int64_t>();
      std::vector<Alive> kept;
      std::vector<std::pair<int64_t, int64_t>> kept_origin;  // (row, token)
      std::vector<double> kept_scores;
      for (int64_t j = 0; j < k2 && static_cast<int64_t>(kept.size()) < beam; ++j) {
        const double score = score_at[a][j];
        if (!std::isfinite(score)) break;
        const int64_t origin = index_at[a][j] / vocab, token = index_at[a][j] % vocab;
        const int64_t row = a * beam + origin;
        const Alive& parent = alive[sentence][origin];
        Alive child{parent.tokens, score, {}};
        if (attention.defined()) {
          child.attention = parent.attention;
          child.attention.push_back(attention_row(attention, row, src_length));
        }
        const bool eos = token == Vocab::kEos;
        if (!eos) child.tokens.push_back(token);
        const int64_t generated = static_cast<int64_t>(child.tokens.size()) + (eos ? 1 : 0);
        if (eos || generated >= limits[sentence]) {
          Hypothesis hyp;
          hyp.tokens = std::move(child.tokens);
          hyp.log_prob = score;
          hyp.score = length_normalised(score, generated, options.length_penalty);
          hyp.finished = eos;
          hyp.attention = std::move(child.attention);
          finished[sentence].push_back(std::move(hyp));
          continue;
        }
        kept.push_back(std::move(child));
        kept_origin.emplace_back(row, token);
        kept_scores.push_back(score);
      }
      // A sentence is done once it has `beam` finished hypotheses or nothing left alive.
      if (static_cast<int64_t>(finished[sentence].size()) >= beam || kept.empty()) continue;
      while (static_cast<int64_t>(kept.size()) < beam) {  // tiny vocabularies: pad with dead rows
        kept.push_back(kept.front());
        kept_origin.push_back(kept_origin.front());
        kept_scores.push_back(neg_inf);
      }
      for (int64_t k = 0; k < beam; ++k) {
        next_rows.push_back(kept_origin[k].first);
        next_tokens.push_back(kept_origin[k].second);
        next_scores.push_back(kept_scores[k]);
      }
      alive[sentence] = std::move(kept);
      still_active.push_back(sentence);
    }
    active = std::move(still_active);
    if (active.empty()) break;
    state.select(torch::tensor(next_rows, torch::kLong).to(device));
    prev = torch::tensor(next_tokens, torch::kLong).to(device);
    alive_scores = std::move(next_scores);
  }

  std::vector<std::vector<Hypothesis>> results(batch);
  const size_t keep = static_cast<size_t>(std::max(1, std::min(options.nbest, options.beam)));
  for (int64_t i = 0; i < batch; ++i) {
    auto& list = finished[i];
    std::stable_sort(list.begin(), list.end(),
                     [](const Hypothesis& x, const Hypothesis& y) { return x.score > y.score; });
    if (list.size() > keep) list.resize(keep);
    results[i] = std::move(list);
  }
  return results;
}

std::vector<std::vector<Hypothesis>> search(Seq2SeqModel& model, const torch::Tensor& src, const torch::Tensor& src_len,
                                            const SearchOptions& options) {
  return options.beam <= 1 ? greedy_search(model, src, src_len, options) : beam_search(model, src, src_len, options);
}

}  // namespace seq2seq::decode
