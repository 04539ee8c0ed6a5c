// The three translation models: sizes, padding invariance, incremental decoding, save/load, learning.
#include "seq2seq/config/config.h"
#include "seq2seq/data/batch.h"
#include "seq2seq/decode/search.h"
#include "seq2seq/util/errors.h"
#include "seq2seq/models/bahdanau.h"
#include "seq2seq/models/dropout.h"
#include "seq2seq/models/factory.h"
#include "seq2seq/models/layers.h"
#include "seq2seq/models/rnn.h"
#include "seq2seq/models/transformer.h"
#include "seq2seq/train/loss.h"
#include "seq2seq/train/scheduled_sampling.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace {

using seq2seq::ModelConfig;
using seq2seq::data::Batch;
using seq2seq::models::DecoderState;
using seq2seq::models::Seq2SeqModel;
using Sentence = std::vector<int64_t>;

constexpr int64_t kSrcVocab = 23, kTgtVocab = 19;
constexpr int64_t kBos = 2, kEos = 3;

ModelConfig tiny_config(const std::string& type) {
  ModelConfig c;
  c.type = nlohmann::json(type).get<seq2seq::ModelType>();
  c.emb_dim = 16;
  c.hidden_dim = type == "transformer" ? 16 : 20;
  c.layers = type == "transformer" ? 2 : 1;
  c.heads = 4;
  c.ff_dim = 32;
  c.dropout = 0.1;
  c.attention_dropout = 0.1;
  return c;
}

// Right-padded batch from full sentences (<bos> ... <eos> on both sides).
Batch make_batch(const std::vector<Sentence>& src, const std::vector<Sentence>& tgt, int64_t extra_src_pad = 0,
                 int64_t extra_tgt_pad = 0) {
  const int64_t B = static_cast<int64_t>(src.size());
  int64_t S = 0, T = 0;
  for (const auto& s : src) S = std::max<int64_t>(S, s.size());
  for (const auto& t : tgt) T = std::max<int64_t>(T, t.size() - 1);
  S += extra_src_pad, T += extra_tgt_pad;
  Batch batch;
  batch.src = torch::zeros({B, S}, torch::kLong);
  batch.src_len = torch::zeros({B}, torch::kLong);
  batch.tgt_in = torch::zeros({B, T}, torch::kLong);
  batch.tgt_out = torch::zeros({B, T}, torch::kLong);
  for (int64_t b = 0; b < B; ++b) {
    for (size_t j = 0; j < src[b].size(); ++j) batch.src[b][j] = src[b][j];
    batch.src_len[b] = static_cast<int64_t>(src[b].size());
    for (size_t j = 0; j + 1 < tgt[b].size(); ++j) {
      batch.tgt_in[b][j] = tgt[b][j];
      batch.tgt_out[b][j] = tgt[b][j + 1];
    }
    batch.tgt_tokens += static_cast<int64_t>(tgt[b].size()) - 1;
    batch.indices.push_back(b);
  }
  return batch;
}

Sentence random_sentence(int64_t vocab, int64_t min_len, int64_t max_len) {
  const int64_t n = torch::randint(min_len, max_len + 1, {1}).item<int64_t>();
  Sentence s{kBos};
  for (int64_t i = 0; i < n; ++i) s.push_back(torch::randint(4, vocab, {1}).item<int64_t>());
  s.push_back(kEos);
  return s;
}

struct Pairs {
  std::vector<Sentence> src, tgt;
};

Pairs random_pairs(int64_t B, uint64_t seed, int64_t min_len = 2, int64_t max_len = 7) {
  torch::manual_seed(seed);
  Pairs pairs;
  for (int64_t b = 0; b < B; ++b) {
    pairs.src.push_back(random_sentence(kSrcVocab, min_len, max_len));
    pairs.tgt.push_back(random_sentence(kTgtVocab, min_len, max_len));
  }
  return pairs;
}

Batch random_batch(int64_t B, uint64_t seed, int64_t min_len = 2, int64_t max_len = 7) {
  auto pairs = random_pairs(B, seed, min_len, max_len);
  return make_batch(pairs.src, pairs.tgt);
}

double max_diff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }

std::shared_ptr<Seq2SeqModel> build(const ModelConfig& config, uint64_t seed = 1) {
  torch::manual_seed(seed);
  return seq2seq::models::make_model(config, kSrcVocab, kTgtVocab);
}

// Teacher-forced log-probabilities next to the ones start()/step() produce token by token.
void expect_steps_match_forward(Seq2SeqModel& model, const Batch& batch, double tol = 1e-4) {
  torch::NoGradGuard no_grad;
  model.eval();
  auto expected = torch::log_softmax(model.forward(batch), -1);  // (B, T, V)
  auto state = model.start(batch.src, batch.src_len);
  for (int64_t t = 0; t < batch.tgt_in.size(1); ++t) {
    auto out = model.step(state, batch.tgt_in.select(1, t));
    ASSERT_EQ(out.log_probs.sizes(), expected.select(1, t).sizes());
    // Positions whose target is <pad> are not part of the comparison (forward may skip them).
    auto real = batch.tgt_out.select(1, t).ne(0).unsqueeze(1).expand_as(out.log_probs);
    EXPECT_LE(max_diff(out.log_probs.masked_select(real), expected.select(1, t).masked_select(real)), tol)
        << seq2seq::to_string(model.type()) << " step " << t;
    EXPECT_EQ(state.step, t + 1);
    if (model.has_attention()) {
      ASSERT_TRUE(out.attention.defined());
      ASSERT_EQ(out.attention.sizes(), batch.src.sizes());
      EXPECT_LE(max_diff(out.attention.sum(1), torch::ones({batch.size()})), 1e-5);
      EXPECT_EQ(out.attention.masked_select(batch.src.eq(0)).abs().sum().item<double>(), 0.0)
          << "attention on source padding";
    } else {
      EXPECT_FALSE(out.attention.defined());
    }
  }
}

// Appending padding to source and target changes no real position's logits.
void expect_padding_invariance(Seq2SeqModel& model, const Batch& batch, double tol = 1e-5) {
  torch::NoGradGuard no_grad;
  model.eval();
  std::vector<Sentence> src, tgt;
  for (int64_t b = 0; b < batch.size(); ++b) {
    const int64_t n = batch.src_len[b].item<int64_t>();
    src.emplace_back(batch.src[b].data_ptr<int64_t>(), batch.src[b].data_ptr<int64_t>() + n);
    auto real = batch.tgt_out[b].ne(0).sum().item<int64_t>();
    Sentence t(batch.tgt_in[b].data_ptr<int64_t>(), batch.tgt_in[b].data_ptr<int64_t>() + real);
    t.push_back(batch.tgt_out[b][real - 1].item<int64_t>());
    tgt.push_back(t);
  }
  auto padded = make_batch(src, tgt, 3, 2);
  auto logits = model.forward(batch);
  auto logits_padded = model.forward(padded).slice(1, 0, batch.tgt_in.size(1));
  auto real = batch.tgt_out.ne(0).unsqueeze(-1).expand_as(logits);
  EXPECT_LE(max_diff(logits.masked_select(real), logits_padded.masked_select(real)), tol)
      << seq2seq::to_string(model.type());
}

class ModelTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ModelTest, ShapesAndStepOutputs) {
  auto model = build(tiny_config(GetParam()));
  auto batch = random_batch(5, 21);
  model->train();
  auto logits = model->forward(batch);
  EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{5, batch.tgt_in.size(1), kTgtVocab}));
  EXPECT_EQ(seq2seq::to_string(model->type()), GetParam());
  EXPECT_EQ(model->has_attention(), GetParam() != "rnn");
  torch::NoGradGuard no_grad;
  model->eval();
  auto state = model->start(batch.src, batch.src_len);
  for (const auto& [name, tensor] : state.tensors) EXPECT_EQ(tensor.size(0), 5) << name << " is not batch-first";
  auto out = model->step(state, torch::full({5}, kBos, torch::kLong));
  EXPECT_EQ(out.log_probs.sizes(), (std::vector<int64_t>{5, kTgtVocab}));
  EXPECT_LE(max_diff(out.log_probs.exp().sum(1), torch::ones({5})), 1e-5);
}

// Each sentence alone (no padding at all) gives the logits it has in the padded batch.
void expect_each_sentence_alone_the_same(Seq2SeqModel& model, const Batch& batch, double tol = 1e-5) {
  torch::NoGradGuard no_grad;
  model.eval();
  auto logits = model.forward(batch);  // (B, T, V)
  for (int64_t b = 0; b < batch.size(); ++b) {
    const int64_t S = batch.src_len[b].item<int64_t>(), T = batch.tgt_out[b].ne(0).sum().item<int64_t>();
    Batch one;
    one.src = batch.src.slice(0, b, b + 1).slice(1, 0, S);
    one.src_len = batch.src_len.slice(0, b, b + 1);
    one.tgt_in = batch.tgt_in.slice(0, b, b + 1).slice(1, 0, T);
    one.tgt_out = batch.tgt_out.slice(0, b, b + 1).slice(1, 0, T);
    EXPECT_LE(max_diff(model.forward(one)[0], logits[b].slice(0, 0, T)), tol) << "sentence " << b;
  }
}

TEST_P(ModelTest, PaddingChangesNothing) {
  auto model = build(tiny_config(GetParam()));
  expect_padding_invariance(*model, random_batch(6, 22));
  // Lengths 1..9: over half of the target positions are padding (forward skips their output
  // layer).
  expect_each_sentence_alone_the_same(*model, random_batch(6, 33, 0, 8));
}

TEST_P(ModelTest, RealTargetLogitsAreForwardAtThoseRows) {
  auto model = build(tiny_config(GetParam()));
  torch::NoGradGuard no_grad;
  model->eval();
  // A padded batch (the selecting path) and one without padding (every row is real).
  for (const Batch& batch : {random_batch(6, 7), random_batch(4, 8, 5, 5)}) {
    auto all = model->forward(batch);              // (B, T, V)
    auto real = model->real_target_logits(batch);  // (N, V)
    auto mask = batch.tgt_in.ne(0);
    const int64_t n = mask.sum().item<int64_t>();
    ASSERT_EQ(real.sizes(), (std::vector<int64_t>{n, kTgtVocab}));
    auto expected = all.reshape({-1, kTgtVocab}).index_select(0, mask.reshape({-1}).nonzero().squeeze(1));
    EXPECT_LE(max_diff(real, expected), 1e-5) << GetParam();
    EXPECT_TRUE(torch::equal(seq2seq::models::real_rows(all, batch.tgt_in), expected));
    auto targets = seq2seq::models::real_targets(batch);
    ASSERT_EQ(targets.size(0), n);
    EXPECT_EQ(targets.eq(0).sum().item<int64_t>(), 0) << "no <pad> among the real targets";
    // The training loss is the same either way.
    EXPECT_NEAR(seq2seq::train::token_cross_entropy(real, targets).item<double>(),
                seq2seq::train::token_cross_entropy(all, batch.tgt_out).item<double>(), 1e-5);
  }
}

TEST_P(ModelTest, StepByStepEqualsTeacherForcedForward) {
  auto model = build(tiny_config(GetParam()));
  expect_steps_match_forward(*model, random_batch(6, 23));
  // Batch of one (the matrix-vector path).
  expect_steps_match_forward(*model, random_batch(1, 24));
}

TEST_P(ModelTest, SelectReordersTheState) {
  auto model = build(tiny_config(GetParam()));
  auto batch = random_batch(3, 25, 4, 6);
  torch::NoGradGuard no_grad;
  model->eval();
  // Rows of the reordered batch are what the state should hold after select().
  auto order = torch::tensor({2, 0, 0, 1}, torch::kLong);
  Batch reordered = batch;
  reordered.src = batch.src.index_select(0, order);
  reordered.src_len = batch.src_len.index_select(0, order);
  reordered.tgt_in = batch.tgt_in.index_select(0, order);
  reordered.tgt_out = batch.tgt_out.index_select(0, order);
  auto expected = torch::log_softmax(model->forward(reordered), -1);
  auto state = model->start(batch.src, batch.src_len);
  for (int64_t t = 0; t < 2; ++t) model->step(state, batch.tgt_in.select(1, t));
  state.select(order);
  for (int64_t t = 2; t < batch.tgt_in.size(1); ++t) {
    auto out = model->step(state, reordered.tgt_in.select(1, t));
    // Only positions with a real target: forward may skip padded ones.
    auto real = reordered.tgt_out.select(1, t).ne(0).unsqueeze(1).expand_as(out.log_probs);
    ASSERT_GT(real.sum().item<int64_t>(), 0);
    EXPECT_LE(max_diff(out.log_probs.masked_select(real), expected.select(1, t).masked_select(real)), 1e-4)
        << "step " << t;
  }
}

TEST_P(ModelTest, SaveLoadRoundTrip) {
  auto model = build(tiny_config(GetParam()), 1);
  auto batch = random_batch(4, 26);
  const auto path = (std::filesystem::temp_directory_path() /
                     ("seq2seq_test_models_" + GetParam() + "_" + std::to_string(::getpid()) + ".pt"))
                        .string();
  {
    torch::serialize::OutputArchive archive;
    model->save(archive);
    archive.save_to(path);
  }
  auto loaded = build(tiny_config(GetParam()), 2);  // different initial weights
  torch::NoGradGuard no_grad;
  model->eval();
  loaded->eval();
  EXPECT_GT(max_diff(model->forward(batch), loaded->forward(batch)), 1e-3);
  {
    torch::serialize::InputArchive archive;
    archive.load_from(path);
    loaded->load(archive);
  }
  std::remove(path.c_str());
  EXPECT_EQ(max_diff(model->forward(batch), loaded->forward(batch)), 0.0);
}

TEST_P(ModelTest, OverfitsEightPairs) {
  auto config = tiny_config(GetParam());
  config.dropout = 0.0;
  config.attention_dropout = 0.0;
  config.emb_dim = 32;
  config.hidden_dim = config.type == seq2seq::ModelType::transformer ? 32 : 48;
  auto model = build(config, 3);
  auto batch = random_batch(8, 27, 3, 6);
  torch::optim::Adam optimizer(model->parameters(),
                               torch::optim::AdamOptions(config.type == seq2seq::ModelType::transformer ? 3e-3 : 1e-2));
  model->train();
  double loss_value = 0, first = 0;
  int steps = 0;
  for (; steps < 300; ++steps) {
    optimizer.zero_grad();
    auto logits = model->forward(batch);
    auto loss = torch::nn::functional::cross_entropy(logits.reshape({-1, kTgtVocab}), batch.tgt_out.reshape({-1}),
                                                     torch::nn::functional::CrossEntropyFuncOptions().ignore_index(0));
    loss.backward();
    torch::nn::utils::clip_grad_norm_(model->parameters(), 1.0);
    optimizer.step();
    loss_value = loss.item<double>();
    if (steps == 0) first = loss_value;
    if (loss_value < 0.02) break;
  }
  RecordProperty("steps", steps);
  EXPECT_GT(first, 2.0);
  EXPECT_LT(loss_value, 0.1) << GetParam() << " after " << steps << " steps";
}

