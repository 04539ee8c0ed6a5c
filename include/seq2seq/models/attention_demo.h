// The attention walk-through of `seq2seq attention demo`: mechanisms 1-4 on the six-token example.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace seq2seq::models {

// "Your journey starts with one step" and its six 3-d embeddings (DESIGN.md).
const std::vector<std::string>& demo_tokens();
const std::vector<std::vector<float>>& demo_embeddings();

// Runs SimpleSelfAttention, SelfAttention, CausalAttention and MultiHeadAttention on the example
// and returns every intermediate (scores, weights, context vectors, the projection matrices),
// rounded to 4 decimals; masked scores (-inf) are null. Every number is a real module output.
// Trainable mechanisms: d_in 3, d_out 2, W_q, W_k, W_v = torch::rand({3, 2}) drawn in that
// order right after torch::manual_seed(123) (the global generator is reseeded; nothing else
// is touched). Multi-head: the same three matrices, 2 heads of 1 dimension each (column h of
// each matrix is head h), zero biases, identity output projection, causal mask, dropout 0.
nlohmann::json attention_demo();

}  // namespace seq2seq::models
