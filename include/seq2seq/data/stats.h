// Corpus statistics behind `seq2seq data stats`: computed as JSON, rendered as text.
#pragma once
#include "seq2seq/data/corpus.h"
#include "seq2seq/data/tokenizer.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace seq2seq::data {

struct StatsOptions {
  int min_freq = 2;   // vocabulary, as data.min_freq
  int max_size = 0;   // vocabulary, as data.max_size (0 = no limit)
  int max_len = 100;  // data.max_len: pairs with more tokens on either side are counted as dropped
  int bin_width = 0;  // histogram bin in tokens; 0 = 5, or 10 when a sentence is longer than 80
  std::string src_lang = "src", tgt_lang = "tgt";  // labels only
};

// Statistics of `splits`; the vocabularies are built from splits[0] (the training split).
// Token counts exclude <bos>/<eos>. Layout:
// {"tokenizer", "min_freq", "max_size", "max_len", "src_lang", "tgt_lang",
//  "vocab": {"built_from", "src_size", "tgt_size", "src_types", "tgt_types"},   (sizes incl. 4 specials)
//  "splits": [{"name", "src_path", "tgt_path", "pairs", "src_tokens", "tgt_tokens",
//              "src_max_len", "tgt_max_len", "src_mean_len", "tgt_mean_len",
//              "src_unk", "tgt_unk", "src_oov_rate", "tgt_oov_rate",        (token level, vs the vocab)
//              "empty_pairs", "long_pairs", "dropped_by_max_len",           (empty + long)
//              "histogram": {"bin_width", "src": [counts], "tgt": [counts]}}]}  (bin i = [i*w, (i+1)*w))
nlohmann::json corpus_stats(const std::vector<ParallelCorpus>& splits, const Tokenizers& tokenizers,
                            const StatsOptions& options);

// The report `seq2seq data stats` prints: a table of the splits, the vocabulary sizes, and a
// length histogram per split drawn with Unicode block characters.
std::string render_stats(const nlohmann::json& stats);

// A horizontal bar `fraction` (0..1) of `width` cells, in eighths of a cell (▏▎▍▌▋▊▉█),
// padded with spaces to exactly `width` cells.
std::string block_bar(double fraction, int width);

}  // namespace seq2seq::data
