// Scheduled sampling over any model's start()/step(): reference tokens or the model's own argmax.
#include "seq2seq/train/scheduled_sampling.h"

#include <vector>

namespace seq2seq::train {

torch::Tensor scheduled_sampling_logits(models::Seq2SeqModel& model, const data::Batch& batch, double teacher_forcing) {
  if (teacher_forcing >= 1.0) return model.real_target_logits(batch);
  const auto& tgt_in = batch.tgt_in;  // (B, T)
  const int64_t T = tgt_in.size(1);
  auto state = model.start(batch.src, batch.src_len);
  std::vector<torch::Tensor> log_probs;  // T x (B, V)
  log_probs.reserve(T);
  torch::Tensor input = tgt_in.select(1, 0);  // (B) <bos>
  for (int64_t t = 0; t < T; ++t) {
    if (t > 0) {
      const bool use_reference = torch::rand({1}).item<double>() < teacher_forcing;
      input = use_reference ? tgt_in.select(1, t) : log_probs.back().argmax(-1);  // (B)
    }
    log_probs.push_back(model.step(state, input).log_probs);  // (B, V)
  }
  return models::real_rows(torch::stack(log_probs, 1), tgt_in);  // (B, T, V) -> (N, V)
}

}  // namespace seq2seq::train
