// Dropout for the models: same semantics as torch::nn::Dropout, cheaper random numbers on the CPU.
#pragma once
#include <torch/torch.h>

namespace seq2seq::models {

// In training, zeroes each element with probability p and scales the rest by 1/(1 - p); the
// identity in eval. On the CPU (float) the mask comes from detail::dropout_mask (layers.cpp):
// one 64-bit draw of the global generator keys a counter-based hash (SplitMix64), whose 64-bit
// outputs give four 16-bit keep/drop decisions each, filled in parallel; torch::dropout instead
// draws per element on one thread. So p acts rounded to a multiple of 1/65536, and
// torch::manual_seed or a restored generator state still reproduces every mask. Other devices
// and dtypes use torch::dropout.
struct DropoutImpl : torch::nn::Module {
  explicit DropoutImpl(double p = 0.5) : p(p) {}
  torch::Tensor forward(const torch::Tensor& x);
  double p;
};
TORCH_MODULE(Dropout);

}  // namespace seq2seq::models
