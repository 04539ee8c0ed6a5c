// The Transformer (Vaswani et al. 2017) built from our MultiHeadAttention: encoder and decoder
// stacks, post- or pre-norm, sinusoidal or learned positions, and a key/value cache for decoding.
#pragma once
#include "seq2seq/config/config.h"
#include "seq2seq/models/attention.h"
#include "seq2seq/models/dropout.h"
#include "seq2seq/models/layers.h"
#include "seq2seq/models/seq2seq_model.h"

#include <torch/torch.h>

#include <string>
#include <vector>

namespace seq2seq::models {

// Self-attention and feed-forward blocks, each wrapped in residual + LayerNorm. Registered
// names follow torch::nn::TransformerEncoderLayer, so weights copy across.
struct TransformerEncoderLayerImpl : torch::nn::Module {
  explicit TransformerEncoderLayerImpl(const ModelConfig& config);
  // x (B, S, D); src_pad (B, S) bool, true at padding.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& src_pad);

  bool pre_norm;
  MultiHeadAttention self_attn{nullptr};
  Linear linear1{nullptr}, linear2{nullptr};
  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
  Dropout dropout{nullptr}, dropout1{nullptr}, dropout2{nullptr};
};
TORCH_MODULE(TransformerEncoderLayer);

// Causal self-attention, cross-attention over the encoder output, feed-forward
// (names as torch::nn::TransformerDecoderLayer: self_attn, multihead_attn, linear1/2, norm1-3).
struct TransformerDecoderLayerImpl : torch::nn::Module {
  explicit TransformerDecoderLayerImpl(const ModelConfig& config);

  // Keys and values of earlier target positions, (B, H, t, Dh) each; grown by one per step.
  struct Cache {
    torch::Tensor k, v;
  };
  // x (B, T, D). memory_k/memory_v: the cross-attention keys/values of the encoder output,
  // (B, H, S, Dh) from multihead_attn->project_kv(memory); memory_pad (B, S) bool.
  // Training: causal = causal_mask(T), cache = nullptr. Incremental decoding: T = 1, causal
  // undefined, cache extended in place. cross_weights: if given, receives the cross-attention
  // weights averaged over heads (B, T, S), or with NeedWeights::per_head each head's (B, H, T, S).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& memory_k, const torch::Tensor& memory_v,
                        const torch::Tensor& memory_pad, const torch::Tensor& causal, Cache* cache = nullptr,
                        torch::Tensor* cross_weights = nullptr, NeedWeights cross_kind = NeedWeights::averaged);

  bool pre_norm;
  MultiHeadAttention self_attn{nullptr}, multihead_attn{nullptr};
  Linear linear1{nullptr}, linear2{nullptr};
  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr}, norm3{nullptr};
  Dropout dropout{nullptr}, dropout1{nullptr}, dropout2{nullptr}, dropout3{nullptr};
};
TORCH_MODULE(TransformerDecoderLayer);

// N layers plus the optional final LayerNorm ("layers", "norm").
struct TransformerStackImpl : torch::nn::Module {
  TransformerStackImpl(const ModelConfig& config, bool decoder);
  torch::nn::ModuleList layers{nullptr};
  torch::nn::LayerNorm norm{nullptr};  // null when model.final_norm is false
};
TORCH_MODULE(TransformerStack);

class TransformerModel : public Seq2SeqModel {
 public:
  TransformerModel(const ModelConfig& config, int64_t src_vocab_size, int64_t tgt_vocab_size);

  // State: "memory_pad" (B, S); per layer l "cross_k.l", "cross_v.l" (B, H, S, Dh), computed
  // once, and "self_k.l", "self_v.l" (B, H, t, Dh), one position longer after every step.
  DecoderState start(const torch::Tensor& src, const torch::Tensor& src_len) override;
  // StepOutput.attention: the last decoder layer's cross-attention averaged over heads (B, S).
  StepOutput step(DecoderState& state, const torch::Tensor& prev_tokens) override;
  ModelType type() const override { return ModelType::transformer; }
  bool has_attention() const override { return true; }
  // The position table has model.max_positions rows.
  int64_t max_source_ids() const override { return max_positions_; }

  // The encoder output (B, S, D) for src (B, S) with src_pad = (src == <pad>).
  torch::Tensor encode(const torch::Tensor& src, const torch::Tensor& src_pad);
  // Every decoder layer's cross-attention, head by head, in one teacher-forced pass over tgt_in
  // (B, T) (the training pass, which keeps no weights): (L, B, H, T, S). Row t is what the
  // decoder looked at when it read tgt_in[:, t] and predicted the next token; the mean over heads
  // of the last layer is what step() returns. What `serve` shows as every layer and head.
  torch::Tensor cross_attention_maps(const torch::Tensor& src, const torch::Tensor& src_len,
                                     const torch::Tensor& tgt_in);

  torch::nn::Embedding src_embedding{nullptr}, tgt_embedding{nullptr};
  torch::nn::Embedding src_positions{nullptr}, tgt_positions{nullptr};  // learned positions only
  torch::Tensor pe;                                                     // sinusoidal: (max_positions, D) buffer
  Dropout dropout{nullptr};
  TransformerStack encoder{nullptr}, decoder{nullptr};
  Linear generator{nullptr};     // D -> V; null when tied to tgt_embedding
  torch::Tensor generator_bias;  // tied embeddings: the output bias (V)

 protected:
  // Teacher forcing: every target position computed in parallel; per_position is the decoder
  // stack's output (B, T, D).
  DecoderFeatures decoder_features(const data::Batch& batch) override;
  torch::Tensor output_logits(const DecoderFeatures& features) override { return logits(features.per_position); }

 private:
  // tokens (B, T) at positions offset.. -> (B, T, D): embedding · sqrt(D) + position, dropout.
  torch::Tensor embed(const torch::Tensor& tokens, torch::nn::Embedding& table, torch::nn::Embedding& positions,
                      int64_t offset);
  torch::Tensor logits(const torch::Tensor& x);  // (..., D) -> (..., V)
  // Teacher forcing: the decoder stack (and its final norm) over every position of tgt_in (B, T)
  // -> (B, T, D). cross_weights: if given, receives each layer's per-head cross-attention
  // (B, H, T, S); null in training, which asks the attention for no weights at all.
  torch::Tensor decode_teacher_forced(const torch::Tensor& src, const torch::Tensor& tgt_in,
                                      std::vector<torch::Tensor>* cross_weights = nullptr);

  int64_t d_model_, max_positions_;
  bool learned_positions_;
};

}  // namespace seq2seq::models
