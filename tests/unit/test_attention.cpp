// Attention mechanisms against hand computation, plain tensor algebra and torch::nn::MultiheadAttention.
#include "seq2seq/models/attention.h"

#include "../../src/models/detail.h"  // the fused attention kernel (white-box)

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <vector>

namespace {

using namespace seq2seq::models;

// "Your journey starts with one step" (DESIGN.md).
const std::vector<std::vector<float>> kEmbeddings = {{0.43f, 0.15f, 0.89f}, {0.55f, 0.87f, 0.66f},
                                                     {0.57f, 0.85f, 0.64f}, {0.22f, 0.58f, 0.33f},
                                                     {0.77f, 0.25f, 0.10f}, {0.05f, 0.80f, 0.55f}};

torch::Tensor embeddings() {
  auto x = torch::empty({6, 3});
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 3; ++j) x[i][j] = kEmbeddings[i][j];
  return x;
}

void expect_close(const torch::Tensor& actual, const torch::Tensor& expected, double tol, const char* what) {
  ASSERT_EQ(actual.sizes(), expected.sizes()) << what;
  const double diff = (actual - expected).abs().max().item<double>();
  EXPECT_LE(diff, tol) << what << ": max |difference| " << diff;
}

TEST(SimpleSelfAttention, MatchesHandComputation) {
  SimpleSelfAttention attention;
  auto out = attention(embeddings());
  ASSERT_EQ(out.scores.sizes(), (std::vector<int64_t>{6, 6}));
  // Row by row with scalar arithmetic: dot products, exp-normalise, weighted sum.
  for (int i = 0; i < 6; ++i) {
    std::vector<double> scores(6), weights(6);
    double total = 0;
    for (int j = 0; j < 6; ++j) {
      for (int d = 0; d < 3; ++d) scores[j] += double(kEmbeddings[i][d]) * kEmbeddings[j][d];
      weights[j] = std::exp(scores[j]);
      total += weights[j];
    }
    for (int j = 0; j < 6; ++j) {
      weights[j] /= total;
      EXPECT_NEAR(out.scores[i][j].item<double>(), scores[j], 1e-5);
      EXPECT_NEAR(out.weights[i][j].item<double>(), weights[j], 1e-6);
    }
    for (int d = 0; d < 3; ++d) {
      double context = 0;
      for (int j = 0; j < 6; ++j) context += weights[j] * kEmbeddings[j][d];
      EXPECT_NEAR(out.context[i][d].item<double>(), context, 1e-6);
    }
  }
  // The published walk-through (Raschka, "Build a Large Language Model (From Scratch)", ch. 3),
  // row 2 "journey": scores, weights, context vector to 4 decimals.
  const std::vector<double> scores2 = {0.9544, 1.4950, 1.4754, 0.8434, 0.7070, 1.0865};
  const std::vector<double> weights2 = {0.1385, 0.2379, 0.2333, 0.1240, 0.1082, 0.1581};
  const std::vector<double> context2 = {0.4419, 0.6515, 0.5683};
  for (int j = 0; j < 6; ++j) {
    EXPECT_NEAR(out.scores[1][j].item<double>(), scores2[j], 5e-5);
    EXPECT_NEAR(out.weights[1][j].item<double>(), weights2[j], 5e-5);
  }
  for (int d = 0; d < 3; ++d) EXPECT_NEAR(out.context[1][d].item<double>(), context2[d], 5e-5);
}

TEST(SimpleSelfAttention, BatchedEqualsOneByOne) {
  torch::manual_seed(1);
  auto x = torch::randn({4, 5, 3});
  SimpleSelfAttention attention;
  auto batched = attention(x);
  for (int b = 0; b < 4; ++b) expect_close(batched.context[b], attention(x[b]).context, 1e-6, "context");
}

// The three projection matrices drawn as the textbook does.
std::array<torch::Tensor, 3> textbook_weights() {
  torch::manual_seed(123);
  auto w_q = torch::rand({3, 2});
  auto w_k = torch::rand({3, 2});
  auto w_v = torch::rand({3, 2});
  return {w_q, w_k, w_v};
}

