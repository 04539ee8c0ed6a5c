// Optimizer construction from the train section of a config.
#include "seq2seq/train/optimizer.h"

#include <tuple>

namespace seq2seq::train {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const std::vector<torch::Tensor>& params,
                                                        const TrainConfig& config) {
  const auto betas = std::make_tuple(config.betas[0], config.betas[1]);
  if (config.optimizer == "adamw")
    return std::make_unique<torch::optim::AdamW>(
        params, torch::optim::AdamWOptions(config.lr).betas(betas).eps(config.eps).weight_decay(config.weight_decay));
  return std::make_unique<torch::optim::Adam>(
      params, torch::optim::AdamOptions(config.lr).betas(betas).eps(config.eps).weight_decay(config.weight_decay));
}

void set_lr(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

}  // namespace seq2seq::train
