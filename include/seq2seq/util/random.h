// splitmix64 (Steele, Lea and Flood 2014): the project's one small random-number generator, for
// draws that must be the same on every platform and thread count (std's distributions are not):
// the synthetic corpus, the dropout masks' counter-based bits, per-step seeds of data-parallel ranks.
#pragma once
#include <cstdint>

namespace seq2seq {

inline constexpr uint64_t kGoldenGamma = 0x9E3779B97F4A7C15ULL;  // splitmix64's increment

// splitmix64's output function: a bijective 64-bit mix. mix64(counter * kGoldenGamma + key) is a
// counter-based stream: any element can be drawn without the ones before it.
constexpr uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// The sequential generator: each draw advances the state by kGoldenGamma and mixes it.
class SplitMix64 {
 public:
  explicit constexpr SplitMix64(uint64_t seed) : state_(seed) {}
  constexpr uint64_t next() { return mix64(state_ += kGoldenGamma); }

 private:
  uint64_t state_;
};

// A seed derived from several numbers (a run's seed, a step, a rank): each one mixed into the
// last with one splitmix64 draw, so that nearby inputs give unrelated seeds.
inline uint64_t derive_seed(uint64_t seed, uint64_t a, uint64_t b) {
  return SplitMix64(SplitMix64(SplitMix64(seed).next() + a).next() + b).next();
}

}  // namespace seq2seq
