// Search: greedy equals a hand-written argmax loop, beam results do not depend on the batch,
// n-best lists are ordered, and length limits hold.
#include "seq2seq/config/config.h"
#include "seq2seq/data/vocab.h"
#include "seq2seq/decode/search.h"
#include "seq2seq/decode/corpus_translation.h"
#include "seq2seq/models/factory.h"

#include <gtest/gtest.h>

using seq2seq::data::Vocab;
using seq2seq::decode::SearchOptions;

namespace {

std::shared_ptr<seq2seq::models::Seq2SeqModel> tiny_model(const std::string& type, int64_t vocab = 23) {
  torch::manual_seed(7);
  seq2seq::ModelConfig config;
  config.type = nlohmann::json(type).get<seq2seq::ModelType>();
  config.emb_dim = config.hidden_dim = 16;
  config.ff_dim = 32;
  config.heads = 2;
  config.layers = 2;
  config.dropout = 0.0;
  auto model = seq2seq::models::make_model(config, vocab, vocab);
  // Larger random weights than the default init, so that outputs are peaked and varied.
  torch::NoGradGuard no_grad;
  for (auto& p : model->parameters()) p.normal_(0, 0.5);
  model->eval();
  return model;
}

// Random sources of different lengths, with <bos>/<eos>.
std::vector<std::vector<int64_t>> random_sources(int n, int64_t vocab) {
  torch::manual_seed(11);
  std::vector<std::vector<int64_t>> sources;
  for (int i = 0; i < n; ++i) {
    int64_t len = 2 + (i * 5) % 9;
    auto ids = torch::randint(4, vocab, {len}, torch::kLong);
    std::vector<int64_t> s = {Vocab::kBos};
    for (int64_t j = 0; j < len; ++j) s.push_back(ids[j].item<int64_t>());
    s.push_back(Vocab::kEos);
    sources.push_back(s);
  }
  return sources;
}

}  // namespace

TEST(Search, MaxOutputLength) {
  SearchOptions options;
  options.max_len_ratio = 1.0;
  options.max_len = 200;
  EXPECT_EQ(seq2seq::decode::max_output_length(14, options), 24);  // the reference's src_len + 10
  options.max_len = 20;
  EXPECT_EQ(seq2seq::decode::max_output_length(14, options), 20);
}

TEST(Search, GreedyMatchesAHandWrittenArgmaxLoop) {
  for (const std::string type : {"rnn", "bahdanau", "transformer"}) {
    auto model = tiny_model(type);
    torch::InferenceMode guard;
    auto sources = random_sources(1, 23);
    auto src = torch::tensor(sources[0], torch::kLong).unsqueeze(0);
    auto src_len = torch::tensor({static_cast<int64_t>(sources[0].size())}, torch::kLong);
    SearchOptions options;
    options.max_len_ratio = 1.0;
    auto hyp = seq2seq::decode::greedy_search(*model, src, src_len, options)[0][0];

    auto state = model->start(src, src_len);
    auto prev = torch::full({1}, Vocab::kBos, torch::kLong);
    std::vector<int64_t> expected;
    double log_prob = 0;
    for (int64_t t = 0; t < seq2seq::decode::max_output_length(sources[0].size(), options); ++t) {
      auto out = model->step(state, prev);
      auto token = out.log_probs.argmax(1);
      log_prob += out.log_probs[0][token.item<int64_t>()].item<double>();
      if (token.item<int64_t>() == Vocab::kEos) break;
      expected.push_back(token.item<int64_t>());
      prev = token;
    }
    EXPECT_EQ(hyp.tokens, expected) << type;
    EXPECT_NEAR(hyp.log_prob, log_prob, 1e-4) << type;
  }
}

TEST(Search, BeamResultsDoNotDependOnTheBatch) {
  for (const std::string type : {"rnn", "bahdanau", "transformer"}) {
    auto model = tiny_model(type);
    auto sources = random_sources(7, 23);
    SearchOptions options;
    options.beam = 4;
    options.nbest = 3;
    options.max_len_ratio = 1.0;
    auto alone = seq2seq::decode::translate_batched(*model, sources, options, 1, torch::kCPU);
    auto together = seq2seq::decode::translate_batched(*model, sources, options, 7, torch::kCPU);
    auto pairs = seq2seq::decode::translate_batched(*model, sources, options, 2, torch::kCPU);
    for (size_t i = 0; i < sources.size(); ++i) {
      ASSERT_EQ(alone[i].size(), together[i].size()) << type << " sentence " << i;
      ASSERT_EQ(alone[i].size(), pairs[i].size()) << type << " sentence " << i;
      for (size_t k = 0; k < alone[i].size(); ++k) {
        EXPECT_EQ(alone[i][k].tokens, together[i][k].tokens) << type << " sentence " << i << " hyp " << k;
        EXPECT_EQ(alone[i][k].tokens, pairs[i][k].tokens) << type << " sentence " << i << " hyp " << k;
        EXPECT_NEAR(alone[i][k].score, together[i][k].score, 1e-4);
      }
    }
  }
}

