// Greedy and beam search over any Seq2SeqModel, through start() and step() only.
#pragma once
#include "seq2seq/config/config.h"
#include "seq2seq/models/seq2seq_model.h"

#include <torch/torch.h>

#include <vector>

namespace seq2seq::decode {

struct SearchOptions {
  int beam = 1;                 // 1 = greedy
  double length_penalty = 1.0;  // GNMT alpha: normalised score = log p / ((5 + len) / 6)^alpha
  double max_len_ratio = 1.5;   // a sentence may generate floor(ratio * src_len) + 10 tokens ...
  int max_len = 200;            // ... but never more than this (src_len counts <bos> and <eos>)
  int nbest = 1;                // hypotheses returned per sentence (at most beam)
  bool attention = false;       // also return the attention rows of each hypothesis
  // The forward passes' precision (resolved: fp32 or bf16, system/precision.h); the
  // log-probabilities and scores are fp32 either way. from() leaves fp32: the caller sets it.
  Precision precision = Precision::fp32;

  static SearchOptions from(const DecodeConfig& config);
};

struct Hypothesis {
  std::vector<int64_t> tokens;  // generated ids, without <bos> and <eos>
  double log_prob = 0;          // sum of token log-probabilities (the <eos> included)
  double score = 0;             // log_prob normalised by the length penalty (greedy: = log_prob)
  bool finished = false;        // ended with <eos> (not cut at the length limit)
  // attention[t][j]: weight of source position j (of src_len) when producing output t; empty
  // when not requested or when the model has no attention.
  std::vector<std::vector<float>> attention;
};

// Generated tokens allowed for a source of src_len ids (incl. <bos>/<eos>), <eos> included.
int64_t max_output_length(int64_t src_len, const SearchOptions& options);

// One list per sentence, best first (size min(nbest, beam)). src: (B, S) padded ids;
// src_len: (B) int64 on the CPU. Call under InferenceMode/NoGradGuard with model.eval().
// A sentence's result does not depend on the other sentences in the batch.
std::vector<std::vector<Hypothesis>> greedy_search(models::Seq2SeqModel& model, const torch::Tensor& src,
                                                   const torch::Tensor& src_len, const SearchOptions& options);
std::vector<std::vector<Hypothesis>> beam_search(models::Seq2SeqModel& model, const torch::Tensor& src,
                                                 const torch::Tensor& src_len, const SearchOptions& options);
// beam == 1 -> greedy_search, else beam_search.
std::vector<std::vector<Hypothesis>> search(models::Seq2SeqModel& model, const torch::Tensor& src,
                                            const torch::Tensor& src_len, const SearchOptions& options);

}  // namespace seq2seq::decode
