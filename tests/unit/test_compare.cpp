// compare's report from run summaries made in memory: seed groups, pairing for the paired
// bootstrap, mean ± sd, the config diff without ignored keys, and the chart's error bars.
#include "seq2seq/config/config.h"
#include "seq2seq/eval/bleu.h"
#include "seq2seq/util/io.h"
#include "seq2seq/report/comparison.h"
#include "seq2seq/report/run_summary.h"
#include "seq2seq/report/statistics.h"
#include "seq2seq/session/compare_session.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace report = seq2seq::report;
namespace eval = seq2seq::eval;
using nlohmann::json;

namespace {

// A run that translated `hyps` for the references `refs`, with one band per distinct length.
report::RunSummary run(const std::string& name, seq2seq::ModelType type, const std::vector<std::string>& hyps,
                       const std::vector<std::string>& refs) {
  report::RunSummary r;
  r.name = r.dir = name;
  std::tie(r.group, r.seed_index) = report::split_seed_suffix(name);
  seq2seq::Config config;
  config.model.type = type;
  r.config = config;
  r.model = seq2seq::to_string(type);
  r.parameters = 1000;
  r.tokens = 123456;
  r.best_epoch = 2;
  r.epochs = 3;
  r.steps = 30;
  r.complete = true;
  r.stop_reason = "epochs";
  r.best_valid_loss = 1.0;
  r.best_valid_ppl = 2.718;
  r.sentence_stats = eval::sentence_stats(hyps, refs);
  r.sentences_sha256 = "same";
  eval::BleuStats total;
  for (const auto& s : r.sentence_stats) total += s;
  // Two bands: the first half of the sentences are short (5 words), the rest long (50).
  std::vector<std::string> short_h(hyps.begin(), hyps.begin() + hyps.size() / 2),
      short_r(refs.begin(), refs.begin() + refs.size() / 2), long_h(hyps.begin() + hyps.size() / 2, hyps.end()),
      long_r(refs.begin() + refs.size() / 2, refs.end());
  for (size_t i = 0; i < hyps.size(); ++i) r.source_lengths.push_back(i < hyps.size() / 2 ? 5 : 50);
  r.eval = {{"bleu", {{"score", eval::bleu_from_stats(total).score}}},
            {"chrf", {{"score", 50.0}}},
            {"bands",
             {{{"label", "1-10"},
               {"lo", 1},
               {"hi", 10},
               {"sentences", short_h.size()},
               {"bleu", eval::corpus_bleu(short_h, short_r).score}},
              {{"label", "11+"},
               {"lo", 11},
               {"hi", nullptr},
               {"sentences", long_h.size()},
               {"bleu", eval::corpus_bleu(long_h, long_r).score}}}}};
  r.eval_split = "test";
  return r;
}

struct Corpus {
  std::vector<std::string> refs, good, bad;
  Corpus() {
    const std::vector<std::string> words = {"the", "dog", "sees", "a", "cat", "in", "the", "garden", "today", "now"};
    for (int i = 0; i < 60; ++i) {
      std::string ref;
      for (int w = 0; w < 8; ++w) ref += (w ? " " : "") + words[(i * 3 + w * (i % 4 + 1)) % words.size()];
      refs.push_back(ref);
      good.push_back(i % 5 == 0 ? "the dog" : ref);
      bad.push_back(ref.substr(0, ref.size() / 3));
    }
  }
};

}  // namespace

TEST(Compare, SeedSuffix) {
  EXPECT_EQ(report::split_seed_suffix("rnn.s1"), std::make_pair(std::string("rnn"), 1));
  EXPECT_EQ(report::split_seed_suffix("quick.rnn.s12"), std::make_pair(std::string("quick.rnn"), 12));
  EXPECT_EQ(report::split_seed_suffix("rnn"), std::make_pair(std::string("rnn"), 0));
  EXPECT_EQ(report::split_seed_suffix("rnn.s"), std::make_pair(std::string("rnn.s"), 0));
  EXPECT_EQ(report::split_seed_suffix("rnn.s0"), std::make_pair(std::string("rnn.s0"), 0));
  EXPECT_EQ(report::split_seed_suffix("rnn.sx1"), std::make_pair(std::string("rnn.sx1"), 0));
  EXPECT_EQ(report::split_seed_suffix(".s1"), std::make_pair(std::string(".s1"), 0));
}

