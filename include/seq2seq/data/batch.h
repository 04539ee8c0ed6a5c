// A padded batch of sentence pairs: what every model consumes.
#pragma once
#include <torch/torch.h>

namespace seq2seq::data {

// All tensors are batch-first and padded with Vocab::kPad.
struct Batch {
  torch::Tensor src;             // (B, S) source ids, <bos> x... <eos>, right-padded
  torch::Tensor src_len;         // (B) real source lengths (incl. <bos>/<eos>), int64, on the CPU
  torch::Tensor tgt_in;          // (B, T) <bos> y_1 ... y_n, right-padded
  torch::Tensor tgt_out;         // (B, T) y_1 ... y_n <eos>, right-padded
  int64_t tgt_tokens = 0;        // non-pad tokens in tgt_out (what losses average over)
  std::vector<int64_t> indices;  // positions of these pairs in their corpus

  int64_t size() const { return src.size(0); }
  Batch to(const torch::Device& device) const {
    Batch b = *this;
    b.src = src.to(device);
    b.tgt_in = tgt_in.defined() ? tgt_in.to(device) : tgt_in;
    b.tgt_out = tgt_out.defined() ? tgt_out.to(device) : tgt_out;
    return b;
  }
};

}  // namespace seq2seq::data
