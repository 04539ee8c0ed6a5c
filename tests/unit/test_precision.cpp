// bf16 mixed precision: train.precision and its resolution, the autocast guard, every model's
// bf16 forward against its fp32 one, bf16 training steps that learn, state.json's record.
#include "seq2seq/config/config.h"
#include "seq2seq/data/batch.h"
#include "seq2seq/decode/search.h"
#include "seq2seq/models/factory.h"
#include "seq2seq/models/layers.h"
#include "seq2seq/run/train_state.h"
#include "seq2seq/system/precision.h"
#include "seq2seq/train/optimizer.h"
#include "seq2seq/train/step.h"
#include "seq2seq/util/errors.h"

#include <ATen/autocast_mode.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdlib>
#include <iostream>
#include <string>

namespace {

using seq2seq::AutocastGuard;
using seq2seq::ModelConfig;
using seq2seq::Precision;
using seq2seq::data::Batch;

constexpr int64_t kSrcVocab = 150, kTgtVocab = 120;

// Model-like widths (64) rather than the smallest that run, so that the products sum enough
// terms for bf16's rounding to show as it does in a real model.
ModelConfig config_of(const std::string& type, seq2seq::Cell cell = seq2seq::Cell::gru) {
  ModelConfig c;
  c.type = nlohmann::json(type).get<seq2seq::ModelType>();
  c.emb_dim = 64;
  c.hidden_dim = 64;
  c.layers = 2;
  c.heads = 4;
  c.ff_dim = 128;
  c.dropout = 0.1;
  c.attention_dropout = 0.1;  // the fused attention kernel's dropout mask (training)
  c.cell = cell;
  c.bidirectional = type == "rnn";
  return c;
}

// B random pairs of 3 to 9 words, right-padded: (B, S) and (B, T) with <bos> 2 and <eos> 3.
Batch random_batch(int64_t B, uint64_t seed) {
  torch::manual_seed(seed);
  auto src_len = torch::randint(5, 12, {B}, torch::kLong), tgt_len = torch::randint(5, 12, {B}, torch::kLong);
  const int64_t S = src_len.max().item<int64_t>(), T = tgt_len.max().item<int64_t>() - 1;
  Batch batch;
  batch.src = torch::zeros({B, S}, torch::kLong);
  batch.src_len = src_len;
  batch.tgt_in = torch::zeros({B, T}, torch::kLong);
  batch.tgt_out = torch::zeros({B, T}, torch::kLong);
  for (int64_t b = 0; b < B; ++b) {
    const int64_t s = src_len[b].item<int64_t>(), t = tgt_len[b].item<int64_t>();
    auto src = torch::randint(4, kSrcVocab, {s}, torch::kLong), tgt = torch::randint(4, kTgtVocab, {t}, torch::kLong);
    src[0] = 2, src[s - 1] = 3, tgt[0] = 2, tgt[t - 1] = 3;
    batch.src[b].narrow(0, 0, s).copy_(src);
    batch.tgt_in[b].narrow(0, 0, t - 1).copy_(tgt.narrow(0, 0, t - 1));
    batch.tgt_out[b].narrow(0, 0, t - 1).copy_(tgt.narrow(0, 1, t - 1));
    batch.tgt_tokens += t - 1;
    batch.indices.push_back(b);
  }
  return batch;
}

std::shared_ptr<seq2seq::models::Seq2SeqModel> build(const ModelConfig& config) {
  torch::manual_seed(7);
  return seq2seq::models::make_model(config, kSrcVocab, kTgtVocab);
}

// Sets or clears an environment variable for one test's scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    value ? setenv(name, value, 1) : unsetenv(name);
  }
  ~ScopedEnv() { old_.empty() ? unsetenv(name_.c_str()) : setenv(name_.c_str(), old_.c_str(), 1); }

 private:
  std::string name_, old_;
};

}  // namespace

TEST(Precision, ConfigKeyDefaultsToAutoAndRejectsOtherNames) {
  EXPECT_EQ(seq2seq::TrainConfig{}.precision, Precision::auto_);
  nlohmann::json j = seq2seq::Config{};
  EXPECT_EQ(j["train"]["precision"], "auto");
  j["train"]["precision"] = "bf16";
  EXPECT_EQ(seq2seq::config_from_json(j, "c.json").train.precision, Precision::bf16);
  j["train"]["precision"] = "fp16";
  try {
    seq2seq::config_from_json(j, "c.json");
    FAIL() << "fp16 accepted";
  } catch (const seq2seq::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("c.json: train.precision: unknown value \"fp16\" (expected one of: fp32, "
                                         "bf16, auto)"),
              std::string::npos)
        << e.what();
  }
  seq2seq::Config c;
  seq2seq::apply_overrides(c, {"train.precision=fp32"});
  EXPECT_EQ(c.train.precision, Precision::fp32);
}

