// The RNN encoder-decoder without attention (Cho et al. 2014), GRU or LSTM, any depth.
#include "seq2seq/models/rnn.h"

#include "detail.h"

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
// Encoder
// ---------------------------------------------------------------------------------------------
RnnEncoderImpl::RnnEncoderImpl(const ModelConfig& config, int64_t vocab_size)
    : is_lstm(config.cell == Cell::lstm), reverse_source(config.reverse_source) {
  embedding = register_module("embedding", torch::nn::Embedding(vocab_size, config.emb_dim));
  dropout = register_module("dropout", Dropout(config.dropout));
  if (is_lstm)
    lstm = register_module(
        "rnn", torch::nn::LSTM(rnn_options<torch::nn::LSTMOptions>(config, config.emb_dim, config.bidirectional)));
  else
    gru = register_module(
        "rnn", torch::nn::GRU(rnn_options<torch::nn::GRUOptions>(config, config.emb_dim, config.bidirectional)));
}

// Sutskever et al. (2014) reverse the source: the first words, which the decoder needs first, are
// then the last the encoder reads, a few steps from the decoder's start instead of n. <bos> and
// <eos> stay in place, so the final state is still the one after <eos>. The reversal is done
// here, once, and undone on the states: forward() and start() both encode through this, so
// training, search, eval and translate all read reversed sources without knowing it.
RnnEncoderImpl::Output RnnEncoderImpl::forward(const torch::Tensor& src, const torch::Tensor& src_len) {
  auto read = reverse_source ? reverse_source_words(src, src_len) : src;  // (B, S)
  auto embedded = dropout(embedding(read));                               // (B, S, E)
  auto run = is_lstm ? detail::run_rnn(lstm, embedded, src_len) : detail::run_rnn(gru, embedded, src_len);
  if (reverse_source) run.states = reverse_source_words(run.states, src_len);  // (B, S, dirs·H), original order
  return {run.states, run.h_n, run.c_n};
}

// ---------------------------------------------------------------------------------------------
// Decoder
// ---------------------------------------------------------------------------------------------
RnnDecoderImpl::RnnDecoderImpl(const ModelConfig& config, int64_t vocab_size, int64_t context_dim_)
    : emb_dim(config.emb_dim), hidden_dim(config.hidden_dim), context_dim(context_dim_) {
  embedding = register_module("embedding", torch::nn::Embedding(vocab_size, emb_dim));
  dropout = register_module("dropout", Dropout(config.dropout));
  StackedCellsOptions cells;
  cells.cell = config.cell;
  cells.input_size = emb_dim + context_dim;
  cells.hidden_size = hidden_dim;
  cells.layers = config.layers;
  cells.dropout = config.dropout;
  rnn = register_module("rnn", StackedCells(cells));
  fc_out = register_module("fc_out", Linear(emb_dim + hidden_dim + context_dim, vocab_size));
}

// Split views made together (split_with_sizes): backward concatenates the blocks' gradients
// once, where a narrow() per block would fill a full-size gradient for each.
RnnDecoderImpl::Weights RnnDecoderImpl::weights() const {
  auto ih = rnn->input_weight().split_with_sizes({emb_dim, context_dim}, 1);
  auto out = fc_out->weight.split_with_sizes({emb_dim + hidden_dim, context_dim}, 1);
  return {ih[0], ih[1], out[0], out[1]};
}

RnnDecoderImpl::Context RnnDecoderImpl::project(const torch::Tensor& c) {
  const auto w = weights();
  Context context;
  context.c = c;                                                       // (B, C)
  context.input_share = models::linear(c, w.ih_c, rnn->input_bias());  // (B, G·H)
  context.output_share = models::linear(c, w.out_c, fc_out->bias);     // (B, V)
  return context;
}

torch::Tensor RnnDecoderImpl::step(const torch::Tensor& prev_tokens, StackedCellsImpl::State& state,
                                   const Context& context) {
  // The weights are split per call: free in decoding; in scheduled-sampling training each
  // step's backward then fills a full-size weight gradient (forward() splits once).
  const auto w = weights();
  auto e = dropout(embedding(prev_tokens));                                     // e_t (B, E)
  rnn->step_projected(state, models::linear(e, w.ih_e) + context.input_share);  // W_ih [e_t; c] + b_ih (B, G·H) -> h_t
  auto eh = torch::cat({e, state.h.back()}, 1);                                 // [e_t; h_t] (B, E + H)
  return models::linear(eh, w.out_eh) + context.output_share;                   // W_out [e_t; h_t; c] + b_out (B, V)
}

