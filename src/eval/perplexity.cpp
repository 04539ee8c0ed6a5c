// Corpus-level teacher-forced loss and perplexity, for validation and eval.
#include "seq2seq/eval/perplexity.h"

#include "seq2seq/data/vocab.h"

namespace seq2seq::eval {

LossTotal corpus_loss(models::Seq2SeqModel& model, const std::vector<data::Example>& examples, int batch_size,
                      const torch::Device& device) {
  namespace F = torch::nn::functional;
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  data::BatchOptions options;
  options.batch_size = batch_size;
  options.shuffle = false;
  LossTotal total;
  for (const auto& positions : data::make_batches(examples, options, 0)) {
    data::Batch batch = data::collate(examples, positions).to(device);
    auto logits = model.real_target_logits(batch);  // (N, V)
    auto nll = F::cross_entropy(logits, models::real_targets(batch),
                                F::CrossEntropyFuncOptions().ignore_index(data::Vocab::kPad).reduction(torch::kSum));
    total.sum += nll.item<double>();
    total.tokens += batch.tgt_tokens;
  }
  if (was_training) model.train();
  return total;
}

}  // namespace seq2seq::eval
