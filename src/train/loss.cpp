// Cross-entropy that ignores padding, and the corpus-level loss used for validation and eval.
#include "seq2seq/train/loss.h"

#include "seq2seq/data/vocab.h"

namespace seq2seq::train {

namespace F = torch::nn::functional;

torch::Tensor token_cross_entropy(const torch::Tensor& logits, const torch::Tensor& tgt_out,
                                  double label_smoothing) {
  const int64_t vocab = logits.size(-1);
  return F::cross_entropy(logits.reshape({-1, vocab}),  // (B*T, V)
                          tgt_out.reshape({-1}),         // (B*T)
                          F::CrossEntropyFuncOptions().ignore_index(data::Vocab::kPad).label_smoothing(label_smoothing));
}

LossTotal corpus_loss(models::Seq2SeqModel& model, const std::vector<data::Example>& examples, int batch_size,
                      const torch::Device& device) {
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  data::BatchOptions options;
  options.batch_size = batch_size;
  options.shuffle = false;
  LossTotal total;
  for (const auto& positions : data::make_batches(examples, options, 0)) {
    data::Batch batch = data::collate(examples, positions).to(device);
    auto logits = model.forward(batch, models::Positions::kRealTargets);  // (N, V)
    auto nll = F::cross_entropy(logits, models::real_targets(batch),
                                F::CrossEntropyFuncOptions().ignore_index(data::Vocab::kPad).reduction(torch::kSum));
    total.sum += nll.item<double>();
    total.tokens += batch.tgt_tokens;
  }
  if (was_training) model.train();
  return total;
}

}  // namespace seq2seq::train
