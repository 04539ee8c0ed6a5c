// Optimizer checkpoints (atomic, with clear errors) and the generator state for exact resumption.
#include "seq2seq/train/checkpoint.h"

#include "seq2seq/errors.h"
#include "seq2seq/io.h"

#include <ATen/CPUGeneratorImpl.h>

#include <mutex>
#include <stdexcept>

namespace seq2seq::train {

void save_optimizer(torch::optim::Optimizer& optimizer, const std::string& path) {
  write_atomic_with(path, [&](const std::string& tmp) {
    torch::serialize::OutputArchive archive;
    optimizer.save(archive);
    archive.save_to(tmp);
  });
}

void load_optimizer(torch::optim::Optimizer& optimizer, const std::string& path) {
  if (!file_exists(path))
    throw std::runtime_error(path + ": missing; this run cannot be resumed (train it again without --resume)");
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path);
    optimizer.load(archive);
  } catch (const c10::Error& e) {
    throw std::runtime_error(path + ": cannot load optimizer state, the file is corrupt or truncated (" +
                             first_line(e.what_without_backtrace()) + ")");
  }
}

std::string rng_state() {
  auto generator = at::detail::getDefaultCPUGenerator();
  torch::Tensor state;
  {
    std::lock_guard<std::mutex> lock(generator.mutex());
    state = generator.get_state();
  }
  static const char* digits = "0123456789abcdef";
  std::string hex;
  const auto* bytes = state.data_ptr<uint8_t>();
  hex.reserve(state.numel() * 2);
  for (int64_t i = 0; i < state.numel(); ++i) {
    hex.push_back(digits[bytes[i] >> 4]);
    hex.push_back(digits[bytes[i] & 15]);
  }
  return hex;
}

void set_rng_state(const std::string& hex) {
  if (hex.empty() || hex.size() % 2) throw std::runtime_error("state.json: rng: corrupt generator state");
  auto state = torch::empty({static_cast<int64_t>(hex.size() / 2)}, torch::kUInt8);
  auto* bytes = state.data_ptr<uint8_t>();
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    throw std::runtime_error("state.json: rng: corrupt generator state");
  };
  for (size_t i = 0; i < hex.size() / 2; ++i)
    bytes[i] = static_cast<uint8_t>(nibble(hex[2 * i]) * 16 + nibble(hex[2 * i + 1]));
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(state);
}

}  // namespace seq2seq::train
