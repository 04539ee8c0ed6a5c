// The workers' DataParallel: the trainer's collective calls on a c10d Collective.
#include "seq2seq/train/data_parallel.h"

#include "seq2seq/train/distributed.h"
#include "seq2seq/util/random.h"

#include <fmt/format.h>

namespace seq2seq::train {

namespace {

class Workers : public DataParallel {
 public:
  Workers(const World& world, const torch::Device& device) : collective_(world, device) {}
  int rank() const override { return collective_.world().rank; }
  int size() const override { return collective_.world().size; }
  std::string describe() const override {
    const World& w = collective_.world();
    return fmt::format("{} workers ({} backend, rendezvous at {}:{}); each trains every {}th sentence of a batch",
                       w.size, collective_.backend(), w.master_addr, w.master_port, w.size);
  }
  void share(std::string& bytes) override { collective_.broadcast_bytes(bytes); }
  void share(const std::vector<torch::Tensor>& tensors) override { collective_.broadcast(tensors); }
  std::vector<int64_t> my_part(const std::vector<int64_t>& batch) const override {
    return shard_of(batch, rank(), size());
  }
  void seed_step(int64_t seed, int64_t step) override {
    torch::manual_seed(derive_seed(static_cast<uint64_t>(seed), static_cast<uint64_t>(step),
                                   static_cast<uint64_t>(rank())));
  }
  void sum(std::vector<double>& values) override {
    auto totals = torch::tensor(values, torch::kDouble);
    collective_.all_reduce_sum(totals);
    for (size_t i = 0; i < values.size(); ++i) values[i] = totals[static_cast<int64_t>(i)].item<double>();
  }
  // The losses were already scaled by each worker's share of the batch: a plain sum.
  void sum_gradients(const std::vector<torch::Tensor>& parameters) override {
    collective_.all_reduce_gradients(parameters, 1.0);
  }

 private:
  Collective collective_;
};

}  // namespace

std::unique_ptr<DataParallel> make_data_parallel(const World& world, const torch::Device& device) {
  if (!world.distributed()) return std::make_unique<DataParallel>();
  return std::make_unique<Workers>(world, device);
}

}  // namespace seq2seq::train
