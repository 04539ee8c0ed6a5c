// RNNsearch (Bahdanau et al. 2014): bidirectional GRU encoder, additive attention, GRU decoder.
#include "seq2seq/models/bahdanau.h"

#include "detail.h"

namespace seq2seq::models {

// ---------------------------------------------------------------------------------------------
// Encoder
// ---------------------------------------------------------------------------------------------
BahdanauEncoderImpl::BahdanauEncoderImpl(const ModelConfig& config, int64_t vocab_size)
    : reverse_source(config.reverse_source) {
  const int64_t H = config.hidden_dim;
  embedding = register_module("embedding", torch::nn::Embedding(vocab_size, config.emb_dim));
  dropout = register_module("dropout", Dropout(config.dropout));
  rnn = register_module("rnn", torch::nn::GRU(torch::nn::GRUOptions(config.emb_dim, H)
                                                  .num_layers(config.layers)
                                                  .dropout(config.layers > 1 ? config.dropout : 0.0)
                                                  .bidirectional(true)
                                                  .batch_first(true)));
  fc = register_module("fc", torch::nn::Linear(2 * H, H));
}

// With reverse_source the GRU reads the words last to first (as RnnEncoder, rnn.cpp), and the
// states are put back in source order: the attention weights, which translate draws and uses to
// replace <unk>, are then over the source as written, whatever order it was read in.
BahdanauEncoderImpl::Output BahdanauEncoderImpl::forward(const torch::Tensor& src, const torch::Tensor& src_len) {
  auto read = reverse_source ? reverse_source_words(src, src_len) : src;  // (B, S)
  auto embedded = dropout(embedding(read));                               // (B, S, E)
  auto run = detail::run_rnn(rnn, embedded, src_len);
  if (reverse_source) run.states = reverse_source_words(run.states, src_len);  // (B, S, 2H), original order
  const int64_t n = run.h_n.size(0);  // layers·2: the top layer's forward and backward are last
  auto final_states = torch::cat({run.h_n[n - 2], run.h_n[n - 1]}, 1);  // (B, 2H)
  return {run.states, torch::tanh(fc(final_states))};
}

// ---------------------------------------------------------------------------------------------
// Decoder
// ---------------------------------------------------------------------------------------------
BahdanauDecoderImpl::BahdanauDecoderImpl(const ModelConfig& config, int64_t vocab_size)
    : emb_dim(config.emb_dim), context_dim(2 * config.hidden_dim) {
  const int64_t E = config.emb_dim, H = config.hidden_dim;
  attention = register_module("attention", AdditiveAttention(AdditiveAttentionOptions{H, 2 * H, H}));
  embedding = register_module("embedding", torch::nn::Embedding(vocab_size, E));
  dropout = register_module("dropout", Dropout(config.dropout));
  StackedCellsOptions cell;
  cell.cell = Cell::gru;
  cell.input_size = E + 2 * H;
  cell.hidden_size = H;
  rnn = register_module("rnn", StackedCells(cell));
  fc_out = register_module("fc_out", Linear(H + 2 * H + E, vocab_size));
}

BahdanauDecoderImpl::Memory BahdanauDecoderImpl::memory(const torch::Tensor& encoder_states, const torch::Tensor& src) {
  return {encoder_states, attention->keys(encoder_states), detail::real_tokens(src)};
}

std::pair<torch::Tensor, torch::Tensor> BahdanauDecoderImpl::step(const torch::Tensor& prev_tokens,
                                                                  torch::Tensor& hidden, const Memory& memory) {
  auto e = dropout(embedding(prev_tokens));                                        // e_t (B, E)
  auto attended = attention(hidden, memory.keys, memory.states, memory.src_mask);  // from s_{t-1}
  const auto& c = attended.context;                                                // c_t (B, 2H)
  StackedCellsImpl::State state{{hidden}, {}};
  rnn->step(state, torch::cat({e, c}, 1));              // [e_t; c_t] (B, E + 2H)
  hidden = state.h[0];                                  // s_t (B, H)
  auto logits = fc_out(torch::cat({hidden, c, e}, 1));  // (B, V)
  return {logits, attended.weights};
}

DecoderFeatures BahdanauDecoderImpl::forward(const torch::Tensor& tgt_in, torch::Tensor hidden, const Memory& memory) {
  const int64_t T = tgt_in.size(1);
  auto e = dropout(embedding(tgt_in));          // e_t for every t (B, T, E)
  StackedCellsImpl::State state{{hidden}, {}};  // s_0
  std::vector<torch::Tensor> states, contexts;  // T x s_t (B, H), T x c_t (B, 2H)
  states.reserve(T);
  contexts.reserve(T);
  if (hoist_input_projections) {
    // Speed: split by [e; c], W_ih [e_t; c_t] + b_ih = (W_ih,e e_t + b_ih) + W_ih,c c_t, and the
    // first term does not depend on the step before: all T of them are one (T·B, E)·(E, 3H)
    // matrix product before the loop, not T small ones inside it (nor T in backward); the loop
    // adds only c_t's share. unbind (not [t]): backward stacks the steps' gradients once.
    // Under bf16 autocast these products run in bf16; the cell's gates and state stay fp32.
    auto w = rnn->input_weight().split_with_sizes({emb_dim, context_dim}, 1);  // W_ih,e (3H, E), W_ih,c (3H, 2H)
    const auto &w_ih_e = w[0], &w_ih_c = w[1];
    auto e_shares = models::linear(e.transpose(0, 1), w_ih_e, rnn->input_bias()).unbind(0);  // T x (B, 3H)
    for (int64_t t = 0; t < T; ++t) {
      auto c = attention(state.h[0], memory.keys, memory.states, memory.src_mask).context;  // c_t (B, 2H)
      rnn->step_projected(state, e_shares[t] + models::linear(c, w_ih_c));                  // s_t
      states.push_back(state.h[0]);
      contexts.push_back(c);
    }
  } else {
    for (int64_t t = 0; t < T; ++t) {
      auto c = attention(state.h[0], memory.keys, memory.states, memory.src_mask).context;  // c_t (B, 2H)
      rnn->step(state, torch::cat({e.select(1, t), c}, 1));                                 // s_t
      states.push_back(state.h[0]);
      contexts.push_back(c);
    }
  }
  DecoderFeatures features;
  features.per_position = torch::cat({torch::stack(states, 1), torch::stack(contexts, 1), e}, 2);  // (B, T, H + 2H + E)
  return features;
}

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------
BahdanauModel::BahdanauModel(const ModelConfig& config, int64_t src_vocab_size, int64_t tgt_vocab_size) {
  encoder = register_module("encoder", BahdanauEncoder(config, src_vocab_size));
  decoder = register_module("decoder", BahdanauDecoder(config, tgt_vocab_size));
  if (config.init == Init::normal) detail::init_weights_normal_biases_zero(*this, 0.01);
}

DecoderFeatures BahdanauModel::decoder_features(const data::Batch& batch) {
  auto encoded = encoder(batch.src, batch.src_len);
  return decoder->forward(batch.tgt_in, encoded.initial, decoder->memory(encoded.states, batch.src));
}

torch::Tensor BahdanauModel::output_logits(const DecoderFeatures& features) {
  return decoder->fc_out(features.per_position);  // (B, T, V) or (N, V)
}

DecoderState BahdanauModel::start(const torch::Tensor& src, const torch::Tensor& src_len) {
  auto encoded = encoder(src, src_len);
  auto memory = decoder->memory(encoded.states, src);
  DecoderState state;
  state["hidden"] = encoded.initial;    // (B, H)
  state["states"] = memory.states;      // (B, S, 2H)
  state["keys"] = memory.keys;          // (B, S, H)
  state["src_mask"] = memory.src_mask;  // (B, S)
  return state;
}

StepOutput BahdanauModel::step(DecoderState& state, const torch::Tensor& prev_tokens) {
  auto [logits, weights] = decoder->step(prev_tokens, state["hidden"],
                                         {state["states"], state["keys"], state["src_mask"]});  // (B, V), (B, S)
  state.step += 1;
  // In fp32 under bf16 autocast too: search sums these log-probabilities over the whole output.
  return {torch::log_softmax(logits, -1, torch::kFloat), weights};
}

}  // namespace seq2seq::models
