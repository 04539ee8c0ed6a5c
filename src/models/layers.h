// Building blocks shared by the model files: hand-unrolled GRU/LSTM steps, a linear layer with
// a matrix-vector path for single rows, a packed-or-plain RNN run, and initialisation schemes.
#pragma once
#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

namespace seq2seq::models::detail {

// x·Wᵀ + b for x (..., K). A single row goes through a matrix-vector product: OpenBLAS' GEMM
// path for M = 1 is several times slower than GEMV on the same weights.
torch::Tensor linear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias = {});

// The output layer over the stacked decoder features (B, T, K) -> logits (B, T, V), plus an
// optional per-sentence term (B, V). Rows where tgt_in is <pad> have <pad> targets, which every
// loss ignores: when they are over 10% of the batch (length-bucketed corpora: ~29%) they are left
// at zero instead of computed, saving that share of the largest GEMM.
// real_only: logits (N, V) of the N non-pad positions only (Positions::kRealTargets).
torch::Tensor output_layer(const torch::Tensor& features, const torch::Tensor& tgt_in, const torch::Tensor& weight,
                           const torch::Tensor& bias, const torch::Tensor& per_sentence = {},
                           bool real_only = false);

// Flat indices (N) of the non-pad positions of tgt_in (B, T), row-major: the rows of
// Positions::kRealTargets, of real_rows() and of real_targets().
torch::Tensor real_positions(const torch::Tensor& tgt_in);

// Rows of logits (B, T, V) at the non-pad positions of tgt_in: (N, V), row-major order.
torch::Tensor real_rows(const torch::Tensor& logits, const torch::Tensor& tgt_in);

// One GRU step (torch::nn::GRU semantics, gates [r; z; n]) from input gates computed
// beforehand: gates_x = W_ih x + b_ih (B, 3H); h (B, H).
torch::Tensor gru_step(const torch::Tensor& gates_x, const torch::Tensor& h, const torch::Tensor& w_hh,
                       const torch::Tensor& b_hh);

// One LSTM step (gates [i; f; g; o]) from gates_x = W_ih x + b_ih (B, 4H). Returns (h', c').
std::pair<torch::Tensor, torch::Tensor> lstm_step(const torch::Tensor& gates_x, const torch::Tensor& h,
                                                  const torch::Tensor& c, const torch::Tensor& w_hh,
                                                  const torch::Tensor& b_hh);

// Per-layer parameters of a torch::nn::GRU/LSTM (unidirectional): {w_ih, w_hh, b_ih, b_hh}.
struct CellWeights {
  torch::Tensor w_ih, w_hh, b_ih, b_hh;
};
std::vector<CellWeights> cell_weights(const std::vector<torch::Tensor>& all_weights, int64_t layers);

// Runs a batch-first RNN over (B, S, E) inputs so that padding never influences anything:
// packed when some sentence is shorter than S, plain otherwise.
struct RnnRun {
  torch::Tensor states;    // (B, S, dirs·H), zero at padding
  torch::Tensor h_n, c_n;  // (layers·dirs, B, H); c_n only for LSTM
};
RnnRun run_rnn(torch::nn::GRU& gru, const torch::Tensor& inputs, const torch::Tensor& src_len);
RnnRun run_rnn(torch::nn::LSTM& lstm, const torch::Tensor& inputs, const torch::Tensor& src_len);

// Every parameter ~ N(0, std) (bentrevett tutorial 2).
void init_all_normal(torch::nn::Module& module, double std);
// Parameters named "...weight..." ~ N(0, std), everything else 0 (bentrevett tutorial 3).
void init_weights_normal_biases_zero(torch::nn::Module& module, double std);

// (B, S) bool, true at real tokens (id != <pad> = 0).
torch::Tensor real_tokens(const torch::Tensor& ids);

// Scaled dot-product attention over N = B·H heads. q (N, Tq, Dh), already scaled by 1/sqrt(Dh);
// k, v (N, Tk, Dh); add_mask (Tq, Tk) float added to every head's scores, or undefined;
// key_pad (B, Tk) bool, true = the key is hidden, or undefined; heads = H (to find b = n / H).
struct AttentionCore {
  torch::Tensor context;  // (N, Tq, Dh)
  torch::Tensor weights;  // (N, Tq, Tk) softmax weights before dropout; no gradient
  torch::Tensor scores;   // (N, Tq, Tk) pre-softmax, masked entries -inf; reference path only
};
// On the CPU in float: one fused kernel (scores, masks, softmax, dropout, weighted sum; and the
// backward), heads spread over the threads. Elsewhere: attention_core_reference.
AttentionCore attention_core(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                             const torch::Tensor& add_mask, const torch::Tensor& key_pad, int64_t heads, double dropout,
                             bool training);
// The same in tensor ops (bmm, softmax); drop: a dropout_mask() for the weights, or undefined.
AttentionCore attention_core_reference(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                       const torch::Tensor& add_mask, const torch::Tensor& key_pad, int64_t heads,
                                       const torch::Tensor& drop = {});

// A dropout mask of the given shape: 0 with probability p (rounded to a multiple of 1/65536),
// else 1/(1 - p). One 64-bit draw of the global CPU generator keys a counter-based hash that
// gives four elements per 64 bits, filled in parallel.
torch::Tensor dropout_mask(at::IntArrayRef sizes, double p, const torch::TensorOptions& options);

// Dropout whose keep/drop decisions come from dropout_mask(): one draw of the global generator
// per call instead of torch::dropout's per-element Bernoulli sampling on one thread. The drop
// probability is p rounded to a multiple of 1/65536; kept values are scaled by 1/(1 - that).
torch::Tensor fast_dropout(const torch::Tensor& x, double p, bool training);

}  // namespace seq2seq::models::detail
