// The layers the RNN models are built from: a linear layer with a matrix-vector path for single
// rows, and stacked GRU/LSTM cells stepped one time step at a time.
#pragma once
#include "seq2seq/config/config.h"
#include "seq2seq/models/dropout.h"

#include <torch/torch.h>

#include <vector>

namespace seq2seq::models {

// x·Wᵀ + b for x (..., K), W (N, K), b (N) or undefined: torch::nn::functional::linear, except
// that a single row goes through a matrix-vector product (OpenBLAS' GEMM path for M = 1 is
// several times slower than GEMV on the same weights; decoding runs one row per step).
torch::Tensor linear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias = {});

// torch::nn::Linear with linear()'s single-row path: same parameter names ("weight" (N, K),
// "bias" (N)) and the same initialisation, so checkpoints and seeded runs are unchanged.
struct LinearImpl : torch::nn::Module {
  LinearImpl(int64_t in_features, int64_t out_features)
      : LinearImpl(torch::nn::LinearOptions(in_features, out_features)) {}
  explicit LinearImpl(const torch::nn::LinearOptions& options);
  void reset_parameters();
  torch::Tensor forward(const torch::Tensor& x) { return linear(x, weight, bias); }

  torch::nn::LinearOptions options;
  torch::Tensor weight, bias;
};
TORCH_MODULE(Linear);

struct StackedCellsOptions {
  Cell cell = Cell::gru;
  int64_t input_size = 0;
  int64_t hidden_size = 0;
  int64_t layers = 1;
  double dropout = 0.0;  // on each layer's output before it enters the next (as torch's RNNs)
};

// `layers` GRU or LSTM cells on top of each other, advanced one time step per step() call: the
// recurrence of torch::nn::GRU/LSTM (unidirectional), unrolled so that the decoders can feed
// each step's input from the step before. Parameters have torch::nn::GRU/LSTM's names, shapes
// and initialisation (weight_ih_l{k} (G·H, in), weight_hh_l{k} (G·H, H), bias_ih_l{k},
// bias_hh_l{k}; G = 3 gates for GRU, 4 for LSTM), so a checkpoint of either loads into the other.
struct StackedCellsImpl : torch::nn::Module {
  explicit StackedCellsImpl(const StackedCellsOptions& options);
  void reset_parameters();

  struct State {
    std::vector<torch::Tensor> h, c;  // per layer (B, H); c only for LSTM
  };
  // One time step: x (B, input_size); state.h and state.c are replaced by the next ones.
  void step(State& state, const torch::Tensor& x);
  // The same step with layer 0's input projection W_ih x + b_ih (B, G·H) given: the decoders
  // compute it for all time steps at once (it does not depend on the state), and a step then
  // runs only the recurrence.
  void step_projected(State& state, const torch::Tensor& input_projection);
  // Layer 0's W_ih (G·H, input_size) and b_ih (G·H): the weights x meets.
  const torch::Tensor& input_weight() const { return weight_ih[0]; }
  const torch::Tensor& input_bias() const { return bias_ih[0]; }

  StackedCellsOptions options;
  std::vector<torch::Tensor> weight_ih, weight_hh, bias_ih, bias_hh;  // per layer, registered as above
  Dropout dropout{nullptr};

 private:
  // GRU:  r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz),
  //       n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),  h' = (1 − z) ⊙ n + z ⊙ h
  torch::Tensor gru_cell(const torch::Tensor& input_gates, const torch::Tensor& h, int64_t layer);
  // LSTM: [i; f; g; o] = W_i x + b_i + W_h h + b_h,  c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g),  h' = σ(o) ⊙ tanh(c')
  std::pair<torch::Tensor, torch::Tensor> lstm_cell(const torch::Tensor& input_gates, const torch::Tensor& h,
                                                    const torch::Tensor& c, int64_t layer);
};
TORCH_MODULE(StackedCells);

}  // namespace seq2seq::models
