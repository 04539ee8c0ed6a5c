// `seq2seq attention demo`: runs attention mechanisms 1-4 on the DESIGN.md example.
#include "seq2seq/models/attention_demo.h"

#include "seq2seq/models/attention.h"

#include <torch/torch.h>

#include <cmath>

namespace seq2seq::models {

namespace {

double round4(double x) { return std::round(x * 1e4) / 1e4; }

// A (rows, cols) tensor as nested arrays, 4 decimals, -inf as null.
nlohmann::json matrix(const torch::Tensor& t) {
  auto m = t.detach().to(torch::kDouble).contiguous();
  nlohmann::json rows = nlohmann::json::array();
  for (int64_t i = 0; i < m.size(0); ++i) {
    nlohmann::json row = nlohmann::json::array();
    for (int64_t j = 0; j < m.size(1); ++j) {
      const double x = m[i][j].item<double>();
      row.push_back(std::isfinite(x) ? nlohmann::json(round4(x)) : nlohmann::json(nullptr));
    }
    rows.push_back(row);
  }
  return rows;
}

struct Weights {
  torch::Tensor query, key, value;  // (d_in, d_out) each, x·W convention
};

Weights textbook_weights() {
  torch::manual_seed(123);
  Weights w;
  w.query = torch::rand({3, 2});
  w.key = torch::rand({3, 2});
  w.value = torch::rand({3, 2});
  return w;
}

nlohmann::json weights_json(const Weights& w) {
  return {{"W_query", matrix(w.query)}, {"W_key", matrix(w.key)}, {"W_value", matrix(w.value)}};
}

}  // namespace

const std::vector<std::string>& demo_tokens() {
  static const std::vector<std::string> tokens = {"Your", "journey", "starts", "with", "one", "step"};
  return tokens;
}

const std::vector<std::vector<float>>& demo_embeddings() {
  static const std::vector<std::vector<float>> embeddings = {{0.43f, 0.15f, 0.89f}, {0.55f, 0.87f, 0.66f},
                                                             {0.57f, 0.85f, 0.64f}, {0.22f, 0.58f, 0.33f},
                                                             {0.77f, 0.25f, 0.10f}, {0.05f, 0.80f, 0.55f}};
  return embeddings;
}

nlohmann::json attention_demo() {
  torch::NoGradGuard no_grad;
  const auto& rows = demo_embeddings();
  auto x = torch::empty({static_cast<int64_t>(rows.size()), 3});  // (6, 3)
  for (size_t i = 0; i < rows.size(); ++i)
    for (size_t j = 0; j < 3; ++j) x[i][j] = rows[i][j];

  nlohmann::json demo = {{"tokens", demo_tokens()}, {"embeddings", matrix(x)}, {"seed", 123}};
  nlohmann::json mechanisms = nlohmann::json::array();

  {
    SimpleSelfAttention attention;
    auto out = attention(x);
    mechanisms.push_back({{"name", "SimpleSelfAttention"},
                          {"about", "no weights: scores = x·xᵀ, weights = softmax of each row, context = weights·x"},
                          {"scores", matrix(out.scores)},
                          {"weights", matrix(out.weights)},
                          {"context", matrix(out.context)}});
  }
  {
    auto w = textbook_weights();
    SelfAttention attention(SelfAttentionOptions{3, 2, false, 0.0});
    attention->set_weights(w.query, w.key, w.value);
    attention->eval();
    auto out = attention(x);
    nlohmann::json m = {{"name", "SelfAttention"},
                        {"about",
                         "q = x·W_q, k = x·W_k, v = x·W_v; scores = q·kᵀ; weights = softmax(scores / √d_k); "
                         "context = weights·v"},
                        {"d_in", 3},
                        {"d_out", 2}};
    m.update(weights_json(w));
    m["scores"] = matrix(out.scores), m["weights"] = matrix(out.weights), m["context"] = matrix(out.context);
    mechanisms.push_back(m);
  }
  {
    auto w = textbook_weights();
    CausalAttention attention(SelfAttentionOptions{3, 2, false, 0.0});
    attention->set_weights(w.query, w.key, w.value);
    attention->eval();
    auto out = attention(x);
    nlohmann::json m = {{"name", "CausalAttention"},
                        {"about",
                         "SelfAttention with the scores of later positions set to -inf before the softmax; "
                         "dropout on the weights is 0 in this demo (in training it zeroes weights at random)"},
                        {"d_in", 3},
                        {"d_out", 2},
                        {"dropout", 0.0}};
    m.update(weights_json(w));
    m["scores"] = matrix(out.scores), m["weights"] = matrix(out.weights), m["context"] = matrix(out.context);
    mechanisms.push_back(m);
  }
  {
    auto w = textbook_weights();
    const int64_t heads = 2;
    MultiHeadAttention attention(MultiHeadAttentionOptions{3, 2, heads, 0.0, true});
    attention->eval();
    // in_proj (3·d_out, d_in) holds W_qᵀ, W_kᵀ, W_vᵀ stacked; row h of each block is head h.
    attention->in_proj_weight.copy_(torch::cat({w.query.t(), w.key.t(), w.value.t()}, 0));
    attention->in_proj_bias.zero_();
    attention->out_proj->weight.copy_(torch::eye(2));
    attention->out_proj->bias.zero_();
    auto batch = x.unsqueeze(0);  // (1, 6, 3)
    auto qkv = attention->project_qkv(batch);
    auto out = attention->attend(qkv[0], qkv[1], qkv[2], {}, causal_mask(x.size(0)), NeedWeights::per_head,
                                 /*keep_scores=*/true);
    nlohmann::json per_head = nlohmann::json::array();
    for (int64_t h = 0; h < heads; ++h)
      per_head.push_back({{"head", h + 1},
                          {"scores", matrix(out.scores[0][h])},
                          {"weights", matrix(out.weights[0][h])},
                          {"context", matrix(torch::matmul(out.weights[0][h], qkv[2][0][h]))}});
    nlohmann::json m = {{"name", "MultiHeadAttention"},
                        {"about",
                         "2 heads of 1 dimension each from one batched projection (d_out = 2 in total): head h uses "
                         "column h of W_q, W_k, W_v; causal mask; scores scaled by 1/√d_head = 1; biases 0; the output "
                         "projection is the identity, so the context is the heads' contexts side by side; dropout 0"},
                        {"d_in", 3},
                        {"d_out", 2},
                        {"heads", heads},
                        {"head_dim", 1},
                        {"heads_detail", per_head},
                        {"weights_averaged", matrix(out.weights[0].mean(0))},
                        {"context", matrix(out.context[0])}};
    m.update(weights_json(w));
    mechanisms.push_back(m);
  }
  demo["mechanisms"] = mechanisms;
  return demo;
}

}  // namespace seq2seq::models
