// The RNN encoder-decoder without attention (Cho et al. 2014), GRU or LSTM, any depth.
#include "seq2seq/models/rnn.h"

#include "layers.h"

namespace seq2seq::models {

namespace {

template <typename Options>
Options rnn_options(const ModelConfig& config, int64_t input_size, bool bidirectional) {
  return Options(input_size, config.hidden_dim)
      .num_layers(config.layers)
      .dropout(config.layers > 1 ? config.dropout : 0.0)  // between layers, as torch's RNNs do
      .bidirectional(bidirectional)
      .batch_first(true);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Encoder and decoder parameters
// ---------------------------------------------------------------------------------------------
RnnEncoderImpl::RnnEncoderImpl(const ModelConfig& config, int64_t vocab_size) : is_lstm(config.cell == "lstm") {
  embedding = register_module("embedding", torch::nn::Embedding(vocab_size, config.emb_dim));
  dropout = register_module("dropout", Dropout(config.dropout));
  if (is_lstm)
    lstm = register_module(
        "rnn", torch::nn::LSTM(rnn_options<torch::nn::LSTMOptions>(config, config.emb_dim, config.bidirectional)));
  else
    gru = register_module(
        "rnn", torch::nn::GRU(rnn_options<torch::nn::GRUOptions>(config, config.emb_dim, config.bidirectional)));
}

RnnEncoderImpl::Output RnnEncoderImpl::forward(const torch::Tensor& src, const torch::Tensor& src_len) {
  auto embedded = dropout(embedding(src));  // (B, S, E)
  auto run = is_lstm ? detail::run_rnn(lstm, embedded, src_len) : detail::run_rnn(gru, embedded, src_len);
  return {run.states, run.h_n, run.c_n};
}

RnnDecoderImpl::RnnDecoderImpl(const ModelConfig& config, int64_t vocab_size, int64_t context_dim) {
  const int64_t E = config.emb_dim, H = config.hidden_dim;
  embedding = register_module("embedding", torch::nn::Embedding(vocab_size, E));
  dropout = register_module("dropout", Dropout(config.dropout));
  if (config.cell == "lstm")
    lstm = register_module("rnn", torch::nn::LSTM(rnn_options<torch::nn::LSTMOptions>(config, E + context_dim, false)));
  else
    gru = register_module("rnn", torch::nn::GRU(rnn_options<torch::nn::GRUOptions>(config, E + context_dim, false)));
  fc_out = register_module("fc_out", torch::nn::Linear(E + H + context_dim, vocab_size));
}

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------
RnnModel::RnnModel(const ModelConfig& config, int64_t src_vocab_size, int64_t tgt_vocab_size)
    : layers_(config.layers),
      hidden_(config.hidden_dim),
      emb_(config.emb_dim),
      context_dim_((config.bidirectional ? 2 : 1) * config.hidden_dim),
      is_lstm_(config.cell == "lstm") {
  encoder = register_module("encoder", RnnEncoder(config, src_vocab_size));
  decoder = register_module("decoder", RnnDecoder(config, tgt_vocab_size, context_dim_));
  if (config.bidirectional) {
    bridge = register_module("bridge", torch::nn::Linear(2 * hidden_, hidden_));
    if (is_lstm_) bridge_cell = register_module("bridge_cell", torch::nn::Linear(2 * hidden_, hidden_));
  }
  if (config.init == "normal") detail::init_all_normal(*this, 0.01);
}

RnnModel::Recurrent RnnModel::initial_state(const RnnEncoderImpl::Output& encoded) {
  Recurrent state;
  for (int64_t l = 0; l < layers_; ++l) {
    if (bridge) {
      // h_n rows are [layer 0 fwd, layer 0 bwd, layer 1 fwd, ...]
      auto both = torch::cat({encoded.h_n[2 * l], encoded.h_n[2 * l + 1]}, 1);  // (B, 2H)
      state.h.push_back(torch::tanh(bridge(both)));                             // (B, H)
      if (is_lstm_) state.c.push_back(bridge_cell(torch::cat({encoded.c_n[2 * l], encoded.c_n[2 * l + 1]}, 1)));
    } else {
      state.h.push_back(encoded.h_n[l]);  // (B, H)
      if (is_lstm_) state.c.push_back(encoded.c_n[l]);
    }
  }
  return state;
}

torch::Tensor RnnModel::context_of(const RnnEncoderImpl::Output& encoded) {
  // The top layer's final hidden state (both directions when bidirectional); for the LSTM, h.
  if (bridge) return torch::cat({encoded.h_n[2 * layers_ - 2], encoded.h_n[2 * layers_ - 1]}, 1);  // (B, 2H)
  return encoded.h_n[layers_ - 1];                                                                 // (B, H)
}

RnnModel::Weights RnnModel::decoder_weights() {
  Weights w;
  w.cells = is_lstm_ ? decoder->lstm->all_weights() : decoder->gru->all_weights();
  auto in = w.cells[0].split_with_sizes({emb_, context_dim_}, 1);
  w.in_e = in[0], w.in_c = in[1];
  auto out = decoder->fc_out->weight.split_with_sizes({emb_ + hidden_, context_dim_}, 1);
  w.out_eh = out[0], w.out_c = out[1], w.out_b = decoder->fc_out->bias;
  return w;
}

torch::Tensor RnnModel::output_logits(const torch::Tensor& features, const torch::Tensor& fixed_logits,
                                      const Weights& w) {
  return detail::linear(features, w.out_eh) + fixed_logits;  // (B, V)
}

void RnnModel::advance(Recurrent& state, const torch::Tensor& gates0, const Weights& weights) {
  auto w = detail::cell_weights(weights.cells, layers_);
  torch::Tensor gates = gates0;
  for (int64_t l = 0; l < layers_; ++l) {
    if (l > 0) gates = detail::linear(decoder->dropout(state.h[l - 1]), w[l].w_ih, w[l].b_ih);  // (B, G·H)
    if (is_lstm_)
      std::tie(state.h[l], state.c[l]) = detail::lstm_step(gates, state.h[l], state.c[l], w[l].w_hh, w[l].b_hh);
    else
      state.h[l] = detail::gru_step(gates, state.h[l], w[l].w_hh, w[l].b_hh);
  }
}

torch::Tensor RnnModel::forward(const data::Batch& batch, double teacher_forcing, Positions positions) {
  auto encoded = encoder(batch.src, batch.src_len);
  auto context = context_of(encoded);  // (B, C)
  auto state = initial_state(encoded);
  auto w = decoder_weights();
  // The context's share of layer 0's input gates and of the logits is the same at every step.
  auto gates_context = detail::linear(context, w.in_c, w.cells[2]);  // (B, G·H), + b_ih
  auto fixed_logits = detail::linear(context, w.out_c, w.out_b);     // (B, V)
  const auto& tgt_in = batch.tgt_in;
  const int64_t T = tgt_in.size(1);

  if (teacher_forcing >= 1.0) {
    // Teacher forcing: embeddings and their input projections for all steps at once; only the
    // recurrence runs step by step; the output layer runs once over the stacked features.
    auto embedded = decoder->dropout(decoder->embedding(tgt_in));  // (B, T, E)
    // (T, B, E)·(E, G·H) + (1, B, G·H) -> (T, B, G·H); unbind (not [t]) so that backward
    // stacks the per-step gradients once instead of zero-filling a full-size tensor per step.
    auto gates =
        torch::nn::functional::linear(embedded.transpose(0, 1), w.in_e).add_(gates_context.unsqueeze(0)).unbind(0);
    std::vector<torch::Tensor> tops;
    tops.reserve(T);
    for (int64_t t = 0; t < T; ++t) {
      advance(state, gates[t], w);
      tops.push_back(state.h.back());  // (B, H)
    }
    auto hiddens = torch::stack(tops, 1);                                       // (B, T, H)
    // (B, T, E + H)·(E + H, V) + (B, 1, V) -> (B, T, V): one GEMM over every target step
    return detail::output_layer(torch::cat({embedded, hiddens}, 2), tgt_in, w.out_eh, {}, fixed_logits,
                                positions == Positions::kRealTargets);
  }

  // Scheduled sampling: one Bernoulli(teacher_forcing) per step decides between the reference
  // token and the model's own argmax, so the output layer has to run inside the loop.
  std::vector<torch::Tensor> logits;
  logits.reserve(T);
  torch::Tensor input = tgt_in.select(1, 0);  // (B)
  for (int64_t t = 0; t < T; ++t) {
    if (t > 0) {
      const bool use_reference = torch::rand({1}).item<double>() < teacher_forcing;
      input = use_reference ? tgt_in.select(1, t) : logits.back().argmax(-1);
    }
    auto embedded = decoder->dropout(decoder->embedding(input));  // (B, E)
    advance(state, detail::linear(embedded, w.in_e) + gates_context, w);
    logits.push_back(output_logits(torch::cat({embedded, state.h.back()}, 1), fixed_logits, w));  // (B, V)
  }
  auto all = torch::stack(logits, 1);  // (B, T, V)
  return positions == Positions::kRealTargets ? detail::real_rows(all, tgt_in) : all;
}

DecoderState RnnModel::start(const torch::Tensor& src, const torch::Tensor& src_len) {
  auto encoded = encoder(src, src_len);
  auto context = context_of(encoded);
  auto recurrent = initial_state(encoded);
  DecoderState state;
  state["hidden"] = torch::stack(recurrent.h, 1);              // (B, L, H)
  if (is_lstm_) state["cell"] = torch::stack(recurrent.c, 1);  // (B, L, H)
  state["context"] = context;                                  // (B, C)
  // Per-sentence constants of every step, computed once.
  auto w = decoder_weights();
  state["context_gates"] = detail::linear(context, w.in_c, w.cells[2]);  // (B, G·H)
  state["context_logits"] = detail::linear(context, w.out_c, w.out_b);   // (B, V)
  return state;
}

StepOutput RnnModel::step(DecoderState& state, const torch::Tensor& prev_tokens) {
  auto w = decoder_weights();
  auto embedded = decoder->dropout(decoder->embedding(prev_tokens));  // (B, E)
  Recurrent recurrent;
  recurrent.h = state["hidden"].unbind(1);  // L x (B, H)
  if (is_lstm_) recurrent.c = state["cell"].unbind(1);
  advance(recurrent, detail::linear(embedded, w.in_e) + state["context_gates"], w);
  state["hidden"] = torch::stack(recurrent.h, 1);
  if (is_lstm_) state["cell"] = torch::stack(recurrent.c, 1);
  auto logits = output_logits(torch::cat({embedded, recurrent.h.back()}, 1), state["context_logits"], w);  // (B, V)
  state.step += 1;
  return {torch::log_softmax(logits, -1), torch::Tensor()};
}

}  // namespace seq2seq::models
