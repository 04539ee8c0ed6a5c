// The teacher-forced passes of every model (all positions, or only the real targets) and the reversed source order.
#include "seq2seq/models/seq2seq_model.h"

namespace seq2seq::models {

torch::Tensor real_positions(const torch::Tensor& tgt_in) { return tgt_in.ne(0).reshape({-1}).nonzero().squeeze(1); }

torch::Tensor real_targets(const data::Batch& batch) {
  return batch.tgt_out.reshape({-1}).index_select(0, real_positions(batch.tgt_in));  // (N)
}

torch::Tensor real_rows(const torch::Tensor& x, const torch::Tensor& tgt_in) {
  auto rows = x.flatten(0, 1);                         // (B, T, K...) -> (B·T, K...)
  auto positions = real_positions(tgt_in);             // (N)
  if (positions.size(0) == rows.size(0)) return rows;  // no padding: every row
  return rows.index_select(0, positions);              // (N, K...)
}

// The logits leave a model in fp32 whatever the precision inside: under bf16 autocast the output
// layer's product comes out in bf16, and the loss's log-softmax over tens of thousands of classes
// must not round to bf16's 8-bit mantissa (to() returns the tensor itself when it is fp32).
torch::Tensor Seq2SeqModel::forward(const data::Batch& batch) {
  return output_logits(decoder_features(batch)).to(torch::kFloat);  // (B, T, V)
}

torch::Tensor Seq2SeqModel::real_target_logits(const data::Batch& batch) {
  auto features = decoder_features(batch);         // (B, T, D)
  auto positions = real_positions(batch.tgt_in);   // (N)
  if (positions.size(0) == batch.tgt_in.numel())   // no padding: every position is real
    return output_logits(features).flatten(0, 1).to(torch::kFloat);  // (B·T, V)
  // The output layer, the widest matrix product of training, over the real positions only.
  DecoderFeatures real;
  real.per_position = features.per_position.flatten(0, 1).index_select(0, positions);  // (N, D)
  real.per_sentence = features.per_sentence;                                           // (B, K) or undefined
  real.sentence = torch::div(positions, batch.tgt_in.size(1), "floor");                // (N)
  return output_logits(real).to(torch::kFloat);                                        // (N, V)
}

torch::Tensor reverse_source_words(const torch::Tensor& x, const torch::Tensor& src_len) {
  const int64_t S = x.size(1);
  auto j = torch::arange(S, torch::TensorOptions().dtype(torch::kLong).device(x.device())).unsqueeze(0);  // (1, S)
  auto eos = src_len.to(x.device(), torch::kLong).unsqueeze(1) - 1;   // (B, 1) the position of <eos>
  auto is_word = j.ge(1) & j.lt(eos);                                 // (B, S) true at w_1 ... w_n
  auto index = torch::where(is_word, eos - j, j);                     // (B, S) word j <- word n + 1 - j
  for (int64_t d = 2; d < x.dim(); ++d) index = index.unsqueeze(-1);  // (B, S, 1, ...)
  return x.gather(1, index.expand(x.sizes()));                        // (B, S, ...)
}

}  // namespace seq2seq::models
