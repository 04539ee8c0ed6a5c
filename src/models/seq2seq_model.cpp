// The target positions a training pass computes (which rows of (B, T) are real, and their
// targets), and the reversed source order of a reversed-source encoder.
#include "seq2seq/models/seq2seq_model.h"

namespace seq2seq::models {

torch::Tensor real_positions(const torch::Tensor& tgt_in) { return tgt_in.ne(0).reshape({-1}).nonzero().squeeze(1); }

torch::Tensor real_targets(const data::Batch& batch) {
  return batch.tgt_out.reshape({-1}).index_select(0, real_positions(batch.tgt_in));  // (N)
}

torch::Tensor at_positions(const torch::Tensor& x, const torch::Tensor& tgt_in, Positions positions) {
  if (positions == Positions::kAll) return x;  // (B, T, ...)
  auto sizes = x.sizes().vec();                // (B, T, K...) -> (B·T, K...)
  sizes.erase(sizes.begin());
  sizes[0] = tgt_in.numel();
  auto rows = real_positions(tgt_in);                           // (N)
  if (rows.size(0) == tgt_in.numel()) return x.reshape(sizes);  // no padding: every row
  return x.reshape(sizes).index_select(0, rows);                // (N, K...)
}

torch::Tensor reverse_source_words(const torch::Tensor& x, const torch::Tensor& src_len) {
  const int64_t S = x.size(1);
  auto j = torch::arange(S, torch::TensorOptions().dtype(torch::kLong).device(x.device())).unsqueeze(0);  // (1, S)
  auto eos = src_len.to(x.device(), torch::kLong).unsqueeze(1) - 1;   // (B, 1) the position of <eos>
  auto is_word = j.ge(1) & j.lt(eos);                                 // (B, S) true at w_1 ... w_n
  auto index = torch::where(is_word, eos - j, j);                     // (B, S) word j <- word n + 1 - j
  for (int64_t d = 2; d < x.dim(); ++d) index = index.unsqueeze(-1);  // (B, S, 1, ...)
  return x.gather(1, index.expand(x.sizes()));                        // (B, S, ...)
}

}  // namespace seq2seq::models
