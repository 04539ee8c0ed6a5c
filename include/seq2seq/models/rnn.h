// The RNN encoder-decoder without attention (Cho et al. 2014): the source reaches the decoder
// only through the encoder's final state, used as the initial state and as a fixed context.
#pragma once
#include "seq2seq/config.h"
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

// Embedding -> dropout -> stacked cells over [e; c] -> output layer over [e; h; c], where c is the
// encoder's context, the same at every step.
struct RnnDecoderImpl : torch::nn::Module {
  RnnDecoderImpl(const ModelConfig& config, int64_t vocab_size, int64_t context_dim);

  // The context and its share of every step: of layer 0's input gates and of the logits.
  struct Context {
    torch::Tensor context;  // (B, C)
    torch::Tensor gates;    // (B, G·H) = W_ih,c c + b_ih   (layer 0)
    torch::Tensor logits;   // (B, V)   = W_out,c c + b_out
  };
  Context project(const torch::Tensor& context);
  // One step: prev_tokens (B) -> logits (B, V); `state` moves on by one step.
  torch::Tensor step(const torch::Tensor& prev_tokens, StackedCellsImpl::State& state, const Context& context);
  // Teacher forcing over tgt_in (B, T) from the encoder's state: logits at `positions`,
  // (B, T, V) or (N, V). The same numbers as step() over t = 0..T-1, computed faster: the input
  // projections of all steps as one GEMM, and the output layer once over the stacked steps.
  torch::Tensor forward(const torch::Tensor& tgt_in, StackedCellsImpl::State state, const torch::Tensor& context,
                        Positions positions);

  int64_t emb_dim, hidden_dim, context_dim;
  torch::nn::Embedding embedding{nullptr};
  Dropout dropout{nullptr};
  StackedCells rnn{nullptr};  // input [e; c] (E + C), hidden H, `layers` layers
  Linear fc_out{nullptr};     // [e; h; c] (E + H + C) -> V
};
TORCH_MODULE(RnnDecoder);

class RnnModel : public Seq2SeqModel {
 public:
  RnnModel(const ModelConfig& config, int64_t src_vocab_size, int64_t tgt_vocab_size);

  torch::Tensor forward(const data::Batch& batch, Positions positions = Positions::kAll) override;
  // State: "hidden" (B, L, H), "cell" (B, L, H) for LSTM, "context" (B, C), and the context's
  // share of every step, "context_gates" (B, G·H) and "context_logits" (B, V).
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

 private:
  StackedCellsImpl::State initial_state(const RnnEncoderImpl::Output& encoded);
  torch::Tensor context_of(const RnnEncoderImpl::Output& encoded);  // (B, C)

  int64_t layers_;
  bool is_lstm_;
};

}  // namespace seq2seq::models