INSTANTIATE_TEST_SUITE_P(Models, ModelTest, ::testing::Values("rnn", "bahdanau", "transformer"),
                         [](const auto& info) { return info.param; });

// Scheduled sampling: teacher_forcing = 1 is forward(); 0 (the argmax fed back at every step)
// is greedy decoding.
TEST(RnnModels, ScheduledSamplingFromForwardToGreedyDecoding) {
  using seq2seq::models::real_rows;
  using seq2seq::train::scheduled_sampling_logits;
  for (const std::string type : {"rnn", "bahdanau"}) {
    auto model = build(tiny_config(type));
    auto batch = random_batch(4, 28);
    const int64_t n = batch.tgt_in.ne(0).sum().item<int64_t>();
    model->train();
    torch::manual_seed(9);
    auto forward = model->real_target_logits(batch);
    torch::manual_seed(9);  // the same dropout masks
    EXPECT_TRUE(torch::equal(scheduled_sampling_logits(*model, batch, 1.0), forward)) << type;
    torch::NoGradGuard no_grad;
    model->eval();
    auto logits = scheduled_sampling_logits(*model, batch, 0.0);  // (N, V) log-probs
    ASSERT_EQ(logits.sizes(), (std::vector<int64_t>{n, kTgtVocab}));
    auto state = model->start(batch.src, batch.src_len);
    auto prev = batch.tgt_in.select(1, 0);
    std::vector<torch::Tensor> greedy;  // T x (B, V)
    for (int64_t t = 0; t < batch.tgt_in.size(1); ++t) {
      auto out = model->step(state, prev);
      greedy.push_back(out.log_probs);
      prev = out.log_probs.argmax(-1);
    }
    EXPECT_LE(max_diff(logits, real_rows(torch::stack(greedy, 1), batch.tgt_in)), 1e-4) << type;
    // At 0 the step-by-step log-probs are forward()'s where the argmax equals the reference:
    // at t = 0, the first row of every sentence.
    auto teacher_forced = real_rows(torch::log_softmax(model->forward(batch), -1), batch.tgt_in);  // (N, V)
    auto first = batch.tgt_in.ne(0).reshape({-1}).nonzero().squeeze(1).remainder(batch.tgt_in.size(1)).eq(0);
    EXPECT_LE(max_diff(logits.index({first}), teacher_forced.index({first})), 1e-5) << type;
    // In between, mixing in reference tokens keeps the shape and stays finite.
    model->train();
    torch::manual_seed(10);
    auto mixed = scheduled_sampling_logits(*model, batch, 0.5);
    EXPECT_EQ(mixed.sizes(), logits.sizes());
    EXPECT_TRUE(torch::isfinite(mixed).all().item<bool>());
  }
}

// The RNN decoders' teacher forcing computes the input projections of all steps before the
// time loop; inside the loop, one step at a time as the equations read, the numbers are the same,
// dropout included (both draw the same masks in the same order).
TEST(RnnModels, HoistedInputProjectionsAreTheStepByStepLoop) {
  struct Variant {
    std::string type, cell;
    int layers;
    bool bidirectional;
  };
  for (const auto& v :
       {Variant{"rnn", "gru", 1, false}, Variant{"rnn", "lstm", 2, true}, Variant{"bahdanau", "gru", 1, false}}) {
    SCOPED_TRACE(v.type + " " + v.cell + " layers=" + std::to_string(v.layers));
    auto config = tiny_config(v.type);
    config.cell = nlohmann::json(v.cell).get<seq2seq::Cell>();
    config.layers = v.layers, config.bidirectional = v.bidirectional;
    auto model = build(config);
    auto set_hoisting = [&](bool hoist) {
      if (auto* rnn = dynamic_cast<seq2seq::models::RnnModel*>(model.get()))
        rnn->decoder->hoist_input_projections = hoist;
      if (auto* bahdanau = dynamic_cast<seq2seq::models::BahdanauModel*>(model.get()))
        bahdanau->decoder->hoist_input_projections = hoist;
    };
    auto batch = random_batch(5, 31);
    model->train();
    std::vector<torch::Tensor> logits, grads;
    for (bool hoist : {true, false}) {
      set_hoisting(hoist);
      model->zero_grad();
      torch::manual_seed(12);
      logits.push_back(model->real_target_logits(batch));
      logits.back().logsumexp(-1).sum().backward();
      std::vector<torch::Tensor> flat;
      for (const auto& p : model->parameters())
        if (p.grad().defined()) flat.push_back(p.grad().reshape({-1}));
      grads.push_back(torch::cat(flat));
    }
    EXPECT_LE(max_diff(logits[0], logits[1]), 1e-5);
    EXPECT_LE(max_diff(grads[0], grads[1]), 1e-4);
  }
}

TEST(RnnModels, VariantsRunAndDecodeConsistently) {
  struct Variant {
    std::string cell;
    int layers;
    bool bidirectional;
  };
  for (const auto& v :
       {Variant{"lstm", 1, false}, Variant{"gru", 2, false}, Variant{"gru", 1, true}, Variant{"lstm", 2, true}}) {
    auto config = tiny_config("rnn");
    config.cell = v.cell == "lstm" ? seq2seq::Cell::lstm : seq2seq::Cell::gru;
    config.layers = v.layers;
    config.bidirectional = v.bidirectional;
    auto model = build(config);
    SCOPED_TRACE(v.cell + " layers=" + std::to_string(v.layers) + (v.bidirectional ? " bidirectional" : ""));
    auto batch = random_batch(5, 29);
    model->train();
    auto logits = model->forward(batch);
    EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{5, batch.tgt_in.size(1), kTgtVocab}));
    logits.sum().backward();  // every parameter takes part
    for (const auto& p : model->named_parameters())
      EXPECT_TRUE(p.value().grad().defined() && p.value().grad().abs().sum().item<double>() > 0) << p.key();
    expect_steps_match_forward(*model, batch);
    expect_padding_invariance(*model, batch);
  }
  auto deep = tiny_config("bahdanau");
  deep.layers = 2;
  auto model = build(deep);
  expect_steps_match_forward(*model, random_batch(4, 30));
}

// ---------------------------------------------------------------------------------------------
// model.reverse_source (Sutskever et al. 2014) and the bidirectional encoder's final states
// ---------------------------------------------------------------------------------------------
// <bos> w_1 ... w_n <eos> -> <bos> w_n ... w_1 <eos>, written out here without the library's helper.
Sentence reversed_words(Sentence s) {
  std::reverse(s.begin() + 1, s.end() - 1);
  return s;
}

// The source position that position j of a row of n real ids holds after reversing the words.
int64_t mirrored(int64_t j, int64_t n) { return j >= 1 && j < n - 1 ? n - 1 - j : j; }

struct RnnVariant {
  std::string type, cell;
  int layers;
  bool bidirectional;
  std::string name() const {
    return type + " " + cell + " layers=" + std::to_string(layers) + (bidirectional ? " bidirectional" : "");
  }
  ModelConfig config(bool reverse_source) const {
    auto c = tiny_config(type);
    c.cell = nlohmann::json(cell).get<seq2seq::Cell>();
    c.layers = layers;
    c.bidirectional = bidirectional;
    c.reverse_source = reverse_source;
    return c;
  }
};

