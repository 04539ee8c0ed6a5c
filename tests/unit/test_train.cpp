// Training: loss falls, the run directory is complete, resume is exact, bad checkpoints and
// NaN losses are reported clearly.
#include "seq2seq/config/config.h"
#include "seq2seq/data/vocab.h"
#include "seq2seq/util/errors.h"
#include "seq2seq/util/io.h"
#include "seq2seq/models/factory.h"
#include "seq2seq/run/run.h"
#include "seq2seq/util/sha256.h"
#include "seq2seq/train/schedule.h"
#include "seq2seq/train/trainer.h"
#include "tiny_config.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using seq2seq::Config;

namespace {

// A tiny German-English corpus: "der hund sieht die katze ." style sentences.
void write_tiny_corpus(const fs::path& dir, int pairs, int offset) {
  const std::vector<std::pair<std::string, std::string>> nouns = {
      {"hund", "dog"}, {"katze", "cat"}, {"mann", "man"}, {"frau", "woman"}, {"kind", "child"}, {"vogel", "bird"}};
  const std::vector<std::pair<std::string, std::string>> verbs = {
      {"sieht", "sees"}, {"mag", "likes"}, {"ruft", "calls"}, {"hört", "hears"}};
  std::ofstream de(dir / "train.de"), en(dir / "train.en");
  for (int i = offset; i < offset + pairs; ++i) {
    const auto& a = nouns[i % nouns.size()];
    const auto& v = verbs[(i / nouns.size()) % verbs.size()];
    const auto& b = nouns[(i / 3 + 1) % nouns.size()];
    de << "der " << a.first << " " << v.first << " den " << b.first << " .\n";
    en << "the " << a.second << " " << v.second << " the " << b.second << " .\n";
  }
}

struct TinyRun {
  fs::path root;
  Config config;
  explicit TinyRun(const std::string& name, const std::string& model = "bahdanau") {
    root = fs::temp_directory_path() / ("seq2seq_train_" + name);
    fs::remove_all(root);
    fs::create_directories(root / "data");
    write_tiny_corpus(root / "data", 48, 0);
    fs::copy_file(root / "data/train.de", root / "data/valid.de");
    fs::copy_file(root / "data/train.en", root / "data/valid.en");
    config.data.train = {(root / "data/train.de").string(), (root / "data/train.en").string()};
    config.data.valid = {(root / "data/valid.de").string(), (root / "data/valid.en").string()};
    seq2seq::testing::use_tiny_sizes(config);
    config.model.type = nlohmann::json(model).get<seq2seq::ModelType>();
    config.model.layers = 1;
    config.model.dropout = 0.1;
  }
  ~TinyRun() { fs::remove_all(root); }
  std::string run_dir(const std::string& name) const { return (root / name).string(); }
};

std::vector<nlohmann::json> metrics(const std::string& run_dir) {
  std::vector<nlohmann::json> lines;
  std::ifstream in(run_dir + "/metrics.jsonl");
  std::string line;
  while (std::getline(in, line)) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

seq2seq::train::TrainOptions options_for(const std::string& dir) {
  seq2seq::train::TrainOptions options;
  options.run_dir = dir;
  options.device = "cpu";
  return options;
}

}  // namespace

TEST(Schedule, InverseSqrtWarmsUpThenDecays) {
  seq2seq::TrainConfig t;
  t.schedule = seq2seq::Schedule::inverse_sqrt;
  t.lr = 1e-3;
  t.warmup_steps = 100;
  seq2seq::train::LrSchedule schedule(t);
  EXPECT_NEAR(schedule.lr_at(1), 1e-5, 1e-12);
  EXPECT_NEAR(schedule.lr_at(50), 5e-4, 1e-12);
  EXPECT_NEAR(schedule.lr_at(100), 1e-3, 1e-12);
  EXPECT_NEAR(schedule.lr_at(400), 5e-4, 1e-12);
}

TEST(Schedule, PlateauLowersAfterPatienceAndRoundTrips) {
  seq2seq::TrainConfig t;
  t.schedule = seq2seq::Schedule::plateau;
  t.lr = 1e-3;
  t.plateau_patience = 1;
  t.plateau_factor = 0.5;
  seq2seq::train::LrSchedule schedule(t);
  EXPECT_FALSE(schedule.on_validation(2.0));
  EXPECT_FALSE(schedule.on_validation(2.5));  // 1 bad: within patience
  EXPECT_TRUE(schedule.on_validation(2.4));   // 2 bad: lowered
  EXPECT_DOUBLE_EQ(schedule.lr_at(10), 5e-4);
  seq2seq::train::LrSchedule restored(t);
  restored.load_state(schedule.state());
  EXPECT_DOUBLE_EQ(restored.lr_at(10), 5e-4);
  EXPECT_FALSE(restored.on_validation(1.0));
}

// Warmup 100 steps to 1e-3, then down to 1e-5 at the planned step 1100: hand-computed rates.
TEST(Schedule, LinearAndCosineReachTheFloorAtThePlannedLastStep) {
  seq2seq::TrainConfig t;
  t.lr = 1e-3;
  t.min_lr = 1e-5;
  t.warmup_steps = 100;
  for (const auto kind : {seq2seq::Schedule::linear, seq2seq::Schedule::cosine}) {
    t.schedule = kind;
    seq2seq::train::LrSchedule schedule(t);
    ASSERT_TRUE(schedule.needs_plan());
    EXPECT_THROW(schedule.lr_at(1), std::logic_error);  // no rate without a plan
    schedule.plan(1100);
    EXPECT_NEAR(schedule.lr_at(0), 1e-5, 1e-15);    // step 0 counts as step 1: 1e-3 * 1/100
    EXPECT_NEAR(schedule.lr_at(1), 1e-5, 1e-15);
    EXPECT_NEAR(schedule.lr_at(50), 5e-4, 1e-15);   // halfway through warmup
    EXPECT_NEAR(schedule.lr_at(100), 1e-3, 1e-15);  // end of warmup: the peak
    // Halfway through the decay (step 600): linear and cosine both at the midpoint (1e-3 + 1e-5) / 2.
    EXPECT_NEAR(schedule.lr_at(600), 5.05e-4, 1e-12);
    // A quarter of the way (step 350): linear 1e-5 + 0.75 * 9.9e-4; cosine 1e-5 + 9.9e-4 * (1 + cos(pi/4)) / 2.
    const double quarter = kind == seq2seq::Schedule::linear ? 1e-5 + 0.75 * 9.9e-4
                                                              : 1e-5 + 9.9e-4 * (1 + std::sqrt(0.5)) / 2;
    EXPECT_NEAR(schedule.lr_at(350), quarter, 1e-12);
    EXPECT_NEAR(schedule.lr_at(1100), 1e-5, 1e-15);  // the planned last step: the floor
    EXPECT_NEAR(schedule.lr_at(5000), 1e-5, 1e-15);  // and it stays there
    // The plan travels in the state: a resumed schedule gives the same rates.
    seq2seq::train::LrSchedule restored(t);
    restored.load_state(schedule.state());
    EXPECT_EQ(restored.planned_steps(), 1100);
    for (int64_t step : {1, 99, 100, 101, 777, 1100}) EXPECT_DOUBLE_EQ(restored.lr_at(step), schedule.lr_at(step));
  }
}

TEST(Train, LossFallsForEveryModel) {
  for (const std::string model : {"rnn", "bahdanau", "transformer"}) {
    TinyRun tiny("falls_" + model, model);
    tiny.config.train.epochs = 12;
    tiny.config.train.valid_bleu_max = 0;
    auto result = seq2seq::train::train_model(tiny.config, options_for(tiny.run_dir("run")));
    EXPECT_EQ(result.stop_reason, "epochs");
    auto lines = metrics(tiny.run_dir("run"));
    ASSERT_EQ(lines.size(), 12u) << model;
    const double first = lines.front()["valid_loss"].get<double>(), last = lines.back()["valid_loss"].get<double>();
    EXPECT_LT(last, 0.6 * first) << model << ": validation loss " << first << " -> " << last;
    EXPECT_LT(lines.back()["train_loss"].get<double>(), lines.front()["train_loss"].get<double>()) << model;
  }
}

TEST(Train, ShortRunWritesEveryFileOfTheRunDirectory) {
  TinyRun tiny("files");
  const auto dir = tiny.run_dir("run");
  seq2seq::train::train_model(tiny.config, options_for(dir));
  for (const char* file : {"config.json", "vocab.src.json", "vocab.tgt.json", "model.pt", "best.pt", "optimizer.pt",
                           "state.json", "metrics.jsonl", "train.log"})
    EXPECT_TRUE(fs::exists(fs::path(dir) / file)) << file;
  for (const auto& entry : fs::directory_iterator(dir))
    EXPECT_EQ(entry.path().string().find(".tmp"), std::string::npos) << "leftover " << entry.path();
  auto state = seq2seq::load_state(dir + "/state.json");
  EXPECT_TRUE(state.complete);
  EXPECT_EQ(state.epoch, 2);
  EXPECT_EQ(state.stop_reason, "epochs");
  auto lines = metrics(dir);
  ASSERT_EQ(lines.size(), 2u);
  // best_epoch is the epoch of the last validation that saved best.pt, as metrics.jsonl counts it.
  int64_t best_epoch = 0;
  for (const auto& line : lines)
    if (line["best"].get<bool>()) best_epoch = line["epoch"].get<int64_t>();
  EXPECT_GE(best_epoch, 1);
  EXPECT_EQ(state.best_epoch, best_epoch);
  for (const char* key :
       {"step", "epoch", "train_loss", "valid_loss", "valid_ppl", "valid_bleu", "lr", "tokens_per_s", "elapsed_s"})
    EXPECT_TRUE(lines[0].contains(key)) << key;
  // The resolved config is complete and loads back to the same values.
  EXPECT_EQ(nlohmann::json(seq2seq::load_config(dir + "/config.json")), nlohmann::json(tiny.config));
  // A second fresh run into the same directory is refused instead of overwriting it.
  EXPECT_THROW(seq2seq::train::train_model(tiny.config, options_for(dir)), seq2seq::UsageError);
}

TEST(Train, SameSeedSameLosses) {
  TinyRun tiny("determinism", "transformer");
  seq2seq::train::train_model(tiny.config, options_for(tiny.run_dir("a")));
  seq2seq::train::train_model(tiny.config, options_for(tiny.run_dir("b")));
  auto a = metrics(tiny.run_dir("a")), b = metrics(tiny.run_dir("b"));
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i]["train_loss"], b[i]["train_loss"]);
    EXPECT_EQ(a[i]["valid_loss"], b[i]["valid_loss"]);
  }
}

