// Scheduled sampling (Bengio et al. 2015): training the RNN models on their own predictions.
#pragma once
#include "seq2seq/data/batch.h"
#include "seq2seq/models/seq2seq_model.h"

#include <torch/torch.h>

namespace seq2seq::train {

// Logits (N, V) of the N real target positions of batch.tgt_in (real_targets(batch) are their
// targets), where the decoder is fed the reference token with probability teacher_forcing and
// otherwise the previous step's argmax: one Bernoulli(teacher_forcing) draw of the global
// generator per step t > 0, for the whole batch. teacher_forcing >= 1 is plain teacher
// forcing, model.real_target_logits(batch). Below 1 the model runs step by step through
// start()/step(), and the "logits" are step()'s log-probabilities (log_softmax of
// log-probabilities is the identity, so the cross-entropy is the same).
torch::Tensor scheduled_sampling_logits(models::Seq2SeqModel& model, const data::Batch& batch, double teacher_forcing);

}  // namespace seq2seq::train
