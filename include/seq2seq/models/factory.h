// Builds any model from its config.
#pragma once
#include "seq2seq/config/config.h"
#include "seq2seq/models/seq2seq_model.h"

#include <memory>

namespace seq2seq::models {

std::shared_ptr<Seq2SeqModel> make_model(const ModelConfig& config, int64_t src_vocab_size, int64_t tgt_vocab_size);

}  // namespace seq2seq::models
