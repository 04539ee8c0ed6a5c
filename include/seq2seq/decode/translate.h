// Batched translation of many encoded sentences: length-sorted batches, results in input order.
#pragma once
#include "seq2seq/decode/search.h"

#include <vector>

namespace seq2seq::decode {

// sources: id sequences with <bos> ... <eos>. Runs the model in eval mode under InferenceMode.
std::vector<std::vector<Hypothesis>> translate_batched(models::Seq2SeqModel& model,
                                                       const std::vector<std::vector<int64_t>>& sources,
                                                       const SearchOptions& options, int batch_size,
                                                       const torch::Device& device);

}  // namespace seq2seq::decode
