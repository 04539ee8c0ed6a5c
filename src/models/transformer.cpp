// The Transformer: embeddings + positions, encoder and decoder stacks, generator, KV-cached steps.
#include "seq2seq/models/transformer.h"

#include "detail.h"

#include <cmath>
#include <stdexcept>

namespace seq2seq::models {

namespace {

MultiHeadAttentionOptions attention_options(const ModelConfig& config) {
  MultiHeadAttentionOptions options;
  options.d_in = options.d_out = config.hidden_dim;
  options.heads = config.heads;
  options.dropout = config.attention_dropout;
  return options;
}

torch::nn::LayerNorm layer_norm(int64_t d) { return torch::nn::LayerNorm(torch::nn::LayerNormOptions({d}).eps(1e-5)); }

// Vaswani et al.: pe[p, 2i] = sin(p / 10000^(2i/D)), pe[p, 2i+1] = cos(p / 10000^(2i/D)).
torch::Tensor sinusoidal_positions(int64_t max_positions, int64_t d) {
  auto position = torch::arange(max_positions, torch::kFloat).unsqueeze(1);                      // (P, 1)
  auto div_term = torch::exp(torch::arange(0, d, 2, torch::kFloat) * (-std::log(10000.0) / d));  // (D/2)
  auto pe = torch::zeros({max_positions, d});
  pe.slice(1, 0, d, 2).copy_(torch::sin(position * div_term));                     // even columns (P, ceil(D/2))
  pe.slice(1, 1, d, 2).copy_(torch::cos(position * div_term).slice(1, 0, d / 2));  // odd columns (P, floor(D/2))
  return pe;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Layers
// ---------------------------------------------------------------------------------------------
TransformerEncoderLayerImpl::TransformerEncoderLayerImpl(const ModelConfig& config)
    : pre_norm(config.norm == Norm::pre) {
  const int64_t D = config.hidden_dim;
  self_attn = register_module("self_attn", MultiHeadAttention(attention_options(config)));
  linear1 = register_module("linear1", Linear(D, config.ff_dim));
  dropout = register_module("dropout", Dropout(config.dropout));
  linear2 = register_module("linear2", Linear(config.ff_dim, D));
  norm1 = register_module("norm1", layer_norm(D));
  norm2 = register_module("norm2", layer_norm(D));
  dropout1 = register_module("dropout1", Dropout(config.dropout));
  dropout2 = register_module("dropout2", Dropout(config.dropout));
}

torch::Tensor TransformerEncoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& src_pad) {
  auto self_block = [&](const torch::Tensor& in) {
    auto qkv = self_attn->project_qkv(in);                              // 3 x (B, H, S, Dh)
    return self_attn->attend(qkv[0], qkv[1], qkv[2], src_pad).context;  // (B, S, D)
  };
  auto feed_forward = [&](const torch::Tensor& in) { return linear2(dropout(torch::relu(linear1(in)))); };
  if (pre_norm) {
    auto h = x + dropout1(self_block(norm1(x)));
    return h + dropout2(feed_forward(norm2(h)));
  }
  auto h = norm1(x + dropout1(self_block(x)));
  return norm2(h + dropout2(feed_forward(h)));
}

TransformerDecoderLayerImpl::TransformerDecoderLayerImpl(const ModelConfig& config)
    : pre_norm(config.norm == Norm::pre) {
  const int64_t D = config.hidden_dim;
  self_attn = register_module("self_attn", MultiHeadAttention(attention_options(config)));
  multihead_attn = register_module("multihead_attn", MultiHeadAttention(attention_options(config)));
  linear1 = register_module("linear1", Linear(D, config.ff_dim));
  dropout = register_module("dropout", Dropout(config.dropout));
  linear2 = register_module("linear2", Linear(config.ff_dim, D));
  norm1 = register_module("norm1", layer_norm(D));
  norm2 = register_module("norm2", layer_norm(D));
  norm3 = register_module("norm3", layer_norm(D));
  dropout1 = register_module("dropout1", Dropout(config.dropout));
  dropout2 = register_module("dropout2", Dropout(config.dropout));
  dropout3 = register_module("dropout3", Dropout(config.dropout));
}

torch::Tensor TransformerDecoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& memory_k,
                                                   const torch::Tensor& memory_v, const torch::Tensor& memory_pad,
                                                   const torch::Tensor& causal, Cache* cache,
                                                   torch::Tensor* cross_weights, NeedWeights cross_kind) {
  auto self_block = [&](const torch::Tensor& in) {
    auto qkv = self_attn->project_qkv(in);  // 3 x (B, H, T, Dh)
    torch::Tensor k = qkv[1], v = qkv[2];
    if (cache) {
      // The new position sees every earlier one: no mask needed.
      cache->k = cache->k.defined() ? torch::cat({cache->k, k}, 2) : k;  // (B, H, t + 1, Dh)
      cache->v = cache->v.defined() ? torch::cat({cache->v, v}, 2) : v;
      k = cache->k, v = cache->v;
    }
    return self_attn->attend(qkv[0], k, v, {}, causal).context;  // (B, T, D)
  };
  auto cross_block = [&](const torch::Tensor& in) {
    auto q = multihead_attn->project_q(in);  // (B, H, T, Dh)
    auto out =
        multihead_attn->attend(q, memory_k, memory_v, memory_pad, {}, cross_weights ? cross_kind : NeedWeights::none);
    if (cross_weights) *cross_weights = out.weights;  // (B, T, S), or per head (B, H, T, S)
    return out.context;                               // (B, T, D)
  };
  auto feed_forward = [&](const torch::Tensor& in) { return linear2(dropout(torch::relu(linear1(in)))); };
  if (pre_norm) {
    auto h = x + dropout1(self_block(norm1(x)));
    h = h + dropout2(cross_block(norm2(h)));
    return h + dropout3(feed_forward(norm3(h)));
  }
  auto h = norm1(x + dropout1(self_block(x)));
  h = norm2(h + dropout2(cross_block(h)));
  return norm3(h + dropout3(feed_forward(h)));
}

TransformerStackImpl::TransformerStackImpl(const ModelConfig& config, bool decoder) {
  layers = register_module("layers", torch::nn::ModuleList());
  for (int i = 0; i < config.layers; ++i) {
    if (decoder)
      layers->push_back(TransformerDecoderLayer(config));
    else
      layers->push_back(TransformerEncoderLayer(config));
  }
  if (config.final_norm) norm = register_module("norm", layer_norm(config.hidden_dim));
}

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------
TransformerModel::TransformerModel(const ModelConfig& config, int64_t src_vocab_size, int64_t tgt_vocab_size)
    : d_model_(config.hidden_dim),
      max_positions_(config.max_positions),
      learned_positions_(config.positions == PositionEncoding::learned) {
  if (config.emb_dim != config.hidden_dim)
    throw std::invalid_argument("transformer: model.emb_dim must equal model.hidden_dim (d_model)");
  const int64_t D = d_model_;
  if (config.share_embeddings) {
    // Three-way tying (Press and Wolf 2017, as fairseq's share_all_embeddings): one table for the
    // source words, the target words and (with tie_embeddings) the output layer. Registered once,
    // so that the optimizer sees the table once.
    if (src_vocab_size != tgt_vocab_size)
      throw std::invalid_argument("transformer: model.share_embeddings needs one vocabulary for both languages (" +
                                  std::to_string(src_vocab_size) + " and " + std::to_string(tgt_vocab_size) +
                                  " entries); use data.joint_vocab");
    tgt_embedding = register_module("tgt_embedding", torch::nn::Embedding(tgt_vocab_size, D));
    src_embedding = tgt_embedding;
  } else {
    src_embedding = register_module("src_embedding", torch::nn::Embedding(src_vocab_size, D));
    tgt_embedding = register_module("tgt_embedding", torch::nn::Embedding(tgt_vocab_size, D));
  }
  if (learned_positions_) {
    src_positions = register_module("src_positions", torch::nn::Embedding(max_positions_, D));
    tgt_positions = register_module("tgt_positions", torch::nn::Embedding(max_positions_, D));
  } else {
    pe = register_buffer("pe", sinusoidal_positions(max_positions_, D));
  }
  dropout = register_module("dropout", Dropout(config.dropout));
  encoder = register_module("encoder", TransformerStack(config, false));
  decoder = register_module("decoder", TransformerStack(config, true));
  if (config.tie_embeddings)
    generator_bias = register_parameter("generator_bias", torch::zeros({tgt_vocab_size}));
  else
    generator = register_module("generator", Linear(D, tgt_vocab_size));

  torch::NoGradGuard no_grad;
  if (config.init == Init::normal) {
    // Every matrix ~ N(0, 0.01), biases 0; LayerNorms keep (1, 0).
    for (auto& item : named_parameters()) {
      auto& p = item.value();
      if (p.dim() > 1)
        p.normal_(0.0, 0.01);
      else if (item.key().find("bias") != std::string::npos)
        p.zero_();
    }
  } else {
    // As torch::nn::Transformer: xavier-uniform on every matrix of the two stacks (the
    // attention projections and the feed-forward layers); other parameters keep their defaults.
    for (auto* stack : {encoder.ptr().get(), decoder.ptr().get()})
      for (auto& p : stack->parameters())
        if (p.dim() > 1) torch::nn::init::xavier_uniform_(p);
    // Token embeddings ~ N(0, 1/D), so that after the sqrt(D) scaling in embed() tokens and
    // positions have the same magnitude (as fairseq and Vaswani et al. with tied embeddings).
    // With LibTorch's N(0, 1) default the tokens would be sqrt(D) times louder than the
    // positions, and word order is learned far more slowly.
    const double std = 1.0 / std::sqrt(static_cast<double>(D));
    if (!config.share_embeddings) src_embedding->weight.normal_(0.0, std);
    tgt_embedding->weight.normal_(0.0, std);
  }
}

torch::Tensor TransformerModel::embed(const torch::Tensor& tokens, torch::nn::Embedding& table,
                                      torch::nn::Embedding& positions, int64_t offset) {
  const int64_t T = tokens.size(1);
  if (offset + T > max_positions_)
    throw std::runtime_error("transformer: sequence of " + std::to_string(offset + T) +
                             " tokens is longer than model.max_positions (" + std::to_string(max_positions_) +
                             "); raise model.max_positions or shorten the input");
  auto x = table(tokens) * std::sqrt(static_cast<double>(d_model_));  // (B, T, D)
  if (learned_positions_)
    x = x + positions(torch::arange(offset, offset + T, tokens.options().dtype(torch::kLong)));  // + (T, D)
  else
    x = x + pe.slice(0, offset, offset + T);  // + (T, D)
  return dropout(x);
}

torch::Tensor TransformerModel::logits(const torch::Tensor& x) {
  if (generator) return generator(x);                       // (..., V)
  return linear(x, tgt_embedding->weight, generator_bias);  // tied: the embedding table is the output weight
}

torch::Tensor TransformerModel::encode(const torch::Tensor& src, const torch::Tensor& src_pad) {
  auto x = embed(src, src_embedding, src_positions, 0);  // (B, S, D)
  for (const auto& layer : *encoder->layers) x = layer->as<TransformerEncoderLayerImpl>()->forward(x, src_pad);
  return encoder->norm ? encoder->norm(x) : x;
}

torch::Tensor TransformerModel::decode_teacher_forced(const torch::Tensor& src, const torch::Tensor& tgt_in,
                                                      std::vector<torch::Tensor>* cross_weights) {
  auto src_pad = src.eq(0);  // (B, S)
  auto memory = encode(src, src_pad);
  const int64_t T = tgt_in.size(1);
  // Target padding needs no mask of its own: pads come after every real position, which the
  // causal mask already hides from them.
  auto causal = causal_mask(T, src.device());               // (T, T)
  auto x = embed(tgt_in, tgt_embedding, tgt_positions, 0);  // (B, T, D)
  for (const auto& module : *decoder->layers) {
    auto* layer = module->as<TransformerDecoderLayerImpl>();
    auto [memory_k, memory_v] = layer->multihead_attn->project_kv(memory);  // (B, H, S, Dh) each
    torch::Tensor weights;
    x = layer->forward(x, memory_k, memory_v, src_pad, causal, nullptr, cross_weights ? &weights : nullptr,
                       NeedWeights::per_head);
    if (cross_weights) cross_weights->push_back(weights);  // (B, H, T, S)
  }
  return decoder->norm ? decoder->norm(x) : x;
}

DecoderFeatures TransformerModel::decoder_features(const data::Batch& batch) {
  DecoderFeatures features;
  features.per_position = decode_teacher_forced(batch.src, batch.tgt_in);  // (B, T, D)
  return features;
}

torch::Tensor TransformerModel::cross_attention_maps(const torch::Tensor& src, const torch::Tensor& src_len,
                                                     const torch::Tensor& tgt_in) {
  (void)src_len;  // padding is read from the ids, as in start()
  std::vector<torch::Tensor> per_layer;
  decode_teacher_forced(src, tgt_in, &per_layer);
  return torch::stack(per_layer);  // (L, B, H, T, S)
}

DecoderState TransformerModel::start(const torch::Tensor& src, const torch::Tensor& src_len) {
  (void)src_len;  // padding is read from the ids
  DecoderState state;
  auto src_pad = src.eq(0);
  auto memory = encode(src, src_pad);
  state["memory_pad"] = src_pad;  // (B, S)
  int64_t l = 0;
  for (const auto& module : *decoder->layers) {
    auto* layer = module->as<TransformerDecoderLayerImpl>();
    auto [memory_k, memory_v] = layer->multihead_attn->project_kv(memory);
    const auto n = std::to_string(l++);
    state["cross_k." + n] = memory_k;  // (B, H, S, Dh)
    state["cross_v." + n] = memory_v;
    // Empty caches (B, H, 0, Dh): batch-first like everything else, so select() works from the start.
    state["self_k." + n] = memory_k.new_empty({memory_k.size(0), memory_k.size(1), 0, memory_k.size(3)});
    state["self_v." + n] = state["self_k." + n];
  }
  return state;
}

StepOutput TransformerModel::step(DecoderState& state, const torch::Tensor& prev_tokens) {
  auto x = embed(prev_tokens.unsqueeze(1), tgt_embedding, tgt_positions, state.step);  // (B, 1, D)
  const auto& memory_pad = state.at("memory_pad");
  torch::Tensor attention;
  const int64_t last = static_cast<int64_t>(decoder->layers->size()) - 1;
  int64_t l = 0;
  for (const auto& module : *decoder->layers) {
    auto* layer = module->as<TransformerDecoderLayerImpl>();
    const auto n = std::to_string(l);
    TransformerDecoderLayerImpl::Cache cache{state["self_k." + n], state["self_v." + n]};
    x = layer->forward(x, state["cross_k." + n], state["cross_v." + n], memory_pad, {}, &cache,
                       l == last ? &attention : nullptr);
    state["self_k." + n] = cache.k;  // (B, H, t + 1, Dh)
    state["self_v." + n] = cache.v;
    ++l;
  }
  if (decoder->norm) x = decoder->norm(x);
  state.step += 1;
  auto step_logits = logits(x.squeeze(1));                             // (B, V)
  // In fp32 under bf16 autocast too: search sums these log-probabilities over the whole output.
  return {torch::log_softmax(step_logits, -1, torch::kFloat), attention.squeeze(1)};  // attention (B, S)
}

}  // namespace seq2seq::models
