// Teacher-forced token statistics: cross-entropy and accuracy per source-length band, and accuracy
// against the relative position of a token in its target sentence (where the information goes).
#pragma once
#include "seq2seq/data/batcher.h"
#include "seq2seq/models/seq2seq_model.h"

#include <torch/torch.h>
#include <nlohmann/json_fwd.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace seq2seq::eval {

// One target sentence scored under teacher forcing, over its T target tokens y_1 ... y_n <eos>
// (the positions the loss counts: <eos> included, <bos> and padding not).
struct ScoredSentence {
  int src_words = 0;               // source length in words (source_words()), for its band
  std::vector<double> log_probs;   // (T) log p(y_j | y_<j, source), natural log
  std::vector<int64_t> predicted;  // (T) the model's most likely token at j
  std::vector<int64_t> reference;  // (T) y_j
};

// Tokens counted, how many the model ranked first, and their summed negative log-likelihood.
struct TokenTally {
  int64_t tokens = 0, correct = 0;
  double nll = 0.0;
  double cross_entropy() const;  // nats per token; NaN without tokens
  double accuracy() const;       // correct / tokens; NaN without tokens
  void add(double log_prob, bool is_correct);
};

// Relative position bins: token j (0-based) of a sentence of T tokens goes to bin floor(10 j / T).
inline constexpr int kPositionBins = 10;
int position_bin(int64_t j, int64_t tokens);
using PositionTallies = std::array<TokenTally, kPositionBins>;

struct TeacherForcedBand {
  std::string label;  // as BLEU by length labels it: "1-10", ..., "41+"
  int64_t sentences = 0;
  TokenTally tokens;
  PositionTallies positions;
};

struct TeacherForcedStats {
  int64_t sentences = 0;
  TokenTally tokens;                     // over every sentence
  PositionTallies positions;             // over every sentence
  std::vector<TeacherForcedBand> bands;  // the bands of bleu_by_length with the same edges
};

// The statistics of scored sentences, grouped into the source-length bands of `edges` (as
// make_bands). Pure arithmetic, so that it is tested without a model. Throws
// std::invalid_argument when a sentence's three vectors differ in size.
TeacherForcedStats teacher_forced_stats(const std::vector<ScoredSentence>& sentences,
                                        const std::vector<int>& edges = {10, 20, 30, 40});

// Scores every example with the model in the teacher-forced pass that validation uses
// (teacher_forced_pass(), perplexity.h), then teacher_forced_stats(). src_words[k] is the source
// length in words of examples[k]; the examples' corpus lines (Example::index) must be distinct. No label smoothing, so
// the mean cross-entropy is corpus_loss(...).mean() up to rounding.
TeacherForcedStats teacher_forced(models::Seq2SeqModel& model, const std::vector<data::Example>& examples,
                                  const std::vector<int>& src_words, int batch_size, const torch::Device& device,
                                  const std::vector<int>& edges = {10, 20, 30, 40});

// {"sentences", "tokens", "cross_entropy", "accuracy",
//  "bands": [{"band", "sentences", "tokens", "cross_entropy", "accuracy"}, ...],
//  "position_accuracy": {"all": [10], "bands": {"1-10": [10], ...}},
//  "position_tokens": {"all": [10], "bands": {...}}}; null where there are no tokens.
void to_json(nlohmann::json& j, const TeacherForcedStats& stats);

}  // namespace seq2seq::eval
