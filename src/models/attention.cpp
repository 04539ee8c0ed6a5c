// The attention mechanisms: simple, self, causal, multi-head and additive (Bahdanau).
#include "seq2seq/models/attention.h"

#include "detail.h"
#include "seq2seq/models/layers.h"

#include <cmath>
#include <limits>

namespace seq2seq::models {

namespace {
constexpr float kNegInf = -std::numeric_limits<float>::infinity();
}  // namespace

// ---------------------------------------------------------------------------------------------
// 1. SimpleSelfAttention
// ---------------------------------------------------------------------------------------------
AttentionOutput SimpleSelfAttentionImpl::forward(const torch::Tensor& x) {
  auto scores = torch::matmul(x, x.transpose(-2, -1));  // (..., T, T)
  auto weights = torch::softmax(scores, -1);            // (..., T, T), rows sum to 1
  auto context = torch::matmul(weights, x);             // (..., T, d)
  return {context, weights, scores};
}

// ---------------------------------------------------------------------------------------------
// 2. SelfAttention
// ---------------------------------------------------------------------------------------------
SelfAttentionImpl::SelfAttentionImpl(const SelfAttentionOptions& options_) : options(options_) {
  auto linear = torch::nn::LinearOptions(options.d_in, options.d_out).bias(options.qkv_bias);
  W_query = register_module("W_query", torch::nn::Linear(linear));
  W_key = register_module("W_key", torch::nn::Linear(linear));
  W_value = register_module("W_value", torch::nn::Linear(linear));
}

void SelfAttentionImpl::set_weights(const torch::Tensor& w_query, const torch::Tensor& w_key,
                                    const torch::Tensor& w_value) {
  torch::NoGradGuard no_grad;
  // Linear stores (d_out, d_in) and computes x·Wᵀ; the textbook's W is (d_in, d_out), x·W.
  W_query->weight.copy_(w_query.t());
  W_key->weight.copy_(w_key.t());
  W_value->weight.copy_(w_value.t());
}

AttentionOutput SelfAttentionImpl::attend(const torch::Tensor& x, const torch::Tensor& hidden,
                                          Dropout* weight_dropout) {
  auto queries = W_query(x);                                     // (..., T, d_out)
  auto keys = W_key(x);                                          // (..., T, d_out)
  auto values = W_value(x);                                      // (..., T, d_out)
  auto scores = torch::matmul(queries, keys.transpose(-2, -1));  // (..., T, T)
  if (hidden.defined()) scores = scores.masked_fill(hidden, kNegInf);
  auto weights = torch::softmax(scores / std::sqrt(static_cast<double>(keys.size(-1))), -1);  // (..., T, T)
  if (weight_dropout) weights = (*weight_dropout)(weights);
  auto context = torch::matmul(weights, values);  // (..., T, d_out)
  return {context, weights, scores};
}

AttentionOutput SelfAttentionImpl::forward(const torch::Tensor& x) { return attend(x, {}, nullptr); }

// ---------------------------------------------------------------------------------------------
// 3. CausalAttention
// ---------------------------------------------------------------------------------------------
CausalAttentionImpl::CausalAttentionImpl(const SelfAttentionOptions& options_) : SelfAttentionImpl(options_) {
  dropout = register_module("dropout", Dropout(options.dropout));
}

AttentionOutput CausalAttentionImpl::forward(const torch::Tensor& x) {
  const int64_t T = x.size(-2);
  // (T, T): true strictly above the diagonal = a later position, hidden from row t.
  auto hidden = torch::ones({T, T}, torch::TensorOptions().dtype(torch::kBool).device(x.device())).triu(1);
  return attend(x, hidden, &dropout);
}

// ---------------------------------------------------------------------------------------------
// 4. MultiHeadAttention
// ---------------------------------------------------------------------------------------------
// The textbook scaled dot-product attention, softmax(q·kᵀ + mask)·v over the N = B·H heads.
detail::AttentionCore detail::scaled_dot_product_attention(const torch::Tensor& q, const torch::Tensor& k,
                                                           const torch::Tensor& v, const torch::Tensor& add_mask,
                                                           const torch::Tensor& key_pad, int64_t heads,
                                                           const torch::Tensor& drop) {
  const int64_t N = q.size(0), Tq = q.size(1), Tk = k.size(1);
  torch::Tensor scores;
  if (add_mask.defined())
    scores = torch::baddbmm(add_mask, q, k.transpose(1, 2));  // (N, Tq, Tk), mask broadcast over heads
  else
    scores = torch::bmm(q, k.transpose(1, 2));  // (N, Tq, Tk)
  if (key_pad.defined())
    scores = scores
                 .view({N / heads, heads, Tq, Tk})  // (B, H, Tq, Tk), padding hidden from every head
                 .masked_fill(key_pad.view({N / heads, 1, 1, Tk}), kNegInf)
                 .view({N, Tq, Tk});
  auto weights = torch::softmax(scores, -1, torch::kFloat);  // (N, Tq, Tk), fp32 under bf16 autocast too
  auto dropped = drop.defined() ? weights * drop : weights;
  return {torch::bmm(dropped, v), weights, scores};  // context (N, Tq, Dh)
}

torch::Tensor causal_mask(int64_t size, const torch::Device& device) {
  return torch::full({size, size}, kNegInf, torch::TensorOptions().device(device)).triu(1);  // (T, T)
}

MultiHeadAttentionImpl::MultiHeadAttentionImpl(const MultiHeadAttentionOptions& options_)
    : options(options_), head_dim(options_.d_out / options_.heads) {
  TORCH_CHECK(options.d_out % options.heads == 0, "MultiHeadAttention: d_out (", options.d_out,
              ") must be divisible by heads (", options.heads, ")");
  // Initialised as torch::nn::MultiheadAttention: xavier-uniform in_proj, zero biases.
  in_proj_weight = register_parameter("in_proj_weight", torch::empty({3 * options.d_out, options.d_in}));
  torch::nn::init::xavier_uniform_(in_proj_weight);
  if (options.bias) in_proj_bias = register_parameter("in_proj_bias", torch::zeros({3 * options.d_out}));
  out_proj =
      register_module("out_proj", Linear(torch::nn::LinearOptions(options.d_out, options.d_out).bias(options.bias)));
  if (options.bias) torch::nn::init::zeros_(out_proj->bias);
  dropout = register_module("dropout", Dropout(options.dropout));
}

torch::Tensor MultiHeadAttentionImpl::to_heads(const torch::Tensor& x) const {
  const int64_t B = x.size(0), T = x.size(1);
  return x.view({B, T, options.heads, head_dim}).transpose(1, 2).contiguous();  // (B, H, T, Dh)
}

std::array<torch::Tensor, 3> MultiHeadAttentionImpl::project_qkv(const torch::Tensor& x) {
  const int64_t B = x.size(0), T = x.size(1);
  auto qkv = linear(x, in_proj_weight, in_proj_bias);  // (B, T, 3·d_out)
  // (B, T, 3, H, Dh) -> (3, B, H, T, Dh): one copy puts every head's rows together.
  auto heads = qkv.view({B, T, 3, options.heads, head_dim}).permute({2, 0, 3, 1, 4}).contiguous();
  return {heads[0], heads[1], heads[2]};  // each (B, H, T, Dh), contiguous
}

torch::Tensor MultiHeadAttentionImpl::project_q(const torch::Tensor& x) {
  const int64_t d = options.d_out;
  auto bias = in_proj_bias.defined() ? in_proj_bias.slice(0, 0, d) : torch::Tensor();
  return to_heads(linear(x, in_proj_weight.slice(0, 0, d), bias));  // (B, H, T, Dh)
}

std::pair<torch::Tensor, torch::Tensor> MultiHeadAttentionImpl::project_kv(const torch::Tensor& memory) {
  const int64_t B = memory.size(0), T = memory.size(1), d = options.d_out;
  auto bias = in_proj_bias.defined() ? in_proj_bias.slice(0, d) : torch::Tensor();
  auto kv = linear(memory, in_proj_weight.slice(0, d), bias);                                      // (B, T, 2·d_out)
  auto heads = kv.view({B, T, 2, options.heads, head_dim}).permute({2, 0, 3, 1, 4}).contiguous();  // (2, B, H, T, Dh)
  return {heads[0], heads[1]};
}

AttentionOutput MultiHeadAttentionImpl::attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                               const torch::Tensor& key_padding_mask, const torch::Tensor& attn_mask,
                                               NeedWeights need_weights, bool keep_scores) {
  const int64_t B = q.size(0), H = q.size(1), Tq = q.size(2), Tk = k.size(2);
  // Heads flattened into the batch: (B·H, T, Dh), contiguous.
  auto q3 = (q * (1.0 / std::sqrt(static_cast<double>(head_dim)))).reshape({B * H, Tq, head_dim});  // (B·H, Tq, Dh)
  auto k3 = k.reshape({B * H, Tk, head_dim});                                                       // (B·H, Tk, Dh)
  auto v3 = v.reshape({B * H, Tk, head_dim});                                                       // (B·H, Tk, Dh)
  // Masks in fp32 also when q is bf16 (under bf16 autocast): they meet the fp32 scores and softmax.
  const auto mask_options = q.options().dtype(torch::kFloat);
  torch::Tensor add_mask = attn_mask;  // (Tq, Tk) float, added to the scores
  if (attn_mask.defined() && attn_mask.scalar_type() == torch::kBool)
    add_mask = torch::zeros(attn_mask.sizes(), mask_options).masked_fill(attn_mask, kNegInf);
  torch::Tensor drop;  // (B·H, Tq, Tk) dropout mask on the weights
  if (dropout->is_training() && dropout->p > 0) drop = detail::dropout_mask({B * H, Tq, Tk}, dropout->p, mask_options);
  detail::AttentionCore core;
  // With B·H heads of about 15 positions, bmm on this LibTorch loops over the heads with one
  // tiny GEMM each, and the per-call overhead outweighs the arithmetic: on the CPU the fused
  // kernel does scores, masks, softmax, dropout and the weighted sum per head in one pass.
  // Same numbers (tests/unit/test_attention.cpp); it keeps no scores, so keep_scores takes the
  // textbook version.
  // Under bf16 autocast the projections come out in bf16; the fused kernel stays fp32 (its plain
  // loops are vectorised for float, and bf16 would only add conversions to a few hundred
  // multiply-adds per head), so it reads fp32 copies and keeps scores and softmax in fp32.
  if (!keep_scores && q3.scalar_type() == torch::kBFloat16 && q3.device().is_cpu()) {
    q3 = q3.to(torch::kFloat), k3 = k3.to(torch::kFloat), v3 = v3.to(torch::kFloat);
  }
  if (!keep_scores && detail::fused_attention_supported(q3, k3, v3, add_mask, key_padding_mask))
    core = detail::fused_attention(q3, k3, v3, add_mask, key_padding_mask, H, drop);
  else
    core = detail::scaled_dot_product_attention(q3, k3, v3, add_mask, key_padding_mask, H, drop);
  // (B·H, Tq, Dh) -> (B, H, Tq, Dh) -> (B, Tq, H, Dh) -> (B, Tq, d_out)
  auto context = core.context.view({B, H, Tq, head_dim}).transpose(1, 2).reshape({B, Tq, options.d_out});
  AttentionOutput out;
  out.context = out_proj(context);  // (B, Tq, d_out)
  if (need_weights == NeedWeights::averaged)
    out.weights = core.weights.view({B, H, Tq, Tk}).mean(1);  // (B, Tq, Tk)
  else if (need_weights == NeedWeights::per_head)
    out.weights = core.weights.view({B, H, Tq, Tk});
  if (keep_scores) out.scores = core.scores.view({B, H, Tq, Tk});
  return out;
}

