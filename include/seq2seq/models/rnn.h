// The RNN encoder-decoder without attention (Cho et al. 2014): the source reaches the decoder
// only through the encoder's final state, used as the initial state and as a fixed context.
#pragma once
#include "seq2seq/config/config.h"
#include "seq2seq/models/dropout.h"
#include "seq2seq/models/layers.h"
#include "seq2seq/models/seq2seq_model.h"

#include <torch/torch.h>

#include <string>

namespace seq2seq::models {

// Embedding -> dropout -> GRU or LSTM (layers, optionally bidirectional) over the real tokens,
// optionally reading the words in reverse (model.reverse_source).
struct RnnEncoderImpl : torch::nn::Module {
  RnnEncoderImpl(const ModelConfig& config, int64_t vocab_size);

  struct Output {
    torch::Tensor states;  // (B, S, dirs·H) in source order (also with reverse_source), zero at padding
    // (layers·dirs, B, H), rows [layer 0 fwd, layer 0 bwd, layer 1 fwd, ...]: each direction's
    // state after the last real token it read
    torch::Tensor h_n;
    torch::Tensor c_n;  // LSTM cell state, same shape; undefined for GRU
  };
  // src (B, S), src_len (B) int64 on the CPU. Padding never influences any output.
  Output forward(const torch::Tensor& src, const torch::Tensor& src_len);

  bool is_lstm;
  bool reverse_source;  // read <bos> w_n ... w_1 <eos> (reverse_source_words); not a parameter
  torch::nn::Embedding embedding{nullptr};
  Dropout dropout{nullptr};
  torch::nn::GRU gru{nullptr};    // registered as "rnn" when cell = gru
  torch::nn::LSTM lstm{nullptr};  // registered as "rnn" when cell = lstm
};
TORCH_MODULE(RnnEncoder);

// The decoder of Cho et al. (2014). One step, from y_{t-1} and h_{t-1}, with c the encoder's
// context, the same at every step:
//   e_t      = dropout(embedding(y_{t-1}))         (B, E)
//   h_t      = cells([e_t; c], h_{t-1})            (B, H) top layer: StackedCells, GRU or LSTM
//   logits_t = W_out [e_t; h_t; c] + b_out         (B, V)
// Split by the blocks of their inputs, W_ih = [W_ih,e | W_ih,c] (layer 0's input weight) and
// W_out = [W_out,eh | W_out,c]: c's share of both layers, W_ih,c c + b_ih and W_out,c c + b_out,
// is the same at every step, so it is computed once per sentence (Context for step();
// forward() and logits() in teacher forcing), and a step multiplies only what changes.
struct RnnDecoderImpl : torch::nn::Module {
  RnnDecoderImpl(const ModelConfig& config, int64_t vocab_size, int64_t context_dim);

  struct Context {
    torch::Tensor c;             // (B, C)
    torch::Tensor input_share;   // (B, G·H) = W_ih,c c + b_ih
    torch::Tensor output_share;  // (B, V)   = W_out,c c + b_out
  };
  Context project(const torch::Tensor& c);
  // One step: prev_tokens y_{t-1} (B) -> logits_t (B, V); `state` moves from h_{t-1} to h_t.
  torch::Tensor step(const torch::Tensor& prev_tokens, StackedCellsImpl::State& state, const Context& context);
  // Teacher forcing over tgt_in (B, T) from the encoder's state and context c (B, C): step() at
  // every t, up to the output layer. per_position [e_t; h_t] (B, T, E + H), per_sentence c.
  DecoderFeatures forward(const torch::Tensor& tgt_in, StackedCellsImpl::State state, const torch::Tensor& c);
  // The output layer over forward()'s features, at (B, T) or N positions: (B, T, V) or (N, V).
  torch::Tensor logits(const DecoderFeatures& features);

  // forward() computes the input projections of all steps before its loop (the default), or
  // inside it, each step as the equations read; the same numbers.
  bool hoist_input_projections = true;
  int64_t emb_dim, hidden_dim, context_dim;
  torch::nn::Embedding embedding{nullptr};
  Dropout dropout{nullptr};
  StackedCells rnn{nullptr};  // input [e; c] (E + C), hidden H, `layers` layers
  Linear fc_out{nullptr};     // [e; h; c] (E + H + C) -> V

 private:
  // The blocks named above: views of the registered rnn.weight_ih_l0 and fc_out.weight.
  struct Weights {
    torch::Tensor ih_e, ih_c;     // (G·H, E), (G·H, C)
    torch::Tensor out_eh, out_c;  // (V, E + H), (V, C)
  };
  Weights weights() const;
};
TORCH_MODULE(RnnDecoder);

class RnnModel : public Seq2SeqModel {
 public:
  RnnModel(const ModelConfig& config, int64_t src_vocab_size, int64_t tgt_vocab_size);

  // State: "hidden" (B, L, H), "cell" (B, L, H) for LSTM, "context" (B, C), and the context's
  // share of every step, "input_share" (B, G·H) and "output_share" (B, V).
  DecoderState start(const torch::Tensor& src, const torch::Tensor& src_len) override;
  StepOutput step(DecoderState& state, const torch::Tensor& prev_tokens) override;
  ModelType type() const override { return ModelType::rnn; }
  bool has_attention() const override { return false; }

  RnnEncoder encoder{nullptr};
  RnnDecoder decoder{nullptr};
  // Bidirectional encoders only: decoder layer l starts from tanh(bridge([h_fwd_l; h_bwd_l])) of
  // encoder layer l's two final states (one bridge for all layers).
  torch::nn::Linear bridge{nullptr};
  torch::nn::Linear bridge_cell{nullptr};  // LSTM: the same for the cell state (no tanh)

 protected:
  DecoderFeatures decoder_features(const data::Batch& batch) override;
  torch::Tensor output_logits(const DecoderFeatures& features) override;

 private:
  StackedCellsImpl::State initial_state(const RnnEncoderImpl::Output& encoded);
  torch::Tensor context_of(const RnnEncoderImpl::Output& encoded);  // (B, C)

  int64_t layers_;
  bool is_lstm_;
};

}  // namespace seq2seq::models
