// Cross-entropy that ignores padding (and optionally smooths labels).
#include "seq2seq/train/loss.h"

#include "seq2seq/data/vocab.h"

namespace seq2seq::train {

namespace F = torch::nn::functional;

torch::Tensor token_cross_entropy(const torch::Tensor& logits, const torch::Tensor& tgt_out, double label_smoothing) {
  const int64_t vocab = logits.size(-1);
  return F::cross_entropy(
      logits.reshape({-1, vocab}),  // (B*T, V)
      tgt_out.reshape({-1}),        // (B*T)
      F::CrossEntropyFuncOptions().ignore_index(data::Vocab::kPad).label_smoothing(label_smoothing));
}

}  // namespace seq2seq::train
