// compare's report from run summaries made in memory: seed groups, pairing for the paired
// bootstrap, mean ± sd, the config diff without ignored keys, and the chart's error bars.
#include "seq2seq/config/config.h"
#include "seq2seq/eval/bleu.h"
#include "seq2seq/report/comparison.h"
#include "seq2seq/report/eval_summary.h"
#include "seq2seq/report/run_summary.h"
#include "seq2seq/report/statistics.h"
#include "seq2seq/session/compare_session.h"
#include "seq2seq/util/io.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
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

namespace {

std::size_t occurrences(const std::string& text, const std::string& piece) {
  std::size_t n = 0;
  for (auto at = text.find(piece); at != std::string::npos; at = text.find(piece, at + piece.size())) ++n;
  return n;
}

// eval's "teacher_forced" object for the run() helper's two bands: cross-entropy `ce` and
// accuracy `acc` in both, and position accuracy `first` in bin 0 and `acc` in the others (the
// long band's last bin has no token).
json forced_report(double ce, double acc, double first, int64_t long_sentences = 30) {
  json bins = json::array(), long_bins = json::array(), tokens = json::array();
  for (int b = 0; b < 10; ++b) {
    bins.push_back(b == 0 ? first : acc);
    long_bins.push_back(b == 9 ? json() : json(b == 0 ? first : acc));
    tokens.push_back(24);
  }
  return {
      {"sentences", 30 + long_sentences},
      {"tokens", 480},
      {"cross_entropy", ce},
      {"accuracy", acc},
      {"bands",
       {{{"band", "1-10"}, {"sentences", 30}, {"tokens", 240}, {"cross_entropy", ce}, {"accuracy", acc}},
        {{"band", "11+"}, {"sentences", long_sentences}, {"tokens", 240}, {"cross_entropy", ce}, {"accuracy", acc}}}},
      {"position_accuracy", {{"all", bins}, {"bands", {{"1-10", bins}, {"11+", long_bins}}}}},
      {"position_tokens", {{"all", tokens}, {"bands", {{"1-10", tokens}, {"11+", tokens}}}}}};
}

}  // namespace

TEST(Compare, TeacherForcedTableAndPositionChartLeaveOutOlderResults) {
  Corpus c;
  using seq2seq::ModelType;
  // "old" has eval results from before eval wrote teacher-forced statistics.
  std::vector<report::RunSummary> runs = {run("old", ModelType::rnn, c.bad, c.refs),
                                          run("att", ModelType::bahdanau, c.good, c.refs)};
  EXPECT_FALSE(report::has_teacher_forced(runs));
  EXPECT_EQ(report::render_comparison(runs, "table").find("Teacher-forced"), std::string::npos);
  EXPECT_TRUE(report::comparison_json(runs)["runs"][1]["teacher_forced"].is_null());

  runs[1].eval["teacher_forced"] = forced_report(0.75, 0.625, 0.9);
  EXPECT_TRUE(report::has_teacher_forced(runs));
  const std::string text = report::render_comparison(runs, "table");
  const auto table = text.find("Teacher-forced cross-entropy (nats/token) and token accuracy by source length");
  ASSERT_NE(table, std::string::npos) << text;
  const std::string rows = text.substr(table);
  EXPECT_NE(rows.find("CE att"), std::string::npos) << rows;
  EXPECT_NE(rows.find("acc % old"), std::string::npos) << rows;
  // Band 11+: old has no statistics ("-"), att 0.750 nats and 62.5 %.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(rows, m, std::regex(R"(\n11\+ +- +- +0\.750 +62\.5)"))) << rows;
  EXPECT_NE(report::render_comparison(runs, "markdown").find("## Teacher-forced"), std::string::npos);
  const json j = report::comparison_json(runs);
  EXPECT_TRUE(j["runs"][0]["teacher_forced"].is_null());
  EXPECT_EQ(j["runs"][1]["teacher_forced"]["cross_entropy"], 0.75);

  // Two panels, short (first band) and long (last band with sentences), a line per run: old's
  // has no point, att's ten in the short panel and nine in the long one (bin 9 empty).
  const std::string svg = report::position_accuracy_svg(runs);
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  const auto long_panel = svg.find("long sources (11+ words)");
  ASSERT_NE(long_panel, std::string::npos) << svg;
  const std::string short_part = svg.substr(0, long_panel), long_part = svg.substr(long_panel);
  EXPECT_NE(short_part.find("short sources (1-10 words)"), std::string::npos);
  EXPECT_EQ(occurrences(short_part, "<title>att (bahdanau): "), 10u);
  EXPECT_EQ(occurrences(long_part, "<title>att (bahdanau): "), 9u);
  EXPECT_EQ(occurrences(svg, "<title>old (rnn): "), 0u);
  EXPECT_NE(svg.find("old (rnn)"), std::string::npos);  // still in the legend

  // With no sentence past 10 words the long panel is the last band that has some: 1-10 again.
  runs[1].eval["teacher_forced"] = forced_report(0.75, 0.625, 0.9, 0);
  EXPECT_NE(report::position_accuracy_svg(runs).find("long sources (1-10 words)"), std::string::npos);
}

TEST(EvalSummary, TeacherForcedTablesShowBandsAllAndTheShortAndLongPositions) {
  const std::string text = report::render_teacher_forced(forced_report(0.75, 0.625, 0.9));
  std::smatch m;
  EXPECT_TRUE(std::regex_search(text, m, std::regex(R"(\n11\+ +30 +240 +0\.7500 +62\.5\n)"))) << text;
  EXPECT_TRUE(std::regex_search(text, m, std::regex(R"(\nall +60 +480 +0\.7500 +62\.5\n)"))) << text;
  // Position rows: bin 0 at 90 %, the others 62.5 %; the long band's last bin has no token.
  EXPECT_TRUE(std::regex_search(text, m, std::regex(R"(\nshort 1-10 +90\.0( +62\.5){9}\n)"))) << text;
  EXPECT_TRUE(std::regex_search(text, m, std::regex(R"(\nlong 11\+ +90\.0( +62\.5){8} +-\n)"))) << text;
}

TEST(EvalSummary, ShortIsTheFirstBandAndLongTheLastWithSentencesInAnyReport) {
  auto bands = [](std::vector<int64_t> sentences) {
    json out = json::array();
    const char* labels[] = {"1-10", "11-20", "21-30", "31-40", "41+"};
    for (std::size_t b = 0; b < sentences.size(); ++b)
      out.push_back({{"band", labels[b]}, {"sentences", sentences[b]}});
    return json{{"bands", out}};
  };
  auto chosen = report::short_and_long_bands({bands({0, 4, 2, 0, 0})});
  EXPECT_EQ(chosen.short_band, "1-10");  // the first band even when it is empty
  EXPECT_EQ(chosen.long_band, "21-30");
  chosen = report::short_and_long_bands({bands({3, 4, 2, 0, 0}), bands({3, 4, 0, 1, 0})});
  EXPECT_EQ(chosen.long_band, "31-40");
  chosen = report::short_and_long_bands({bands({0, 0, 0, 0, 0})});
  EXPECT_EQ(chosen.long_band, "1-10");
  chosen = report::short_and_long_bands({});
  EXPECT_EQ(chosen.short_band, "");
  EXPECT_EQ(chosen.long_band, "");
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
