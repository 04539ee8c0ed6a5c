// Data parallelism behind one interface. The trainer calls these at the same places whether it
// trains alone or as one of N workers; alone, every call does nothing (or returns its input),
// so the training loop reads without branches on distributed training. The workers' version
// runs on c10d (train/distributed.h).
#pragma once
#include "seq2seq/train/launch.h"

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace seq2seq::train {

class DataParallel {
 public:
  virtual ~DataParallel() = default;
  virtual int rank() const { return 0; }
  virtual int size() const { return 1; }
  bool writer() const { return rank() == 0; }  // the one process, or rank 0: it alone writes the run
  virtual std::string describe() const { return "one process"; }

  // bytes := rank 0's bytes (the setup's outcome, validation's decisions).
  virtual void share(std::string& /*bytes*/) {}
  // tensors[i] := rank 0's tensors[i], in place (initial or resumed weights).
  virtual void share(const std::vector<torch::Tensor>& /*tensors*/) {}
  // This worker's sentences of a global batch (positions into the corpus).
  virtual std::vector<int64_t> my_part(const std::vector<int64_t>& batch) const { return batch; }
  // Seeds this worker's draws (dropout, teacher forcing) for one step: a resumed run then draws
  // what the uninterrupted one drew without saving every worker's generator.
  virtual void seed_step(int64_t /*seed*/, int64_t /*step*/) {}
  // values := their sum over the workers (the step's loss, positions, tokens, stop requests).
  virtual void sum(std::vector<double>& /*values*/) {}
  // Every parameter's gradient := its sum over the workers.
  virtual void sum_gradients(const std::vector<torch::Tensor>& /*parameters*/) {}
};

// The one-process DataParallel for world.size 1; otherwise joins the job (blocks until every
// worker has joined; device: where the tensors live).
std::unique_ptr<DataParallel> make_data_parallel(const World& world, const torch::Device& device);

}  // namespace seq2seq::train