AttentionOutput MultiHeadAttentionImpl::forward(const torch::Tensor& query, const torch::Tensor& key,
                                                const torch::Tensor& value, const torch::Tensor& key_padding_mask,
                                                const torch::Tensor& attn_mask, NeedWeights need_weights) {
  torch::Tensor q, k, v;
  if (query.is_same(key) && key.is_same(value)) {
    auto qkv = project_qkv(query);  // self-attention: one GEMM for all three
    q = qkv[0], k = qkv[1], v = qkv[2];
  } else if (key.is_same(value)) {
    q = project_q(query);  // cross-attention: queries from the decoder, keys/values from memory
    std::tie(k, v) = project_kv(key);
  } else {
    auto w = in_proj_weight.chunk(3, 0);
    std::vector<torch::Tensor> b(3);
    if (in_proj_bias.defined()) b = in_proj_bias.chunk(3, 0);
    q = to_heads(torch::nn::functional::linear(query, w[0], b[0]));  // (B, H, Tq, Dh)
    k = to_heads(torch::nn::functional::linear(key, w[1], b[1]));    // (B, H, Tk, Dh)
    v = to_heads(torch::nn::functional::linear(value, w[2], b[2]));  // (B, H, Tk, Dh)
  }
  return attend(q, k, v, key_padding_mask, attn_mask, need_weights);
}

