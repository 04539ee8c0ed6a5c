// The target positions a training pass computes: which rows of (B, T) are real, and their targets.
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

}  // namespace seq2seq::models
