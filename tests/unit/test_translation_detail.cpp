// The detail `serve` returns per hypothesis (decode::Translator with TranslatorOptions::details):
// teacher-forced log-probabilities that add up to the search's, tokens that make the text,
// attention that is the search's, and a Transformer's cross-attention per layer and head.
#include "seq2seq/data/source_line.h"
#include "seq2seq/data/tokenizer.h"
#include "seq2seq/data/vocab.h"
#include "seq2seq/decode/search.h"
#include "seq2seq/decode/sentence_translator.h"
#include "seq2seq/models/factory.h"
#include "seq2seq/models/transformer.h"

#include <gtest/gtest.h>

#include <numeric>

using seq2seq::data::Vocab;
using seq2seq::decode::Hypothesis;
using seq2seq::decode::Translator;
using seq2seq::decode::TranslatorOptions;

namespace translation_detail_test {

const std::vector<std::string> kLines = {"der hund sieht die katze .", "die katze im park", "der unbekannte hund .",
                                         "park", "hund hund katze sieht der park im die ."};

// A run as load_run() would give it, without training: word tokens, one small vocabulary for both
// sides, an untrained model in eval mode; `peaked`: with larger random weights than its own
// initialisation, so that outputs are peaked and varied.
seq2seq::LoadedRun tiny_run(const std::string& type, bool peaked = true) {
  seq2seq::LoadedRun run;
  run.config.data.tokenizer = "word";
  run.config.model.type = nlohmann::json(type).get<seq2seq::ModelType>();
  run.config.model.emb_dim = run.config.model.hidden_dim = 16;
  run.config.model.ff_dim = 32;
  run.config.model.heads = 2;
  run.config.model.layers = 2;
  run.config.model.dropout = 0.0;
  run.config.model.attention_dropout = 0.0;
  std::vector<std::string> words = {"<pad>", "<unk>", "<bos>", "<eos>"};
  for (const char* w : {"der", "hund", "sieht", "die", "katze", "im", "park", ".", "a", "b", "c"}) words.push_back(w);
  run.src_vocab = run.tgt_vocab = Vocab(words);
  run.tokenizers = seq2seq::data::make_tokenizers(run.config.data, {});
  torch::manual_seed(7);
  run.model = seq2seq::models::make_model(run.config.model, run.src_vocab.size(), run.tgt_vocab.size());
  if (peaked) {
    torch::NoGradGuard no_grad;
    for (auto& p : run.model->parameters()) p.normal_(0, 0.5);
  }
  run.model->eval();
  return run;
}

// Makes token `id` a likelier output: raises its bias in every output layer over the target
// vocabulary (the RNNs' fc_out, the Transformer's generator).
void raise_output_bias(seq2seq::LoadedRun& run, int64_t id, double amount) {
  torch::NoGradGuard no_grad;
  int raised = 0;
  for (auto& item : run.model->named_parameters())
    if (item.value().dim() == 1 && item.value().size(0) == run.tgt_vocab.size() &&
        item.key().find("bias") != std::string::npos) {
      item.value()[id] += amount;
      ++raised;
    }
  ASSERT_GT(raised, 0) << "no output bias found";
}

// What the translator's search returns for a line (the ids and sums the detail must agree with).
std::vector<Hypothesis> searched(seq2seq::LoadedRun& run, const Translator& translator, const std::string& line) {
  auto source = seq2seq::data::prepare_source(line, *run.tokenizers.src, run.src_vocab, translator.max_tokens());
  auto src = torch::tensor(source.ids, torch::kLong).unsqueeze(0);
  auto src_len = torch::tensor({static_cast<int64_t>(source.ids.size())}, torch::kLong);
  torch::InferenceMode inference;
  return seq2seq::decode::search(*run.model, src, src_len, translator.search_options()).front();
}

TranslatorOptions detail_options(int beam, int nbest) {
  TranslatorOptions options;
  options.beam = beam;
  options.nbest = nbest;
  options.details = true;
  return options;
}

void expect_rows_sum_to_one(const std::vector<std::vector<float>>& rows, const std::string& what) {
  for (const auto& row : rows) EXPECT_NEAR(std::accumulate(row.begin(), row.end(), 0.0), 1.0, 1e-5) << what;
}

}  // namespace translation_detail_test

using namespace translation_detail_test;

