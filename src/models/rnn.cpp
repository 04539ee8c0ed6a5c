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

namespace {

// logits (B, T, V) or (N, V) from at_positions(), plus a per-sentence term (B, V) on every row
// of its sentence.
torch::Tensor add_per_sentence(torch::Tensor logits, const torch::Tensor& per_sentence, const torch::Tensor& tgt_in) {
  const int64_t B = tgt_in.size(0), T = tgt_in.size(1);
  if (logits.dim() == 3) return logits.add_(per_sentence.unsqueeze(1));  // (B, T, V) + (B, 1, V)
  if (logits.size(0) == B * T) {                                         // no padding: (B·T, V)
    logits.view({B, T, -1}).add_(per_sentence.unsqueeze(1));
    return logits;
  }
  auto sentence = torch::div(real_positions(tgt_in), T, "floor");  // (N) the batch row of each position
  return logits.add_(per_sentence.index_select(0, sentence));      // (N, V)
}

}  // namespace

// Layer 0 sees [e; c] and the output layer [e; h; c]: W = [W_e | W_c] and [W_eh | W_c], and the
// context's part W_c c + b is the same at every step of a sentence.
RnnDecoderImpl::Context RnnDecoderImpl::project(const torch::Tensor& context) {
  auto gates = rnn->input_columns({emb_dim, context_dim}).forward(1, context, /*with_bias=*/true);  // (B, G·H)
  auto logits = fc_out->columns({emb_dim + hidden_dim, context_dim}).forward(1, context, /*with_bias=*/true);  // (B, V)
  return {context, gates, logits};
}

torch::Tensor RnnDecoderImpl::step(const torch::Tensor& prev_tokens, StackedCellsImpl::State& state,
                                   const Context& context) {
  // The column blocks are split per call. Free in decoding; in scheduled-sampling training each
  // step's backward then fills a full-size weight gradient (teacher forcing, forward(), splits once).
  auto embedded = dropout(embedding(prev_tokens));  // (B, E)
  rnn->step_from_gates(state, rnn->input_columns({emb_dim, context_dim}).forward(0, embedded) + context.gates);
  auto features = torch::cat({embedded, state.h.back()}, 1);                                          // (B, E + H)
  return fc_out->columns({emb_dim + hidden_dim, context_dim}).forward(0, features) + context.logits;  // (B, V)
}

torch::Tensor RnnDecoderImpl::forward(const torch::Tensor& tgt_in, StackedCellsImpl::State state,
                                      const torch::Tensor& context, Positions positions) {
  // step() for all t at once, with the column blocks split once for the whole pass.
  auto in = rnn->input_columns({emb_dim, context_dim});               // [W_e | W_c], b_ih
  auto out = fc_out->columns({emb_dim + hidden_dim, context_dim});    // [W_eh | W_c], b
  auto context_gates = in.forward(1, context, /*with_bias=*/true);    // (B, G·H)
  auto context_logits = out.forward(1, context, /*with_bias=*/true);  // (B, V)
  auto embedded = dropout(embedding(tgt_in));                         // (B, T, E)
  // (T, B, E)·(E, G·H) + (1, B, G·H) -> (T, B, G·H); unbind (not [t]) so that backward
  // stacks the per-step gradients once instead of zero-filling a full-size tensor per step.
  auto gates = in.forward(0, embedded.transpose(0, 1)).add_(context_gates.unsqueeze(0)).unbind(0);
  const int64_t T = tgt_in.size(1);
  std::vector<torch::Tensor> tops;
  tops.reserve(T);
  for (int64_t t = 0; t < T; ++t) {
    rnn->step_from_gates(state, gates[t]);
    tops.push_back(state.h.back());  // (B, H)
  }
  auto hiddens = torch::stack(tops, 1);                                                 // (B, T, H)
  auto features = at_positions(torch::cat({embedded, hiddens}, 2), tgt_in, positions);  // (B, T, E + H) or (N, E + H)
  // (.., E + H)·(E + H, V) + the sentence's W_c c + b: one GEMM over every target step
  return add_per_sentence(out.forward(0, features), context_logits, tgt_in);
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

torch::Tensor RnnModel::forward(const data::Batch& batch, Positions positions) {
  auto encoded = encoder(batch.src, batch.src_len);
  return decoder->forward(batch.tgt_in, initial_state(encoded), context_of(encoded), positions);
}

DecoderState RnnModel::start(const torch::Tensor& src, const torch::Tensor& src_len) {
  auto encoded = encoder(src, src_len);
  auto recurrent = initial_state(encoded);
  auto context = decoder->project(context_of(encoded));  // computed once, used by every step
  DecoderState state;
  state["hidden"] = torch::stack(recurrent.h, 1);              // (B, L, H)
  if (is_lstm_) state["cell"] = torch::stack(recurrent.c, 1);  // (B, L, H)
  state["context"] = context.context;                          // (B, C)
  state["context_gates"] = context.gates;                      // (B, G·H)
  state["context_logits"] = context.logits;                    // (B, V)
  return state;
}

StepOutput RnnModel::step(DecoderState& state, const torch::Tensor& prev_tokens) {
  StackedCellsImpl::State recurrent;
  recurrent.h = state["hidden"].unbind(1);  // L x (B, H)
  if (is_lstm_) recurrent.c = state["cell"].unbind(1);
  auto logits = decoder->step(prev_tokens, recurrent,
                              {state["context"], state["context_gates"], state["context_logits"]});  // (B, V)
  state["hidden"] = torch::stack(recurrent.h, 1);
  if (is_lstm_) state["cell"] = torch::stack(recurrent.c, 1);
  state.step += 1;
  return {torch::log_softmax(logits, -1), torch::Tensor()};
}

}  // namespace seq2seq::models
