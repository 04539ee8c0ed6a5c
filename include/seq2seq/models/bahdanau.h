// RNNsearch (Bahdanau et al. 2014): a bidirectional GRU encoder and a GRU decoder that attends
// over all encoder states at every step with additive attention.
#pragma once
#include "seq2seq/config.h"
#include "seq2seq/models/attention.h"
#include "seq2seq/models/dropout.h"
#include "seq2seq/models/seq2seq_model.h"

#include <torch/torch.h>

#include <string>

namespace seq2seq::models {

// Embedding -> dropout -> bidirectional GRU over the real tokens; the bridge turns the final
// forward and backward states into the decoder's initial state.
struct BahdanauEncoderImpl : torch::nn::Module {
  BahdanauEncoderImpl(const ModelConfig& config, int64_t vocab_size);

  struct Output {
    torch::Tensor states;   // (B, S, 2H): [forward_j; backward_j], zero at padding
    torch::Tensor initial;  // (B, H) = tanh(fc([h_fwd_final; h_bwd_final]))
  };
  // src (B, S), src_len (B) int64 on the CPU.
  Output forward(const torch::Tensor& src, const torch::Tensor& src_len);

  torch::nn::Embedding embedding{nullptr};
  Dropout dropout{nullptr};
  torch::nn::GRU rnn{nullptr};
  torch::nn::Linear fc{nullptr};  // the bridge, 2H -> H
};
TORCH_MODULE(BahdanauEncoder);

// The decoder's parameters; BahdanauModel unrolls the recurrence.
struct BahdanauDecoderImpl : torch::nn::Module {
  BahdanauDecoderImpl(const ModelConfig& config, int64_t vocab_size);

  AdditiveAttention attention{nullptr};  // query s (H), keys h_j (2H), attention size H
  torch::nn::Embedding embedding{nullptr};
  Dropout dropout{nullptr};
  torch::nn::GRU rnn{nullptr};        // input [e; c] (E + 2H), hidden H
  torch::nn::Linear fc_out{nullptr};  // [s; c; e] (H + 2H + E) -> V
};
TORCH_MODULE(BahdanauDecoder);

class BahdanauModel : public Seq2SeqModel {
 public:
  BahdanauModel(const ModelConfig& config, int64_t src_vocab_size, int64_t tgt_vocab_size);

  // Logits (B, T, V). Positions where tgt_in is <pad> (their target is <pad>: losses ignore them)
  // are zero rather than computed when they exceed 10% of the batch (detail::output_layer).
  // teacher_forcing < 1: one Bernoulli draw per step (global generator) picks the reference token
  // or the previous step's argmax.
  torch::Tensor forward(const data::Batch& batch, double teacher_forcing = 1.0,
                        Positions positions = Positions::kAll) override;
  // State: "hidden" (B, H), "states" (B, S, 2H), "keys" (B, S, H), "src_mask" (B, S) bool.
  DecoderState start(const torch::Tensor& src, const torch::Tensor& src_len) override;
  // StepOutput.attention: the additive attention weights (B, S) used for this step.
  StepOutput step(DecoderState& state, const torch::Tensor& prev_tokens) override;
  std::string type() const override { return "bahdanau"; }
  bool has_attention() const override { return true; }

  BahdanauEncoder encoder{nullptr};
  BahdanauDecoder decoder{nullptr};

 private:
  int64_t emb_;
};

}  // namespace seq2seq::models
