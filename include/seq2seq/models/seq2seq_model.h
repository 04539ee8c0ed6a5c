// The one interface every translation model implements; training and search use only this.
#pragma once
#include "seq2seq/config/config.h"
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

// Flat indices (N) of the positions where tgt_in (B, T) is not <pad>, row-major.
torch::Tensor real_positions(const torch::Tensor& tgt_in);
// The targets of those N positions: batch.tgt_out where batch.tgt_in is not <pad>, (N).
torch::Tensor real_targets(const data::Batch& batch);
// The rows of x (B, T, ...) at those N positions: (N, ...), row-major (a view of x when there
// is no padding).
torch::Tensor real_rows(const torch::Tensor& x, const torch::Tensor& tgt_in);

// What a model's output layer reads in teacher forcing: decoder_features() gives it at every
// target position, and real_target_logits() passes on only the real ones.
struct DecoderFeatures {
  torch::Tensor per_position;  // (B, T, D), or (N, D) at the N real positions
  // An input the same at every position of a sentence, kept once per sentence so that the
  // output layer multiplies it once, not once per position (the RNN's encoder context): (B, K),
  // or undefined.
  torch::Tensor per_sentence;
  torch::Tensor sentence;  // with (N, D): the batch row of each of the N positions (N); else undefined
};

// The source as a reversed-source encoder reads it (Sutskever et al. 2014): x (B, S, ...) holds
// rows <bos> w_1 ... w_n <eos> <pad>... with src_len (B) = n + 2 real positions; the result has
// <bos> w_n ... w_1 <eos>, with <bos>, <eos> and padding where they were. Its own inverse. The
// RNN encoders apply it twice, to the ids they read and to the states they return, so that the
// reversal lives in the encoder alone: every caller (training, search, eval, translate) gets it,
// and encoder states, and any attention over them, stay indexed by the original positions.
torch::Tensor reverse_source_words(const torch::Tensor& x, const torch::Tensor& src_len);

class Seq2SeqModel : public torch::nn::Module {
 public:
  // Teacher-forced training pass: logits (B, T, V_tgt) for every position of batch.tgt_in.
  // (Scheduled sampling, which feeds back the model's own predictions, runs over start() and
  // step(): train/scheduled_sampling.h.)
  torch::Tensor forward(const data::Batch& batch);
  // The same logits at only the N positions where batch.tgt_in is not <pad>: (N, V_tgt), in the
  // order of real_targets(batch). What the loss reads: the pad rows never reach the output layer
  // (the widest matrix product of training), and no (B, T, V_tgt) tensor is made.
  torch::Tensor real_target_logits(const data::Batch& batch);
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

 protected:
  // Teacher forcing up to the output layer, at every position of batch.tgt_in.
  virtual DecoderFeatures decoder_features(const data::Batch& batch) = 0;
  // The output layer: features at (B, T) positions -> (B, T, V_tgt), or at N -> (N, V_tgt).
  virtual torch::Tensor output_logits(const DecoderFeatures& features) = 0;
};

}  // namespace seq2seq::models
