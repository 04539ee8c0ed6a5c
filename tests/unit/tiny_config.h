// The sizes and budget of the tiny models that tests train in seconds: a test sets its data,
// model type and anything it needs beyond these.
#pragma once
#include "seq2seq/config/config.h"

namespace seq2seq::testing {

inline void use_tiny_sizes(Config& config) {
  config.data.test = {"", ""};
  config.data.min_freq = 1;
  config.model.emb_dim = 16;
  config.model.hidden_dim = 16;
  config.model.ff_dim = 32;
  config.model.heads = 2;
  config.train.batch_size = 8;
  config.train.epochs = 2;
  config.train.lr = 3e-3;
  config.train.log_every = 1000;
  config.train.valid_bleu_max = 8;
  config.train.device = "cpu";
}

}  // namespace seq2seq::testing