TEST(Compare, GroupsJoinOnlySeededRuns) {
  Corpus c;
  using seq2seq::ModelType;
  // Two unsuffixed runs of the same name (runs/a/rnn, runs/b/rnn) stay apart.
  std::vector<report::RunSummary> plain = {run("rnn", ModelType::rnn, c.good, c.refs),
                                           run("rnn", ModelType::rnn, c.good, c.refs)};
  EXPECT_EQ(report::group_runs(plain).size(), 2u);
  EXPECT_FALSE(report::has_seeds(plain));
  std::vector<report::RunSummary> seeded = {
      run("rnn.s1", ModelType::rnn, c.bad, c.refs), run("att.s1", ModelType::bahdanau, c.good, c.refs),
      run("rnn.s2", ModelType::rnn, c.bad, c.refs), run("att.s2", ModelType::bahdanau, c.good, c.refs)};
  const auto groups = report::group_runs(seeded);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].name, "rnn");
  EXPECT_EQ(groups[0].members, (std::vector<size_t>{0, 2}));
  EXPECT_EQ(groups[1].members, (std::vector<size_t>{1, 3}));
  EXPECT_TRUE(report::has_seeds(seeded));
}

TEST(Compare, WithoutSeedsEveryRunAgainstTheFirst) {
  Corpus c;
  using seq2seq::ModelType;
  std::vector<report::RunSummary> runs = {run("rnn", ModelType::rnn, c.bad, c.refs),
                                          run("att", ModelType::bahdanau, c.good, c.refs),
                                          run("same", ModelType::rnn, c.bad, c.refs)};
  report::add_significance(runs);
  EXPECT_FALSE(runs[0].significance);
  ASSERT_TRUE(runs[1].significance);
  EXPECT_EQ(runs[1].significance->baseline, "rnn");
  EXPECT_LT(runs[1].significance->bleu.p_value, 0.01);
  EXPECT_GT(runs[1].significance->bleu.difference, 10);
  ASSERT_EQ(runs[1].significance->bands.size(), 2u);
  EXPECT_EQ(runs[1].significance->bands.at("1-10").sentences, 30);
  // The same translations as the baseline: difference 0, p = 1, in every band too.
  ASSERT_TRUE(runs[2].significance);
  EXPECT_EQ(runs[2].significance->bleu.difference, 0.0);
  EXPECT_EQ(runs[2].significance->bleu.p_value, 1.0);
  EXPECT_EQ(runs[2].significance->bands.at("11+").p_value, 1.0);

  const json j = report::comparison_json(runs);
  EXPECT_TRUE(j["runs"][0]["significance"].is_null());
  EXPECT_EQ(j["runs"][1]["significance"]["baseline"], "rnn");
  EXPECT_EQ(j["runs"][1]["significance"]["bands"]["11+"]["sentences"], 30);
  EXPECT_EQ(j["significance"]["resamples"], 1000);
  EXPECT_EQ(j["runs"][1]["best_epoch"], 2);
  EXPECT_EQ(j["runs"][1]["tokens"], 123456);

  const std::string text = report::render_comparison(runs, "table");
  EXPECT_NE(text.find("p: paired bootstrap resampling of BLEU"), std::string::npos) << text;
  EXPECT_NE(text.find("p att"), std::string::npos) << text;
  EXPECT_NE(text.find("1.0000"), std::string::npos) << text;  // "same" against rnn
  EXPECT_NE(text.find("123.5k"), std::string::npos) << text;  // tokens seen
  EXPECT_EQ(text.find("Mean ± sd"), std::string::npos) << text;
}

