// The one interface every translation model implements; training and search use only this.
#pragma once
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

class Seq2SeqModel : public torch::nn::Module {
 public:
  // Teacher-forced training pass: logits (B, T, V_tgt) for batch.tgt_in.
  // teacher_forcing < 1 (RNN models) feeds back the model's own argmax at random steps.
  virtual torch::Tensor forward(const data::Batch& batch, double teacher_forcing = 1.0) = 0;
  // Inference: encode once ...
  virtual DecoderState start(const torch::Tensor& src, const torch::Tensor& src_len) = 0;
  // ... then one target step at a time. prev_tokens: (B) ids of the previous target token.
  virtual StepOutput step(DecoderState& state, const torch::Tensor& prev_tokens) = 0;

  virtual std::string type() const = 0;
  virtual bool has_attention() const = 0;
  int64_t parameter_count() const {
    int64_t n = 0;
    for (const auto& p : parameters()) n += p.numel();
    return n;
  }
};

}  // namespace seq2seq::models