TEST(SelfAttention, MatchesTensorAlgebraAndPublishedValues) {
  auto [w_q, w_k, w_v] = textbook_weights();
  SelfAttention attention(SelfAttentionOptions{3, 2});
  attention->set_weights(w_q, w_k, w_v);
  auto x = embeddings();
  auto out = attention(x);
  auto q = x.mm(w_q), k = x.mm(w_k), v = x.mm(w_v);
  auto scores = q.mm(k.t());
  auto weights = torch::softmax(scores / std::sqrt(2.0), 1);
  expect_close(out.scores, scores, 1e-6, "scores");
  expect_close(out.weights, weights, 1e-6, "weights");
  expect_close(out.context, weights.mm(v), 1e-6, "context");
  // Published values for this seed (same walk-through, SelfAttention_v1 with manual_seed(123)).
  const std::vector<double> scores2 = {1.2705, 1.8524, 1.8111, 1.0795, 0.5577, 1.5440};
  for (int j = 0; j < 6; ++j) EXPECT_NEAR(out.scores[1][j].item<double>(), scores2[j], 5e-5);
  EXPECT_NEAR(out.context[1][0].item<double>(), 0.3061, 5e-5);
  EXPECT_NEAR(out.context[1][1].item<double>(), 0.8210, 5e-5);
}

TEST(CausalAttention, HidesLaterPositions) {
  auto [w_q, w_k, w_v] = textbook_weights();
  CausalAttention attention(SelfAttentionOptions{3, 2, false, 0.0});
  attention->set_weights(w_q, w_k, w_v);
  auto x = embeddings();
  auto out = attention(x);
  auto q = x.mm(w_q), k = x.mm(w_k), v = x.mm(w_v);
  auto mask = torch::ones({6, 6}, torch::kBool).triu(1);
  auto weights = torch::softmax((q.mm(k.t()) / std::sqrt(2.0)).masked_fill(mask, -INFINITY), 1);
  expect_close(out.weights, weights, 1e-6, "weights");
  expect_close(out.context, weights.mm(v), 1e-6, "context");
  EXPECT_EQ(out.weights.masked_select(mask).abs().sum().item<double>(), 0.0);
  expect_close(out.weights.sum(1), torch::ones({6}), 1e-6, "rows sum to 1");
  // Changing a later token changes nothing before it.
  auto changed = x.clone();
  changed[4] = torch::tensor({9.0f, -3.0f, 2.0f});
  auto out2 = attention(changed);
  expect_close(out2.context.slice(0, 0, 4), out.context.slice(0, 0, 4), 0, "earlier rows");
  EXPECT_GT((out2.context[4] - out.context[4]).abs().max().item<double>(), 1e-3);
}

TEST(CausalAttention, DropoutOnWeightsOnlyInTraining) {
  torch::manual_seed(3);
  CausalAttention attention(SelfAttentionOptions{3, 4, false, 0.5});
  auto x = torch::rand({2, 6, 3});
  attention->eval();
  auto clean = attention(x);
  attention->train();
  auto noisy = attention(x);
  // Every weight is either dropped or scaled by 1/(1 - p).
  auto ratio = noisy.weights / clean.weights.clamp_min(1e-12);
  auto kept = (ratio - 2.0).abs() < 1e-4, dropped = noisy.weights == 0;
  EXPECT_TRUE((kept | dropped | (clean.weights == 0)).all().item<bool>());
  EXPECT_TRUE(dropped.logical_and(clean.weights > 0).any().item<bool>());
  attention->eval();
  expect_close(attention(x).context, clean.context, 0, "eval is deterministic");
}

// Copies our parameters into torch's module (same names and layout).
torch::nn::MultiheadAttention torch_twin(MultiHeadAttention& ours, int64_t d, int64_t heads) {
  torch::nn::MultiheadAttention theirs(torch::nn::MultiheadAttentionOptions(d, heads));
  torch::NoGradGuard no_grad;
  auto params = theirs->named_parameters();
  for (const auto& item : ours->named_parameters()) {
    auto* twin = params.find(item.key());
    EXPECT_NE(twin, nullptr) << item.key();
    if (twin) twin->copy_(item.value());
  }
  theirs->eval();
  return theirs;
}