TEST(Train, ResumeReproducesTheUninterruptedLosses) {
  for (const std::string model : {"rnn", "transformer"}) {
    TinyRun tiny("resume_" + model, model);
    tiny.config.train.valid_every = 2;
    tiny.config.train.teacher_forcing = model == "rnn" ? 0.5 : 1.0;  // exercises the RNG state too
    seq2seq::train::train_model(tiny.config, options_for(tiny.run_dir("straight")));

    auto stopped = options_for(tiny.run_dir("stopped"));
    stopped.max_steps = 5;  // mid-epoch (6 batches per epoch), between validations
    auto first = seq2seq::train::train_model(tiny.config, stopped);
    EXPECT_EQ(first.stop_reason, "max_steps");
    EXPECT_FALSE(seq2seq::load_state(tiny.run_dir("stopped") + "/state.json").complete);
    auto resumed = options_for(tiny.run_dir("stopped"));
    resumed.resume = true;
    auto second = seq2seq::train::train_model(Config{}, resumed);
    EXPECT_EQ(second.stop_reason, "epochs");

    auto a = metrics(tiny.run_dir("straight")), b = metrics(tiny.run_dir("stopped"));
    ASSERT_EQ(a.size(), b.size()) << model;
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i]["step"], b[i]["step"]);
      EXPECT_EQ(a[i]["train_loss"], b[i]["train_loss"]) << model << " validation " << i;
      EXPECT_EQ(a[i]["valid_loss"], b[i]["valid_loss"]) << model << " validation " << i;
    }
  }
}