// ---------------------------------------------------------------------------------------------
// 5. AdditiveAttention
// ---------------------------------------------------------------------------------------------
AdditiveAttentionImpl::AdditiveAttentionImpl(const AdditiveAttentionOptions& options_) : options(options_) {
  // W [s; h] + b split as W_s s + (W_h h + b): the same parameters as one Linear over the concatenation.
  W_s = register_module("W_s", Linear(torch::nn::LinearOptions(options.query_dim, options.attn_dim).bias(false)));
  W_h = register_module("W_h", Linear(options.key_dim, options.attn_dim));
  v = register_module("v", Linear(torch::nn::LinearOptions(options.attn_dim, 1).bias(false)));
}

torch::Tensor AdditiveAttentionImpl::keys(const torch::Tensor& encoder_states) {
  return W_h(encoder_states);  // (B, S, attn_dim)
}

AttentionOutput AdditiveAttentionImpl::forward(const torch::Tensor& query, const torch::Tensor& keys,
                                               const torch::Tensor& values, const torch::Tensor& src_mask) {
  auto energy = torch::tanh(keys + W_s(query).unsqueeze(1));  // (B, S, A) = (B, S, A) + (B, 1, A)
  auto scores = v(energy).squeeze(-1);                        // (B, S)
  scores = scores.masked_fill(src_mask.logical_not(), kNegInf);
  auto weights = torch::softmax(scores, -1, torch::kFloat);            // (B, S), fp32 under bf16 autocast too
  auto context = torch::bmm(weights.unsqueeze(1), values).squeeze(1);  // (B, 1, S)·(B, S, key_dim) -> (B, key_dim)
  return {context, weights, scores};
}

}  // namespace seq2seq::models