// (c) auto: fp32 where SEQ2SEQ_NO_BF16=1 says the CPU has no native bf16; bf16 on one that has it.
TEST(Precision, AutoPicksFp32WithoutNativeBf16) {
  ScopedEnv no_bf16("SEQ2SEQ_NO_BF16", "1");
  EXPECT_FALSE(seq2seq::native_bf16());
  EXPECT_EQ(seq2seq::resolve_precision(Precision::auto_), Precision::fp32);
  EXPECT_EQ(seq2seq::resolve_precision(Precision::bf16), Precision::bf16);  // asked for: kept
}

TEST(Precision, AutoPicksBf16WhereTheCpuHasIt) {
  ScopedEnv unset("SEQ2SEQ_NO_BF16", nullptr);
  if (!seq2seq::native_bf16()) GTEST_SKIP() << "this CPU has no avx512_bf16 or amx_bf16";
  EXPECT_EQ(seq2seq::resolve_precision(Precision::auto_), Precision::bf16);
  EXPECT_EQ(seq2seq::resolve_precision(Precision::fp32), Precision::fp32);
}

TEST(Precision, ParseNamesAndRejectsOthers) {
  EXPECT_EQ(seq2seq::parse_precision("fp32", "--precision"), Precision::fp32);
  EXPECT_EQ(seq2seq::parse_precision("bf16", "--precision"), Precision::bf16);
  EXPECT_EQ(seq2seq::parse_precision("auto", "--precision"), Precision::auto_);
  EXPECT_THROW(seq2seq::parse_precision("half", "--precision"), seq2seq::UsageError);
}

TEST(Precision, GuardTurnsAutocastOnAndRestoresIt) {
  ASSERT_FALSE(at::autocast::is_cpu_enabled());
  auto x = torch::randn({4, 8}), w = torch::randn({6, 8});
  {
    AutocastGuard fp32(Precision::fp32);
    EXPECT_FALSE(at::autocast::is_cpu_enabled());
    EXPECT_EQ(torch::matmul(x, w.t()).scalar_type(), torch::kFloat);
  }
  {
    AutocastGuard outer(Precision::bf16);
    EXPECT_TRUE(at::autocast::is_cpu_enabled());
    EXPECT_EQ(torch::matmul(x, w.t()).scalar_type(), torch::kBFloat16);
    {
      AutocastGuard inner(Precision::bf16);  // nested (eval's guard around the search's own)
      EXPECT_TRUE(at::autocast::is_cpu_enabled());
    }
    EXPECT_TRUE(at::autocast::is_cpu_enabled());  // the outer scope is still bf16
  }
  EXPECT_FALSE(at::autocast::is_cpu_enabled());
  EXPECT_EQ(torch::matmul(x, w.t()).scalar_type(), torch::kFloat);
}

// A single row skips the fp32 GEMV under bf16 autocast and goes through the bf16 product.
TEST(Precision, SingleRowLinearRunsInBf16UnderTheGuard) {
  torch::manual_seed(1);
  auto x = torch::randn({1, 64}), w = torch::randn({32, 64}) / 8, b = torch::randn({32});
  const auto fp32 = seq2seq::models::linear(x, w, b);
  AutocastGuard bf16(Precision::bf16);
  const auto row = seq2seq::models::linear(x, w, b);
  EXPECT_EQ(row.scalar_type(), torch::kBFloat16);
  EXPECT_LT((row.to(torch::kFloat) - fp32).abs().max().item<double>(), 0.05);
}

// (a) The bf16 forward pass of every model against its fp32 one, as log-probabilities.
// Tolerance: bf16 keeps 8 significant bits (relative rounding 2^-9 ≈ 0.2% per operand); the
// products accumulate in fp32, so a logit of magnitude a few units moves by a few hundredths,
// and so does its log-softmax. Max abs diff < 0.1 and mean < 0.02 allow that and catch a path
// that drops to bf16 accumulation or loses the state (errors of 0.5 and more). Measured here on
// these untrained weights: max 0.004-0.014, mean 0.0007-0.003 (trained models have larger
// logits, and larger errors). The diff must also be above zero: bf16 really ran.
TEST(Precision, Bf16ForwardOfEveryModelIsCloseToFp32) {
  struct Case {
    std::string type;
    seq2seq::Cell cell;
  };
  for (const Case& c : {Case{"rnn", seq2seq::Cell::gru}, Case{"rnn", seq2seq::Cell::lstm},
                        Case{"bahdanau", seq2seq::Cell::gru}, Case{"transformer", seq2seq::Cell::gru}}) {
    const std::string name = c.type + (c.cell == seq2seq::Cell::lstm ? " (lstm)" : "");
    auto model = build(config_of(c.type, c.cell));
    model->eval();
    torch::NoGradGuard no_grad;
    for (const uint64_t seed : {11u, 12u}) {
      const Batch batch = random_batch(16, seed);
      const auto fp32 = torch::log_softmax(model->real_target_logits(batch), -1);  // (N, V)
      torch::Tensor bf16_logits;
      {
        AutocastGuard autocast(Precision::bf16);
        bf16_logits = model->real_target_logits(batch);
      }
      ASSERT_EQ(bf16_logits.scalar_type(), torch::kFloat) << name << ": the logits leave the model in fp32";
      const auto diff = (torch::log_softmax(bf16_logits, -1) - fp32).abs();
      EXPECT_LT(diff.max().item<double>(), 0.1) << name;
      EXPECT_LT(diff.mean().item<double>(), 0.02) << name;
      EXPECT_GT(diff.max().item<double>(), 0.0) << name << ": bf16 changed nothing (autocast not applied?)";
      std::cerr << name << ": bf16 vs fp32 log-probabilities: max abs diff " << diff.max().item<double>() << ", mean "
                << diff.mean().item<double>() << "\n";
    }
  }
}

