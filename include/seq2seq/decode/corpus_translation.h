// Translating a corpus: the one pipeline validation, `eval`, `bench` and the server share.
// Lines in, text out: tokenize, encode, search in length-sorted batches, replace each <unk>,
// detokenize. Results come back in input order.
#pragma once
#include "seq2seq/data/tokenizer.h"
#include "seq2seq/data/vocab.h"
#include "seq2seq/decode/search.h"

#include <string>
#include <vector>

namespace seq2seq::decode {

// What turns text into ids and back: a run's tokenizers and vocabularies.
struct TextCodec {
  const data::Tokenizers& tokenizers;
  const data::Vocab& src_vocab;
  const data::Vocab& tgt_vocab;
};

struct CorpusTranslationOptions {
  SearchOptions search;        // beam, n-best, length penalty, limits
  int batch_size = 64;         // sentences per search call
  bool sort_by_length = true;  // batches of similar length (little padding); false: file order
  bool unk_brackets = false;   // write a copied source word as "[word]" (output_tokens)
  // false: the search keeps no attention rows unless options.search asks, so each <unk> is
  // dropped (bench times the search alone, as the PyTorch reference does).
  bool copy_unk = true;
};

struct CorpusTranslation {
  std::vector<std::vector<std::string>> src_tokens;  // what the model read, per line
  std::vector<std::vector<Hypothesis>> hypotheses;   // per line, best first (empty for an empty line)
  std::vector<std::string> texts;                    // the best hypothesis, detokenized ("" for an empty line)
};

// Translates every line (none dropped: an empty line gets an empty text). Runs the model in
// eval mode under InferenceMode and leaves it in the mode it found. With an attention model the
// search keeps attention rows, so that each <unk> is copied from the source word it looked at.
CorpusTranslation translate_corpus(models::Seq2SeqModel& model, const TextCodec& codec,
                                   const std::vector<std::string>& lines, const CorpusTranslationOptions& options,
                                   const torch::Device& device);

// The search step of the pipeline on encoded sources (ids with <bos> ... <eos>): batches of
// batch_size, longest first when sort_by_length, results in input order.
std::vector<std::vector<Hypothesis>> translate_batched(models::Seq2SeqModel& model,
                                                       const std::vector<std::vector<int64_t>>& sources,
                                                       const SearchOptions& options, int batch_size,
                                                       const torch::Device& device, bool sort_by_length = true);

// A hypothesis' output tokens with no <unk> left in them (translate, eval and validation BLEU all
// use this). With attention (hyp.attention filled: SearchOptions::attention), each <unk> becomes
// the source token the model attended to most when it wrote it (Luong et al. 2015's copy of the
// aligned word); `brackets` marks it as "[word]". Without attention there is nothing to copy and
// the <unk> is dropped. src_tokens: what the model read (attention column j + 1 is src_tokens[j]).
// positions: if given, receives for each output token the index in hyp.tokens it was made from.
std::vector<std::string> output_tokens(const Hypothesis& hyp, const std::vector<std::string>& src_tokens,
                                       const data::Vocab& tgt_vocab, bool brackets = false,
                                       std::vector<size_t>* positions = nullptr);

}  // namespace seq2seq::decode
