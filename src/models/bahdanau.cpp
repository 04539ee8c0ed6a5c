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
  auto embedded = dropout(embedding(prev_tokens));                                 // (B, E)
  auto attended = attention(hidden, memory.keys, memory.states, memory.src_mask);  // from s_{t-1}
  const auto& context = attended.context;                                          // (B, 2H)
  // W_ih [e; c] + b_ih = (W_e e + b_ih) + W_c c
  auto in = rnn->input_columns({emb_dim, context_dim});
  StackedCellsImpl::State state{{hidden}, {}};
  rnn->step_from_gates(state, in.forward(0, embedded, /*with_bias=*/true) + in.forward(1, context));
  hidden = state.h[0];                                               // s_t (B, H)
  auto logits = fc_out(torch::cat({hidden, context, embedded}, 1));  // (B, V)
  return {logits, attended.weights};
}

torch::Tensor BahdanauDecoderImpl::forward(const torch::Tensor& tgt_in, torch::Tensor hidden, const Memory& memory,
                                           Positions positions) {
  // step() for all t at once: the embeddings' share of the input gates in one GEMM; the loop
  // runs only attention and the GRU cell.
  auto in = rnn->input_columns({emb_dim, context_dim});  // [W_e | W_c], b_ih
  auto embedded = dropout(embedding(tgt_in));            // (B, T, E)
  // (T, B, E)·(E, 3H) -> T x (B, 3H); unbind so that backward stacks the step gradients once.
  auto gates_e = in.forward(0, embedded.transpose(0, 1), /*with_bias=*/true).unbind(0);
  const int64_t T = tgt_in.size(1);
  std::vector<torch::Tensor> hiddens, contexts;
  hiddens.reserve(T);
  contexts.reserve(T);
  StackedCellsImpl::State state{{hidden}, {}};
  for (int64_t t = 0; t < T; ++t) {
    auto context = attention(state.h[0], memory.keys, memory.states, memory.src_mask).context;  // (B, 2H), from s_{t-1}
    rnn->step_from_gates(state, gates_e[t] + in.forward(1, context));
    hiddens.push_back(state.h[0]);  // s_t (B, H)
    contexts.push_back(context);
  }
  // [s; c; e]: (B, T, H + 2H + E) -> (B, T, V) or (N, V): one GEMM over every target step
  auto features = torch::cat({torch::stack(hiddens, 1), torch::stack(contexts, 1), embedded}, 2);
  return fc_out(at_positions(features, tgt_in, positions));
}

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------
BahdanauModel::BahdanauModel(const ModelConfig& config, int64_t src_vocab_size, int64_t tgt_vocab_size) {
  encoder = register_module("encoder", BahdanauEncoder(config, src_vocab_size));
  decoder = register_module("decoder", BahdanauDecoder(config, tgt_vocab_size));
  if (config.init == Init::normal) detail::init_weights_normal_biases_zero(*this, 0.01);
}

torch::Tensor BahdanauModel::forward(const data::Batch& batch, Positions positions) {
  auto encoded = encoder(batch.src, batch.src_len);
  return decoder->forward(batch.tgt_in, encoded.initial, decoder->memory(encoded.states, batch.src), positions);
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
  return {torch::log_softmax(logits, -1), weights};
}

}  // namespace seq2seq::models
