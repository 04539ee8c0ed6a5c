// Teacher-forced token statistics by source-length band and by relative target position.
#include "seq2seq/eval/teacher_forced.h"

#include "seq2seq/data/vocab.h"
#include "seq2seq/eval/length_buckets.h"
#include "seq2seq/eval/perplexity.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <unordered_map>

namespace seq2seq::eval {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

double TokenTally::cross_entropy() const { return tokens ? nll / static_cast<double>(tokens) : kNaN; }
double TokenTally::accuracy() const {
  return tokens ? static_cast<double>(correct) / static_cast<double>(tokens) : kNaN;
}
void TokenTally::add(double log_prob, bool is_correct) {
  ++tokens;
  correct += is_correct ? 1 : 0;
  nll -= log_prob;
}

// Integer arithmetic, so that j / T = 0.3 lands in bin 3 and not, through rounding, in bin 2.
int position_bin(int64_t j, int64_t tokens) { return static_cast<int>(kPositionBins * j / tokens); }

TeacherForcedStats teacher_forced_stats(const std::vector<ScoredSentence>& sentences, const std::vector<int>& edges) {
  TeacherForcedStats stats;
  const auto bands = make_bands(edges);
  for (const auto& band : bands) stats.bands.push_back({band.label, 0, {}, {}});
  for (const auto& sentence : sentences) {
    const auto length = static_cast<int64_t>(sentence.reference.size());
    if (static_cast<int64_t>(sentence.log_probs.size()) != length ||
        static_cast<int64_t>(sentence.predicted.size()) != length)
      throw std::invalid_argument("teacher-forced statistics need one log-prob, prediction and reference per token: " +
                                  std::to_string(sentence.log_probs.size()) + " log-probs, " +
                                  std::to_string(sentence.predicted.size()) + " predictions, " +
                                  std::to_string(length) + " references");
    TeacherForcedBand& band = stats.bands[band_index(bands, sentence.src_words)];
    ++stats.sentences;
    ++band.sentences;
    for (int64_t j = 0; j < length; ++j) {
      const double log_prob = sentence.log_probs[j];
      const bool correct = sentence.predicted[j] == sentence.reference[j];
      const int bin = position_bin(j, length);
      stats.tokens.add(log_prob, correct);
      stats.positions[bin].add(log_prob, correct);
      band.tokens.add(log_prob, correct);
      band.positions[bin].add(log_prob, correct);
    }
  }
  return stats;
}

TeacherForcedStats teacher_forced(models::Seq2SeqModel& model, const std::vector<data::Example>& examples,
                                  const std::vector<int>& src_words, int batch_size, const torch::Device& device,
                                  const std::vector<int>& edges) {
  if (src_words.size() != examples.size())
    throw std::invalid_argument("teacher_forced: " + std::to_string(examples.size()) + " examples but " +
                                std::to_string(src_words.size()) + " source lengths");
  // A batch names its pairs by corpus line (Example::index); the sentences keep the examples' order.
  std::unordered_map<int64_t, std::size_t> position_of;
  for (std::size_t k = 0; k < examples.size(); ++k)
    if (!position_of.emplace(examples[k].index, k).second)
      throw std::invalid_argument("teacher_forced: two examples from corpus line " + std::to_string(examples[k].index));
  std::vector<ScoredSentence> sentences(examples.size());

  teacher_forced_pass(model, examples, batch_size, device, [&](const data::Batch& batch, const torch::Tensor& logits) {
    const auto targets = models::real_targets(batch);                                      // (N)
    const auto target_log_probs = logits.log_softmax(-1).gather(1, targets.unsqueeze(1));  // (N, 1)
    const auto log_probs = target_log_probs.squeeze(1).to(torch::kCPU, torch::kDouble).contiguous();
    const auto predicted = logits.argmax(-1).to(torch::kCPU, torch::kLong).contiguous();  // (N)
    const auto reference = targets.to(torch::kCPU, torch::kLong).contiguous();
    const auto row_tokens =
        (batch.tgt_in != data::Vocab::kPad).sum(1).to(torch::kCPU, torch::kLong).contiguous();  // (B)
    const double* lp = log_probs.data_ptr<double>();
    const int64_t* pred = predicted.data_ptr<int64_t>();
    const int64_t* ref = reference.data_ptr<int64_t>();
    const int64_t* tokens_of_row = row_tokens.data_ptr<int64_t>();
    // The N rows are row-major over (B, T): sentence b's T_b tokens follow sentence b - 1's.
    int64_t row = 0;
    for (int64_t b = 0; b < batch.size(); ++b) {
      const std::size_t k = position_of.at(batch.indices[b]);
      ScoredSentence& sentence = sentences[k];
      sentence.src_words = src_words[k];
      const int64_t length = tokens_of_row[b];
      sentence.log_probs.assign(lp + row, lp + row + length);
      sentence.predicted.assign(pred + row, pred + row + length);
      sentence.reference.assign(ref + row, ref + row + length);
      row += length;
    }
  });
  return teacher_forced_stats(sentences, edges);
}

namespace {

nlohmann::json number_or_null(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }

nlohmann::json accuracies(const PositionTallies& positions) {
  auto out = nlohmann::json::array();
  for (const auto& bin : positions) out.push_back(number_or_null(bin.accuracy()));
  return out;
}

nlohmann::json token_counts(const PositionTallies& positions) {
  auto out = nlohmann::json::array();
  for (const auto& bin : positions) out.push_back(bin.tokens);
  return out;
}

}  // namespace

void to_json(nlohmann::json& j, const TeacherForcedStats& stats) {
  auto bands = nlohmann::json::array();
  auto band_accuracy = nlohmann::json::object(), band_tokens = nlohmann::json::object();
  for (const auto& band : stats.bands) {
    bands.push_back({{"band", band.label},
                     {"sentences", band.sentences},
                     {"tokens", band.tokens.tokens},
                     {"cross_entropy", number_or_null(band.tokens.cross_entropy())},
                     {"accuracy", number_or_null(band.tokens.accuracy())}});
    band_accuracy[band.label] = accuracies(band.positions);
    band_tokens[band.label] = token_counts(band.positions);
  }
  j = nlohmann::json{{"sentences", stats.sentences},
                     {"tokens", stats.tokens.tokens},
                     {"cross_entropy", number_or_null(stats.tokens.cross_entropy())},
                     {"accuracy", number_or_null(stats.tokens.accuracy())},
                     {"bands", bands},
                     {"position_accuracy", {{"all", accuracies(stats.positions)}, {"bands", band_accuracy}}},
                     {"position_tokens", {{"all", token_counts(stats.positions)}, {"bands", band_tokens}}}};
}

}  // namespace seq2seq::eval
