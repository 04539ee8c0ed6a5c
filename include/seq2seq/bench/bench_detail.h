// The pieces of `seq2seq bench` that touch tensors and models: parameter counts and the
// reference's batches (bench.h is the torch-free front the command line uses).
#pragma once
#include "seq2seq/bench/bench.h"
#include "seq2seq/data/batch.h"
#include "seq2seq/data/batcher.h"
#include "seq2seq/models/seq2seq_model.h"

#include <cstdint>
#include <vector>

namespace seq2seq::bench {

// Parameters split as the reference splits them: weights of Embedding modules vs the rest.
struct ParamCounts {
  int64_t total = 0, embedding = 0, non_embedding = 0;
};
ParamCounts count_parameters(const models::Seq2SeqModel& model);

// Mode fixed batches, as the reference builds them: a CPU generator seeded with `seed`; per
// batch src = randint(4, src_vocab, (B, S)) then tgt = randint(4, tgt_vocab, (B, T)), first
// column <bos>, last column <eos>, no padding. Same generator and draws as torch.randint in
// Python, so the ids equal the reference's.
std::vector<data::Batch> fixed_batches(int n, int batch_size, int64_t src_vocab, int64_t tgt_vocab, int64_t src_len,
                                       int64_t tgt_len, uint64_t seed);

// Python's random.Random(seed).shuffle(items) (MT19937 seeded by init_by_array, _randbelow by
// rejection on getrandbits): the same permutation as the reference's batch shuffle.
void python_shuffle(std::vector<std::vector<int64_t>>& items, uint64_t seed);

// The PyTorch reference's "multi30k mode" batches, unshuffled: chunks of chunk_batches *
// batch_size pairs in corpus order (no pre-shuffle), each stably sorted by source length only,
// cut into batches of batch_size, in chunk order.
std::vector<std::vector<int64_t>> reference_batches(const std::vector<data::Example>& examples, int batch_size,
                                                    int chunk_batches);

// The same batches in the reference's order: shuffled with python_shuffle(seed) as bench.py does.
std::vector<std::vector<int64_t>> reference_order_batches(const std::vector<data::Example>& examples, int batch_size,
                                                          int chunk_batches, uint64_t seed);

}  // namespace seq2seq::bench
