// RNNsearch (Bahdanau et al. 2014): bidirectional GRU encoder, additive attention, GRU decoder.
#include "seq2seq/models/bahdanau.h"

#include "layers.h"

namespace seq2seq::models {

BahdanauEncoderImpl::BahdanauEncoderImpl(const ModelConfig& config, int64_t vocab_size) {
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

BahdanauEncoderImpl::Output BahdanauEncoderImpl::forward(const torch::Tensor& src, const torch::Tensor& src_len) {
  auto embedded = dropout(embedding(src));  // (B, S, E)
  auto run = detail::run_rnn(rnn, embedded, src_len);
  const int64_t n = run.h_n.size(0);  // layers·2: the top layer's forward and backward are last
  auto final_states = torch::cat({run.h_n[n - 2], run.h_n[n - 1]}, 1);  // (B, 2H)
  return {run.states, torch::tanh(fc(final_states))};
}

BahdanauDecoderImpl::BahdanauDecoderImpl(const ModelConfig& config, int64_t vocab_size) {
  const int64_t E = config.emb_dim, H = config.hidden_dim;
  attention = register_module("attention", AdditiveAttention(AdditiveAttentionOptions{H, 2 * H, H}));
  embedding = register_module("embedding", torch::nn::Embedding(vocab_size, E));
  dropout = register_module("dropout", Dropout(config.dropout));
  rnn = register_module("rnn", torch::nn::GRU(torch::nn::GRUOptions(E + 2 * H, H).batch_first(true)));
  fc_out = register_module("fc_out", torch::nn::Linear(H + 2 * H + E, vocab_size));
}

BahdanauModel::BahdanauModel(const ModelConfig& config, int64_t src_vocab_size, int64_t tgt_vocab_size)
    : emb_(config.emb_dim) {
  encoder = register_module("encoder", BahdanauEncoder(config, src_vocab_size));
  decoder = register_module("decoder", BahdanauDecoder(config, tgt_vocab_size));
  if (config.init == "normal") detail::init_weights_normal_biases_zero(*this, 0.01);
}

torch::Tensor BahdanauModel::forward(const data::Batch& batch, double teacher_forcing, Positions positions) {
  auto encoded = encoder(batch.src, batch.src_len);
  auto src_mask = detail::real_tokens(batch.src);  // (B, S)
  auto& attention = decoder->attention;
  auto keys = attention->keys(encoded.states);  // (B, S, H): W_h h_j + b, once per batch
  auto w = detail::cell_weights(decoder->rnn->all_weights(), 1)[0];
  // W_ih [e; c] = W_e e + W_c c (split_with_sizes views: their gradients are simply concatenated)
  auto w_ih = w.w_ih.split_with_sizes({emb_, w.w_ih.size(1) - emb_}, 1);
  const auto &w_e = w_ih[0], &w_c = w_ih[1];
  const auto& tgt_in = batch.tgt_in;
  const int64_t T = tgt_in.size(1);
  torch::Tensor hidden = encoded.initial;  // (B, H)

  if (teacher_forcing >= 1.0) {
    // Embeddings and their input projections once for all steps; the loop runs only
    // attention + GRU; the output layer runs once over the stacked features.
    auto embedded = decoder->dropout(decoder->embedding(tgt_in));  // (B, T, E)
    // (T, B, E)·(E, 3H) -> T x (B, 3H); unbind so that backward stacks the step gradients once.
    auto gates_e = torch::nn::functional::linear(embedded.transpose(0, 1), w_e, w.b_ih).unbind(0);
    std::vector<torch::Tensor> hiddens, contexts;
    hiddens.reserve(T);
    contexts.reserve(T);
    for (int64_t t = 0; t < T; ++t) {
      auto context = attention(hidden, keys, encoded.states, src_mask).context;  // (B, 2H), from s_{t-1}
      hidden = detail::gru_step(gates_e[t] + detail::linear(context, w_c), hidden, w.w_hh, w.b_hh);  // (B, H)
      hiddens.push_back(hidden);
      contexts.push_back(context);
    }
    // [s; c; e]: (B, T, H + 2H + E) -> (B, T, V)
    auto features = torch::cat({torch::stack(hiddens, 1), torch::stack(contexts, 1), embedded}, 2);
    return detail::output_layer(features, tgt_in, decoder->fc_out->weight, decoder->fc_out->bias, {},
                                positions == Positions::kRealTargets);
  }

  // Scheduled sampling: one Bernoulli(teacher_forcing) per step picks the reference token or
  // the model's own argmax.
  std::vector<torch::Tensor> logits;
  logits.reserve(T);
  torch::Tensor input = tgt_in.select(1, 0);  // (B)
  for (int64_t t = 0; t < T; ++t) {
    if (t > 0) {
      const bool use_reference = torch::rand({1}).item<double>() < teacher_forcing;
      input = use_reference ? tgt_in.select(1, t) : logits.back().argmax(-1);
    }
    auto embedded = decoder->dropout(decoder->embedding(input));  // (B, E)
    auto context = attention(hidden, keys, encoded.states, src_mask).context;
    hidden =
        detail::gru_step(detail::linear(embedded, w_e, w.b_ih) + detail::linear(context, w_c), hidden, w.w_hh, w.b_hh);
    logits.push_back(decoder->fc_out(torch::cat({hidden, context, embedded}, 1)));  // (B, V)
  }
  auto all = torch::stack(logits, 1);  // (B, T, V)
  return positions == Positions::kRealTargets ? detail::real_rows(all, tgt_in) : all;
}

DecoderState BahdanauModel::start(const torch::Tensor& src, const torch::Tensor& src_len) {
  auto encoded = encoder(src, src_len);
  DecoderState state;
  state["hidden"] = encoded.initial;                         // (B, H)
  state["states"] = encoded.states;                          // (B, S, 2H)
  state["keys"] = decoder->attention->keys(encoded.states);  // (B, S, H)
  state["src_mask"] = detail::real_tokens(src);              // (B, S)
  return state;
}

StepOutput BahdanauModel::step(DecoderState& state, const torch::Tensor& prev_tokens) {
  auto w = detail::cell_weights(decoder->rnn->all_weights(), 1)[0];
  auto embedded = decoder->dropout(decoder->embedding(prev_tokens));  // (B, E)
  auto hidden = state["hidden"];
  auto attended = decoder->attention(hidden, state["keys"], state["states"], state["src_mask"]);
  auto w_ih = w.w_ih.split_with_sizes({emb_, w.w_ih.size(1) - emb_}, 1);
  auto gates = detail::linear(embedded, w_ih[0], w.b_ih) + detail::linear(attended.context, w_ih[1]);  // (B, 3H)
  hidden = detail::gru_step(gates, hidden, w.w_hh, w.b_hh);
  state["hidden"] = hidden;
  const auto& fc = decoder->fc_out;
  auto logits = detail::linear(torch::cat({hidden, attended.context, embedded}, 1), fc->weight, fc->bias);  // (B, V)
  state.step += 1;
  return {torch::log_softmax(logits, -1), attended.weights};
}

}  // namespace seq2seq::models