struct MhaCase {
  torch::Tensor query, memory, key_padding_mask, attn_mask;
};

void compare_with_torch(MultiHeadAttention& ours, torch::nn::MultiheadAttention& theirs, const MhaCase& c,
                        bool self_attention) {
  const auto& key = self_attention ? c.query : c.memory;
  auto out = ours(c.query, key, key, c.key_padding_mask, c.attn_mask, NeedWeights::averaged);
  // torch's module is sequence-first: (T, B, D).
  auto [ref, ref_weights] =
      theirs(c.query.transpose(0, 1), key.transpose(0, 1), key.transpose(0, 1), c.key_padding_mask, true, c.attn_mask);
  expect_close(out.context, ref.transpose(0, 1), 1e-5, "output");
  expect_close(out.weights, ref_weights, 1e-5, "averaged weights");
  auto per_head = ours(c.query, key, key, c.key_padding_mask, c.attn_mask, NeedWeights::per_head);
  auto [unused, ref_heads] = theirs(c.query.transpose(0, 1), key.transpose(0, 1), key.transpose(0, 1),
                                    c.key_padding_mask, true, c.attn_mask, /*average_attn_weights=*/false);
  expect_close(per_head.weights, ref_heads, 1e-5, "per-head weights");
}

TEST(MultiHeadAttention, MatchesTorchWithKeyPadding) {
  torch::manual_seed(7);
  const int64_t B = 3, T = 5, D = 16, H = 4;
  MultiHeadAttention ours(MultiHeadAttentionOptions{D, D, H, 0.0, true});
  {  // non-zero biases so that they are exercised too
    torch::NoGradGuard no_grad;
    ours->in_proj_bias.uniform_(-0.5, 0.5);
    ours->out_proj->bias.uniform_(-0.5, 0.5);
  }
  ours->eval();
  auto theirs = torch_twin(ours, D, H);
  auto pad = torch::zeros({B, T}, torch::kBool);
  pad[0].slice(0, 3) = true;  // sentence 0 has 3 real tokens, sentence 2 has 4
  pad[2][4] = true;
  compare_with_torch(ours, theirs, {torch::randn({B, T, D}), torch::Tensor(), pad, torch::Tensor()}, true);
}

TEST(MultiHeadAttention, MatchesTorchWithCausalMask) {
  torch::manual_seed(8);
  const int64_t B = 2, T = 6, D = 12, H = 3;
  MultiHeadAttention ours(MultiHeadAttentionOptions{D, D, H, 0.0, true});
  ours->eval();
  auto theirs = torch_twin(ours, D, H);
  compare_with_torch(ours, theirs, {torch::randn({B, T, D}), {}, {}, causal_mask(T)}, true);
  // A bool mask (true = hidden) means the same thing.
  auto x = torch::randn({B, T, D});
  auto with_float = ours(x, x, x, torch::Tensor(), causal_mask(T));
  auto with_bool = ours(x, x, x, torch::Tensor(), torch::ones({T, T}, torch::kBool).triu(1));
  expect_close(with_bool.context, with_float.context, 1e-6, "bool vs float mask");
}

TEST(MultiHeadAttention, MatchesTorchInCrossAttention) {
  torch::manual_seed(9);
  const int64_t B = 3, Tq = 4, Tk = 7, D = 8, H = 2;
  MultiHeadAttention ours(MultiHeadAttentionOptions{D, D, H, 0.0, true});
  ours->eval();
  auto theirs = torch_twin(ours, D, H);
  auto pad = torch::zeros({B, Tk}, torch::kBool);
  pad[1].slice(0, 2) = true;
  compare_with_torch(ours, theirs, {torch::randn({B, Tq, D}), torch::randn({B, Tk, D}), pad, {}}, false);
  // Three different inputs take the unfused path; compare with the explicit algebra via torch.
  auto q = torch::randn({B, Tq, D}), k = torch::randn({B, Tk, D}), v = torch::randn({B, Tk, D});
  auto out = ours(q, k, v, pad);
  auto [ref, unused] = theirs(q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1), pad);
  expect_close(out.context, ref.transpose(0, 1), 1e-5, "separate q, k, v");
}