TEST(Train, CorruptCheckpointsGiveClearErrors) {
  TinyRun tiny("corrupt", "rnn");
  const auto dir = tiny.run_dir("run");
  auto stopped = options_for(dir);
  stopped.max_steps = 2;
  seq2seq::train::train_model(tiny.config, stopped);
  auto resume = options_for(dir);
  resume.resume = true;

  const std::string model_bytes = seq2seq::read_file(dir + "/model.pt");
  seq2seq::write_file_atomic(dir + "/model.pt", model_bytes.substr(0, model_bytes.size() / 2));
  try {
    seq2seq::train::train_model(Config{}, resume);
    FAIL() << "truncated model.pt was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("model.pt: checksum mismatch"), std::string::npos) << e.what();
  }
  // A run from before checksums: the truncation is still caught, by LibTorch's reader.
  const std::string state_with_checksums = seq2seq::read_file(dir + "/state.json");
  auto old_state = nlohmann::json::parse(state_with_checksums);
  old_state.erase("checksums");
  seq2seq::write_file_atomic(dir + "/state.json", old_state.dump());
  try {
    seq2seq::train::train_model(Config{}, resume);
    FAIL() << "truncated model.pt was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("model.pt: cannot load weights"), std::string::npos) << e.what();
  }
  seq2seq::write_file_atomic(dir + "/model.pt", model_bytes);
  seq2seq::write_file_atomic(dir + "/state.json", state_with_checksums);

  const std::string state_text = seq2seq::read_file(dir + "/state.json");
  seq2seq::write_file_atomic(dir + "/state.json", state_text.substr(0, state_text.size() / 2));
  try {
    seq2seq::train::train_model(Config{}, resume);
    FAIL() << "truncated state.json was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("state.json: corrupt or truncated"), std::string::npos) << e.what();
  }
}

