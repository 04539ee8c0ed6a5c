// Teacher-forced loss and perplexity of a model over a whole corpus (validation and eval).
#pragma once
#include "seq2seq/data/batcher.h"
#include "seq2seq/models/seq2seq_model.h"

#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <vector>

namespace seq2seq::eval {

struct LossTotal {
  double sum = 0;      // summed negative log-likelihood (nats)
  int64_t tokens = 0;  // non-pad target tokens
  double mean() const { return tokens ? sum / static_cast<double>(tokens) : 0.0; }
  double perplexity() const { return std::exp(mean()); }
};

// Cross-entropy (no label smoothing) summed over all examples, in batches of batch_size in
// corpus order, in eval mode without gradients; the model's training mode is restored.
LossTotal corpus_loss(models::Seq2SeqModel& model, const std::vector<data::Example>& examples, int batch_size,
                      const torch::Device& device);

}  // namespace seq2seq::eval
