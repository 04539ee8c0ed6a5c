// One training step: forward, loss, backward, clip, optimizer.
#include "seq2seq/train/step.h"

#include "seq2seq/system/precision.h"
#include "seq2seq/train/loss.h"
#include "seq2seq/train/optimizer.h"
#include "seq2seq/train/scheduled_sampling.h"

namespace seq2seq::train {

StepResult train_step(models::Seq2SeqModel& model, const data::Batch& batch, torch::optim::Optimizer& optimizer,
                      const StepOptions& options) {
  if (options.lr) set_lr(optimizer, *options.lr);
  optimizer.zero_grad();
  StepResult result;
  if (batch.src.defined() && batch.size() > 0) {
    // Logits of the real (non-pad) target positions only: (N, V). bf16 autocast covers the
    // forward pass alone; the loss reads fp32 logits and backward runs outside the guard.
    torch::Tensor logits;
    {
      AutocastGuard autocast(options.precision);
      logits = scheduled_sampling_logits(model, batch, options.teacher_forcing).to(torch::kFloat);
    }
    const torch::Tensor loss = token_cross_entropy(logits, models::real_targets(batch), options.label_smoothing);
    result.loss = loss.item<double>();  // the mean over the N positions
    result.positions = logits.size(0);
    result.tgt_tokens = batch.tgt_tokens;
    (options.loss_share == 1.0 ? loss : loss * options.loss_share).backward();
  }
  if (options.sum_gradients || options.clip > 0) {
    const std::vector<torch::Tensor> parameters = model.parameters();
    if (options.sum_gradients) options.sum_gradients(parameters);
    if (options.clip > 0) torch::nn::utils::clip_grad_norm_(parameters, options.clip);
  }
  optimizer.step();
  return result;
}

}  // namespace seq2seq::train