TEST(Train, ACrashBetweenCommitAndRenameIsFinishedAndUncommittedFilesDropped) {
  TinyRun tiny("staged", "rnn");
  const auto dir = tiny.run_dir("run");
  auto stopped = options_for(dir);
  stopped.max_steps = 3;
  seq2seq::train::train_model(tiny.config, stopped);
  // state.json names the bytes of model.pt; a crash before the rename leaves them in model.pt.next
  // and the previous weights in model.pt.
  fs::rename(dir + "/model.pt", dir + "/model.pt.next");
  seq2seq::write_file_atomic(dir + "/model.pt", "the previous checkpoint");
  seq2seq::write_file_atomic(dir + "/optimizer.pt.next", "written, never committed");
  auto run = seq2seq::load_run({dir, "last", "cpu"});  // read-only readers take the committed copy
  EXPECT_EQ(run.checkpoint, dir + "/model.pt");
  auto resume = options_for(dir);
  resume.resume = true;
  resume.max_steps = 4;
  seq2seq::train::train_model(Config{}, resume);
  EXPECT_FALSE(fs::exists(dir + "/model.pt.next"));
  EXPECT_FALSE(fs::exists(dir + "/optimizer.pt.next"));
  auto state = seq2seq::load_state(dir + "/state.json");
  EXPECT_EQ(state.step, 4);
  ASSERT_EQ(state.resumes.size(), 1u);
  EXPECT_EQ(state.resumes[0].step, 3);
  EXPECT_EQ(state.resumes[0].max_steps, 4);
  EXPECT_EQ(state.checksums.at("model.pt"), seq2seq::sha256_file(dir + "/model.pt"));
}