// Every combination the options allow: layers, GRU or LSTM, bidirectional (bahdanau always is).
const std::vector<RnnVariant> kReversibleVariants = {
    {"rnn", "gru", 1, false}, {"rnn", "lstm", 1, false},    {"rnn", "gru", 2, false},     {"rnn", "lstm", 2, true},
    {"rnn", "gru", 2, true},  {"bahdanau", "gru", 1, true}, {"bahdanau", "gru", 2, true},
};

TEST(ReverseSource, ReversesTheWordsAndLeavesBosEosAndPaddingInPlace) {
  using seq2seq::models::reverse_source_words;
  auto ids = torch::tensor({2, 5, 6, 7, 3, 0, /**/ 2, 8, 3, 0, 0, 0, /**/ 2, 3, 0, 0, 0, 0, /**/ 2, 4, 5, 6, 7, 3},
                           torch::kLong)
                 .view({4, 6});
  auto len = torch::tensor({5, 3, 2, 6}, torch::kLong);
  auto expected = torch::tensor({2, 7, 6, 5, 3, 0, /**/ 2, 8, 3, 0, 0, 0, /**/ 2, 3, 0, 0, 0, 0, /**/ 2, 7, 6, 5, 4, 3},
                                torch::kLong)
                      .view({4, 6});
  EXPECT_TRUE(torch::equal(reverse_source_words(ids, len), expected));
  // States (B, S, K): the same permutation of dim 1; applied twice, nothing changes.
  auto states = torch::randn({4, 6, 3});
  auto reversed = reverse_source_words(states, len);
  for (int64_t b = 0; b < 4; ++b)
    for (int64_t j = 0; j < 6; ++j)
      EXPECT_TRUE(torch::equal(reversed[b][j], states[b][mirrored(j, len[b].item<int64_t>())])) << b << "," << j;
  EXPECT_TRUE(torch::equal(reverse_source_words(reversed, len), states));
}

// The defining property: reverse_source on x is the plain model (same weights) on x with its
// words reversed, in forward(), in start()/step() and in greedy and beam search; the attention
// weights are over the source as written (the plain model's, mirrored back).
TEST(ReverseSource, IsThePlainModelOnTheReversedWords) {
  for (const auto& v : kReversibleVariants) {
    SCOPED_TRACE(v.name());
    auto plain = build(v.config(false), 5);
    auto reversed = build(v.config(true), 5);
    auto plain_params = plain->named_parameters(), reversed_params = reversed->named_parameters();
    ASSERT_EQ(reversed_params.keys(), plain_params.keys()) << "reverse_source adds no parameter";
    for (const auto& item : plain_params) ASSERT_TRUE(torch::equal(reversed_params[item.key()], item.value()));

    auto pairs = random_pairs(6, 41, 0, 8);  // 0 to 8 words: padding in the batch, empty sentences too
    std::vector<Sentence> flipped;
    for (const auto& s : pairs.src) flipped.push_back(reversed_words(s));
    auto batch = make_batch(pairs.src, pairs.tgt), flipped_batch = make_batch(flipped, pairs.tgt);
    ASSERT_GT(batch.src.eq(0).sum().item<int64_t>(), 0);
    torch::NoGradGuard no_grad;
    plain->eval();
    reversed->eval();
    auto logits = reversed->forward(batch);
    EXPECT_LE(max_diff(logits, plain->forward(flipped_batch)), 1e-5);
    EXPECT_GT(max_diff(logits, plain->forward(batch)), 1e-3) << "reverse_source changed nothing";

    // The original order of a (B, S) attention row from the plain model on the flipped batch.
    auto unflip = [&](const torch::Tensor& weights) {
      auto out = weights.clone();
      for (int64_t b = 0; b < batch.size(); ++b) {
        const int64_t n = batch.src_len[b].item<int64_t>();
        for (int64_t j = 0; j < n; ++j) out[b][j] = weights[b][mirrored(j, n)];
      }
      return out;
    };
    auto state = reversed->start(batch.src, batch.src_len);
    auto plain_state = plain->start(flipped_batch.src, flipped_batch.src_len);
    for (int64_t t = 0; t < batch.tgt_in.size(1); ++t) {
      auto out = reversed->step(state, batch.tgt_in.select(1, t));
      auto expected = plain->step(plain_state, batch.tgt_in.select(1, t));
      EXPECT_LE(max_diff(out.log_probs, expected.log_probs), 1e-5) << "step " << t;
      if (reversed->has_attention()) {
        EXPECT_LE(max_diff(out.attention, unflip(expected.attention)), 1e-6) << "step " << t;
        EXPECT_GT(max_diff(out.attention, expected.attention), 1e-4) << "attention in reading order, step " << t;
      }
    }

    for (int beam : {1, 3}) {
      seq2seq::decode::SearchOptions options;
      options.beam = beam, options.nbest = beam, options.attention = true;
      auto ours = seq2seq::decode::search(*reversed, batch.src, batch.src_len, options);
      auto theirs = seq2seq::decode::search(*plain, flipped_batch.src, flipped_batch.src_len, options);
      for (int64_t b = 0; b < batch.size(); ++b) {
        ASSERT_EQ(ours[b].size(), theirs[b].size());
        const int64_t n = batch.src_len[b].item<int64_t>();
        for (size_t k = 0; k < ours[b].size(); ++k) {
          const auto &h = ours[b][k], &g = theirs[b][k];
          EXPECT_EQ(h.tokens, g.tokens) << "beam " << beam << " sentence " << b;
          EXPECT_NEAR(h.score, g.score, 1e-4);
          ASSERT_EQ(h.attention.size(), g.attention.size());
          for (size_t t = 0; t < h.attention.size(); ++t)
            for (int64_t j = 0; j < n; ++j) EXPECT_NEAR(h.attention[t][j], g.attention[t][mirrored(j, n)], 1e-5);
        }
      }
    }
  }
}

TEST(ReverseSource, StepByStepEqualsTeacherForcedForwardAndPaddingChangesNothing) {
  for (const auto& v : kReversibleVariants) {
    SCOPED_TRACE(v.name());
    auto model = build(v.config(true));
    expect_steps_match_forward(*model, random_batch(6, 43, 0, 8));
    expect_steps_match_forward(*model, random_batch(1, 44));  // the matrix-vector path
    expect_padding_invariance(*model, random_batch(5, 45));
    expect_each_sentence_alone_the_same(*model, random_batch(6, 46, 0, 8));
  }
}

