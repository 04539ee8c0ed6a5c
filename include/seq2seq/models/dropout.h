// Dropout for the models: same semantics as torch::nn::Dropout, cheaper random numbers on the CPU.
#pragma once
#include <torch/torch.h>

namespace seq2seq::models {

// In training, zeroes each element with probability p and scales the rest by 1/(1 - p); the
// identity in eval. On the CPU the keep/drop decisions are 16-bit slices of 32-bit draws of
// the global generator (two elements per draw; torch::dropout spends two draws and a double
// per element), so p acts rounded to a multiple of 1/65536. Other devices use torch::dropout.
struct DropoutImpl : torch::nn::Module {
  explicit DropoutImpl(double p = 0.5) : p(p) {}
  torch::Tensor forward(const torch::Tensor& x);
  double p;
};
TORCH_MODULE(Dropout);

}  // namespace seq2seq::models