TEST(Train, NanLossStopsAndKeepsTheLastGoodCheckpoint) {
  TinyRun tiny("nan", "rnn");
  tiny.config.train.lr = 1e30;  // absurd: weights overflow float within a few steps
  tiny.config.train.clip = 0;
  tiny.config.train.epochs = 30;
  tiny.config.train.valid_every = 1;
  tiny.config.train.valid_bleu_max = 0;
  const auto dir = tiny.run_dir("run");
  auto result = seq2seq::train::train_model(tiny.config, options_for(dir));
  EXPECT_EQ(result.stop_reason, "diverged");
  auto state = seq2seq::load_state(dir + "/state.json");
  EXPECT_FALSE(state.complete);
  EXPECT_LT(state.step, 30 * 6);
  // The checkpoint on disk is the last one written before the bad step, and it loads.
  auto run = seq2seq::load_run({dir, "last", "cpu"});
  EXPECT_GT(run.model->parameter_count(), 0);
}

TEST(Train, NotARunDirectoryIsAClearError) {
  auto dir = fs::temp_directory_path() / "seq2seq_not_a_run";
  fs::create_directories(dir);
  try {
    seq2seq::load_run({dir.string(), "best", "cpu"});
    FAIL();
  } catch (const seq2seq::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("not a run directory"), std::string::npos);
  }
  fs::remove_all(dir);
}

// train.min_delta: an improvement smaller than it still counts against patience, while best.pt
// follows every improvement. The loss on this corpus falls every epoch at first, so with a
// min_delta far above any change the run stops after exactly 1 + patience validations, with its
// best checkpoint at the last of them; with min_delta 0 it runs the full budget.
TEST(Train, MinDeltaStopsARunThatOnlyCreepsUp) {
  TinyRun tiny("min_delta", "rnn");
  tiny.config.train.epochs = 8;
  tiny.config.train.patience = 2;
  tiny.config.train.early_stopping_metric = "valid_loss";
  tiny.config.train.min_delta = 1e9;
  auto stopped = seq2seq::train::train_model(tiny.config, options_for(tiny.run_dir("creeping")));
  EXPECT_EQ(stopped.stop_reason, "early_stopping");
  EXPECT_EQ(stopped.epochs_done, 3);
  const auto lines = metrics(tiny.run_dir("creeping"));
  ASSERT_EQ(lines.size(), 3u);
  ASSERT_LT(lines[2]["valid_loss"].get<double>(), lines[0]["valid_loss"].get<double>());
  EXPECT_TRUE(lines[2]["best"].get<bool>());  // an improvement: best.pt follows it
  EXPECT_EQ(seq2seq::load_state(tiny.run_dir("creeping") + "/state.json").best_epoch, 3);

  tiny.config.train.min_delta = 0;
  tiny.config.train.epochs = 4;
  auto full = seq2seq::train::train_model(tiny.config, options_for(tiny.run_dir("full")));
  EXPECT_EQ(full.stop_reason, "epochs");
  EXPECT_EQ(full.epochs_done, 4);
}