// A bidirectional encoder's h_n rows are [layer 0 fwd, layer 0 bwd, layer 1 fwd, ...]. Decoder
// layer l must start from encoder layer l's two directions: reading h_n[l] instead (layer 0's
// two directions for a 2-layer decoder), or dropping the backward direction, fails here.
TEST(RnnModels, BidirectionalInitialStateTakesBothDirectionsOfEveryLayer) {
  for (const std::string cell : {"gru", "lstm"}) {
    for (bool reverse : {false, true}) {
      const RnnVariant v{"rnn", cell, 2, true};
      SCOPED_TRACE(v.name() + (reverse ? " reverse_source" : ""));
      const int64_t H = v.config(reverse).hidden_dim;
      auto model = build(v.config(reverse), 6);
      auto batch = random_batch(5, 47, 0, 8);
      torch::NoGradGuard no_grad;
      model->eval();
      // Each direction's final state is the one after its last real token: forward at position
      // n - 1 (<eos>), backward at position 0 (<bos>); both stay put under reverse_source.
      auto& rnn = dynamic_cast<seq2seq::models::RnnModel&>(*model);
      auto encoded = rnn.encoder(batch.src, batch.src_len);
      ASSERT_EQ(encoded.h_n.size(0), 4);
      for (int64_t b = 0; b < batch.size(); ++b) {
        const int64_t n = batch.src_len[b].item<int64_t>();
        EXPECT_LE(max_diff(encoded.h_n[2][b], encoded.states[b][n - 1].slice(0, 0, H)), 1e-6) << b;
        EXPECT_LE(max_diff(encoded.h_n[3][b], encoded.states[b][0].slice(0, H, 2 * H)), 1e-6) << b;
      }
      const auto before = model->start(batch.src, batch.src_len);
      for (int64_t layer : {0, 1}) {
        for (const std::string direction : {"", "_reverse"}) {
          const std::string key = "encoder.rnn.weight_hh_l" + std::to_string(layer) + direction;
          SCOPED_TRACE(key);
          auto changed = build(v.config(reverse), 6);
          changed->eval();
          changed->named_parameters()[key].add_(0.5);
          const auto after = changed->start(batch.src, batch.src_len);
          for (const std::string name : {"hidden", "cell"}) {
            if (name == "cell" && cell != "lstm") continue;
            for (int64_t k : {0, 1}) {
              const double diff = max_diff(after.at(name).select(1, k), before.at(name).select(1, k));
              if (k >= layer)  // encoder layer `layer` feeds decoder layer `layer` (and, through layer 1, above)
                EXPECT_GT(diff, 1e-4) << "decoder layer " << k << "'s initial " << name << " ignores " << key;
              else
                EXPECT_EQ(diff, 0.0) << "decoder layer " << k << "'s initial " << name << " depends on " << key;
            }
          }
          EXPECT_GT(max_diff(after.at("context"), before.at("context")), 1e-4) << "context ignores " << key;
        }
      }
    }
  }
}

// The Transformer refuses the option instead of ignoring it.
TEST(ReverseSource, TransformerRefusesIt) {
  auto config = tiny_config("transformer");
  config.reverse_source = true;
  EXPECT_THROW(seq2seq::models::make_model(config, kSrcVocab, kTgtVocab), seq2seq::ConfigError);
}

TEST(TransformerModel, VariantsRunAndDecodeConsistently) {
  for (int variant = 0; variant < 3; ++variant) {
    auto config = tiny_config("transformer");
    if (variant == 0) config.norm = seq2seq::Norm::pre;
    if (variant == 1) config.positions = seq2seq::PositionEncoding::learned, config.final_norm = false;
    if (variant == 2) config.tie_embeddings = true, config.layers = 1;
    SCOPED_TRACE("variant " + std::to_string(variant));
    auto model = build(config);
    auto batch = random_batch(5, 31);
    expect_steps_match_forward(*model, batch);
    expect_padding_invariance(*model, batch);
    if (config.tie_embeddings) {
      auto* transformer = dynamic_cast<seq2seq::models::TransformerModel*>(model.get());
      ASSERT_NE(transformer, nullptr);
      EXPECT_FALSE(transformer->generator);
      auto untied_config = config;
      untied_config.tie_embeddings = false;
      // Tying drops the generator's (V, D) matrix and keeps its bias.
      EXPECT_EQ(build(untied_config)->parameter_count() - model->parameter_count(), kTgtVocab * 16);
    }
  }
}

// Our Transformer against torch::nn::Transformer with the same weights (names line up).
TEST(TransformerModel, MatchesTorchTransformer) {
  auto config = tiny_config("transformer");
  config.attention_dropout = config.dropout;
  auto model = build(config, 4);
  auto* ours = dynamic_cast<seq2seq::models::TransformerModel*>(model.get());
  ASSERT_NE(ours, nullptr);
  torch::nn::Transformer theirs(torch::nn::TransformerOptions(config.hidden_dim, config.heads)
                                    .num_encoder_layers(config.layers)
                                    .num_decoder_layers(config.layers)
                                    .dim_feedforward(config.ff_dim)
                                    .dropout(config.dropout));
  {
    torch::NoGradGuard no_grad;
    auto params = theirs->named_parameters();
    int copied = 0;
    for (const auto& item : ours->named_parameters()) {
      if (item.key().rfind("encoder.", 0) != 0 && item.key().rfind("decoder.", 0) != 0) continue;
      auto* twin = params.find(item.key());
      ASSERT_NE(twin, nullptr) << item.key();
      ASSERT_EQ(twin->sizes(), item.value().sizes()) << item.key();
      twin->copy_(item.value());
      ++copied;
    }
    EXPECT_EQ(copied, static_cast<int>(params.size()));
  }
  auto batch = random_batch(4, 32);
  torch::NoGradGuard no_grad;
  model->eval();
  theirs->eval();
  const double scale = std::sqrt(16.0);
  const int64_t S = batch.src.size(1), T = batch.tgt_in.size(1);
  auto src = ours->src_embedding(batch.src) * scale + ours->pe.slice(0, 0, S);     // (B, S, D)
  auto tgt = ours->tgt_embedding(batch.tgt_in) * scale + ours->pe.slice(0, 0, T);  // (B, T, D)
  auto pad = batch.src.eq(0);
  auto causal = torch::nn::TransformerImpl::generate_square_subsequent_mask(T);
  auto out = theirs(src.transpose(0, 1), tgt.transpose(0, 1), torch::Tensor(), causal, torch::Tensor(), pad,
                    batch.tgt_in.eq(0), pad);            // (T, B, D)
  auto expected = ours->generator(out.transpose(0, 1));  // (B, T, V)
  auto logits = model->forward(batch);
  auto real = batch.tgt_out.ne(0).unsqueeze(-1).expand_as(logits);
  EXPECT_LE(max_diff(logits.masked_select(real), expected.masked_select(real)), 1e-4);
}

TEST(Models, ParameterCountsAtCanonicalSizes) {
  // The PyTorch reference (shared/bench/pytorch_reference/README.md), Multi30k de->en vocabularies.
  const int64_t src_vocab = 7882, tgt_vocab = 5898;
  ModelConfig rnn;
  rnn.type = seq2seq::ModelType::rnn, rnn.emb_dim = 256, rnn.hidden_dim = 512, rnn.layers = 1,
  rnn.cell = seq2seq::Cell::gru;
  EXPECT_EQ(seq2seq::models::make_model(rnn, src_vocab, tgt_vocab)->parameter_count(), 14234890);
  ModelConfig bahdanau = rnn;
  bahdanau.type = seq2seq::ModelType::bahdanau;
  EXPECT_EQ(seq2seq::models::make_model(bahdanau, src_vocab, tgt_vocab)->parameter_count(), 20536074);
  ModelConfig transformer;
  transformer.type = seq2seq::ModelType::transformer, transformer.emb_dim = 256, transformer.hidden_dim = 256,
  transformer.layers = 3, transformer.heads = 8, transformer.ff_dim = 512, transformer.norm = seq2seq::Norm::post,
  transformer.final_norm = true;
  EXPECT_EQ(seq2seq::models::make_model(transformer, src_vocab, tgt_vocab)->parameter_count(), 8998154);
}

