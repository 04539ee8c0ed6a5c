// RNNsearch (Bahdanau et al. 2014): a bidirectional GRU encoder and a GRU decoder that attends
// over all encoder states at every step with additive attention.
#pragma once
#include "seq2seq/config/config.h"
#include "seq2seq/models/attention.h"
#include "seq2seq/models/dropout.h"
#include "seq2seq/models/layers.h"
#include "seq2seq/models/seq2seq_model.h"

#include <torch/torch.h>

#include <string>

namespace seq2seq::models {

// Embedding -> dropout -> bidirectional GRU over the real tokens (read in reverse with
// model.reverse_source); the bridge turns the final forward and backward states into the
// decoder's initial state.
struct BahdanauEncoderImpl : torch::nn::Module {
  BahdanauEncoderImpl(const ModelConfig& config, int64_t vocab_size);

  struct Output {
    torch::Tensor states;   // (B, S, 2H): [forward_j; backward_j] of source position j, zero at padding
    torch::Tensor initial;  // (B, H) = tanh(fc([h_fwd_final; h_bwd_final]))
  };
  // src (B, S), src_len (B) int64 on the CPU.
  Output forward(const torch::Tensor& src, const torch::Tensor& src_len);

  bool reverse_source;  // read <bos> w_n ... w_1 <eos> (reverse_source_words); not a parameter
  torch::nn::Embedding embedding{nullptr};
  Dropout dropout{nullptr};
  torch::nn::GRU rnn{nullptr};
  torch::nn::Linear fc{nullptr};  // the bridge, 2H -> H
};
TORCH_MODULE(BahdanauEncoder);

// The decoder of RNNsearch (Bahdanau et al. 2014, appendix A.2.2, with PyTorch's GRU). One step,
// from y_{t-1} and s_{t-1}, over the encoder states h_1..h_S:
//   e_t      = dropout(embedding(y_{t-1}))        (B, E)
//   c_t      = attention(s_{t-1}, h_1..h_S)       (B, 2H)
//   s_t      = GRU([e_t; c_t], s_{t-1})           (B, H)
//   logits_t = W_out [s_t; c_t; e_t] + b_out      (B, V)
struct BahdanauDecoderImpl : torch::nn::Module {
  BahdanauDecoderImpl(const ModelConfig& config, int64_t vocab_size);

  // What every step attends over, computed once per sentence.
  struct Memory {
    torch::Tensor states;    // (B, S, 2H) the encoder states h_j (the attention's values)
    torch::Tensor keys;      // (B, S, H)  W_h h_j + b (AdditiveAttention::keys)
    torch::Tensor src_mask;  // (B, S) bool, true at real tokens
  };
  Memory memory(const torch::Tensor& encoder_states, const torch::Tensor& src);
  // One step: prev_tokens y_{t-1} (B) and s_{t-1} (B, H) -> logits_t (B, V) and the attention
  // weights (B, S); hidden becomes s_t.
  std::pair<torch::Tensor, torch::Tensor> step(const torch::Tensor& prev_tokens, torch::Tensor& hidden,
                                               const Memory& memory);
  // Teacher forcing over tgt_in (B, T) from s_0 = hidden (B, H): step() at every t, up to the
  // output layer. per_position [s_t; c_t; e_t] (B, T, H + 2H + E).
  DecoderFeatures forward(const torch::Tensor& tgt_in, torch::Tensor hidden, const Memory& memory);

  // forward() computes the embeddings' input projections of all steps before its loop (the
  // default), or inside it, each step as the equations read; the same numbers.
  bool hoist_input_projections = true;
  int64_t emb_dim, context_dim;
  AdditiveAttention attention{nullptr};  // query s (H), keys h_j (2H), attention size H
  torch::nn::Embedding embedding{nullptr};
  Dropout dropout{nullptr};
  StackedCells rnn{nullptr};  // one GRU cell: input [e; c] (E + 2H), hidden H
  Linear fc_out{nullptr};     // [s; c; e] (H + 2H + E) -> V
};
TORCH_MODULE(BahdanauDecoder);

class BahdanauModel : public Seq2SeqModel {
 public:
  BahdanauModel(const ModelConfig& config, int64_t src_vocab_size, int64_t tgt_vocab_size);

  // State: "hidden" (B, H), "states" (B, S, 2H), "keys" (B, S, H), "src_mask" (B, S) bool.
  DecoderState start(const torch::Tensor& src, const torch::Tensor& src_len) override;
  // StepOutput.attention: the additive attention weights (B, S) used for this step.
  StepOutput step(DecoderState& state, const torch::Tensor& prev_tokens) override;
  ModelType type() const override { return ModelType::bahdanau; }
  bool has_attention() const override { return true; }

  BahdanauEncoder encoder{nullptr};
  BahdanauDecoder decoder{nullptr};

 protected:
  DecoderFeatures decoder_features(const data::Batch& batch) override;
  torch::Tensor output_logits(const DecoderFeatures& features) override;
};

}  // namespace seq2seq::models