TEST(Compare, SeedsPairSeedWithSeedAndTheTableShowsTheLargestP) {
  Corpus c;
  using seq2seq::ModelType;
  auto near = c.good;  // rnn.s2's translations but one
  near[1] = c.bad[1];
  std::vector<report::RunSummary> runs = {
      run("rnn.s1", ModelType::rnn, c.bad, c.refs), run("rnn.s2", ModelType::rnn, c.good, c.refs),
      run("att.s1", ModelType::bahdanau, c.good, c.refs), run("att.s2", ModelType::bahdanau, near, c.refs)};
  report::add_significance(runs);
  EXPECT_FALSE(runs[0].significance);
  EXPECT_FALSE(runs[1].significance);  // the first config's seeds are the baselines
  ASSERT_TRUE(runs[2].significance && runs[3].significance);
  EXPECT_EQ(runs[2].significance->baseline, "rnn.s1");
  EXPECT_EQ(runs[3].significance->baseline, "rnn.s2");
  const double p1 = runs[2].significance->bleu.p_value, p2 = runs[3].significance->bleu.p_value;
  EXPECT_LT(p1, 0.01);  // good against bad
  EXPECT_GT(p2, 0.05);  // one sentence of 60 changed: no evidence of a difference

  const json j = report::comparison_json(runs);
  const auto& att = j["groups"][1];
  EXPECT_EQ(att["name"], "att");
  EXPECT_EQ(att["p_value"]["values"], json::array({p1, p2}));
  EXPECT_EQ(att["p_value"]["max"], std::max(p1, p2));
  EXPECT_TRUE(j["groups"][0]["p_value"]["max"].is_null());
  const double b1 = runs[2].eval["bleu"]["score"], b2 = runs[3].eval["bleu"]["score"];
  EXPECT_NEAR(att["bleu"]["mean"].get<double>(), (b1 + b2) / 2, 1e-9);
  EXPECT_NEAR(att["bleu"]["sd"].get<double>(), std::abs(b1 - b2) / std::sqrt(2.0), 1e-9);  // sample sd of two
  EXPECT_EQ(att["bands"].size(), 2u);
  EXPECT_EQ(j["significance"]["baseline"], "rnn");

  const std::string text = report::render_comparison(runs, "table");
  EXPECT_NE(text.find("Mean ± sd over seeds"), std::string::npos) << text;
  EXPECT_NE(text.find("(conservative)"), std::string::npos) << text;
  const auto footnote = text.find("\np: paired");  // wrapped at 100 columns
  ASSERT_NE(footnote, std::string::npos) << text;
  EXPECT_LE(text.find('\n', footnote + 1) - footnote - 1, 100u) << text;
  EXPECT_NE(text.find(fmt::format("{:.4f}", std::max(p1, p2))), std::string::npos) << text;
  const std::string csv = report::render_comparison(runs, "csv");
  EXPECT_NE(csv.find(",BLEU sd,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("att,bahdanau,att,mean,"), std::string::npos) << csv;

  const std::string svg = report::bleu_by_length_svg(runs);
  EXPECT_NE(svg.find("class=\"error-bar\""), std::string::npos);
  EXPECT_NE(svg.find("att (bahdanau), 2 seeds"), std::string::npos);
}

TEST(Compare, AFirstConfigOfOneRunIsEverySeedsBaseline) {
  Corpus c;
  using seq2seq::ModelType;
  std::vector<report::RunSummary> runs = {run("rnn", ModelType::rnn, c.bad, c.refs),
                                          run("att.s1", ModelType::bahdanau, c.good, c.refs),
                                          run("att.s2", ModelType::bahdanau, c.good, c.refs)};
  EXPECT_TRUE(report::has_seeds(runs));
  EXPECT_FALSE(report::pairs_by_seed(runs));
  report::add_significance(runs);
  ASSERT_TRUE(runs[1].significance && runs[2].significance);
  EXPECT_EQ(runs[1].significance->baseline, "rnn");
  EXPECT_EQ(runs[2].significance->baseline, "rnn");
  EXPECT_EQ(report::comparison_json(runs)["significance"]["pairing"], "each run with the baseline run");
}

TEST(Compare, NoPairWithoutSentencesOrOnOtherSentences) {
  Corpus c;
  using seq2seq::ModelType;
  std::vector<report::RunSummary> runs = {run("a", ModelType::rnn, c.bad, c.refs),
                                          run("b", ModelType::rnn, c.good, c.refs),
                                          run("c", ModelType::rnn, c.good, c.refs)};
  runs[1].sentences_sha256 = "other";
  runs[2].sentence_stats.clear();
  runs[2].sentences_note = "eval/test.hyp is missing";
  report::add_significance(runs);
  EXPECT_FALSE(runs[1].significance);
  EXPECT_FALSE(runs[2].significance);
  EXPECT_EQ(report::render_comparison(runs, "table").find("p: paired"), std::string::npos);
}

TEST(Compare, ConfigDiffLeavesOutKeysTheModelIgnores) {
  seq2seq::Config rnn, att, t1, t2;
  rnn.model.type = seq2seq::ModelType::rnn;
  rnn.model.heads = 2;  // ignored by the rnn
  rnn.model.cell = seq2seq::Cell::lstm;
  att.model.type = seq2seq::ModelType::bahdanau;
  t1.model.type = t2.model.type = seq2seq::ModelType::transformer;
  t2.model.heads = 4;
  // rnn against bahdanau: the type; heads and cell are read by at most one of them.
  EXPECT_EQ(report::config_differences({"rnn", "att"}, {json(rnn), json(att)}),
            (std::vector<std::string>{"model.type: rnn=\"rnn\" | att=\"bahdanau\""}));
  // Two Transformers that differ in heads: listed, with "(unused)" for the rnn.
  const auto lines = report::config_differences({"rnn", "t1", "t2"}, {json(rnn), json(t1), json(t2)});
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "model.heads: rnn=(unused) | t1=8 | t2=4");
  EXPECT_EQ(lines[1], "model.type: rnn=\"rnn\" | t1=\"transformer\" | t2=\"transformer\"");
  const json j = report::config_differences_json({"rnn", "t1", "t2"}, {json(rnn), json(t1), json(t2)});
  EXPECT_EQ(j["model.heads"], (json{{"t1", 8}, {"t2", 4}}));
  EXPECT_EQ(j["model.type"].size(), 3u);
}

// The library call behind `compare --configs FILE --train --seeds 2`: two runs, NAME.s1 and
// NAME.s2, trained with train.seed and train.seed + 1, then compared with mean ± sd.
TEST(CompareSession, SeedsTrainOneRunPerSeedWithItsOwnSeed) {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / "seq2seq_compare_seeds";
  fs::remove_all(root);
  fs::create_directories(root);
  for (const char* split : {"train", "valid", "test"}) {
    std::ofstream de(root / (std::string(split) + ".de")), en(root / (std::string(split) + ".en"));
    const char* nouns[][2] = {{"hund", "dog"}, {"katze", "cat"}, {"mann", "man"}, {"frau", "woman"}};
    for (int i = 0; i < (std::string(split) == "train" ? 32 : 8); ++i) {
      de << "der " << nouns[i % 4][0] << " sieht den " << nouns[(i / 4) % 4][0] << " .\n";
      en << "the " << nouns[i % 4][1] << " sees the " << nouns[(i / 4) % 4][1] << " .\n";
    }
  }
  seq2seq::Config config;
  for (auto [split, paths] :
       {std::pair{"train", &config.data.train}, {"valid", &config.data.valid}, {"test", &config.data.test}})
    *paths = {(root / (std::string(split) + ".de")).string(), (root / (std::string(split) + ".en")).string()};
  config.data.min_freq = 1;
  config.model.type = seq2seq::ModelType::rnn;
  config.model.emb_dim = config.model.hidden_dim = 8;
  config.train.epochs = 1;
  config.train.batch_size = 8;
  config.train.seed = 41;
  config.train.valid_bleu_max = 4;
  config.decode.beam = 1;
  seq2seq::save_config(config, (root / "tiny.json").string());

  seq2seq::session::CompareOptions options;
  options.configs = {(root / "tiny.json").string()};
  options.train = true;
  options.seeds = 2;
  options.runs_dir = (root / "runs").string();
  options.device = "cpu";
  options.format = "json";
  std::ostringstream out;
  EXPECT_EQ(seq2seq::session::compare(options, out), 0);
  const json j = json::parse(out.str());
  ASSERT_EQ(j["runs"].size(), 2u);
  EXPECT_EQ(j["runs"][0]["name"], "tiny.s1");
  EXPECT_EQ(j["runs"][1]["name"], "tiny.s2");
  EXPECT_EQ(j["runs"][0]["seed"], 41);
  EXPECT_EQ(j["runs"][1]["seed"], 42);
  EXPECT_EQ(seq2seq::load_config((root / "runs/tiny.s2/config.json").string()).train.seed, 42);
  EXPECT_FALSE(fs::exists(root / "runs/tiny"));
  ASSERT_EQ(j["groups"].size(), 1u);
  EXPECT_EQ(j["groups"][0]["runs"], json::array({"tiny.s1", "tiny.s2"}));
  EXPECT_TRUE(j["groups"][0]["bleu"]["sd"].is_number());
  // --seeds needs --train and --configs.
  options.train = false;
  EXPECT_THROW(seq2seq::session::compare(options, out), seq2seq::UsageError);
  fs::remove_all(root);
}
