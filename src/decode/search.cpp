// Greedy and beam search. Finished sentences leave the batch, so each sentence's result is
// independent of its batch neighbours and the work shrinks as sentences end.
#include "seq2seq/decode/search.h"

#include "seq2seq/data/vocab.h"
#include "seq2seq/system/precision.h"

#include <algorithm>
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

// ---------------------------------------------------------------- beam search's parts

// A live partial hypothesis of beam search.
struct Alive {
  std::vector<int64_t> tokens;
  double log_prob = 0;
  std::vector<std::vector<float>> attention;
};

// Beam search's bookkeeping on the host. Rows are laid out sentence-major: the K rows of
// active[a] are a*K .. a*K+K-1.
struct Beams {
  int64_t beam = 1;                               // K
  std::vector<std::vector<Alive>> alive;          // (B, K) live hypotheses per sentence
  std::vector<std::vector<Hypothesis>> finished;  // (B) ended hypotheses per sentence
  std::vector<int64_t> active;                    // (A) sentence ids still decoding
  std::vector<double> scores;                     // (A*K) log-prob of each row; -inf: a dead row
};

// K empty hypotheses per sentence; only the first of each is live at t = 0.
Beams initial_beams(int64_t batch, int64_t beam) {
  Beams beams;
  beams.beam = beam;
  beams.alive.assign(batch, std::vector<Alive>(beam));
  beams.finished.resize(batch);
  beams.active.resize(batch);
  for (int64_t i = 0; i < batch; ++i) beams.active[i] = i;
  beams.scores.assign(batch * beam, -std::numeric_limits<double>::infinity());
  for (int64_t i = 0; i < batch; ++i) beams.scores[i * beam] = 0;
  return beams;
}

// What ends a hypothesis and how it is scored, per sentence.
struct BeamLimits {
  std::vector<int64_t> max_len;  // (B) generated tokens allowed, <eos> included
  torch::Tensor src_len;         // (B) on the CPU, to cut attention rows to the real source
  double length_penalty = 1.0;   // GNMT alpha
};

// One step's best continuations of each active sentence, on the CPU.
struct TopCandidates {
  torch::Tensor scores;     // (A, 2K) double: row score + token log-prob, best first
  torch::Tensor index;      // (A, 2K) int64: origin * V + token, origin in 0..K-1
  torch::Tensor attention;  // (A*K, S) float; undefined when not wanted
  int64_t vocab = 0;        // V
  int64_t count = 0;        // 2K, or K*V when that is smaller
};

TopCandidates top_candidates(const models::StepOutput& out, const Beams& beams, const torch::Device& device,
                             bool want_attention) {
  const int64_t n_active = static_cast<int64_t>(beams.active.size()), beam = beams.beam;
  TopCandidates top;
  top.vocab = out.log_probs.size(1);
  auto scores = torch::tensor(beams.scores, torch::kDouble).to(device).to(out.log_probs.dtype());
  auto candidates = (out.log_probs + scores.unsqueeze(1)).view({n_active, beam * top.vocab});  // (A, K*V)
  top.count = std::min<int64_t>(2 * beam, beam * top.vocab);
  auto [top_scores, top_index] = candidates.topk(top.count, 1);  // (A, 2K)
  top.scores = top_scores.to(torch::kCPU).to(torch::kDouble);
  top.index = top_index.to(torch::kCPU);
  if (want_attention && out.attention.defined()) top.attention = out.attention.to(torch::kCPU).to(torch::kFloat);
  return top;
}

// The hypotheses a sentence keeps alive, with the row each came from and its new token.
struct Kept {
  std::vector<Alive> alive;
  std::vector<std::pair<int64_t, int64_t>> origin;  // (row, token)
  std::vector<double> scores;
};

Hypothesis finished_hypothesis(Alive&& child, bool eos, int64_t generated, double length_penalty) {
  Hypothesis hyp;
  hyp.tokens = std::move(child.tokens);
  hyp.log_prob = child.log_prob;
  hyp.score = length_normalised(child.log_prob, generated, length_penalty);
  hyp.finished = eos;
  hyp.attention = std::move(child.attention);
  return hyp;
}

// Active sentence a's candidates, best first, until K stay alive (or the rest are -inf): one that
// ends (<eos>, or the length limit reached) goes to the sentence's finished list, the others are kept.
Kept best_continuations(Beams& beams, int64_t a, at::TensorAccessor<double, 1> score_at,
                        at::TensorAccessor<int64_t, 1> index_at, const TopCandidates& top, const BeamLimits& limits) {
  const int64_t sentence = beams.active[a];
  const int64_t src_length = limits.src_len[sentence].item<int64_t>();
  Kept kept;
  for (int64_t j = 0; j < top.count && static_cast<int64_t>(kept.alive.size()) < beams.beam; ++j) {
    const double score = score_at[j];
    if (!std::isfinite(score)) break;
    const int64_t origin = index_at[j] / top.vocab, token = index_at[j] % top.vocab;
    const int64_t row = a * beams.beam + origin;
    const Alive& parent = beams.alive[sentence][origin];
    Alive child{parent.tokens, score, {}};
    if (top.attention.defined()) {
      child.attention = parent.attention;
      child.attention.push_back(attention_row(top.attention, row, src_length));
    }
    const bool eos = token == Vocab::kEos;
    if (!eos) child.tokens.push_back(token);
    const int64_t generated = static_cast<int64_t>(child.tokens.size()) + (eos ? 1 : 0);
    if (eos || generated >= limits.max_len[sentence]) {
      beams.finished[sentence].push_back(finished_hypothesis(std::move(child), eos, generated, limits.length_penalty));
      continue;
    }
    kept.alive.push_back(std::move(child));
    kept.origin.emplace_back(row, token);
    kept.scores.push_back(score);
  }
  return kept;
}

