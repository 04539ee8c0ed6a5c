// One sentence at a time, as `translate` needs it: tokenize, report unknown words, cut to the
// model's limit, encode, search, replace <unk> (decode::output_tokens), detokenize; with the
// attention of the best output.
#pragma once
#include "seq2seq/decode/search.h"
#include "seq2seq/run/run.h"

#include <cstdint>
#include <string>
#include <vector>

namespace seq2seq::decode {

struct TranslatorOptions {
  int beam = 0;               // 0 = the run's decode.beam; 1 = greedy
  int nbest = 1;              // hypotheses per sentence (the beam is widened to at least this)
  bool attention = false;     // keep the best hypothesis' attention matrix (attention models only)
  bool unk_brackets = false;  // write a copied source word as "[word]" (output_tokens)
  // Detail for every hypothesis (what `serve` returns): its output tokens, the log-probability
  // of each (teacher-forced over the hypothesis), its attention matrix, and with
  // every_layer_and_head a Transformer's cross-attention per layer and head.
  bool details = false;
  bool every_layer_and_head = false;
};

// One hypothesis in detail (TranslatorOptions::details).
struct HypothesisDetail {
  std::vector<std::string> tokens;  // output tokens after <unk> replacement, no <bos>/<eos>
  double log_prob = 0;              // sum of token_log_probs
  // One per token, then one for <eos> when it was generated, from one teacher-forced pass over the
  // hypothesis (they agree with the search's sum). An <unk> dropped for want of attention (the
  // plain RNN: output_tokens) adds its log-probability to the entry after it.
  std::vector<double> token_log_probs;
  // Rows: tokens, then "</s>" when generated; columns: "<s>", source tokens, "</s>". Empty for a
  // model without attention. For a Transformer: the last layer's, averaged over heads, as search sees it.
  std::vector<std::string> attention_rows, attention_columns;
  std::vector<std::vector<float>> attention;
  // every_layer_and_head (Transformer only): layers x heads x rows x columns, the decoder's
  // cross-attention in a teacher-forced pass (TransformerModel::cross_attention_maps); the mean
  // over the last layer's heads is `attention`. Empty otherwise.
  std::vector<std::vector<std::vector<std::vector<float>>>> layer_head_attention;
};

struct Translation {
  std::vector<std::string> src_tokens;  // what the model read (after any cut)
  std::vector<std::string> unknown;     // source tokens outside the vocabulary (read as <unk>)
  int64_t cut_from = 0;                 // > 0: the line had this many tokens and was cut
  std::vector<std::string> texts;       // detokenized, best first
  std::vector<double> scores;           // search scores, same order
  // The best hypothesis' attention (empty unless requested and the model has attention):
  std::vector<std::string> attention_columns;  // <bos>, source tokens, <eos>
  std::vector<std::string> attention_rows;     // output tokens, then <eos> when it was generated
  std::vector<std::vector<float>> attention;   // rows x columns
  std::vector<HypothesisDetail> details;       // with TranslatorOptions::details: one per text
};

class Translator {
 public:
  Translator(LoadedRun& run, const TranslatorOptions& options);

  // Changes beam, n-best and attention for the sentences that follow (the REPL's :beam, ...).
  void set_options(const TranslatorOptions& options);
  const TranslatorOptions& options() const { return options_; }

  // An empty `texts` means the line held no tokens. Reports nothing: the caller tells the user
  // about `unknown` and `cut_from`, once per line however many runs translate it.
  Translation translate(const std::string& line);

  // The longest source (tokens, without <bos>/<eos>) the model is given.
  int max_tokens() const { return max_tokens_; }
  const SearchOptions& search_options() const { return search_; }

 private:
  // TranslatorOptions::details for the hypotheses of one source (src (1, S), src_len (1)).
  std::vector<HypothesisDetail> details(const std::vector<Hypothesis>& hyps, const std::vector<std::string>& src_tokens,
                                        const torch::Tensor& src, const torch::Tensor& src_len);

  LoadedRun& run_;
  TranslatorOptions options_;
  SearchOptions search_;
  int max_tokens_ = 0;
};

}  // namespace seq2seq::decode