TEST(Search, BeamNbestIsSortedAndBeatsOrTiesGreedy) {
  auto model = tiny_model("bahdanau");
  auto sources = random_sources(5, 23);
  SearchOptions greedy;
  greedy.max_len_ratio = 1.0;
  SearchOptions beam = greedy;
  beam.beam = 5;
  beam.nbest = 5;
  beam.length_penalty = 0.0;  // raw log-probabilities: beam must find at least greedy's score
  auto g = seq2seq::decode::translate_batched(*model, sources, greedy, 5, torch::kCPU);
  auto b = seq2seq::decode::translate_batched(*model, sources, beam, 5, torch::kCPU);
  for (size_t i = 0; i < sources.size(); ++i) {
    ASSERT_EQ(b[i].size(), 5u);
    for (size_t k = 1; k < b[i].size(); ++k) EXPECT_GE(b[i][k - 1].score, b[i][k].score);
    if (g[i][0].finished) {
      EXPECT_GE(b[i][0].log_prob, g[i][0].log_prob - 1e-4) << "sentence " << i;
    }
    const int64_t limit = seq2seq::decode::max_output_length(sources[i].size(), beam);
    for (const auto& h : b[i]) EXPECT_LE(static_cast<int64_t>(h.tokens.size()), limit);
  }
}

TEST(Search, AttentionRowsCoverTheRealSource) {
  auto model = tiny_model("bahdanau");
  auto sources = random_sources(3, 23);
  SearchOptions options;
  options.attention = true;
  options.beam = 3;
  auto results = seq2seq::decode::translate_batched(*model, sources, options, 3, torch::kCPU);
  for (size_t i = 0; i < sources.size(); ++i) {
    const auto& h = results[i][0];
    ASSERT_EQ(h.attention.size(), h.tokens.size() + (h.finished ? 1 : 0));
    for (const auto& row : h.attention) {
      ASSERT_EQ(row.size(), sources[i].size());
      double sum = 0;
      for (float w : row) sum += w;
      EXPECT_NEAR(sum, 1.0, 1e-4);
    }
  }
  auto rnn = tiny_model("rnn");
  auto plain = seq2seq::decode::translate_batched(*rnn, sources, options, 3, torch::kCPU);
  EXPECT_TRUE(plain[0][0].attention.empty());  // no attention, none faked
}

// What translate, eval and validation BLEU write for <unk>: the most-attended source token with
// attention, nothing without; never "<unk>" itself.
TEST(Search, OutputTokensReplaceUnkByTheMostAttendedSourceWordOrDropIt) {
  Vocab tgt({"<pad>", "<unk>", "<bos>", "<eos>", "the", "sees", "\u2581the", "\u2581dog"});
  seq2seq::decode::Hypothesis hyp;
  hyp.tokens = {4, Vocab::kUnk, 5, Vocab::kUnk};
  const std::vector<std::string> src = {"der", "xyzzy", "sieht", "\u2581plugh"};
  // Columns: <bos>, 4 source tokens, <eos>. The first <unk> looks at "xyzzy", the second at "▁plugh".
  hyp.attention = {{0.1f, 0.6f, 0.1f, 0.1f, 0.05f, 0.05f},
                   {0.0f, 0.1f, 0.7f, 0.1f, 0.05f, 0.05f},
                   {0.0f, 0.1f, 0.1f, 0.7f, 0.05f, 0.05f},
                   {0.3f, 0.0f, 0.0f, 0.0f, 0.2f, 0.5f}};  // <bos> and <eos> never copy: the best real one
  EXPECT_EQ(seq2seq::decode::output_tokens(hyp, src, tgt),
            (std::vector<std::string>{"the", "xyzzy", "sees", "\u2581plugh"}));
  EXPECT_EQ(seq2seq::decode::output_tokens(hyp, src, tgt, /*brackets=*/true),
            (std::vector<std::string>{"the", "[xyzzy]", "sees", "\u2581[plugh]"}));
  hyp.attention.clear();  // the plain RNN: no alignment to copy from
  EXPECT_EQ(seq2seq::decode::output_tokens(hyp, src, tgt), (std::vector<std::string>{"the", "sees"}));
}

// Decoding with a real attention model keeps the rows output_tokens needs, one per output token.
TEST(Search, AttentionRowsLetEveryUnkBeReplaced) {
  auto model = tiny_model("bahdanau");
  auto src = torch::tensor({{2, 5, 1, 7, 3}}, torch::kLong);
  auto src_len = torch::tensor({5}, torch::kLong);
  SearchOptions options;
  options.attention = true;
  options.max_len = 12;
  torch::InferenceMode guard;
  auto hyp = seq2seq::decode::search(*model, src, src_len, options).front().front();
  ASSERT_GE(hyp.attention.size(), hyp.tokens.size());
  hyp.tokens.assign(hyp.tokens.size(), Vocab::kUnk);  // every token unknown: each copies a source word
  Vocab tgt;
  const std::vector<std::string> words = {"a", "b", "c"};
  const auto out = seq2seq::decode::output_tokens(hyp, words, tgt);
  EXPECT_EQ(out.size(), hyp.tokens.size());
  for (const auto& w : out) EXPECT_TRUE(w == "a" || w == "b" || w == "c") << w;
}
