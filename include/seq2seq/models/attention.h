// The attention mechanisms, one module each, in the order a learner meets them.
#pragma once
#include "seq2seq/models/dropout.h"
#include "seq2seq/models/layers.h"

#include <torch/torch.h>

#include <array>
#include <utility>

namespace seq2seq::models {

// What an attention call returns. `scores` are the pre-softmax logits (masked entries -inf);
// the simple modules always fill all three, MultiHeadAttention only what was asked for.
struct AttentionOutput {
  torch::Tensor context;  // (..., T_q, d_out)
  torch::Tensor weights;  // (..., T_q, T_k) or, multi-head, (B, T_q, T_k) averaged / (B, H, T_q, T_k)
  torch::Tensor scores;   // same shape as weights
};

// 1. No weights: scores = x·xᵀ, weights = softmax over each row, context = weights·x.
//    x: (T, d) or (B, T, d).
struct SimpleSelfAttentionImpl : torch::nn::Module {
  AttentionOutput forward(const torch::Tensor& x);
};
TORCH_MODULE(SimpleSelfAttention);

struct SelfAttentionOptions {
  int64_t d_in = 3;
  int64_t d_out = 2;
  bool qkv_bias = false;
  double dropout = 0.0;  // on the attention weights (CausalAttention)
};

// 2. Trainable projections W_q, W_k, W_v (d_in -> d_out); scores scaled by 1/sqrt(d_k).
//    x: (T, d_in) or (B, T, d_in) -> context (..., T, d_out).
struct SelfAttentionImpl : torch::nn::Module {
  explicit SelfAttentionImpl(const SelfAttentionOptions& options);
  AttentionOutput forward(const torch::Tensor& x);
  // Sets the projections from matrices in the x·W convention (each (d_in, d_out)), as the
  // textbook draws them with torch::rand({d_in, d_out}).
  void set_weights(const torch::Tensor& w_query, const torch::Tensor& w_key, const torch::Tensor& w_value);

  SelfAttentionOptions options;
  torch::nn::Linear W_query{nullptr}, W_key{nullptr}, W_value{nullptr};

 protected:
  // Shared with CausalAttention: optional mask (T, T) bool (true = hidden) and weight dropout.
  AttentionOutput attend(const torch::Tensor& x, const torch::Tensor& hidden, Dropout* weight_dropout);
};
TORCH_MODULE(SelfAttention);

// 3. SelfAttention whose row t cannot see positions after t (masked before the softmax),
//    with dropout on the weights.
struct CausalAttentionImpl : SelfAttentionImpl {
  explicit CausalAttentionImpl(const SelfAttentionOptions& options);
  AttentionOutput forward(const torch::Tensor& x);
  Dropout dropout{nullptr};
};
TORCH_MODULE(CausalAttention);

struct MultiHeadAttentionOptions {
  int64_t d_in = 256;   // query/key/value input size
  int64_t d_out = 256;  // total over heads; each head has d_out / heads
  int64_t heads = 8;
  double dropout = 0.0;  // on the attention weights
  bool bias = true;      // in_proj and out_proj biases
};

enum class NeedWeights { none, averaged, per_head };

// (T_q, T_k) float mask: 0 where position t may look, -inf above the diagonal
// (as torch::nn::Transformer::generate_square_subsequent_mask).
torch::Tensor causal_mask(int64_t size, const torch::Device& device = torch::kCPU);

// 4. h heads from one batched projection per Q/K/V, key-padding and causal masks, output
// projection. Parameters have torch::nn::MultiheadAttention's names and layout
// (in_proj_weight (3·d_out, d_in), in_proj_bias, out_proj), so weights copy across.
// Inputs are batch-first: query (B, T_q, d_in), key/value (B, T_k, d_in).
struct MultiHeadAttentionImpl : torch::nn::Module {
  explicit MultiHeadAttentionImpl(const MultiHeadAttentionOptions& options);

  // key_padding_mask: (B, T_k) bool, true = ignore that key (padding).
  // attn_mask: (T_q, T_k), bool (true = hidden) or float (added to the scores), e.g. causal_mask().
  AttentionOutput forward(const torch::Tensor& query, const torch::Tensor& key, const torch::Tensor& value,
                          const torch::Tensor& key_padding_mask = {}, const torch::Tensor& attn_mask = {},
                          NeedWeights need_weights = NeedWeights::none);

  // The pieces, for callers that cache keys and values (incremental decoding).
  // Head layout: (B, H, T, Dh), contiguous.
  std::array<torch::Tensor, 3> project_qkv(const torch::Tensor& x);  // self-attention: one fused GEMM
  torch::Tensor project_q(const torch::Tensor& x);
  std::pair<torch::Tensor, torch::Tensor> project_kv(const torch::Tensor& memory);  // one fused GEMM
  // q (B, H, T_q, Dh), k/v (B, H, T_k, Dh) -> context (B, T_q, d_out) after the output projection.
  AttentionOutput attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                         const torch::Tensor& key_padding_mask = {}, const torch::Tensor& attn_mask = {},
                         NeedWeights need_weights = NeedWeights::none, bool keep_scores = false);

  MultiHeadAttentionOptions options;
  int64_t head_dim;
  torch::Tensor in_proj_weight, in_proj_bias;
  Linear out_proj{nullptr};
  Dropout dropout{nullptr};

 private:
  torch::Tensor to_heads(const torch::Tensor& x) const;  // (B, T, d_out) -> (B, H, T, Dh)
};
TORCH_MODULE(MultiHeadAttention);

struct AdditiveAttentionOptions {
  int64_t query_dim = 512;  // decoder state s
  int64_t key_dim = 1024;   // encoder states h_j
  int64_t attn_dim = 512;
};

// 5. Bahdanau's score_j = vᵀ tanh(W_s s + W_h h_j + b). W_h h_j + b does not depend on the
// decoder step, so keys() computes it once per batch and forward() adds only W_s s.
struct AdditiveAttentionImpl : torch::nn::Module {
  explicit AdditiveAttentionImpl(const AdditiveAttentionOptions& options);

  // encoder_states (B, S, key_dim) -> (B, S, attn_dim)
  torch::Tensor keys(const torch::Tensor& encoder_states);
  // query (B, query_dim), keys (B, S, attn_dim), values (B, S, key_dim), src_mask (B, S) bool
  // with true = real token. Returns context (B, key_dim), weights (B, S), scores (B, S).
  AttentionOutput forward(const torch::Tensor& query, const torch::Tensor& keys, const torch::Tensor& values,
                          const torch::Tensor& src_mask);

  AdditiveAttentionOptions options;
  Linear W_s{nullptr}, W_h{nullptr}, v{nullptr};
};
TORCH_MODULE(AdditiveAttention);

}  // namespace seq2seq::models