TEST(TranslationDetail, LogProbsOfOneTeacherForcedPassAddUpToTheSearchesForEveryModel) {
  for (const std::string type : {"rnn", "bahdanau", "transformer"}) {
    // Hypotheses of several tokens, most ending with <eos> (its log-probability counts), some cut
    // at the length limit. (Large random weights make this Transformer repeat one token forever.)
    const bool transformer = type == "transformer";
    auto run = tiny_run(type, !transformer);
    raise_output_bias(run, Vocab::kEos, transformer ? 0.5 : 1.0);
    for (const auto& [beam, nbest] : {std::pair{1, 1}, std::pair{3, 2}}) {
      Translator translator(run, detail_options(beam, nbest));
      int finished = 0;
      size_t tokens = 0;
      for (const auto& line : kLines) {
        const std::string what = type + " beam " + std::to_string(beam) + ": " + line;
        const auto translation = translator.translate(line);
        const auto hyps = searched(run, translator, line);
        ASSERT_EQ(translation.details.size(), translation.texts.size()) << what;
        ASSERT_EQ(hyps.size(), static_cast<size_t>(nbest)) << what;
        ASSERT_EQ(translation.details.size(), hyps.size()) << what;
        for (size_t i = 0; i < hyps.size(); ++i) {
          const auto& detail = translation.details[i];
          EXPECT_DOUBLE_EQ(translation.scores[i], hyps[i].score) << what;  // the same hypotheses, same order
          EXPECT_EQ(run.tokenizers.tgt->detokenize(detail.tokens), translation.texts[i]) << what;
          ASSERT_EQ(detail.token_log_probs.size(), detail.tokens.size() + (hyps[i].finished ? 1 : 0)) << what;
          for (const double log_prob : detail.token_log_probs) EXPECT_LE(log_prob, 0.0) << what;
          const double sum = std::accumulate(detail.token_log_probs.begin(), detail.token_log_probs.end(), 0.0);
          EXPECT_DOUBLE_EQ(detail.log_prob, sum) << what;
          EXPECT_NEAR(detail.log_prob, hyps[i].log_prob, 1e-4) << what;
          finished += hyps[i].finished ? 1 : 0;
          tokens += hyps[i].tokens.size();
        }
      }
      EXPECT_GT(finished, 0) << type << ": no hypothesis ended with <eos>, so its log-probability went untested";
      EXPECT_GT(tokens, 2 * kLines.size() * nbest) << type << ": hypotheses too short to test";
    }
  }
}

// The plain RNN has no attention to copy an <unk> from, so output_tokens drops it: the
// log-probabilities stay one per remaining token (then <eos>) and still add up.
TEST(TranslationDetail, ADroppedUnkKeepsTokensAndLogProbsAligned) {
  auto run = tiny_run("rnn");
  raise_output_bias(run, Vocab::kUnk, 3.0);
  Translator translator(run, detail_options(3, 3));
  int dropped = 0;
  for (const auto& line : kLines) {
    const auto translation = translator.translate(line);
    const auto hyps = searched(run, translator, line);
    ASSERT_EQ(translation.details.size(), hyps.size());
    for (size_t i = 0; i < hyps.size(); ++i) {
      const auto& detail = translation.details[i];
      const auto unks = std::count(hyps[i].tokens.begin(), hyps[i].tokens.end(), Vocab::kUnk);
      EXPECT_EQ(detail.tokens.size(), hyps[i].tokens.size() - unks) << line;
      EXPECT_TRUE(detail.attention.empty() && detail.attention_rows.empty());
      if (!detail.tokens.empty() || hyps[i].finished) {
        EXPECT_EQ(detail.token_log_probs.size(), detail.tokens.size() + (hyps[i].finished ? 1 : 0)) << line;
      }
      EXPECT_NEAR(detail.log_prob, hyps[i].log_prob, 1e-4) << line;
      dropped += unks > 0 ? 1 : 0;
    }
  }
  EXPECT_GT(dropped, 0) << "no hypothesis generated <unk>: the test did not test the drop";
}

TEST(TranslationDetail, AttentionIsTheSearchesWithNamedRowsAndColumns) {
  for (const std::string type : {"bahdanau", "transformer"}) {
    auto run = tiny_run(type);
    auto options = detail_options(3, 2);
    options.attention = true;
    Translator translator(run, options);
    for (const auto& line : kLines) {
      const auto translation = translator.translate(line);
      const auto hyps = searched(run, translator, line);
      for (size_t i = 0; i < hyps.size(); ++i) {
        const auto& detail = translation.details[i];
        auto rows = detail.tokens;
        if (hyps[i].finished) rows.push_back("</s>");
        EXPECT_EQ(detail.attention_rows, rows) << type << ": " << line;
        std::vector<std::string> columns = {"<s>"};
        columns.insert(columns.end(), translation.src_tokens.begin(), translation.src_tokens.end());
        columns.push_back("</s>");
        EXPECT_EQ(detail.attention_columns, columns);
        EXPECT_EQ(detail.attention, hyps[i].attention);
        ASSERT_EQ(detail.attention.size(), rows.size());
        for (const auto& row : detail.attention) EXPECT_EQ(row.size(), columns.size());
        expect_rows_sum_to_one(detail.attention, type + ": " + line);
      }
      // The best hypothesis' matrix is the one translate prints (there with <bos>/<eos> names).
      EXPECT_EQ(translation.details[0].attention, translation.attention);
      EXPECT_EQ(translation.details[0].attention_rows.size(), translation.attention_rows.size());
      EXPECT_EQ(translation.attention_columns.front(), "<bos>");
    }
  }
}

