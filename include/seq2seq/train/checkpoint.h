// What only training needs beside the run directory (seq2seq/run.h): optimizer state and the
// random generator's state, for exact resumption.
#pragma once
#include <torch/torch.h>

#include <string>

namespace seq2seq::train {

// The optimizer's moments, written atomically; loading names the file on failure.
void save_optimizer(torch::optim::Optimizer& optimizer, const std::string& path);
void load_optimizer(torch::optim::Optimizer& optimizer, const std::string& path);

// The global CPU generator's state as hex (state.json's "rng"), and back.
std::string rng_state();
void set_rng_state(const std::string& hex);

}  // namespace seq2seq::train
