// The training loss: token-level cross-entropy over the non-pad targets.
#pragma once
#include <torch/torch.h>

namespace seq2seq::train {

// Mean cross-entropy over the non-pad positions of tgt_out. logits: (B, T, V) and tgt_out
// (B, T), or logits (N, V) and targets (N) from Seq2SeqModel::real_target_logits() and
// real_targets().
torch::Tensor token_cross_entropy(const torch::Tensor& logits, const torch::Tensor& tgt_out,
                                  double label_smoothing = 0.0);

}  // namespace seq2seq::train
