// Tests of the speed benchmark: the canonical bench configs build the reference's models (same
// parameter counts), our FLOP formula and batches agree with the PyTorch reference's.
#include "seq2seq/bench/bench_detail.h"

#include "seq2seq/config/config.h"
#include "seq2seq/data/batcher.h"
#include "seq2seq/data/corpus.h"
#include "seq2seq/data/tokenizer.h"
#include "seq2seq/data/vocab.h"
#include "seq2seq/models/factory.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <numeric>
#include <string>
#include <vector>

namespace {

using seq2seq::bench::kMulti30kSrcVocab;
using seq2seq::bench::kMulti30kTgtVocab;

seq2seq::Config bench_config(const std::string& name) {
  return seq2seq::load_config(std::string(SEQ2SEQ_SOURCE_DIR) + "/configs/bench/" + name + ".json");
}

// Reference figures: shared/bench/pytorch_reference/README.md ("Models") and results/*.json.
struct ReferenceModel {
  std::string name;
  int64_t total, embedding;
  double flops_concat;      // train_flops_per_tgt_token_analytic_fixed, default code path
  double flops_precompute;  // bahdanau --attn-impl precompute (same as concat for the others)
};
const std::vector<ReferenceModel> kReferenceModels = {
    {"rnn", 14234890, 3527680, 64171008.0, 64171008.0},
    {"bahdanau", 20536074, 3527680, 160500150.85714287, 99158454.85714285},
    {"transformer", 8998154, 3527680, 33039360.0, 33039360.0},
};

TEST(BenchConfigs, ParameterCountsEqualTheReference) {
  for (const auto& ref : kReferenceModels) {
    SCOPED_TRACE(ref.name);
    const seq2seq::Config config = bench_config(ref.name);
    EXPECT_EQ(seq2seq::to_string(config.model.type), ref.name);
    torch::manual_seed(0);
    auto model = seq2seq::models::make_model(config.model, kMulti30kSrcVocab, kMulti30kTgtVocab);
    const auto counts = seq2seq::bench::count_parameters(*model);
    EXPECT_EQ(counts.total, ref.total);
    EXPECT_EQ(counts.embedding, ref.embedding);
    EXPECT_EQ(counts.non_embedding, ref.total - ref.embedding);
  }
}

TEST(BenchFlops, AnalyticFormulaMatchesTheReference) {
  for (const auto& ref : kReferenceModels) {
    SCOPED_TRACE(ref.name);
    const seq2seq::Config config = bench_config(ref.name);
    const double concat = seq2seq::bench::analytic_train_flops_per_token(config.model, 14, 15, kMulti30kTgtVocab);
    const double precompute =
        seq2seq::bench::analytic_train_flops_per_token(config.model, 14, 15, kMulti30kTgtVocab, "precompute");
    EXPECT_NEAR(concat, ref.flops_concat, 1e-9 * ref.flops_concat);
    EXPECT_NEAR(precompute, ref.flops_precompute, 1e-9 * ref.flops_precompute);
  }
  // Our code path: bahdanau as precompute; the rnn computes its context terms once per sentence:
  // per sentence, encoder 14 x 3*512*768, decoder 14 x 3*512*(256+512) + 3*512*512 (W_c c once),
  // output 14 x (256+512)*5898 + 512*5898 (W_c c once); x2 FLOPs x3 for training / 14 tokens.
  const double ours_macs =
      14.0 * 3 * 512 * 768 + 14.0 * 3 * 512 * 768 + 3.0 * 512 * 512 + 14.0 * 768 * 5898 + 512.0 * 5898;
  EXPECT_DOUBLE_EQ(seq2seq::bench::analytic_train_flops_per_token(bench_config("rnn").model, 14, 15, 5898, "ours"),
                   6 * ours_macs / 14);
  EXPECT_DOUBLE_EQ(seq2seq::bench::analytic_train_flops_per_token(bench_config("bahdanau").model, 14, 15, 5898, "ours"),
                   kReferenceModels[1].flops_precompute);
  EXPECT_DOUBLE_EQ(
      seq2seq::bench::analytic_train_flops_per_token(bench_config("transformer").model, 14, 15, 5898, "ours"),
      kReferenceModels[2].flops_concat);
  // Hand count for the rnn at S=14, T=15: per sentence, encoder 14 x 3*512*768 MACs, decoder
  // 14 x 3*512*1280, output 14 x 1280*5898; x2 FLOPs, x3 for training, / 14 tokens.
  const double macs = 14.0 * 3 * 512 * 768 + 14.0 * 3 * 512 * 1280 + 14.0 * 1280 * 5898;
  EXPECT_DOUBLE_EQ(seq2seq::bench::analytic_train_flops_per_token(bench_config("rnn").model, 14, 15, 5898),
                   6 * macs / 14);
  // Linear in the vocabulary through the output layer only.
  const auto model = bench_config("transformer").model;
  EXPECT_NEAR(seq2seq::bench::analytic_train_flops_per_token(model, 14, 15, 6898) -
                  seq2seq::bench::analytic_train_flops_per_token(model, 14, 15, 5898),
              6.0 * 256 * 1000, 1e-6);
}

TEST(BenchBatches, FixedBatchesEqualTorchRandintInPython) {
  // /usr/bin/python3: g = torch.Generator().manual_seed(1234);
  // src = torch.randint(4, 7882, (2, 14), generator=g); tgt = torch.randint(4, 5898, (2, 15), generator=g)
  // then bos/eos columns; a second batch draws src next.
  const auto batches = seq2seq::bench::fixed_batches(2, 2, kMulti30kSrcVocab, kMulti30kTgtVocab, 14, 15, 1234);
  ASSERT_EQ(batches.size(), 2u);
  const auto& b = batches[0];
  const std::vector<int64_t> src_row0{2, 5971, 2818, 1875, 4644, 1676, 5566, 6655, 761, 1861, 3133, 95, 1286, 3};
  const std::vector<int64_t> tgt_row1{2, 2531, 8, 3819, 1080, 4111, 4914, 1773, 5551, 939, 1137, 5462, 3547, 5854, 3};
  auto row = [](const torch::Tensor& t, int64_t r) {
    const torch::Tensor c = t[r].contiguous();
    return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
  };
  EXPECT_EQ(row(b.src, 0), src_row0);
  EXPECT_EQ(b.src.sum().item<int64_t>(), 84891);
  // tgt_in = tgt[:, :-1], tgt_out = tgt[:, 1:]
  std::vector<int64_t> tgt_in_row1(tgt_row1.begin(), tgt_row1.end() - 1),
      tgt_out_row1(tgt_row1.begin() + 1, tgt_row1.end());
  EXPECT_EQ(row(b.tgt_in, 1), tgt_in_row1);
  EXPECT_EQ(row(b.tgt_out, 1), tgt_out_row1);
  EXPECT_EQ(b.tgt_in.sum().item<int64_t>() + 2 * 3, 67532);  // the whole tgt minus its <eos> column
  EXPECT_EQ(b.tgt_tokens, 2 * 14);
  EXPECT_EQ(b.src_len.sum().item<int64_t>(), 2 * 14);
  EXPECT_EQ(row(batches[1].src, 0)[1], 4784);  // the generator carries on across batches
}

TEST(BenchBatches, PythonShuffleEqualsRandomRandomShuffle) {
  // /usr/bin/python3: x = list(range(n)); random.Random(seed).shuffle(x)
  auto shuffled = [](int64_t n, uint64_t seed) {
    std::vector<std::vector<int64_t>> items(static_cast<std::size_t>(n));
    for (int64_t i = 0; i < n; ++i) items[static_cast<std::size_t>(i)] = {i};
    seq2seq::bench::python_shuffle(items, seed);
    std::vector<int64_t> out;
    for (const auto& item : items) out.push_back(item[0]);
    return out;
  };
  EXPECT_EQ(shuffled(10, 1234), (std::vector<int64_t>{2, 8, 3, 5, 6, 4, 9, 0, 1, 7}));
  EXPECT_EQ(shuffled(20, (uint64_t{1} << 40) + 5),  // a seed of two 32-bit words
            (std::vector<int64_t>{9, 7, 17, 13, 4, 18, 5, 6, 10, 11, 3, 14, 12, 15, 2, 1, 0, 8, 19, 16}));
  const auto long_run = shuffled(227, 1234);
  EXPECT_EQ(std::vector<int64_t>(long_run.begin(), long_run.begin() + 10),
            (std::vector<int64_t>{176, 164, 210, 14, 197, 209, 188, 102, 47, 179}));
}

std::string multi30k_dir() {
  for (const char* dir : {"/data/multi30k", "/../shared/data/multi30k"}) {
    const std::string path = std::string(SEQ2SEQ_SOURCE_DIR) + dir;
    if (std::filesystem::exists(path + "/train.de.gz") && std::filesystem::exists(path + "/train.en.gz")) return path;
  }
  return "";
}

TEST(BenchBatches, CorpusModeBatchesAreTheReferences) {
  const std::string dir = multi30k_dir();
  if (dir.empty()) GTEST_SKIP() << "Multi30k not on disk (scripts/get_data.sh multi30k)";
  const auto corpus = seq2seq::data::read_corpus({dir + "/train.de.gz", dir + "/train.en.gz"}, "train");
  const auto tokenizer = seq2seq::data::make_tokenizer(seq2seq::DataConfig{});
  std::vector<std::vector<std::string>> src, tgt;
  for (std::size_t i = 0; i < corpus.size(); ++i) {
    src.push_back(tokenizer->tokenize(corpus.src[i]));
    tgt.push_back(tokenizer->tokenize(corpus.tgt[i]));
  }
  const auto src_vocab = seq2seq::data::Vocab::build(src, 2, 0);
  const auto tgt_vocab = seq2seq::data::Vocab::build(tgt, 2, 0);
  const auto examples = seq2seq::data::encode_corpus(corpus, seq2seq::data::make_tokenizers(seq2seq::DataConfig{}, {}), src_vocab, tgt_vocab, 0).examples;
  ASSERT_EQ(examples.size(), 29000u);
  const auto batches = seq2seq::bench::reference_order_batches(examples, 128, 100, 1234);
  ASSERT_EQ(batches.size(), 227u);
  // Every pair exactly once.
  std::vector<int64_t> all;
  for (const auto& batch : batches) all.insert(all.end(), batch.begin(), batch.end());
  std::sort(all.begin(), all.end());
  std::vector<int64_t> expected(29000);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(all, expected);
  // Reference results/bahdanau_multi30k.json: epoch padding, and the 20 batches after 3 warm-up
  // batches hold 38103 target tokens (tgt[1:], non-pad) with these padding fractions.
  const auto epoch = seq2seq::data::padding_stats(examples, batches);
  EXPECT_NEAR(epoch.src_fraction(), 0.019307851813452293, 1e-12);
  EXPECT_NEAR(epoch.tgt_fraction(), 0.29131344980874596, 1e-12);
  EXPECT_NEAR(epoch.fraction(), 0.17950086379445496, 1e-12);
  const std::vector<std::vector<int64_t>> timed(batches.begin() + 3, batches.begin() + 23);
  int64_t tgt_tokens = 0;
  for (const auto& batch : timed) tgt_tokens += seq2seq::data::collate(examples, batch).tgt_tokens;
  EXPECT_EQ(tgt_tokens, 38103);
  const auto timed_pad = seq2seq::data::padding_stats(examples, timed);
  EXPECT_NEAR(timed_pad.tgt_fraction(), 0.29872033664459163, 1e-12);
  EXPECT_NEAR(timed_pad.fraction(), 0.17894296671018273, 1e-12);
  EXPECT_NEAR(timed_pad.src_fraction(), 0.005591054313099031, 1e-12);
}

}  // namespace
