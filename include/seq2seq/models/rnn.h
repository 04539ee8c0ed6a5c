// The RNN encoder-decoder without attention (Cho et al. 2014): the source reaches the decoder
// only through the encoder's final state, used as the initial state and as a fixed context.
#pragma once
#include "seq2seq/config.h"
#include "seq2seq/models/dropout.h"
#include "seq2seq/models/seq2seq_model.h"

#include <torch/torch.h>

#include <string>

namespace seq2seq::models {

// Embedding -> dropout -> GRU or LSTM (layers, optionally bidirectional) over the real tokens.
struct RnnEncoderImpl : torch::nn::Module {
  RnnEncoderImpl(const ModelConfig& config, int64_t vocab_size);

  struct Output {
    torch::Tensor states;  // (B, S, dirs·H), zero at padded positions
    torch::Tensor h_n;     // (layers·dirs, B, H): state after each sentence's last real token
    torch::Tensor c_n;     // LSTM cell state, same shape; undefined for GRU
  };
  // src (B, S), src_len (B) int64 on the CPU. Padding never influences any output.
  Output forward(const torch::Tensor& src, const torch::Tensor& src_len);

  bool is_lstm;
  torch::nn::Embedding embedding{nullptr};
  Dropout dropout{nullptr};
  torch::nn::GRU gru{nullptr};    // registered as "rnn" when cell = gru
  torch::nn::LSTM lstm{nullptr};  // registered as "rnn" when cell = lstm
};
TORCH_MODULE(RnnEncoder);

// The decoder's parameters; the recurrence itself lives in RnnModel (it is unrolled by hand so
// that input projections and the output layer run once over all target steps).
struct RnnDecoderImpl : torch::nn::Module {
  RnnDecoderImpl(const ModelConfig& config, int64_t vocab_size, int64_t context_dim);

  torch::nn::Embedding embedding{nullptr};
  Dropout dropout{nullptr};
  torch::nn::GRU gru{nullptr};        // "rnn": input [e; c] (E + C), hidden H, `layers` layers
  torch::nn::LSTM lstm{nullptr};      // "rnn" when cell = lstm
  torch::nn::Linear fc_out{nullptr};  // [e; h; c] -> V
};
TORCH_MODULE(RnnDecoder);

class RnnModel : public Seq2SeqModel {
 public:
  RnnModel(const ModelConfig& config, int64_t src_vocab_size, int64_t tgt_vocab_size);

  // Logits (B, T, V). Positions where tgt_in is <pad> (their target is <pad>: losses ignore them)
  // are zero rather than computed when they exceed 10% of the batch (detail::output_layer).
  // teacher_forcing < 1: one Bernoulli draw per step (global generator) picks the reference token
  // or the previous step's argmax.
  torch::Tensor forward(const data::Batch& batch, double teacher_forcing = 1.0,
                        Positions positions = Positions::kAll) override;
  // State: "hidden" (B, L, H), "cell" (B, L, H) for LSTM, "context" (B, C).
  DecoderState start(const torch::Tensor& src, const torch::Tensor& src_len) override;
  StepOutput step(DecoderState& state, const torch::Tensor& prev_tokens) override;
  std::string type() const override { return "rnn"; }
  bool has_attention() const override { return false; }

  RnnEncoder encoder{nullptr};
  RnnDecoder decoder{nullptr};
  // Bidirectional encoders only: [h_fwd; h_bwd] -> initial decoder state (tanh), per layer.
  torch::nn::Linear bridge{nullptr};
  torch::nn::Linear bridge_cell{nullptr};  // LSTM: the same for the cell state (no tanh)

 private:
  struct Recurrent {
    std::vector<torch::Tensor> h, c;  // per layer (B, H)
  };
  Recurrent initial_state(const RnnEncoderImpl::Output& encoded);
  torch::Tensor context_of(const RnnEncoderImpl::Output& encoded);  // (B, C)
  // The decoder's parameters, split where part of an input is the same at every step:
  // layer 0 sees [e; c] and the output layer [e; h; c], so W = [W_e | W_c] and [W_eh | W_c]
  // (split_with_sizes views: one gradient concatenation in backward, no zero-filled copies).
  struct Weights {
    std::vector<torch::Tensor> cells;    // torch::nn::GRU/LSTM all_weights(): per layer w_ih, w_hh, b_ih, b_hh
    torch::Tensor in_e, in_c;            // layer 0's W_ih: (G·H, E), (G·H, C)
    torch::Tensor out_eh, out_c, out_b;  // output layer: (V, E + H), (V, C), (V)
  };
  Weights decoder_weights();
  // One step of the stacked cells; gates0: layer 0's input projection (B, G·H), biases included.
  void advance(Recurrent& state, const torch::Tensor& gates0, const Weights& w);
  // One step's logits W_eh [e; h] + (W_c c + b): features (B, E + H), fixed_logits = W_c c + b (B, V).
  torch::Tensor output_logits(const torch::Tensor& features, const torch::Tensor& fixed_logits, const Weights& w);

  int64_t layers_, hidden_, emb_, context_dim_;
  bool is_lstm_;
};

}  // namespace seq2seq::models