TEST(TranslationDetail, TransformerLayersAndHeadsAverageToTheAttention) {
  auto run = tiny_run("transformer");
  for (const auto& [beam, nbest] : {std::pair{1, 1}, std::pair{3, 2}}) {
    auto options = detail_options(beam, nbest);
    options.every_layer_and_head = true;
    Translator translator(run, options);
    for (const auto& line : kLines) {
      const auto translation = translator.translate(line);
      for (const auto& detail : translation.details) {
        const auto& layers = detail.layer_head_attention;
        ASSERT_EQ(layers.size(), 2u) << line;  // model.layers
        for (const auto& heads : layers) {
          ASSERT_EQ(heads.size(), 2u);  // model.heads
          for (const auto& head : heads) {
            ASSERT_EQ(head.size(), detail.attention_rows.size()) << line;
            for (const auto& row : head) ASSERT_EQ(row.size(), detail.attention_columns.size());
            expect_rows_sum_to_one(head, line);
          }
        }
        // The search's attention is the last layer's mean over heads.
        for (size_t t = 0; t < detail.attention.size(); ++t)
          for (size_t j = 0; j < detail.attention[t].size(); ++j)
            EXPECT_NEAR((layers[1][0][t][j] + layers[1][1][t][j]) / 2, detail.attention[t][j], 1e-5)
                << line << " row " << t << " column " << j;
      }
    }
  }
  // Not for the RNNs, and only when asked for.
  auto bahdanau = tiny_run("bahdanau");
  auto options = detail_options(1, 1);
  options.every_layer_and_head = true;
  Translator rnn_translator(bahdanau, options);
  EXPECT_TRUE(rnn_translator.translate(kLines[0]).details[0].layer_head_attention.empty());
  Translator plain(run, detail_options(1, 1));
  EXPECT_TRUE(plain.translate(kLines[0]).details[0].layer_head_attention.empty());
  EXPECT_FALSE(plain.translate(kLines[0]).details[0].attention.empty());
}

TEST(TranslationDetail, DetailsChangeNothingElse) {
  for (const std::string type : {"rnn", "bahdanau", "transformer"}) {
    auto run = tiny_run(type);
    TranslatorOptions plain_options;
    plain_options.beam = 3;
    plain_options.nbest = 2;
    plain_options.attention = true;
    auto detail = plain_options;
    detail.details = detail.every_layer_and_head = true;
    Translator plain(run, plain_options), detailed(run, detail);
    for (const auto& line : kLines) {
      const auto a = plain.translate(line), b = detailed.translate(line);
      EXPECT_TRUE(a.details.empty());
      EXPECT_EQ(b.details.size(), b.texts.size());
      EXPECT_EQ(a.texts, b.texts);
      EXPECT_EQ(a.scores, b.scores);
      EXPECT_EQ(a.attention, b.attention);
      EXPECT_EQ(a.attention_rows, b.attention_rows);
      EXPECT_EQ(a.attention_columns, b.attention_columns);
      EXPECT_EQ(a.src_tokens, b.src_tokens);
    }
  }
}

// The model side: one teacher-forced pass gives (L, B, H, T, S), padding gets no weight, and the
// last layer's mean over heads is what step() returns at every position.
TEST(Transformer, CrossAttentionMapsMatchTheSteps) {
  auto run = tiny_run("transformer");
  auto& model = dynamic_cast<seq2seq::models::TransformerModel&>(*run.model);
  // Two sources, the second padded; two target prefixes, the second padded.
  auto src = torch::tensor({2, 5, 6, 7, 8, 3, 2, 9, 10, 3, 0, 0}, torch::kLong).view({2, 6});
  auto src_len = torch::tensor({6, 4}, torch::kLong);
  auto tgt_in = torch::tensor({2, 11, 12, 13, 2, 14, 0, 0}, torch::kLong).view({2, 4});
  torch::InferenceMode inference;
  auto maps = model.cross_attention_maps(src, src_len, tgt_in);
  ASSERT_EQ(maps.sizes(), (std::vector<int64_t>{2, 2, 2, 4, 6}));
  EXPECT_TRUE(torch::allclose(maps.sum(-1), torch::ones({2, 2, 2, 4}), 1e-5, 1e-5));
  EXPECT_EQ(maps.select(1, 1).slice(-1, 4).abs().max().item<float>(), 0.0f);  // the padded source positions

  auto state = model.start(src, src_len);
  for (int64_t t = 0; t < 2; ++t) {  // the positions both rows have
    auto out = model.step(state, tgt_in.select(1, t));
    auto mean = maps[1].select(2, t).mean(1);  // last layer, position t, over heads: (B, S)
    EXPECT_TRUE(torch::allclose(mean, out.attention, 1e-5, 1e-6)) << "position " << t;
  }
}
