// Encodes corpora into id pairs, groups them into length-bucketed batches, pads batches.
#include "seq2seq/data/batcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace seq2seq::data {

namespace {

int64_t length(const std::vector<int64_t>& ids) { return static_cast<int64_t>(ids.size()); }

// Cuts `order` (positions into examples) into consecutive batches.
void cut_batches(const std::vector<Example>& examples, const std::vector<int64_t>& order, const BatchOptions& options,
                 std::vector<std::vector<int64_t>>& batches) {
  std::vector<int64_t> batch;
  int64_t longest_src = 0, longest_tgt = 0;
  for (int64_t position : order) {
    const Example& example = examples[static_cast<std::size_t>(position)];
    if (options.batch_tokens > 0) {
      const int64_t src = std::max(longest_src, length(example.src));
      const int64_t tgt = std::max(longest_tgt, length(example.tgt));
      const int64_t padded = (static_cast<int64_t>(batch.size()) + 1) * (src + tgt);
      if (!batch.empty() && padded > options.batch_tokens) {
        batches.push_back(std::move(batch));
        batch.clear();
        longest_src = longest_tgt = 0;
      }
    } else if (static_cast<int64_t>(batch.size()) == options.batch_size) {
      batches.push_back(std::move(batch));
      batch.clear();
    }
    batch.push_back(position);
    longest_src = std::max(longest_src, length(example.src));
    longest_tgt = std::max(longest_tgt, length(example.tgt));
  }
  if (!batch.empty()) batches.push_back(std::move(batch));
}

void check_options(const BatchOptions& options) {
  if (options.batch_size < 1 && options.batch_tokens <= 0)
    throw std::invalid_argument("batch_size must be at least 1 (or set batch_tokens)");
  if (options.batch_tokens < 0) throw std::invalid_argument("batch_tokens must be 0 (off) or positive");
}

// Applies a permutation of the batch order drawn from rng.
void shuffle_batches(std::vector<std::vector<int64_t>>& batches, std::mt19937_64& rng) {
  std::vector<int64_t> order(batches.size());
  std::iota(order.begin(), order.end(), 0);
  shuffle_in_place(order, rng);
  std::vector<std::vector<int64_t>> shuffled;
  shuffled.reserve(batches.size());
  for (int64_t i : order) shuffled.push_back(std::move(batches[static_cast<std::size_t>(i)]));
  batches = std::move(shuffled);
}

}  // namespace

void shuffle_in_place(std::vector<int64_t>& items, std::mt19937_64& rng) {
  for (std::size_t i = items.size(); i > 1; --i) {
    // Uniform j in [0, i-1] by rejection: drop the top partial block of 2^64 so every
    // residue is equally likely.
    const uint64_t bound = i;
    const uint64_t limit = std::numeric_limits<uint64_t>::max() - std::numeric_limits<uint64_t>::max() % bound;
    uint64_t draw = rng();
    while (draw >= limit) draw = rng();
    std::swap(items[i - 1], items[static_cast<std::size_t>(draw % bound)]);
  }
}

EncodedCorpus encode_corpus(const ParallelCorpus& corpus, const Tokenizers& tokenizers, const Vocab& src_vocab,
                            const Vocab& tgt_vocab, int max_len) {
  if (corpus.src.size() != corpus.tgt.size())
    throw std::invalid_argument(corpus.name + ": source and target line counts differ");
  EncodedCorpus out;
  out.examples.reserve(corpus.size());
  int64_t first_empty = -1, first_long = -1;
  for (std::size_t i = 0; i < corpus.size(); ++i) {
    const std::vector<std::string> src = tokenizers.src->tokenize(corpus.src[i]);
    const std::vector<std::string> tgt = tokenizers.tgt->tokenize(corpus.tgt[i]);
    if (max_len > 0) {
      if (src.empty() || tgt.empty()) {
        if (out.dropped_empty++ == 0) first_empty = static_cast<int64_t>(i);
        continue;
      }
      if (static_cast<int>(src.size()) > max_len || static_cast<int>(tgt.size()) > max_len) {
        if (out.dropped_long++ == 0) first_long = static_cast<int64_t>(i);
        continue;
      }
    }
    Example example;
    example.src = src_vocab.encode(src);
    example.tgt = tgt_vocab.encode(tgt);
    example.index = static_cast<int64_t>(i);
    out.src_tokens += static_cast<int64_t>(src.size());
    out.tgt_tokens += static_cast<int64_t>(tgt.size());
    out.src_unk += std::count(example.src.begin(), example.src.end(), Vocab::kUnk);
    out.tgt_unk += std::count(example.tgt.begin(), example.tgt.end(), Vocab::kUnk);
    out.examples.push_back(std::move(example));
  }
  if (out.dropped_empty > 0)
    spdlog::warn(
        "{}: dropped {} pair(s) with an empty side (first: line {} of {}); remove empty lines from the "
        "corpus to silence this",
        corpus.name, out.dropped_empty, first_empty + 1, corpus.src_path);
  if (out.dropped_long > 0)
    spdlog::warn(
        "{}: dropped {} pair(s) longer than data.max_len={} tokens (first: line {} of {}); raise "
        "data.max_len to keep them",
        corpus.name, out.dropped_long, max_len, first_long + 1, corpus.src_path);
  spdlog::info("{}: {} pairs, {} source / {} target tokens, <unk> {:.2f}% / {:.2f}%", corpus.name, out.examples.size(),
               out.src_tokens, out.tgt_tokens, out.src_tokens > 0 ? 100.0 * out.src_unk / out.src_tokens : 0.0,
               out.tgt_tokens > 0 ? 100.0 * out.tgt_unk / out.tgt_tokens : 0.0);
  return out;
}