DecoderFeatures RnnDecoderImpl::forward(const torch::Tensor& tgt_in, StackedCellsImpl::State state,
                                        const torch::Tensor& c) {
  const int64_t T = tgt_in.size(1);
  auto e = dropout(embedding(tgt_in));  // e_t for every t (B, T, E)
  std::vector<torch::Tensor> tops;      // h_t of the top layer, T x (B, H)
  tops.reserve(T);
  if (hoist_input_projections) {
    // Speed: W_ih [e_t; c] + b_ih = W_ih,e e_t + (W_ih,c c + b_ih) does not depend on h_{t-1},
    // so the input projections of all T steps are one (T·B, E)·(E, G·H) matrix product before
    // the loop, not T small ones inside it (nor T in backward); the loop runs only the
    // recurrence. unbind (not [t]): backward stacks the steps' gradients once instead of
    // zero-filling a full-size one for each. Under bf16 autocast this product runs in bf16, and
    // the cells take it into fp32 gates (StackedCells, layers.cpp).
    const auto w = weights();
    auto c_share = models::linear(c, w.ih_c, rnn->input_bias());                                        // (B, G·H)
    auto projections = models::linear(e.transpose(0, 1), w.ih_e).add_(c_share.unsqueeze(0)).unbind(0);  // T x (B, G·H)
    for (int64_t t = 0; t < T; ++t) {
      rnn->step_projected(state, projections[t]);
      tops.push_back(state.h.back());
    }
  } else {
    for (int64_t t = 0; t < T; ++t) {
      rnn->step(state, torch::cat({e.select(1, t), c}, 1));  // [e_t; c] (B, E + C)
      tops.push_back(state.h.back());
    }
  }
  DecoderFeatures features;
  features.per_position = torch::cat({e, torch::stack(tops, 1)}, 2);  // [e_t; h_t] (B, T, E + H)
  features.per_sentence = c;                                          // (B, C)
  return features;
}

torch::Tensor RnnDecoderImpl::logits(const DecoderFeatures& features) {
  // W_out [e; h; c] + b_out = W_out,eh [e; h] + (W_out,c c + b_out), the second term once per sentence
  const auto w = weights();
  auto logits = models::linear(features.per_position, w.out_eh);                // (B, T, V) or (N, V)
  auto c_share = models::linear(features.per_sentence, w.out_c, fc_out->bias);  // (B, V)
  if (features.sentence.defined()) return logits.add_(c_share.index_select(0, features.sentence));  // + (N, V)
  return logits.add_(c_share.unsqueeze(1));                                                         // + (B, 1, V)
}

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------
RnnModel::RnnModel(const ModelConfig& config, int64_t src_vocab_size, int64_t tgt_vocab_size)
    : layers_(config.layers), is_lstm_(config.cell == Cell::lstm) {
  const int64_t H = config.hidden_dim, context_dim = (config.bidirectional ? 2 : 1) * H;
  encoder = register_module("encoder", RnnEncoder(config, src_vocab_size));
  decoder = register_module("decoder", RnnDecoder(config, tgt_vocab_size, context_dim));
  if (config.bidirectional) {
    bridge = register_module("bridge", torch::nn::Linear(2 * H, H));
    if (is_lstm_) bridge_cell = register_module("bridge_cell", torch::nn::Linear(2 * H, H));
  }
  if (config.init == Init::normal) detail::init_all_normal(*this, 0.01);
}

StackedCellsImpl::State RnnModel::initial_state(const RnnEncoderImpl::Output& encoded) {
  StackedCellsImpl::State state;
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

DecoderFeatures RnnModel::decoder_features(const data::Batch& batch) {
  auto encoded = encoder(batch.src, batch.src_len);
  return decoder->forward(batch.tgt_in, initial_state(encoded), context_of(encoded));
}

torch::Tensor RnnModel::output_logits(const DecoderFeatures& features) { return decoder->logits(features); }

DecoderState RnnModel::start(const torch::Tensor& src, const torch::Tensor& src_len) {
  auto encoded = encoder(src, src_len);
  auto recurrent = initial_state(encoded);
  auto context = decoder->project(context_of(encoded));  // computed once, used by every step
  DecoderState state;
  state["hidden"] = torch::stack(recurrent.h, 1);              // (B, L, H)
  if (is_lstm_) state["cell"] = torch::stack(recurrent.c, 1);  // (B, L, H)
  state["context"] = context.c;                                // (B, C)
  state["input_share"] = context.input_share;                  // (B, G·H)
  state["output_share"] = context.output_share;                // (B, V)
  return state;
}

StepOutput RnnModel::step(DecoderState& state, const torch::Tensor& prev_tokens) {
  StackedCellsImpl::State recurrent;
  recurrent.h = state["hidden"].unbind(1);  // L x (B, H)
  if (is_lstm_) recurrent.c = state["cell"].unbind(1);
  auto logits =
      decoder->step(prev_tokens, recurrent, {state["context"], state["input_share"], state["output_share"]});  // (B, V)
  state["hidden"] = torch::stack(recurrent.h, 1);
  if (is_lstm_) state["cell"] = torch::stack(recurrent.c, 1);
  state.step += 1;
  // In fp32 under bf16 autocast too: search sums these log-probabilities over the whole output.
  return {torch::log_softmax(logits, -1, torch::kFloat), torch::Tensor()};
}

}  // namespace seq2seq::models
