// Teacher-forced loss and perplexity of a model over a whole corpus (validation and eval).
#pragma once
#include "seq2seq/data/batcher.h"
#include "seq2seq/models/seq2seq_model.h"

#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

namespace seq2seq::eval {

struct LossTotal {
  double sum = 0;      // summed negative log-likelihood (nats)
  int64_t tokens = 0;  // non-pad target tokens
  double mean() const { return tokens ? sum / static_cast<double>(tokens) : 0.0; }
  double perplexity() const { return std::exp(mean()); }
};

// The teacher-forced pass that validation and eval share: the examples in batches of batch_size in
// corpus order, each fed with its reference as decoder input, in eval mode without gradients (the
// model's training mode is restored). visit(batch, logits) sees every batch and its logits (N, V)
// at the N real target positions, in the order of models::real_targets(batch): row by row, and
// within a row y_1 ... y_n <eos>.
using TeacherForcedVisitor = std::function<void(const data::Batch& batch, const torch::Tensor& logits)>;
void teacher_forced_pass(models::Seq2SeqModel& model, const std::vector<data::Example>& examples, int batch_size,
                         const torch::Device& device, const TeacherForcedVisitor& visit);

// Cross-entropy (no label smoothing) summed over all examples, in batches of batch_size in
// corpus order, in eval mode without gradients; the model's training mode is restored.
LossTotal corpus_loss(models::Seq2SeqModel& model, const std::vector<data::Example>& examples, int batch_size,
                      const torch::Device& device);

}  // namespace seq2seq::eval