// Tiny vocabularies can leave fewer than K alive: pad with dead copies of the first.
void pad_with_dead_rows(Kept& kept, int64_t beam) {
  while (static_cast<int64_t>(kept.alive.size()) < beam) {
    kept.alive.push_back(kept.alive.front());
    kept.origin.push_back(kept.origin.front());
    kept.scores.push_back(-std::numeric_limits<double>::infinity());
  }
}

// What the next step runs on: each row's parent row and new token, and the row's score.
struct NextRows {
  std::vector<int64_t> rows, tokens;  // (A'*K)
  std::vector<double> scores;         // (A'*K)
};

// Moves every active sentence on by one token. A sentence is done once it has K finished
// hypotheses or nothing left alive; it then leaves `active` and has no rows in the next step.
NextRows advance(Beams& beams, const TopCandidates& top, const BeamLimits& limits) {
  auto score_at = top.scores.accessor<double, 2>();
  auto index_at = top.index.accessor<int64_t, 2>();
  NextRows next;
  std::vector<int64_t> still_active;
  for (int64_t a = 0; a < static_cast<int64_t>(beams.active.size()); ++a) {
    const int64_t sentence = beams.active[a];
    Kept kept = best_continuations(beams, a, score_at[a], index_at[a], top, limits);
    if (static_cast<int64_t>(beams.finished[sentence].size()) >= beams.beam || kept.alive.empty()) continue;
    pad_with_dead_rows(kept, beams.beam);
    for (int64_t k = 0; k < beams.beam; ++k) {
      next.rows.push_back(kept.origin[k].first);
      next.tokens.push_back(kept.origin[k].second);
      next.scores.push_back(kept.scores[k]);
    }
    beams.alive[sentence] = std::move(kept.alive);
    still_active.push_back(sentence);
  }
  beams.active = std::move(still_active);
  return next;
}

// Each sentence's finished hypotheses, best first (ties keep their order), min(nbest, beam) of them.
std::vector<std::vector<Hypothesis>> best_finished(std::vector<std::vector<Hypothesis>> finished,
                                                   const SearchOptions& options) {
  std::vector<std::vector<Hypothesis>> results(finished.size());
  const size_t keep = static_cast<size_t>(std::max(1, std::min(options.nbest, options.beam)));
  for (size_t i = 0; i < finished.size(); ++i) {
    auto& list = finished[i];
    std::stable_sort(list.begin(), list.end(),
                     [](const Hypothesis& x, const Hypothesis& y) { return x.score > y.score; });
    if (list.size() > keep) list.resize(keep);
    results[i] = std::move(list);
  }
  return results;
}

}  // namespace

std::vector<std::vector<Hypothesis>> greedy_search(Seq2SeqModel& model, const torch::Tensor& src,
                                                   const torch::Tensor& src_len, const SearchOptions& options) {
  const int64_t batch = src.size(0);
  const auto limits = limits_for(src_len, options);
  const auto lengths = src_len.to(torch::kCPU);
  const bool want_attention = options.attention && model.has_attention();
  AutocastGuard autocast(options.precision);  // every forward pass of the search

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
  const BeamLimits limits{limits_for(src_len, options), src_len.to(torch::kCPU), options.length_penalty};
  const bool want_attention = options.attention && model.has_attention();
  const auto device = src.device();
  Beams beams = initial_beams(batch, beam);
  AutocastGuard autocast(options.precision);  // every forward pass of the search

  DecoderState state = model.start(src, src_len);
  // Every sentence starts with `beam` copies of its row; only the first copy is live at t = 0.
  auto expand = torch::arange(batch, torch::kLong).repeat_interleave(beam).to(device);  // (B*K)
  state.select(expand);
  auto prev = torch::full({batch * beam}, Vocab::kBos, torch::dtype(torch::kLong).device(device));
  while (!beams.active.empty()) {
    auto out = model.step(state, prev);  // log_probs (A*K, V)
    const TopCandidates top = top_candidates(out, beams, device, want_attention);
    NextRows next = advance(beams, top, limits);
    if (beams.active.empty()) break;
    state.select(torch::tensor(next.rows, torch::kLong).to(device));
    prev = torch::tensor(next.tokens, torch::kLong).to(device);
    beams.scores = std::move(next.scores);
  }
  return best_finished(std::move(beams.finished), options);
}

std::vector<std::vector<Hypothesis>> search(Seq2SeqModel& model, const torch::Tensor& src, const torch::Tensor& src_len,
                                            const SearchOptions& options) {
  return options.beam <= 1 ? greedy_search(model, src, src_len, options) : beam_search(model, src, src_len, options);
}

}  // namespace seq2seq::decode
