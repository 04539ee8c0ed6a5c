// From corpus lines to padded batches: encoding, length-bucketed batching, collation.
#pragma once
#include "seq2seq/data/batch.h"
#include "seq2seq/data/corpus.h"
#include "seq2seq/data/tokenizer.h"
#include "seq2seq/data/vocab.h"

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace seq2seq::data {

// One sentence pair as ids, both sides <bos> ... <eos>.
struct Example {
  std::vector<int64_t> src, tgt;
  int64_t index = 0;  // line (0-based) of this pair in its corpus
};

struct EncodedCorpus {
  std::vector<Example> examples;
  int64_t dropped_empty = 0, dropped_long = 0;
  // Over the kept examples, tokens without <bos>/<eos>; *_unk counts the <unk> among them.
  int64_t src_unk = 0, tgt_unk = 0, src_tokens = 0, tgt_tokens = 0;
};

// Source and target vocabularies of a training corpus: every line tokenized, then
// Vocab::build(min_freq, max_size) per side; a tokenizer with a fixed vocabulary (SentencePiece)
// gives its pieces instead.
std::pair<Vocab, Vocab> build_vocabs(const ParallelCorpus& corpus, const Tokenizers& tokenizers, int min_freq,
                                     int max_size);

// Tokenizes and encodes every pair. max_len > 0 (training): pairs with an empty side, and
// pairs with more than max_len tokens (without <bos>/<eos>) on either side, are dropped,
// counted and logged (spdlog::warn, naming the corpus and the first dropped line).
// max_len == 0 (evaluation): every pair is kept, so results stay aligned with the references.
EncodedCorpus encode_corpus(const ParallelCorpus& corpus, const Tokenizers& tokenizers, const Vocab& src_vocab,
                            const Vocab& tgt_vocab, int max_len);

struct BatchOptions {
  int batch_size = 128;    // sentences per batch (used when batch_tokens == 0)
  int batch_tokens = 0;    // > 0: at most this many padded source + target ids per batch
  int bucket_chunk = 100;  // sort by length within chunks of bucket_chunk * batch_size pairs; 0: no sorting
  bool shuffle = true;     // false: corpus order, consecutive batches (evaluation)
};

// Splits positions 0..examples.size()-1 into batches; every position appears exactly once.
// shuffle=true: the pairs are shuffled (std::mt19937_64 seeded with `seed`, our own
// Fisher-Yates so the order is the same with every standard library), cut into chunks of
// bucket_chunk * batch_size pairs, each chunk stably sorted by (source length, target length),
// cut into batches, and the batch order shuffled with the same generator.
// A batch is batch_size pairs, or, with batch_tokens > 0, as many consecutive pairs as keep
// batch_size_now * (longest src + longest tgt) <= batch_tokens (lengths with <bos>/<eos>; a
// pair longer than that on its own gets a batch of its own).
std::vector<std::vector<int64_t>> make_batches(const std::vector<Example>& examples, const BatchOptions& options,
                                               uint64_t seed);

// The Batch for examples[positions[0]], examples[positions[1]], ... on the CPU:
// src (B, S), src_len (B), tgt_in = tgt[:-1] and tgt_out = tgt[1:] (B, T), padded with kPad.
Batch collate(const std::vector<Example>& examples, const std::vector<int64_t>& positions);

// Padding over a set of batches, with full id sequences (<bos>/<eos> included, as the
// reference counts): real = ids in the pairs, padded = batch size * longest, per side.
struct PaddingStats {
  int64_t real_src = 0, padded_src = 0, real_tgt = 0, padded_tgt = 0;
  double src_fraction() const;  // 1 - real/padded: the share of pad ids
  double tgt_fraction() const;
  double fraction() const;  // both sides together
};
PaddingStats padding_stats(const std::vector<Example>& examples, const std::vector<std::vector<int64_t>>& batches);

// Fisher-Yates with unbiased draws from `rng` (std::shuffle and std::uniform_int_distribution
// differ between standard libraries; this gives the same order everywhere).
void shuffle_in_place(std::vector<int64_t>& items, std::mt19937_64& rng);

}  // namespace seq2seq::data
