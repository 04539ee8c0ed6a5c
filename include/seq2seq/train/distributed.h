// Data-parallel training on torch.distributed's C++ engine (c10d): the rendezvous through rank 0's
// TCPStore, a ProcessGroupGloo (ProcessGroupNCCL for CUDA tensors where LibTorch has it), and the
// three things the training loop needs from it: the same start on every rank (broadcast), one
// gradient per step (a bucketed all-reduce) and rank 0's decisions (broadcast of bytes).
//
// The math is the one-process math. Every rank builds the same global batches (same seed, same
// bucketing) and takes every world-size-th sentence of each. Each rank backpropagates the SUM of
// its sentences' token losses; the all-reduce sums the gradients over the ranks and divides by
// the batch's global token count, which is exactly the gradient of the one-process mean loss.
#pragma once
#include "seq2seq/train/launch.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace seq2seq::train {

// One rank's membership in the job. All calls are collective: every rank makes the same calls in
// the same order. A peer that died turns into a std::runtime_error naming this rank and the call.
class Collective {
 public:
  // Joins the job (blocks until all world.size ranks have joined, at most collective_timeout()).
  // device: where the tensors live (cpu, or this rank's cuda device).
  Collective(const World& world, const torch::Device& device);
  ~Collective();
  Collective(const Collective&) = delete;
  Collective& operator=(const Collective&) = delete;

  const World& world() const { return world_; }
  const std::string& backend() const { return backend_; }

  // tensors[i] := rank 0's tensors[i], in place (same shapes and dtypes on every rank).
  void broadcast(std::vector<torch::Tensor> tensors);
  // bytes := rank 0's bytes (any length).
  void broadcast_bytes(std::string& bytes);
  // In place: the sum over ranks of a float64 vector (small: step totals).
  void all_reduce_sum(torch::Tensor& values);
  void barrier();

  // Sums every parameter's gradient over the ranks, then multiplies it by `scale`. A parameter
  // without a gradient (this rank's shard was empty) counts as zeros and gets one. The gradients
  // travel in buckets of about bucket_bytes, flattened into one tensor each, all of them in flight
  // at once (PyTorch's DDP: 25 MiB buckets), rather than one call per tensor.
  void all_reduce_gradients(const std::vector<torch::Tensor>& parameters, double scale,
                            int64_t bucket_bytes = 4 << 20);

  // Number of buckets all_reduce_gradients used last time (for the log and the tests).
  int64_t last_buckets() const { return last_buckets_; }

  struct Impl;  // the c10d objects (distributed.cpp), kept out of this header

 private:
  World world_;
  torch::Device device_;
  std::string backend_;
  int64_t last_buckets_ = 0;
  std::unique_ptr<Impl> impl_;
};

// The sentences (positions into the corpus) of a global batch that rank `rank` of `size` trains:
// every size-th one from `rank` on. The bucketing sorts a batch by length, so the shards get
// sentences of about the same lengths. A shard may be empty when the batch has fewer sentences
// than there are ranks.
std::vector<int64_t> shard_of(const std::vector<int64_t>& batch, int rank, int size);

// Model parameters and buffers, in registration order (what rank 0 broadcasts at the start).
std::vector<torch::Tensor> module_tensors(torch::nn::Module& module);

}  // namespace seq2seq::train
