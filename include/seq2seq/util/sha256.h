// SHA-256 (FIPS 180-4), for the checksums of a run directory's checkpoint files. Torch-free.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace seq2seq {

// Incremental hashing: update() any number of times, then hex() once.
class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t size);
  void update(std::string_view text) { update(text.data(), text.size()); }
  std::string hex();  // 64 lowercase hex digits; finishes the hash

 private:
  void compress(const uint8_t* block);
  std::array<uint32_t, 8> h_;
  std::array<uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
};

std::string sha256_hex(std::string_view data);
// The hash of a file's bytes; throws std::runtime_error naming the file when it cannot be read.
std::string sha256_file(const std::string& path);

}  // namespace seq2seq
