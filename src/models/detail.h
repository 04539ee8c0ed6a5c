// The model files' private helpers: a packed-or-plain RNN run, initialisation schemes, dropout
// masks and the attention kernels. The layers themselves are in seq2seq/models/layers.h.
#pragma once
#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

namespace seq2seq::models::detail {

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
// key_pad (B, Tk) bool, true = the key is hidden, or undefined; heads = H (to find b = n / H);
// drop: a dropout_mask() (N, Tq, Tk) for the weights, or undefined.
struct AttentionCore {
  torch::Tensor context;  // (N, Tq, Dh)
  torch::Tensor weights;  // (N, Tq, Tk) softmax weights before dropout; no gradient on the fused path
  torch::Tensor scores;   // (N, Tq, Tk) pre-softmax, masked entries -inf; textbook path only
};
// The textbook computation in tensor ops (bmm, masked_fill, softmax, bmm); attention.cpp.
AttentionCore scaled_dot_product_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                           const torch::Tensor& add_mask, const torch::Tensor& key_pad, int64_t heads,
                                           const torch::Tensor& drop = {});
// Whether fused_attention() takes these inputs: CPU tensors in float, a float add_mask, a bool key_pad.
bool fused_attention_supported(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const torch::Tensor& add_mask, const torch::Tensor& key_pad);
// The same as one fused CPU kernel (scores, masks, softmax, dropout, weighted sum; and the
// backward), heads spread over the threads; attention_kernel.cpp says why.
AttentionCore fused_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
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