TEST(MultiHeadAttention, MaskedKeysAndFutureTokensChangeNothing) {
  torch::manual_seed(10);
  const int64_t B = 2, T = 6, D = 8, H = 2;
  MultiHeadAttention attention(MultiHeadAttentionOptions{D, D, H, 0.0, true});
  attention->eval();
  auto memory = torch::randn({B, T, D}), query = torch::randn({B, 3, D});
  auto pad = torch::zeros({B, T}, torch::kBool);
  pad[0].slice(0, 4) = true;
  auto out = attention(query, memory, memory, pad, torch::Tensor(), NeedWeights::averaged);
  auto changed = memory.clone();
  changed[0].slice(0, 4) = torch::randn({2, D}) * 10;  // padded keys of sentence 0
  auto out2 = attention(query, changed, changed, pad, torch::Tensor(), NeedWeights::averaged);
  expect_close(out2.context, out.context, 1e-6, "padded keys");
  EXPECT_EQ(out.weights[0].slice(1, 4).abs().sum().item<double>(), 0.0);
  // Causal self-attention: a change at position 4 leaves positions 0..3 untouched.
  auto x = torch::randn({B, T, D});
  auto causal = attention(x, x, x, torch::Tensor(), causal_mask(T));
  auto x2 = x.clone();
  x2.select(1, 4) += 5;
  auto causal2 = attention(x2, x2, x2, torch::Tensor(), causal_mask(T));
  expect_close(causal2.context.slice(1, 0, 4), causal.context.slice(1, 0, 4), 1e-6, "earlier positions");
  EXPECT_GT((causal2.context.select(1, 4) - causal.context.select(1, 4)).abs().max().item<double>(), 1e-3);
}

TEST(MultiHeadAttention, IncrementalKeysValuesMatchFullCausalPass) {
  torch::manual_seed(11);
  const int64_t B = 2, T = 5, D = 8, H = 2;
  MultiHeadAttention attention(MultiHeadAttentionOptions{D, D, H, 0.0, true});
  attention->eval();
  auto x = torch::randn({B, T, D});
  auto full = attention(x, x, x, torch::Tensor(), causal_mask(T)).context;  // (B, T, D)
  torch::Tensor keys, values;
  for (int64_t t = 0; t < T; ++t) {
    auto qkv = attention->project_qkv(x.slice(1, t, t + 1));
    keys = t == 0 ? qkv[1] : torch::cat({keys, qkv[1]}, 2);
    values = t == 0 ? qkv[2] : torch::cat({values, qkv[2]}, 2);
    auto step = attention->attend(qkv[0], keys, values).context;  // (B, 1, D)
    expect_close(step.squeeze(1), full.select(1, t), 1e-5, "step");
  }
}

TEST(AdditiveAttention, MatchesConcatenatedFormAndMasksPadding) {
  torch::manual_seed(12);
  const int64_t B = 3, S = 5, Hs = 6, Hk = 10, A = 7;
  AdditiveAttention attention(AdditiveAttentionOptions{Hs, Hk, A});
  auto s = torch::randn({B, Hs}), h = torch::randn({B, S, Hk});
  auto mask = torch::ones({B, S}, torch::kBool);
  mask[1].slice(0, 3) = false;
  mask[2][4] = false;
  auto out = attention(s, attention->keys(h), h, mask);
  // The textbook form: W [s; h_j] + b with W = [W_s | W_h], score = v · tanh(.), masked softmax.
  auto W = torch::cat({attention->W_s->weight, attention->W_h->weight}, 1);  // (A, Hs + Hk)
  auto concat = torch::cat({s.unsqueeze(1).expand({B, S, Hs}), h}, 2);       // (B, S, Hs + Hk)
  auto energy = torch::tanh(torch::matmul(concat, W.t()) + attention->W_h->bias);
  auto scores = torch::matmul(energy, attention->v->weight.t()).squeeze(-1).masked_fill(~mask, -1e10);
  auto weights = torch::softmax(scores, 1);
  expect_close(out.weights, weights, 1e-6, "weights");
  expect_close(out.context, torch::bmm(weights.unsqueeze(1), h).squeeze(1), 1e-5, "context");
  EXPECT_EQ(out.weights.masked_select(~mask).abs().sum().item<double>(), 0.0);
  // Padded encoder states never matter.
  auto h2 = h.clone();
  h2[1].slice(0, 3) = 100;
  auto out2 = attention(s, attention->keys(h2), h2, mask);
  expect_close(out2.context, out.context, 1e-6, "padding");
}