TEST(Models, InitialisationSchemes) {
  torch::NoGradGuard no_grad;
  auto config = tiny_config("rnn");
  config.emb_dim = 64, config.hidden_dim = 64, config.init = seq2seq::Init::normal;
  auto rnn = build(config);
  for (const auto& p : rnn->named_parameters()) {
    EXPECT_NEAR(p.value().std().item<double>(), 0.01, 0.003) << p.key();
    EXPECT_NE(p.value().abs().sum().item<double>(), 0.0) << p.key();
  }
  config.type = seq2seq::ModelType::bahdanau;
  auto bahdanau = build(config);
  for (const auto& p : bahdanau->named_parameters()) {
    if (p.key().find("bias") != std::string::npos)
      EXPECT_EQ(p.value().abs().sum().item<double>(), 0.0) << p.key();
    else
      EXPECT_NEAR(p.value().std().item<double>(), 0.01, 0.003) << p.key();
  }
  auto transformer_config = tiny_config("transformer");
  transformer_config.hidden_dim = transformer_config.emb_dim = 64;
  auto transformer = build(transformer_config);
  auto params = transformer->named_parameters();
  // xavier-uniform in_proj: bound sqrt(6 / (fan_in + fan_out)) = sqrt(6 / (64 + 192))
  const double bound = std::sqrt(6.0 / (64 + 192));
  auto in_proj = params["encoder.layers.0.self_attn.in_proj_weight"];
  EXPECT_LE(in_proj.abs().max().item<double>(), bound + 1e-6);
  EXPECT_GT(in_proj.abs().max().item<double>(), 0.9 * bound);
  EXPECT_EQ(params["decoder.layers.1.multihead_attn.in_proj_bias"].abs().sum().item<double>(), 0.0);
  EXPECT_EQ(params["decoder.norm.weight"].sum().item<double>(), 64.0);
  // Token embeddings ~ N(0, 1/D): after the sqrt(D) scaling they are as loud as the positions.
  EXPECT_NEAR(params["src_embedding.weight"].std().item<double>(), 1.0 / 8.0, 0.01);
  EXPECT_NEAR(params["tgt_embedding.weight"].std().item<double>(), 1.0 / 8.0, 0.01);
}