std::vector<std::vector<int64_t>> make_batches(const std::vector<Example>& examples, const BatchOptions& options,
                                               uint64_t seed) {
  check_options(options);
  std::vector<int64_t> order(examples.size());
  std::iota(order.begin(), order.end(), 0);
  std::vector<std::vector<int64_t>> batches;
  if (!options.shuffle) {
    cut_batches(examples, order, options, batches);
    return batches;
  }
  std::mt19937_64 rng(seed);
  shuffle_in_place(order, rng);
  const int64_t chunk = options.bucket_chunk > 0 ? int64_t{options.bucket_chunk} * std::max(1, options.batch_size)
                                                 : static_cast<int64_t>(order.size());
  for (int64_t begin = 0; begin < static_cast<int64_t>(order.size()); begin += chunk) {
    const int64_t end = std::min<int64_t>(begin + chunk, static_cast<int64_t>(order.size()));
    std::vector<int64_t> part(order.begin() + begin, order.begin() + end);
    if (options.bucket_chunk > 0)
      std::stable_sort(part.begin(), part.end(), [&](int64_t a, int64_t b) {
        const Example& x = examples[static_cast<std::size_t>(a)];
        const Example& y = examples[static_cast<std::size_t>(b)];
        return std::make_pair(x.src.size(), x.tgt.size()) < std::make_pair(y.src.size(), y.tgt.size());
      });
    cut_batches(examples, part, options, batches);
  }
  shuffle_batches(batches, rng);
  return batches;
}

std::pair<Vocab, Vocab> build_vocabs(const ParallelCorpus& corpus, const Tokenizers& tokenizers, int min_freq,
                                     int max_size) {
  auto side = [&](const Tokenizer& tokenizer, const std::vector<std::string>& lines) {
    if (auto pieces = tokenizer.fixed_vocabulary(); !pieces.empty()) return Vocab(std::move(pieces));
    std::vector<std::vector<std::string>> tokens;
    tokens.reserve(lines.size());
    for (const auto& line : lines) tokens.push_back(tokenizer.tokenize(line));
    return Vocab::build(tokens, min_freq, max_size);
  };
  return {side(*tokenizers.src, corpus.src), side(*tokenizers.tgt, corpus.tgt)};
}

Batch collate(const std::vector<Example>& examples, const std::vector<int64_t>& positions) {
  if (positions.empty()) throw std::invalid_argument("collate: empty batch");
  const int64_t batch_size = static_cast<int64_t>(positions.size());
  int64_t src_max = 0, tgt_max = 0;
  for (int64_t position : positions) {
    const Example& example = examples.at(static_cast<std::size_t>(position));
    if (example.src.empty() || example.tgt.size() < 2)
      throw std::invalid_argument("collate: pair " + std::to_string(example.index) +
                                  " lacks <bos>/<eos> (encode it with Vocab::encode)");
    src_max = std::max(src_max, length(example.src));
    tgt_max = std::max(tgt_max, length(example.tgt) - 1);
  }
  Batch batch;
  batch.src = torch::full({batch_size, src_max}, Vocab::kPad, torch::kLong);      // (B, S)
  batch.src_len = torch::empty({batch_size}, torch::kLong);                       // (B)
  batch.tgt_in = torch::full({batch_size, tgt_max}, Vocab::kPad, torch::kLong);   // (B, T)
  batch.tgt_out = torch::full({batch_size, tgt_max}, Vocab::kPad, torch::kLong);  // (B, T)
  int64_t* src = batch.src.data_ptr<int64_t>();
  int64_t* src_len = batch.src_len.data_ptr<int64_t>();
  int64_t* tgt_in = batch.tgt_in.data_ptr<int64_t>();
  int64_t* tgt_out = batch.tgt_out.data_ptr<int64_t>();
  batch.indices.reserve(positions.size());
  for (int64_t row = 0; row < batch_size; ++row) {
    const Example& example = examples[static_cast<std::size_t>(positions[static_cast<std::size_t>(row)])];
    std::copy(example.src.begin(), example.src.end(), src + row * src_max);
    src_len[row] = length(example.src);
    // Teacher forcing: the decoder reads tgt[:-1] and predicts tgt[1:].
    std::copy(example.tgt.begin(), example.tgt.end() - 1, tgt_in + row * tgt_max);
    std::copy(example.tgt.begin() + 1, example.tgt.end(), tgt_out + row * tgt_max);
    batch.tgt_tokens += length(example.tgt) - 1;
    batch.indices.push_back(example.index);
  }
  return batch;
}

double PaddingStats::src_fraction() const { return padded_src > 0 ? 1.0 - double(real_src) / double(padded_src) : 0.0; }
double PaddingStats::tgt_fraction() const { return padded_tgt > 0 ? 1.0 - double(real_tgt) / double(padded_tgt) : 0.0; }
double PaddingStats::fraction() const {
  const int64_t padded = padded_src + padded_tgt;
  return padded > 0 ? 1.0 - double(real_src + real_tgt) / double(padded) : 0.0;
}

PaddingStats padding_stats(const std::vector<Example>& examples, const std::vector<std::vector<int64_t>>& batches) {
  PaddingStats stats;
  for (const auto& batch : batches) {
    int64_t src_max = 0, tgt_max = 0;
    for (int64_t position : batch) {
      const Example& example = examples.at(static_cast<std::size_t>(position));
      stats.real_src += length(example.src);
      stats.real_tgt += length(example.tgt);
      src_max = std::max(src_max, length(example.src));
      tgt_max = std::max(tgt_max, length(example.tgt));
    }
    stats.padded_src += src_max * static_cast<int64_t>(batch.size());
    stats.padded_tgt += tgt_max * static_cast<int64_t>(batch.size());
  }
  return stats;
}

}  // namespace seq2seq::data