// The fused CPU kernel against the same computation in tensor ops: outputs and gradients,
// with key padding, a causal mask, a fully hidden row and dropout.
TEST(AttentionKernel, FusedMatchesTensorOpsForwardAndBackward) {
  const int64_t B = 3, H = 2, Tq = 5, Tk = 5, Dh = 7, N = B * H;
  for (bool training : {false, true}) {
    SCOPED_TRACE(training ? "with dropout" : "without dropout");
    torch::manual_seed(13);
    auto q = torch::randn({N, Tq, Dh}, torch::requires_grad());
    auto k = torch::randn({N, Tk, Dh}, torch::requires_grad());
    auto v = torch::randn({N, Tk, Dh}, torch::requires_grad());
    auto pad = torch::zeros({B, Tk}, torch::kBool);
    pad[1].slice(0, 2) = true;
    auto mask = causal_mask(Tq);
    auto grad_out = torch::randn({N, Tq, Dh});
    torch::manual_seed(14);
    auto drop = training ? seq2seq::models::detail::dropout_mask({N, Tq, Tk}, 0.3, q.options()) : torch::Tensor();
    if (training) {
      EXPECT_GT(drop.eq(0).sum().item<int64_t>(), 0);
    }
    ASSERT_TRUE(seq2seq::models::detail::fused_attention_supported(q, k, v, mask, pad));
    auto fused = seq2seq::models::detail::fused_attention(q, k, v, mask, pad, H, drop);
    auto reference = seq2seq::models::detail::scaled_dot_product_attention(q, k, v, mask, pad, H, drop);
    expect_close(fused.context, reference.context, 1e-5, "context");
    expect_close(fused.weights, reference.weights, 1e-6, "weights");
    auto grads = torch::autograd::grad({fused.context}, {q, k, v}, {grad_out});
    auto expected = torch::autograd::grad({reference.context}, {q, k, v}, {grad_out});
    for (int i = 0; i < 3; ++i) expect_close(grads[i], expected[i], 1e-5, "gradient");
  }
  // A row whose keys are all hidden gets zero weights and a zero context instead of NaN.
  auto q = torch::randn({2, 1, 4}), k = torch::randn({2, 3, 4}), v = torch::randn({2, 3, 4});
  auto all_hidden = torch::ones({2, 3}, torch::kBool);
  auto out = seq2seq::models::detail::fused_attention(q, k, v, {}, all_hidden, 1);
  EXPECT_EQ(out.context.abs().sum().item<double>(), 0.0);
}

TEST(MultiHeadAttention, GradientsMatchTorch) {
  torch::manual_seed(15);
  const int64_t B = 2, Tq = 4, Tk = 6, D = 8, H = 2;
  MultiHeadAttention ours(MultiHeadAttentionOptions{D, D, H, 0.0, true});
  auto theirs = torch_twin(ours, D, H);
  auto query = torch::randn({B, Tq, D}, torch::requires_grad()),
       memory = torch::randn({B, Tk, D}, torch::requires_grad());
  auto pad = torch::zeros({B, Tk}, torch::kBool);
  pad[0].slice(0, 4) = true;
  auto grad_out = torch::randn({B, Tq, D});
  auto out = ours(query, memory, memory, pad).context;
  auto ours_grads =
      torch::autograd::grad({out}, {query, memory, ours->in_proj_weight, ours->out_proj->weight}, {grad_out});
  auto [ref, unused] = theirs(query.transpose(0, 1), memory.transpose(0, 1), memory.transpose(0, 1), pad);
  auto params = theirs->named_parameters();
  auto ref_grads = torch::autograd::grad(
      {ref.transpose(0, 1)}, {query, memory, params["in_proj_weight"], params["out_proj.weight"]}, {grad_out});
  for (size_t i = 0; i < ours_grads.size(); ++i) expect_close(ours_grads[i], ref_grads[i], 1e-5, "gradient");
}

}  // namespace
