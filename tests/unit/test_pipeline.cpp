// The pieces the trainer, eval and bench share: one training step (and its data-parallel
// split), the checkpoint transaction, the corpus-translation pipeline, the random-number header.
#include "seq2seq/config/config.h"
#include "seq2seq/data/batcher.h"
#include "seq2seq/data/tokenizer.h"
#include "seq2seq/data/vocab.h"
#include "seq2seq/decode/corpus_translation.h"
#include "seq2seq/util/io.h"
#include "seq2seq/models/factory.h"
#include "seq2seq/run/run.h"
#include "seq2seq/util/sha256.h"
#include "seq2seq/train/step.h"
#include "seq2seq/util/random.h"
#include "toy_pairs.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace fs = std::filesystem;
using seq2seq::data::Vocab;

namespace {

std::shared_ptr<seq2seq::models::Seq2SeqModel> tiny_model(const std::string& type, int64_t src_vocab,
                                                          int64_t tgt_vocab, double weight_sd = 0.0) {
  torch::manual_seed(5);
  seq2seq::ModelConfig config;
  config.type = nlohmann::json(type).get<seq2seq::ModelType>();
  config.emb_dim = config.hidden_dim = 16;
  config.ff_dim = 32;
  config.heads = 2;
  config.layers = 1;
  config.dropout = 0.0;
  auto model = seq2seq::models::make_model(config, src_vocab, tgt_vocab);
  if (weight_sd > 0) {  // peaked, varied outputs for decoding tests
    torch::NoGradGuard no_grad;
    for (auto& p : model->parameters()) p.normal_(0, weight_sd);
  }
  return model;
}

// Six pairs of different lengths over the word ids 4..11 on each side.
std::vector<seq2seq::data::Example> examples() { return seq2seq::testing::toy_pairs(6); }

std::vector<torch::Tensor> gradients(seq2seq::models::Seq2SeqModel& model) {
  std::vector<torch::Tensor> grads;
  for (const auto& p : model.parameters()) grads.push_back(p.grad().defined() ? p.grad().clone() : torch::zeros_like(p));
  return grads;
}

}  // namespace

// The data-parallel math without c10d: two workers' halves of a batch, each weighted by its share
// of the target positions, sum to the gradient of the whole batch's mean loss.
TEST(TrainStep, SharesOfABatchSumToTheWholeBatchGradient) {
  for (const std::string type : {"rnn", "bahdanau", "transformer"}) {
    SCOPED_TRACE(type);
    const auto data = examples();
    const std::vector<int64_t> all = {0, 1, 2, 3, 4, 5}, even = {0, 2, 4}, odd = {1, 3, 5};
    auto model = tiny_model(type, 12, 12);
    model->train();
    torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.0));  // weights stay put

    seq2seq::train::StepOptions whole;
    const auto full = seq2seq::train::train_step(*model, seq2seq::data::collate(data, all), optimizer, whole);
    const auto expected = gradients(*model);

    std::vector<torch::Tensor> summed;
    int64_t positions = 0;
    double loss_sum = 0;
    for (const auto& part : {even, odd}) {
      const auto batch = seq2seq::data::collate(data, part);
      seq2seq::train::StepOptions share;
      share.loss_share = static_cast<double>(batch.tgt_tokens) / static_cast<double>(full.positions);
      share.sum_gradients = [&](const std::vector<torch::Tensor>& parameters) {  // what the workers' sum sees
        for (size_t i = 0; i < parameters.size(); ++i) {
          const auto g = parameters[i].grad().defined() ? parameters[i].grad() : torch::zeros_like(parameters[i]);
          if (summed.size() <= i) summed.push_back(g.clone());
          else summed[i] += g;
        }
      };
      const auto r = seq2seq::train::train_step(*model, batch, optimizer, share);
      positions += r.positions;
      loss_sum += r.loss * static_cast<double>(r.positions);
    }
    EXPECT_EQ(positions, full.positions);
    EXPECT_NEAR(loss_sum / static_cast<double>(positions), full.loss, 1e-5);
    ASSERT_EQ(summed.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) EXPECT_TRUE(torch::allclose(summed[i], expected[i], 1e-4, 1e-6)) << i;
  }
}

TEST(TrainStep, EmptyShareStillStepsAndClipBoundsTheGradient) {
  auto model = tiny_model("rnn", 12, 12);
  model->train();
  torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.1));
  bool summed = false;
  seq2seq::train::StepOptions options;
  options.sum_gradients = [&](const std::vector<torch::Tensor>&) { summed = true; };
  const auto empty = seq2seq::train::train_step(*model, seq2seq::data::Batch{}, optimizer, options);
  EXPECT_TRUE(summed);  // a worker with no sentences still joins the gradient sum
  EXPECT_EQ(empty.positions, 0);

  options = {};
  options.clip = 1e-3;
  options.lr = 0.5;
  seq2seq::train::train_step(*model, seq2seq::data::collate(examples(), {0, 1, 2}), optimizer, options);
  double norm = 0;
  for (const auto& p : model->parameters()) norm += p.grad().pow(2).sum().item<double>();
  EXPECT_LE(std::sqrt(norm), 1e-3 * 1.0001);
  EXPECT_DOUBLE_EQ(optimizer.param_groups()[0].options().get_lr(), 0.5);
}