// train.average_last: the last N validations' weights are kept (older ones deleted), and
// averaged.pt is their element-wise mean; `seq2seq average` gives the same file's weights.
TEST(Train, AverageLastKeepsNSnapshotsAndWritesTheirMean) {
  TinyRun tiny("average", "rnn");
  tiny.config.train.epochs = 4;
  tiny.config.train.average_last = 2;
  const auto dir = tiny.run_dir("avg");
  auto result = seq2seq::train::train_model(tiny.config, options_for(dir));
  ASSERT_EQ(result.stop_reason, "epochs");
  const auto state = seq2seq::load_state(dir + "/state.json");
  ASSERT_EQ(state.snapshots.size(), 2u);
  EXPECT_EQ(state.averaged_from, state.snapshots);
  EXPECT_EQ(state.snapshots[1], "snapshot-" + std::string(8 - std::to_string(state.step).size(), '0') +
                                    std::to_string(state.step) + ".pt");
  size_t on_disk = 0;
  for (const auto& entry : fs::directory_iterator(dir))
    on_disk += entry.path().filename().string().rfind("snapshot-", 0) == 0;
  EXPECT_EQ(on_disk, 2u) << "the older snapshots were not deleted";
  for (const auto& name : state.snapshots) EXPECT_EQ(seq2seq::sha256_file(dir + "/" + name), state.checksums.at(name));
  EXPECT_EQ(seq2seq::sha256_file(dir + "/averaged.pt"), state.checksums.at("averaged.pt"));

  // The mean, parameter by parameter, against the two snapshots loaded on their own.
  auto load = [&](const std::string& file) {
    auto model = seq2seq::models::make_model(tiny.config.model, seq2seq::data::Vocab::load(dir + "/vocab.src.json").size(),
                                             seq2seq::data::Vocab::load(dir + "/vocab.tgt.json").size());
    seq2seq::load_module(*model, dir + "/" + file, torch::kCPU);
    return model;
  };
  auto a = load(state.snapshots[0]), b = load(state.snapshots[1]), mean = load("averaged.pt");
  const auto pa = a->named_parameters(), pb = b->named_parameters(), pm = mean->named_parameters();
  ASSERT_GT(pa.size(), 0u);
  bool differ = false;
  for (const auto& item : pa) {
    const auto& x = item.value();
    const auto& y = pb[item.key()];
    differ = differ || !torch::equal(x, y);
    EXPECT_TRUE(torch::allclose(pm[item.key()], (x.to(torch::kDouble) + y.to(torch::kDouble)).div(2).to(x.dtype()),
                                1e-6, 1e-7))
        << item.key();
  }
  EXPECT_TRUE(differ) << "the two snapshots hold the same weights";

  // `seq2seq average --last 1`: the newest snapshot itself.
  EXPECT_EQ(seq2seq::average_run(dir, 1), std::vector<std::string>{state.snapshots[1]});
  auto last_only = load("averaged.pt");
  for (const auto& item : last_only->named_parameters())
    EXPECT_TRUE(torch::equal(item.value(), pb[item.key()])) << item.key();
  try {
    seq2seq::average_run(dir, 3);
    FAIL() << "averaging more snapshots than kept";
  } catch (const seq2seq::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("keeps 2 snapshot(s) and --last is 3"), std::string::npos) << e.what();
  }
  // eval and translate can load it.
  auto run = seq2seq::load_run({dir, "averaged", "cpu"});
  EXPECT_EQ(fs::path(run.checkpoint).filename(), "averaged.pt");
}

// train.lr_drop_resets_patience: when the plateau schedule lowers the rate, patience starts again.
TEST(Train, LoweringTheRateRestartsPatience) {
  TinyRun tiny("lr_drop", "rnn");
  tiny.config.train.epochs = 8;
  tiny.config.train.schedule = seq2seq::Schedule::plateau;
  tiny.config.train.plateau_patience = 0;
  tiny.config.train.patience = 2;
  tiny.config.train.early_stopping_metric = "valid_loss";
  tiny.config.train.min_delta = 1e9;  // no validation counts as an improvement ...
  tiny.config.train.lr = 1e-9;        // ... and the loss barely moves, so the rate is lowered every time
  tiny.config.train.plateau_factor = 0.5;
  tiny.config.train.min_lr = 1e-12;
  tiny.config.train.lr_drop_resets_patience = false;
  auto without = seq2seq::train::train_model(tiny.config, options_for(tiny.run_dir("without")));
  EXPECT_EQ(without.stop_reason, "early_stopping");
  EXPECT_EQ(without.epochs_done, 3);  // validations 2 and 3 count against a patience of 2
  tiny.config.train.lr_drop_resets_patience = true;
  auto with = seq2seq::train::train_model(tiny.config, options_for(tiny.run_dir("with")));
  const auto lines = metrics(tiny.run_dir("with"));
  size_t lowered = 0;
  for (size_t i = 1; i < lines.size(); ++i) lowered += lines[i]["lr"].get<double>() < lines[i - 1]["lr"].get<double>();
  EXPECT_GT(lowered, 2u);
  EXPECT_GT(with.epochs_done, without.epochs_done) << "patience did not start again after the rate was lowered";
}
