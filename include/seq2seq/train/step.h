// One training step, written once: the trainer runs it for every batch and `bench` times it.
#pragma once
#include "seq2seq/data/batch.h"
#include "seq2seq/models/seq2seq_model.h"

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace seq2seq::train {

struct StepOptions {
  std::optional<double> lr;     // the schedule's rate for this step; none: the optimizer's own
  double teacher_forcing = 1.0;  // < 1: scheduled sampling (train/scheduled_sampling.h)
  double label_smoothing = 0.0;
  double clip = 0.0;  // gradient-norm clipping; 0 = none
  // The forward pass's precision (resolved: fp32 or bf16 mixed, system/precision.h); loss,
  // backward, gradients and the optimizer step are fp32 either way.
  Precision precision = Precision::fp32;
  // Data parallel: this batch's share of the global batch's target positions (n / N), so that
  // the gradients summed over the workers are the gradient of the global mean loss; and the
  // sum over the workers, run between backward and clipping. One process: 1 and nothing.
  double loss_share = 1.0;
  std::function<void(const std::vector<torch::Tensor>&)> sum_gradients;
};

struct StepResult {
  double loss = 0;         // mean token loss of the batch (NaN or inf when training diverged)
  int64_t positions = 0;   // predicted target positions (the loss's N)
  int64_t tgt_tokens = 0;  // target tokens (what tokens/s counts)
};

// zero_grad, forward (teacher forcing or scheduled sampling), cross-entropy over the real
// target positions, backward, gradient sum (data parallel), clip, optimizer step. The model is
// in training mode (the caller's model.train()). An empty batch (a data-parallel worker's empty
// share) only takes part in the gradient sum and the optimizer step.
StepResult train_step(models::Seq2SeqModel& model, const data::Batch& batch, torch::optim::Optimizer& optimizer,
                      const StepOptions& options);

}  // namespace seq2seq::train
