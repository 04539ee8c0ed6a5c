// The optimizer named by train.optimizer (Adam or AdamW) and setting its learning rate.
#pragma once
#include "seq2seq/config/config.h"

#include <torch/torch.h>

#include <memory>
#include <vector>

namespace seq2seq::train {

// Adam or AdamW over `params` with train.lr, betas, eps and weight_decay.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const std::vector<torch::Tensor>& params,
                                                        const TrainConfig& config);

// Sets the learning rate of every parameter group (the schedule's value for the next step).
void set_lr(torch::optim::Optimizer& optimizer, double lr);

}  // namespace seq2seq::train
