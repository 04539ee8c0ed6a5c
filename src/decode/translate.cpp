// Batches sentences of similar length together so that little work goes to padding.
#include "seq2seq/decode/translate.h"

#include "seq2seq/data/vocab.h"

#include <numeric>

namespace seq2seq::decode {

std::vector<std::vector<Hypothesis>> translate_batched(models::Seq2SeqModel& model,
                                                       const std::vector<std::vector<int64_t>>& sources,
                                                       const SearchOptions& options, int batch_size,
                                                       const torch::Device& device) {
  torch::InferenceMode inference;
  const bool was_training = model.is_training();
  model.eval();
  std::vector<size_t> order(sources.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return sources[a].size() > sources[b].size(); });

  std::vector<std::vector<Hypothesis>> results(sources.size());
  for (size_t begin = 0; begin < order.size(); begin += batch_size) {
    const size_t end = std::min(order.size(), begin + static_cast<size_t>(batch_size));
    const int64_t rows = static_cast<int64_t>(end - begin);
    const int64_t width = static_cast<int64_t>(sources[order[begin]].size());  // longest first
    auto src = torch::full({rows, width}, data::Vocab::kPad, torch::kLong);    // (B, S)
    auto src_len = torch::empty({rows}, torch::kLong);
    auto src_at = src.accessor<int64_t, 2>();
    for (int64_t r = 0; r < rows; ++r) {
      const auto& ids = sources[order[begin + r]];
      for (size_t j = 0; j < ids.size(); ++j) src_at[r][j] = ids[j];
      src_len[r] = static_cast<int64_t>(ids.size());
    }
    auto batch_results = search(model, src.to(device), src_len, options);
    for (int64_t r = 0; r < rows; ++r) results[order[begin + r]] = std::move(batch_results[r]);
  }
  if (was_training) model.train();
  return results;
}

}  // namespace seq2seq::decode
