// Corpus-level teacher-forced loss and perplexity, for validation and eval.
#include "seq2seq/eval/perplexity.h"

#include "seq2seq/data/vocab.h"

namespace seq2seq::eval {

void teacher_forced_pass(models::Seq2SeqModel& model, const std::vector<data::Example>& examples, int batch_size,
                         const torch::Device& device, const TeacherForcedVisitor& visit) {
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  data::BatchOptions options;
  options.batch_size = batch_size;
  options.shuffle = false;
  for (const auto& positions : data::make_batches(examples, options, 0)) {
    data::Batch batch = data::collate(examples, positions).to(device);
    visit(batch, model.real_target_logits(batch));  // (N, V)
  }
  if (was_training) model.train();
}

LossTotal corpus_loss(models::Seq2SeqModel& model, const std::vector<data::Example>& examples, int batch_size,
                      const torch::Device& device) {
  namespace F = torch::nn::functional;
  LossTotal total;
  teacher_forced_pass(model, examples, batch_size, device, [&](const data::Batch& batch, const torch::Tensor& logits) {
    auto nll = F::cross_entropy(logits, models::real_targets(batch),
                                F::CrossEntropyFuncOptions().ignore_index(data::Vocab::kPad).reduction(torch::kSum));
    total.sum += nll.item<double>();
    total.tokens += batch.tgt_tokens;
  });
  return total;
}

}  // namespace seq2seq::eval