// Validation, eval and bench translate through one pipeline: its texts are what the search and
// output_tokens give line by line, in input order whatever the batching.
TEST(CorpusTranslation, TextsEqualLineByLineSearchInAnyBatchingAndEmptyLinesStayEmpty) {
  seq2seq::DataConfig data;
  data.tokenizer = "word";
  const auto tokenizers = seq2seq::data::make_tokenizers(data, {});
  std::vector<std::string> words = {"<pad>", "<unk>", "<bos>", "<eos>"};
  for (const char* w : {"der", "hund", "sieht", "die", "katze", "im", "park", "."}) words.push_back(w);
  const Vocab src_vocab(words), tgt_vocab(words);
  const seq2seq::decode::TextCodec codec{tokenizers, src_vocab, tgt_vocab};
  auto model = tiny_model("bahdanau", src_vocab.size(), tgt_vocab.size(), 0.5);
  model->eval();
  const std::vector<std::string> lines = {"der hund sieht die katze .", "", "die katze im park",
                                          "der unbekannte hund .", "park"};

  seq2seq::decode::CorpusTranslationOptions options;
  options.batch_size = 2;
  const auto batched = seq2seq::decode::translate_corpus(*model, codec, lines, options, torch::kCPU);
  options.batch_size = 1;
  options.sort_by_length = false;
  const auto alone = seq2seq::decode::translate_corpus(*model, codec, lines, options, torch::kCPU);
  ASSERT_EQ(batched.texts.size(), lines.size());
  EXPECT_EQ(batched.texts, alone.texts);
  EXPECT_EQ(batched.texts[1], "");
  EXPECT_TRUE(batched.hypotheses[1].empty());

  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    const auto tokens = tokenizers.src->tokenize(lines[i]);
    const auto ids = src_vocab.encode(tokens);
    auto src = torch::tensor(ids, torch::kLong).unsqueeze(0);
    auto src_len = torch::tensor({static_cast<int64_t>(ids.size())}, torch::kLong);
    seq2seq::decode::SearchOptions search;
    search.attention = true;
    torch::InferenceMode inference;
    const auto hyp = seq2seq::decode::search(*model, src, src_len, search).front().front();
    EXPECT_EQ(batched.texts[i], tokenizers.tgt->detokenize(seq2seq::decode::output_tokens(hyp, tokens, tgt_vocab)))
        << lines[i];
  }
}

// The checkpoint transaction: after commit(), state.json names every file with its SHA-256,
// nothing is left staged, and snapshots beyond keep_snapshots are pruned oldest first.
TEST(CheckpointWriter, CommitRecordsChecksumsAndPrunesOldSnapshots) {
  const fs::path dir = fs::temp_directory_path() / "seq2seq_checkpoint_writer";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const seq2seq::RunPaths paths{dir.string()};
  auto model = tiny_model("rnn", 12, 12);
  torch::optim::Adam optimizer(model->parameters());
  seq2seq::TrainState state;
  seq2seq::CheckpointWriter writer(paths, /*keep_snapshots=*/2, /*committed_step=*/-1);
  for (int64_t step : {10, 20, 30}) {
    state.step = step;
    writer.stage_snapshot(*model, step);
    if (step == 20) writer.stage_best(*model);
    writer.commit(*model, optimizer, state);
  }
  const auto recorded = seq2seq::load_state(paths.state());
  EXPECT_EQ(recorded.snapshots, (std::vector<std::string>{seq2seq::snapshot_file(20), seq2seq::snapshot_file(30)}));
  EXPECT_FALSE(fs::exists(paths.file(seq2seq::snapshot_file(10))));
  for (const auto& name : {std::string("model.pt"), std::string("optimizer.pt"), std::string("best.pt"),
                           seq2seq::snapshot_file(20), seq2seq::snapshot_file(30)}) {
    ASSERT_TRUE(recorded.checksums.count(name)) << name;
    EXPECT_EQ(recorded.checksums.at(name), seq2seq::sha256_file(paths.file(name))) << name;
    EXPECT_FALSE(fs::exists(paths.staged(name))) << name;
  }
  EXPECT_FALSE(recorded.checksums.count(seq2seq::snapshot_file(10)));

  auto scratch = tiny_model("rnn", 12, 12);
  writer.write_average(*scratch, state);
  EXPECT_EQ(seq2seq::load_state(paths.state()).checksums.at("averaged.pt"), seq2seq::sha256_file(paths.averaged()));
  fs::remove_all(dir);
}

// splitmix64's published first outputs for seed 0, and derive_seed as the trainer has always
// mixed (seed, step, rank).
TEST(Random, SplitMix64KnownValuesAndDerivedSeeds) {
  seq2seq::SplitMix64 bits(0);
  EXPECT_EQ(bits.next(), 0xE220A8397B1DCDAFULL);
  EXPECT_EQ(bits.next(), 0x6E789E6AA1B965F4ULL);
  const auto step = [](uint64_t x) { return seq2seq::SplitMix64(x).next(); };
  EXPECT_EQ(seq2seq::derive_seed(1234, 7, 1), step(step(step(1234) + 7) + 1));
  EXPECT_NE(seq2seq::derive_seed(1234, 7, 1), seq2seq::derive_seed(1234, 7, 0));
  EXPECT_EQ(seq2seq::mix64(seq2seq::kGoldenGamma), 0xE220A8397B1DCDAFULL);
}
