// The one interface every translation model implements; training and search use only this.
#pragma once
#include "seq2seq/config.h"
#include "seq2seq/data/batch.h"

#include <torch/torch.h>

#include <map>
#include <string>

namespace seq2seq::models {

// Everything a model needs between decoding steps. Every tensor has the batch (or beam)
// on dim 0, so search can reorder hypotheses with one index_select per tensor.
struct DecoderState {
  std::map<std::string, torch::Tensor> tensors;
  int64_t step = 0;  // target positions consumed so far

  torch::Tensor& operator[](const std::string& name) { return tensors[name]; }
  const torch::Tensor& at(const std::string& name) const { return tensors.at(name); }
  // Keeps rows `indices` (int64, on any device) of every tensor, in that order.
  void select(const torch::Tensor& indices) {
    for (auto& [name, t] : tensors)
      if (t.defined()) t = t.index_select(0, indices.to(t.device()));
  }
};

struct StepOutput {
  torch::Tensor log_probs;  // (B, V_tgt)
  torch::Tensor attention;  // (B, S) over source positions, or undefined (plain RNN)
};

// Which target positions forward() computes logits for.
enum class Positions {
  kAll,          // (B, T, V_tgt): every position of batch.tgt_in
  kRealTargets,  // (N, V_tgt): only the N positions where batch.tgt_in is not <pad>, in row-major
                 // order (see real_targets()); what the loss needs, without the pad rows' share of
                 // the output layer and without any (B, T, V_tgt) tensor
};

// Flat indices (N) of the positions where tgt_in (B, T) is not <pad>, row-major.
torch::Tensor real_positions(const torch::Tensor& tgt_in);
// The targets of those N positions: batch.tgt_out where batch.tgt_in is not <pad>, (N).
torch::Tensor real_targets(const data::Batch& batch);
// The rows of x (B, T, ...) that `positions` names: x itself for kAll; for kRealTargets (N, ...),
// the rows at real_positions(tgt_in) (a view of x when there is no padding). Models apply it
// before their output layer, so that pad rows never reach it.
torch::Tensor at_positions(const torch::Tensor& x, const torch::Tensor& tgt_in, Positions positions);

// The source as a reversed-source encoder reads it (Sutskever et al. 2014): x (B, S, ...) holds
// rows <bos> w_1 ... w_n <eos> <pad>... with src_len (B) = n + 2 real positions; the result has
// <bos> w_n ... w_1 <eos>, with <bos>, <eos> and padding where they were. Its own inverse. The
// RNN encoders apply it twice, to the ids they read and to the states they return, so that the
// reversal lives in the encoder alone: every caller (training, search, eval, translate) gets it,
// and encoder states, and any attention over them, stay indexed by the original positions.
torch::Tensor reverse_source_words(const torch::Tensor& x, const torch::Tensor& src_len);

class Seq2SeqModel : public torch::nn::Module {
 public:
  // Teacher-forced training pass: logits for batch.tgt_in, at the positions `positions` names.
  // (Scheduled sampling, which feeds back the model's own predictions, runs over start() and
  // step(): train/scheduled_sampling.h.)
  virtual torch::Tensor forward(const data::Batch& batch, Positions positions = Positions::kAll) = 0;
  // Inference: encode once ...
  virtual DecoderState start(const torch::Tensor& src, const torch::Tensor& src_len) = 0;
  // ... then one target step at a time. prev_tokens: (B) ids of the previous target token.
  virtual StepOutput step(DecoderState& state, const torch::Tensor& prev_tokens) = 0;

  virtual ModelType type() const = 0;  // to_string(type()): "rnn", "bahdanau", "transformer"
  virtual bool has_attention() const = 0;
  // The longest source, in ids with <bos> and <eos>, the model can encode; 0 = no limit.
  virtual int64_t max_source_ids() const { return 0; }
  int64_t parameter_count() const {
    int64_t n = 0;
    for (const auto& p : parameters()) n += p.numel();
    return n;
  }
};

}  // namespace seq2seq::models
