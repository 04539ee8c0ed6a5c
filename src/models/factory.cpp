// Builds any of the three models from its config.
#include "seq2seq/models/factory.h"

#include "seq2seq/util/errors.h"
#include "seq2seq/models/bahdanau.h"
#include "seq2seq/models/rnn.h"
#include "seq2seq/models/transformer.h"

namespace seq2seq::models {

std::shared_ptr<Seq2SeqModel> make_model(const ModelConfig& config, int64_t src_vocab_size, int64_t tgt_vocab_size) {
  if (src_vocab_size < 1 || tgt_vocab_size < 1)
    throw std::invalid_argument("make_model: vocabulary sizes must be positive (got " + std::to_string(src_vocab_size) +
                                " and " + std::to_string(tgt_vocab_size) + ")");
  switch (config.type) {
    case ModelType::rnn:
      return std::make_shared<RnnModel>(config, src_vocab_size, tgt_vocab_size);
    case ModelType::bahdanau:
      return std::make_shared<BahdanauModel>(config, src_vocab_size, tgt_vocab_size);
    case ModelType::transformer:
      // validate() refuses this in a config; a model built in code must not ignore it silently
      if (config.reverse_source)
        throw ConfigError(
            "model.reverse_source: must be false for the transformer (reversing the source is for the "
            "RNN models)");
      return std::make_shared<TransformerModel>(config, src_vocab_size, tgt_vocab_size);
  }
  throw ConfigError("model.type: unknown value " + std::to_string(static_cast<int>(config.type)));
}

}  // namespace seq2seq::models