// Decoding under bf16: fp32 log-probabilities every step, greedy output close to fp32's scores.
TEST(Precision, Bf16SearchStepsGiveFp32LogProbs) {
  for (const std::string type : {"rnn", "bahdanau", "transformer"}) {
    auto model = build(config_of(type));
    model->eval();
    torch::InferenceMode inference;
    const Batch batch = random_batch(4, 21);
    {
      AutocastGuard autocast(Precision::bf16);
      auto state = model->start(batch.src, batch.src_len);
      auto prev = torch::full({4}, 2, torch::kLong);
      for (int t = 0; t < 3; ++t) {
        auto out = model->step(state, prev);
        ASSERT_EQ(out.log_probs.scalar_type(), torch::kFloat) << type;
        prev = out.log_probs.argmax(-1);
      }
    }
    seq2seq::decode::SearchOptions options;
    options.beam = 3;
    const auto fp32 = seq2seq::decode::search(*model, batch.src, batch.src_len, options);
    options.precision = Precision::bf16;
    const auto bf16 = seq2seq::decode::search(*model, batch.src, batch.src_len, options);
    ASSERT_EQ(bf16.size(), fp32.size());
    for (size_t i = 0; i < fp32.size(); ++i) {
      ASSERT_FALSE(bf16[i].empty());
      EXPECT_TRUE(std::isfinite(bf16[i][0].score)) << type;
      // Per token a few hundredths at most (see above); the best hypothesis may differ, not by much.
      EXPECT_NEAR(bf16[i][0].score, fp32[i][0].score, 0.1 * (1 + fp32[i][0].tokens.size())) << type;
    }
    EXPECT_FALSE(at::autocast::is_cpu_enabled()) << type << ": the search left autocast on";
  }
}

// (b) bf16 training steps on one fixed batch lower its loss; weights, gradients and the
// optimizer's moments stay fp32.
TEST(Precision, Bf16TrainingStepsLowerTheLoss) {
  for (const std::string type : {"rnn", "bahdanau", "transformer"}) {
    auto model = build(config_of(type));
    model->train();
    seq2seq::TrainConfig t;
    t.lr = 3e-3;
    auto optimizer = seq2seq::train::make_optimizer(model->parameters(), t);
    const Batch batch = random_batch(8, 31);
    seq2seq::train::StepOptions step;
    step.clip = 1.0;
    step.precision = Precision::bf16;
    std::vector<double> losses;
    for (int i = 0; i < 25; ++i) losses.push_back(seq2seq::train::train_step(*model, batch, *optimizer, step).loss);
    EXPECT_TRUE(std::isfinite(losses.back())) << type;
    EXPECT_LT(losses.back(), 0.7 * losses.front()) << type << ": " << losses.front() << " -> " << losses.back();
    EXPECT_FALSE(at::autocast::is_cpu_enabled()) << type;
    for (const auto& p : model->parameters()) {
      ASSERT_EQ(p.scalar_type(), torch::kFloat) << type;
      ASSERT_TRUE(p.grad().defined()) << type;
      ASSERT_EQ(p.grad().scalar_type(), torch::kFloat) << type;
    }
    for (const auto& [key, state] : optimizer->state()) {
      auto& adam = static_cast<torch::optim::AdamParamState&>(*state);
      ASSERT_EQ(adam.exp_avg().scalar_type(), torch::kFloat) << type;
      ASSERT_EQ(adam.exp_avg_sq().scalar_type(), torch::kFloat) << type;
    }
  }
}

// state.json's precision: written, read back, "fp32" for a run written before it, and anything
// but fp32 or bf16 refused as corruption.
TEST(Precision, StateJsonRecordsTheResolvedPrecision) {
  seq2seq::TrainState state;
  state.precision = "bf16";
  nlohmann::json j = state;
  EXPECT_EQ(j["precision"], "bf16");
  EXPECT_EQ(seq2seq::parse_state(j.dump(), "state.json").precision, "bf16");
  j.erase("precision");
  EXPECT_EQ(seq2seq::parse_state(j.dump(), "state.json").precision, "fp32");
  j["precision"] = "auto";
  try {
    seq2seq::parse_state(j.dump(), "runs/x/state.json");
    FAIL() << "precision auto accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("runs/x/state.json: corrupt training state (precision = \"auto\""),
              std::string::npos)
        << e.what();
  }
}
