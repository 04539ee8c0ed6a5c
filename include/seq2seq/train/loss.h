// Token-level cross-entropy over non-pad targets, and corpus loss / perplexity.
#pragma once
#include "seq2seq/data/batcher.h"
#include "seq2seq/models/seq2seq_model.h"

#include <torch/torch.h>

#include <cmath>
#include <vector>

namespace seq2seq::train {

// Mean cross-entropy over the non-pad positions of tgt_out. logits: (B, T, V) and tgt_out
// (B, T), or logits (N, V) and targets (N) from Positions::kRealTargets and real_targets().
torch::Tensor token_cross_entropy(const torch::Tensor& logits, const torch::Tensor& tgt_out,
                                  double label_smoothing = 0.0);

struct LossTotal {
  double sum = 0;      // summed negative log-likelihood (nats)
  int64_t tokens = 0;  // non-pad target tokens
  double mean() const { return tokens ? sum / static_cast<double>(tokens) : 0.0; }
  double perplexity() const { return std::exp(mean()); }
};

// Teacher-forced loss (no label smoothing) over all examples, in eval mode without gradients.
LossTotal corpus_loss(models::Seq2SeqModel& model, const std::vector<data::Example>& examples, int batch_size,
                      const torch::Device& device);

}  // namespace seq2seq::train
