// Batched translation of many encoded sentences: length-sorted batches, results in input order.
#pragma once
#include "seq2seq/data/vocab.h"
#include "seq2seq/decode/search.h"

#include <string>
#include <vector>

namespace seq2seq::decode {

// sources: id sequences with <bos> ... <eos>. Runs the model in eval mode under InferenceMode.
std::vector<std::vector<Hypothesis>> translate_batched(models::Seq2SeqModel& model,
                                                       const std::vector<std::vector<int64_t>>& sources,
                                                       const SearchOptions& options, int batch_size,
                                                       const torch::Device& device);

// A hypothesis' output tokens with no <unk> left in them (translate, eval and validation BLEU all
// use this). With attention (hyp.attention filled: SearchOptions::attention), each <unk> becomes
// the source token the model attended to most when it wrote it (Luong et al. 2015's copy of the
// aligned word); `brackets` marks it as "[word]". Without attention there is nothing to copy and
// the <unk> is dropped. src_tokens: what the model read (attention column j + 1 is src_tokens[j]).
std::vector<std::string> output_tokens(const Hypothesis& hyp, const std::vector<std::string>& src_tokens,
                                       const data::Vocab& tgt_vocab, bool brackets = false);

}  // namespace seq2seq::decode
