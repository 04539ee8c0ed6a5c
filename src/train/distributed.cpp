// c10d for the training loop: TCPStore rendezvous, ProcessGroupGloo (NCCL for CUDA tensors when
// LibTorch has it), broadcasts and the bucketed gradient all-reduce.
#include "seq2seq/train/distributed.h"

// SEQ2SEQ_HAVE_C10D, SEQ2SEQ_HAVE_NCCL, SEQ2SEQ_C10D_MISSING: what CMake found (generated in the build tree)
#include "seq2seq/distributed_config.h"
#include "seq2seq/util/errors.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <map>
#include <stdexcept>

#if SEQ2SEQ_HAVE_C10D
#define USE_C10D_GLOO 1  // ProcessGroupGloo.hpp declares its class only with it
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#if SEQ2SEQ_HAVE_NCCL
#define USE_C10D_NCCL 1
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#endif

namespace seq2seq::train {

bool distributed_available() { return SEQ2SEQ_HAVE_C10D != 0; }

std::string distributed_unavailable_reason() {
  return distributed_available() ? std::string() : std::string(SEQ2SEQ_C10D_MISSING);
}

std::vector<std::string> distributed_backends() {
  std::vector<std::string> backends;
  if (SEQ2SEQ_HAVE_C10D) backends.push_back("gloo");
  if (SEQ2SEQ_HAVE_C10D && SEQ2SEQ_HAVE_NCCL) backends.push_back("nccl");
  return backends;
}

std::chrono::seconds collective_timeout() {
  if (const char* text = std::getenv("SEQ2SEQ_DIST_TIMEOUT")) {
    char* end = nullptr;
    const long seconds = std::strtol(text, &end, 10);
    if (end == text || *end != '\0' || seconds < 1)
      throw UsageError(std::string("SEQ2SEQ_DIST_TIMEOUT=") + text + ": expected a whole number of seconds, at least 1");
    return std::chrono::seconds(seconds);
  }
  return std::chrono::seconds(600);
}

std::vector<int64_t> shard_of(const std::vector<int64_t>& batch, int rank, int size) {
  std::vector<int64_t> shard;
  for (std::size_t i = static_cast<std::size_t>(rank); i < batch.size(); i += static_cast<std::size_t>(size))
    shard.push_back(batch[i]);
  return shard;
}

std::vector<torch::Tensor> module_tensors(torch::nn::Module& module) {
  std::vector<torch::Tensor> tensors;
  for (auto& p : module.parameters()) tensors.push_back(p);
  for (auto& b : module.buffers()) tensors.push_back(b);
  return tensors;
}

#if SEQ2SEQ_HAVE_C10D

struct Collective::Impl {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroup> gloo;  // CPU tensors (and CUDA ones without NCCL)
  c10::intrusive_ptr<c10d::ProcessGroup> nccl;  // CUDA tensors, made at first use
};

namespace {

bool is_loopback(const std::string& address) {
  return address == "localhost" || address.rfind("127.", 0) == 0 || address == "::1";
}

// The network device Gloo binds to: GLOO_SOCKET_IFNAME when set (as PyTorch reads it), the
// loopback when the job is on this machine, else the address this machine's hostname resolves to.
std::shared_ptr<::gloo::transport::Device> gloo_device(const std::string& master_addr) {
  if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME"); interface && *interface)
    return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
  if (is_loopback(master_addr)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

// A collective call that failed because a peer went away (or timed out) becomes one line that
// says which rank saw it and what to do.
template <typename F>
void guarded(const World& world, const char* what, F&& call) {
  try {
    call();
  } catch (const std::exception& e) {
    const std::string message = e.what();
    throw std::runtime_error(fmt::format(
        "rank {}: {} failed ({}): another worker died or stopped answering; the last checkpoint is intact, "
        "continue with train --run RUN --resume",
        world.rank, what, message.substr(0, message.find('\n'))));
  }
}

}  // namespace

Collective::Collective(const World& world, const torch::Device& device)
    : world_(world), device_(device), impl_(std::make_unique<Impl>()) {
  c10d::TCPStoreOptions store_options;
  store_options.port = static_cast<std::uint16_t>(world.master_port);
  store_options.isServer = world.rank == 0;
  store_options.numWorkers = static_cast<std::size_t>(world.size);
  store_options.waitWorkers = true;
  store_options.timeout = collective_timeout();
  try {
    impl_->store = c10::make_intrusive<c10d::TCPStore>(world.master_addr, store_options);
    auto options = c10d::ProcessGroupGloo::Options::create(collective_timeout());
    options->devices.push_back(gloo_device(world.master_addr));
    impl_->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(
        c10::make_intrusive<c10d::PrefixStore>("gloo", impl_->store), world.rank, world.size, options);
  } catch (const std::exception& e) {
    const std::string message = e.what();
    throw std::runtime_error(fmt::format("rank {}: cannot join the job at {}:{} ({}); check MASTER_ADDR and "
                                         "MASTER_PORT, and that all {} workers were started",
                                         world.rank, world.master_addr, world.master_port,
                                         message.substr(0, message.find('\n')), world.size));
  }
  backend_ = "gloo";
#if SEQ2SEQ_HAVE_NCCL
  if (device.is_cuda()) {
    impl_->nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(
        c10::make_intrusive<c10d::PrefixStore>("nccl", impl_->store), world.rank, world.size,
        c10d::ProcessGroupNCCL::Options::create());
    backend_ = "nccl";
  }
#endif
  spdlog::info("rank {} of {}: joined through the TCPStore at {}:{} ({} backend)", world.rank, world.size,
               world.master_addr, world.master_port, backend_);
}

Collective::~Collective() = default;

namespace {
c10d::ProcessGroup& group_for(Collective::Impl& impl, const torch::Tensor& tensor) {
  if (tensor.is_cuda() && impl.nccl) return *impl.nccl;
  return *impl.gloo;
}
}  // namespace

void Collective::broadcast(std::vector<torch::Tensor> tensors) {
  // One flat buffer per dtype and device: Gloo broadcasts one tensor per call.
  std::map<std::pair<int, std::string>, std::vector<torch::Tensor>> groups;
  for (auto& t : tensors) groups[{static_cast<int>(t.scalar_type()), t.device().str()}].push_back(t);
  torch::NoGradGuard no_grad;
  for (auto& [key, members] : groups) {
    std::vector<torch::Tensor> flat_parts;
    for (auto& t : members) flat_parts.push_back(t.reshape({-1}));
    std::vector<at::Tensor> buffer = {torch::cat(flat_parts)};
    guarded(world_, "broadcast", [&] { group_for(*impl_, buffer[0]).broadcast(buffer)->wait(); });
    int64_t offset = 0;
    for (auto& t : members) {
      t.copy_(buffer[0].narrow(0, offset, t.numel()).view_as(t));
      offset += t.numel();
    }
  }
}

void Collective::broadcast_bytes(std::string& bytes) {
  std::vector<at::Tensor> length = {torch::tensor({static_cast<int64_t>(bytes.size())}, torch::kLong)};
  guarded(world_, "broadcast", [&] { impl_->gloo->broadcast(length)->wait(); });
  const int64_t n = length[0].item<int64_t>();
  std::vector<at::Tensor> buffer = {torch::empty({std::max<int64_t>(n, 1)}, torch::kUInt8)};
  if (world_.rank == 0) std::memcpy(buffer[0].data_ptr<uint8_t>(), bytes.data(), bytes.size());
  guarded(world_, "broadcast", [&] { impl_->gloo->broadcast(buffer)->wait(); });
  bytes.assign(reinterpret_cast<const char*>(buffer[0].data_ptr<uint8_t>()), static_cast<std::size_t>(n));
}

void Collective::all_reduce_sum(torch::Tensor& values) {
  std::vector<at::Tensor> buffer = {values.contiguous()};
  guarded(world_, "all-reduce", [&] { group_for(*impl_, buffer[0]).allreduce(buffer)->wait(); });
  if (!buffer[0].is_same(values)) values.copy_(buffer[0]);
}

void Collective::barrier() {
  guarded(world_, "barrier", [&] { impl_->gloo->barrier()->wait(); });
}

void Collective::all_reduce_gradients(const std::vector<torch::Tensor>& parameters, double scale,
                                      int64_t bucket_bytes) {
  torch::NoGradGuard no_grad;
  // Buckets of consecutive gradients of one dtype and device, about bucket_bytes each.
  std::vector<std::vector<torch::Tensor>> buckets;
  int64_t bytes_in_last = 0;
  for (const auto& p : parameters) {
    auto param = p;  // a handle: mutable_grad() is not const
    if (!param.grad().defined()) param.mutable_grad() = torch::zeros_like(param);
    auto grad = param.grad();
    const int64_t bytes = grad.numel() * static_cast<int64_t>(grad.element_size());
    const bool fits = !buckets.empty() && bytes_in_last + bytes <= bucket_bytes &&
                      buckets.back().front().scalar_type() == grad.scalar_type() &&
                      buckets.back().front().device() == grad.device();
    if (!fits) {
      buckets.emplace_back();
      bytes_in_last = 0;
    }
    buckets.back().push_back(grad);
    bytes_in_last += bytes;
  }
  // All buckets in flight at once, then waited for in order.
  std::vector<std::vector<at::Tensor>> flats(buckets.size());
  std::vector<c10::intrusive_ptr<c10d::Work>> works(buckets.size());
  guarded(world_, "gradient all-reduce", [&] {
    for (std::size_t b = 0; b < buckets.size(); ++b) {
      std::vector<torch::Tensor> parts;
      for (auto& g : buckets[b]) parts.push_back(g.reshape({-1}));
      flats[b] = {torch::cat(parts)};
      works[b] = group_for(*impl_, flats[b][0]).allreduce(flats[b]);
    }
    for (auto& work : works) work->wait();
  });
  for (std::size_t b = 0; b < buckets.size(); ++b) {
    auto& flat = flats[b][0];
    flat.mul_(scale);
    int64_t offset = 0;
    for (auto& g : buckets[b]) {
      g.copy_(flat.narrow(0, offset, g.numel()).view_as(g));
      offset += g.numel();
    }
  }
  last_buckets_ = static_cast<int64_t>(buckets.size());
}

#else  // no c10d in this LibTorch: constructing a Collective says why, so no other member is ever reached

struct Collective::Impl {};

Collective::Collective(const World& world, const torch::Device& device) : world_(world), device_(device) {
  throw UsageError("distributed training is not available in this build: " + distributed_unavailable_reason());
}
Collective::~Collective() = default;
void Collective::broadcast(std::vector<torch::Tensor>) {}
void Collective::broadcast_bytes(std::string&) {}
void Collective::all_reduce_sum(torch::Tensor&) {}
void Collective::barrier() {}
void Collective::all_reduce_gradients(const std::vector<torch::Tensor>&, double, int64_t) {}

#endif

}  // namespace seq2seq::train
