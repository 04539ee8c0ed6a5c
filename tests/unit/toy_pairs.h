// Toy parallel pairs for tests that run a real model: `count` pairs of growing source length
// (2 + i words) and varied target length, over word ids 4 .. 4 + words - 1 on each side.
#pragma once
#include "seq2seq/data/batcher.h"
#include "seq2seq/data/vocab.h"

#include <cstdint>
#include <vector>

namespace seq2seq::testing {

struct ToyPairShape {
  int64_t words = 8;          // distinct word ids per side
  int64_t tgt_stride = 2;     // target length is 1 + (i * tgt_stride) % tgt_lengths
  int64_t tgt_lengths = 5;
  int64_t tgt_offset = 1;     // target word j of pair i: 4 + (i * j + tgt_offset) % words
  int64_t first_index = 0;    // Example::index of the first pair (a corpus line, not a position)
};

inline std::vector<data::Example> toy_pairs(int64_t count, const ToyPairShape& shape = {}) {
  std::vector<data::Example> out;
  for (int64_t i = 0; i < count; ++i) {
    data::Example e;
    e.src = {data::Vocab::kBos};
    e.tgt = {data::Vocab::kBos};
    for (int64_t j = 0; j < 2 + i; ++j) e.src.push_back(4 + (i + j) % shape.words);
    for (int64_t j = 0; j < 1 + (i * shape.tgt_stride) % shape.tgt_lengths; ++j)
      e.tgt.push_back(4 + (i * j + shape.tgt_offset) % shape.words);
    e.src.push_back(data::Vocab::kEos);
    e.tgt.push_back(data::Vocab::kEos);
    e.index = shape.first_index + i;
    out.push_back(e);
  }
  return out;
}

}  // namespace seq2seq::testing