TEST(Models, DropoutDropsAtRateAndScales) {
  seq2seq::models::Dropout dropout(0.3);
  auto x = torch::ones({1000, 1000});
  torch::manual_seed(5);
  auto y = dropout(x);
  const double dropped = y.eq(0).to(torch::kDouble).mean().item<double>();
  EXPECT_NEAR(dropped, 0.3, 0.002);
  auto kept = y.masked_select(y.ne(0));
  EXPECT_NEAR(kept.min().item<double>(), 1.0 / 0.7, 1e-4);
  EXPECT_NEAR(kept.max().item<double>(), 1.0 / 0.7, 1e-4);
  EXPECT_NEAR(y.mean().item<double>(), 1.0, 0.005);  // unbiased
  torch::manual_seed(5);
  EXPECT_TRUE(torch::equal(dropout(x), y)) << "reproducible from the global seed";
  EXPECT_FALSE(torch::equal(dropout(x), y)) << "the next call draws a new mask";
  // Independent decisions: neighbours (same 64-bit word) and elements 4 apart (next word) are
  // both dropped at rate p^2, and the mask does not depend on how many threads filled it.
  auto d = y.eq(0).to(torch::kDouble).flatten();
  EXPECT_NEAR((d.slice(0, 0, -1) * d.slice(0, 1)).mean().item<double>(), 0.09, 0.002);
  EXPECT_NEAR((d.slice(0, 0, -4) * d.slice(0, 4)).mean().item<double>(), 0.09, 0.002);
  const int threads = torch::get_num_threads();
  torch::set_num_threads(1);
  torch::manual_seed(5);
  auto single = dropout(x);
  torch::set_num_threads(threads);
  EXPECT_TRUE(torch::equal(single, y)) << "same mask on 1 thread";
  dropout->eval();
  EXPECT_TRUE(torch::equal(dropout(x), x));
  // Gradient flows through the kept elements only, with the same scale.
  dropout->train();
  auto input = torch::ones({50, 50}, torch::requires_grad());
  auto out = dropout(input);
  out.sum().backward();
  EXPECT_TRUE(torch::equal(input.grad(), out.detach()));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The layers against their LibTorch twins
// ---------------------------------------------------------------------------------------------
TEST(Layers, LinearMatchesTorchLinearIncludingSingleRows) {
  for (bool bias : {true, false}) {
    SCOPED_TRACE(bias ? "with bias" : "without bias");
    auto options = torch::nn::LinearOptions(7, 5).bias(bias);
    torch::manual_seed(3);
    torch::nn::Linear theirs(options);
    torch::manual_seed(3);
    seq2seq::models::Linear ours(options);
    // Same names, same initialisation (same draws from the same seed).
    auto their_params = theirs->named_parameters(), our_params = ours->named_parameters();
    ASSERT_EQ(our_params.keys(), their_params.keys());
    for (const auto& item : their_params) EXPECT_TRUE(torch::equal(our_params[item.key()], item.value())) << item.key();
    // Several rows (GEMM), one row in (1, K) and (1, 1, K) (GEMV): values and gradients.
    for (const auto& shape :
         {std::vector<int64_t>{4, 3, 7}, std::vector<int64_t>{1, 7}, std::vector<int64_t>{1, 1, 7}}) {
      auto x = torch::randn(shape, torch::requires_grad());
      auto grad_out = torch::randn(theirs(x).sizes());
      auto mine = ours(x), expected = theirs(x);
      ASSERT_EQ(mine.sizes(), expected.sizes());
      EXPECT_LE(max_diff(mine, expected), 1e-6);
      std::vector<torch::Tensor> our_inputs{x, ours->weight}, their_inputs{x, theirs->weight};
      if (bias) our_inputs.push_back(ours->bias), their_inputs.push_back(theirs->bias);
      auto our_grads = torch::autograd::grad({mine}, our_inputs, {grad_out});
      auto their_grads = torch::autograd::grad({expected}, their_inputs, {grad_out});
      for (size_t i = 0; i < our_grads.size(); ++i) EXPECT_LE(max_diff(our_grads[i], their_grads[i]), 1e-5) << i;
    }
  }
}

TEST(Layers, StackedCellsMatchTorchGruAndLstmOverASequence) {
  const int64_t B = 3, T = 6, E = 5, H = 4;
  for (const auto cell : {seq2seq::Cell::gru, seq2seq::Cell::lstm}) {
    for (int64_t layers : {1, 2}) {
      SCOPED_TRACE(seq2seq::to_string(cell) + " layers=" + std::to_string(layers));
      seq2seq::models::StackedCellsOptions options;
      options.cell = cell, options.input_size = E, options.hidden_size = H, options.layers = layers;
      torch::manual_seed(4);
      seq2seq::models::StackedCells ours(options);
      torch::manual_seed(4);
      std::shared_ptr<torch::nn::Module> theirs;
      torch::nn::GRU gru{nullptr};
      torch::nn::LSTM lstm{nullptr};
      if (cell == seq2seq::Cell::lstm)
        theirs = (lstm = torch::nn::LSTM(torch::nn::LSTMOptions(E, H).num_layers(layers).batch_first(true))).ptr();
      else
        theirs = (gru = torch::nn::GRU(torch::nn::GRUOptions(E, H).num_layers(layers).batch_first(true))).ptr();
      // Same names and shapes (checkpoints load either way), same initialisation.
      auto their_params = theirs->named_parameters(), our_params = ours->named_parameters();
      ASSERT_EQ(our_params.keys(), their_params.keys());
      for (const auto& item : their_params)
        EXPECT_TRUE(torch::equal(our_params[item.key()], item.value())) << item.key();
      {
        // Copied weights too, so that the comparison below does not rest on the seed.
        torch::NoGradGuard no_grad;
        for (const auto& item : their_params)
          item.value().normal_(0.0, 0.5), our_params[item.key()].copy_(item.value());
      }
      auto x = torch::randn({B, T, E});
      auto h0 = torch::randn({layers, B, H}), c0 = torch::randn({layers, B, H});
      torch::Tensor expected, h_n, c_n;
      if (lstm) {
        std::tuple<torch::Tensor, torch::Tensor> hc;
        std::tie(expected, hc) = lstm->forward(x, std::make_tuple(h0, c0));
        std::tie(h_n, c_n) = hc;
      } else {
        std::tie(expected, h_n) = gru->forward(x, h0);
      }
      seq2seq::models::StackedCellsImpl::State state;
      state.h = h0.unbind(0);
      if (lstm) state.c = c0.unbind(0);
      std::vector<torch::Tensor> tops;
      for (int64_t t = 0; t < T; ++t) {
        if (t % 2 == 0)
          ours->step(state, x.select(1, t));
        else  // the speed path: layer 0's input projection given
          ours->step_projected(state,
                               seq2seq::models::linear(x.select(1, t), ours->input_weight(), ours->input_bias()));
        tops.push_back(state.h.back());
      }
      EXPECT_LE(max_diff(torch::stack(tops, 1), expected), 1e-5);
      EXPECT_LE(max_diff(torch::stack(state.h, 0), h_n), 1e-5);
      if (lstm) {
        EXPECT_LE(max_diff(torch::stack(state.c, 0), c_n), 1e-5);
      }
    }
  }
}

// Registered names are checkpoint keys, and seeded runs should stay seeded runs: the keys,
// initial weights, teacher-forced logits and gradients of every model, as recorded from the
// code before StackedCells and models::Linear replaced torch::nn::GRU/LSTM and torch::nn::Linear
// (so runs trained before that change still load and reproduce).
TEST(Models, CheckpointKeysAndNumbersUnchanged) {
  struct Golden {
    std::string type, cell;
    int layers;
    bool bidirectional;
    std::string init;
    std::vector<std::string> keys;
    double param_abs_sum, real_logit_sum, loss, grad_abs_sum;
  };
  const std::vector<Golden> goldens = {
      {"rnn",
       "gru",
       1,
       false,
       "default",
       {"encoder.embedding.weight", "encoder.rnn.weight_ih_l0", "encoder.rnn.weight_hh_l0", "encoder.rnn.bias_ih_l0",
        "encoder.rnn.bias_hh_l0", "decoder.embedding.weight", "decoder.rnn.weight_ih_l0", "decoder.rnn.weight_hh_l0",
        "decoder.rnn.bias_ih_l0", "decoder.rnn.bias_hh_l0", "decoder.fc_out.weight", "decoder.fc_out.bias"},
       1225.11575,
       0.623537051,
       62.8817902,
       409.841226},
      {"rnn",
       "lstm",
       2,
       true,
       "normal",
       {"encoder.embedding.weight",
        "encoder.rnn.weight_ih_l0",
        "encoder.rnn.weight_hh_l0",
        "encoder.rnn.bias_ih_l0",
        "encoder.rnn.bias_hh_l0",
        "encoder.rnn.weight_ih_l0_reverse",
        "encoder.rnn.weight_hh_l0_reverse",
        "encoder.rnn.bias_ih_l0_reverse",
        "encoder.rnn.bias_hh_l0_reverse",
        "encoder.rnn.weight_ih_l1",
        "encoder.rnn.weight_hh_l1",
        "encoder.rnn.bias_ih_l1",
        "encoder.rnn.bias_hh_l1",
        "encoder.rnn.weight_ih_l1_reverse",
        "encoder.rnn.weight_hh_l1_reverse",
        "encoder.rnn.bias_ih_l1_reverse",
        "encoder.rnn.bias_hh_l1_reverse",
        "decoder.embedding.weight",
        "decoder.rnn.weight_ih_l0",
        "decoder.rnn.weight_hh_l0",
        "decoder.rnn.bias_ih_l0",
        "decoder.rnn.bias_hh_l0",
        "decoder.rnn.weight_ih_l1",
        "decoder.rnn.weight_hh_l1",
        "decoder.rnn.bias_ih_l1",
        "decoder.rnn.bias_hh_l1",
        "decoder.fc_out.weight",
        "decoder.fc_out.bias",
        "bridge.weight",
        "bridge.bias",
        "bridge_cell.weight",
        "bridge_cell.bias"},
       234.481779,
       -0.86672224,
       61.7879486,
       32.4925239},
      {"rnn",
       "gru",
       2,
       false,
       "default",
       {"encoder.embedding.weight", "encoder.rnn.weight_ih_l0", "encoder.rnn.weight_hh_l0", "encoder.rnn.bias_ih_l0",
        "encoder.rnn.bias_hh_l0",   "encoder.rnn.weight_ih_l1", "encoder.rnn.weight_hh_l1", "encoder.rnn.bias_ih_l1",
        "encoder.rnn.bias_hh_l1",   "decoder.embedding.weight", "decoder.rnn.weight_ih_l0", "decoder.rnn.weight_hh_l0",
        "decoder.rnn.bias_ih_l0",   "decoder.rnn.bias_hh_l0",   "decoder.rnn.weight_ih_l1", "decoder.rnn.weight_hh_l1",
        "decoder.rnn.bias_ih_l1",   "decoder.rnn.bias_hh_l1",   "decoder.fc_out.weight",    "decoder.fc_out.bias"},
       1817.98683,
       -11.5994103,
       62.6740189,
       437.749069},
      {"bahdanau",
       "gru",
       2,
       false,
       "default",
       {"encoder.embedding.weight",
        "encoder.rnn.weight_ih_l0",
        "encoder.rnn.weight_hh_l0",
        "encoder.rnn.bias_ih_l0",
        "encoder.rnn.bias_hh_l0",
        "encoder.rnn.weight_ih_l0_reverse",
        "encoder.rnn.weight_hh_l0_reverse",
        "encoder.rnn.bias_ih_l0_reverse",
        "encoder.rnn.bias_hh_l0_reverse",
        "encoder.rnn.weight_ih_l1",
        "encoder.rnn.weight_hh_l1",
        "encoder.rnn.bias_ih_l1",
        "encoder.rnn.bias_hh_l1",
        "encoder.rnn.weight_ih_l1_reverse",
        "encoder.rnn.weight_hh_l1_reverse",
        "encoder.rnn.bias_ih_l1_reverse",
        "encoder.rnn.bias_hh_l1_reverse",
        "encoder.fc.weight",
        "encoder.fc.bias",
        "decoder.attention.W_s.weight",
        "decoder.attention.W_h.weight",
        "decoder.attention.W_h.bias",
        "decoder.attention.v.weight",
        "decoder.embedding.weight",
        "decoder.rnn.weight_ih_l0",
        "decoder.rnn.weight_hh_l0",
        "decoder.rnn.bias_ih_l0",
        "decoder.rnn.bias_hh_l0",
        "decoder.fc_out.weight",
        "decoder.fc_out.bias"},
       2644.24336,
       26.313462,
       64.0418472,
       401.102879},
      {"bahdanau",
       "gru",
       1,
       false,
       "normal",
       {"encoder.embedding.weight",
        "encoder.rnn.weight_ih_l0",
        "encoder.rnn.weight_hh_l0",
        "encoder.rnn.bias_ih_l0",
        "encoder.rnn.bias_hh_l0",
        "encoder.rnn.weight_ih_l0_reverse",
        "encoder.rnn.weight_hh_l0_reverse",
        "encoder.rnn.bias_ih_l0_reverse",
        "encoder.rnn.bias_hh_l0_reverse",
        "encoder.fc.weight",
        "encoder.fc.bias",
        "decoder.attention.W_s.weight",
        "decoder.attention.W_h.weight",
        "decoder.attention.W_h.bias",
        "decoder.attention.v.weight",
        "decoder.embedding.weight",
        "decoder.rnn.weight_ih_l0",
        "decoder.rnn.weight_hh_l0",
        "decoder.rnn.bias_ih_l0",
        "decoder.rnn.bias_hh_l0",
        "decoder.fc_out.weight",
        "decoder.fc_out.bias"},
       103.922508,
       -0.0189302188,
       61.832489,
       25.5831281},
      {"transformer",
       "gru",
       2,
       false,
       "default",
       {"src_embedding.weight",
        "tgt_embedding.weight",
        "encoder.layers.0.self_attn.in_proj_weight",
        "encoder.layers.0.self_attn.in_proj_bias",
        "encoder.layers.0.self_attn.out_proj.weight",
        "encoder.layers.0.self_attn.out_proj.bias",
        "encoder.layers.0.linear1.weight",
        "encoder.layers.0.linear1.bias",
        "encoder.layers.0.linear2.weight",
        "encoder.layers.0.linear2.bias",
        "encoder.layers.0.norm1.weight",
        "encoder.layers.0.norm1.bias",
        "encoder.layers.0.norm2.weight",
        "encoder.layers.0.norm2.bias",
        "encoder.layers.1.self_attn.in_proj_weight",
        "encoder.layers.1.self_attn.in_proj_bias",
        "encoder.layers.1.self_attn.out_proj.weight",
        "encoder.layers.1.self_attn.out_proj.bias",
        "encoder.layers.1.linear1.weight",
        "encoder.layers.1.linear1.bias",
        "encoder.layers.1.linear2.weight",
        "encoder.layers.1.linear2.bias",
        "encoder.layers.1.norm1.weight",
        "encoder.layers.1.norm1.bias",
        "encoder.layers.1.norm2.weight",
        "encoder.layers.1.norm2.bias",
        "encoder.norm.weight",
        "encoder.norm.bias",
        "decoder.layers.0.self_attn.in_proj_weight",
        "decoder.layers.0.self_attn.in_proj_bias",
        "decoder.layers.0.self_attn.out_proj.weight",
        "decoder.layers.0.self_attn.out_proj.bias",
        "decoder.layers.0.multihead_attn.in_proj_weight",
        "decoder.layers.0.multihead_attn.in_proj_bias",
        "decoder.layers.0.multihead_attn.out_proj.weight",
        "decoder.layers.0.multihead_attn.out_proj.bias",
        "decoder.layers.0.linear1.weight",
        "decoder.layers.0.linear1.bias",
        "decoder.layers.0.linear2.weight",
        "decoder.layers.0.linear2.bias",
        "decoder.layers.0.norm1.weight",
        "decoder.layers.0.norm1.bias",
        "decoder.layers.0.norm2.weight",
        "decoder.layers.0.norm2.bias",
        "decoder.layers.0.norm3.weight",
        "decoder.layers.0.norm3.bias",
        "decoder.layers.1.self_attn.in_proj_weight",
        "decoder.layers.1.self_attn.in_proj_bias",
        "decoder.layers.1.self_attn.out_proj.weight",
        "decoder.layers.1.self_attn.out_proj.bias",
        "decoder.layers.1.multihead_attn.in_proj_weight",
        "decoder.layers.1.multihead_attn.in_proj_bias",
        "decoder.layers.1.multihead_attn.out_proj.weight",
        "decoder.layers.1.multihead_attn.out_proj.bias",
        "decoder.layers.1.linear1.weight",
        "decoder.layers.1.linear1.bias",
        "decoder.layers.1.linear2.weight",
        "decoder.layers.1.linear2.bias",
        "decoder.layers.1.norm1.weight",
        "decoder.layers.1.norm1.bias",
        "decoder.layers.1.norm2.weight",
        "decoder.layers.1.norm2.bias",
        "decoder.layers.1.norm3.weight",
        "decoder.layers.1.norm3.bias",
        "decoder.norm.weight",
        "decoder.norm.bias",
        "generator.weight",
        "generator.bias",
        "pe"},
       2151.75587,
       -23.6591248,
       63.4636574,
       1241.15025},
  };
  for (const auto& g : goldens) {
    SCOPED_TRACE(g.type + " " + g.cell + " layers=" + std::to_string(g.layers) + " init=" + g.init);
    auto config = tiny_config(g.type);
    config.cell = nlohmann::json(g.cell).get<seq2seq::Cell>();
    config.layers = g.layers, config.bidirectional = g.bidirectional;
    config.init = nlohmann::json(g.init).get<seq2seq::Init>();
    auto model = build(config, 7);
    std::vector<std::string> keys;
    double param_abs_sum = 0;
    for (const auto& p : model->named_parameters()) {
      keys.push_back(p.key());
      param_abs_sum += p.value().to(torch::kDouble).abs().sum().item<double>();
    }
    for (const auto& b : model->named_buffers()) keys.push_back(b.key());
    EXPECT_EQ(keys, g.keys);
    EXPECT_NEAR(param_abs_sum, g.param_abs_sum, 1e-6 * g.param_abs_sum);
    // Training mode: dropout draws in the same order give the same masks.
    auto batch = random_batch(4, 11);
    model->train();
    torch::manual_seed(3);
    auto logits = model->forward(batch);
    auto real = model->real_target_logits(batch);
    auto loss = real.logsumexp(-1).sum();
    loss.backward();
    double grad_abs_sum = 0;
    for (const auto& p : model->parameters())
      if (p.grad().defined()) grad_abs_sum += p.grad().to(torch::kDouble).abs().sum().item<double>();
    auto real_logits = seq2seq::models::real_rows(logits, batch.tgt_in);
    EXPECT_NEAR(real_logits.to(torch::kDouble).sum().item<double>(), g.real_logit_sum, 1e-4);
    EXPECT_NEAR(loss.item<double>(), g.loss, 1e-5 * g.loss);
    EXPECT_NEAR(grad_abs_sum, g.grad_abs_sum, 1e-5 * g.grad_abs_sum);
  }
}

// model.share_embeddings: one (V, D) table for source words, target words and the output layer,
// registered once (the optimizer must not see it twice); steps still match the forward pass.
TEST(TransformerModel, SharedEmbeddingsAreOneTable) {
  auto config = tiny_config("transformer");
  config.tie_embeddings = true;
  config.share_embeddings = true;
  auto shared = seq2seq::models::make_model(config, kTgtVocab, kTgtVocab);
  auto* transformer = dynamic_cast<seq2seq::models::TransformerModel*>(shared.get());
  ASSERT_NE(transformer, nullptr);
  EXPECT_TRUE(transformer->src_embedding->weight.is_same(transformer->tgt_embedding->weight));
  auto parameters = shared->parameters();
  for (size_t i = 0; i < parameters.size(); ++i)
    for (size_t j = i + 1; j < parameters.size(); ++j) EXPECT_FALSE(parameters[i].is_same(parameters[j]));
  auto tied_only = config;
  tied_only.share_embeddings = false;
  EXPECT_EQ(seq2seq::models::make_model(tied_only, kTgtVocab, kTgtVocab)->parameter_count() - shared->parameter_count(),
            kTgtVocab * 16);
  auto pairs = random_pairs(5, 3, 2, 7);
  auto batch = make_batch(pairs.tgt, pairs.tgt);  // one vocabulary: target-range ids on both sides
  shared->eval();
  expect_steps_match_forward(*shared, batch);
  EXPECT_THROW(seq2seq::models::make_model(config, kSrcVocab, kTgtVocab), std::invalid_argument);
}
