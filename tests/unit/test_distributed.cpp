// Data-parallel training on loopback: the environment, the shards, the collectives (two ranks as
// two threads of this process) and the oracle: 2 workers x 1 thread end with the parameters of
// 1 process x 1 thread on the same global batches.
#include "seq2seq/data/batcher.h"
#include "seq2seq/data/vocab.h"
#include "seq2seq/util/errors.h"
#include "seq2seq/models/factory.h"
#include "seq2seq/train/loss.h"
#include "seq2seq/train/scheduled_sampling.h"
#include "seq2seq/util/io.h"
#include "seq2seq/run/run.h"
#include "seq2seq/train/distributed.h"
#include "seq2seq/train/launch.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <numeric>
#include <random>
#include <thread>

#include <unistd.h>

namespace fs = std::filesystem;
using namespace seq2seq;
using namespace seq2seq::train;

namespace {

// Sets environment variables for one test and restores them after.
class ScopedEnv {
 public:
  void set(const std::string& name, const std::string& value) {
    remember(name);
    ::setenv(name.c_str(), value.c_str(), 1);
  }
  void unset(const std::string& name) {
    remember(name);
    ::unsetenv(name.c_str());
  }
  ~ScopedEnv() {
    for (auto& [name, value] : saved_)
      value ? ::setenv(name.c_str(), value->c_str(), 1) : ::unsetenv(name.c_str());
  }

 private:
  void remember(const std::string& name) {
    for (auto& [n, v] : saved_)
      if (n == name) return;
    const char* old = std::getenv(name.c_str());
    saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
  }
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

// Runs body(collective) as ranks 0 and 1 of a 2-rank job on loopback, one thread each.
void with_two_ranks(const std::function<void(Collective&)>& body) {
  const int port = free_local_port();
  std::vector<std::string> errors(2);
  std::vector<std::thread> threads;
  for (int rank = 0; rank < 2; ++rank)
    threads.emplace_back([&, rank] {
      try {
        World world;
        world.rank = rank;
        world.size = 2;
        world.master_port = port;
        Collective collective(world, torch::kCPU);
        body(collective);
      } catch (const std::exception& e) {
        errors[rank] = e.what();
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors[0], "");
  EXPECT_EQ(errors[1], "");
}

// A stand-in for this binary as the launchers start it: a worker (RANK set) writes its World to
// PROGRAM.rankN, an independent job prints the job it was handed to its log; both fail with 3.
std::string failing_child(const fs::path& dir) {
  const fs::path script = dir / "child.sh";
  std::ofstream(script) << "#!/bin/sh\n"
                           "if [ -n \"$RANK\" ]; then\n"
                           "  echo \"$RANK $WORLD_SIZE $LOCAL_RANK $MASTER_ADDR\" > \"$0.rank$RANK\"\n"
                           "else\n"
                           "  printf '%s\\n' \"$SEQ2SEQ_CHILD_JOB\"\n"
                           "fi\n"
                           "exit 3\n";
  fs::permissions(script, fs::perms::owner_all);
  return script.string();
}

fs::path fresh_temp_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / (name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

}  // namespace

TEST(Launch, TrainJobSurvivesJson) {
  TrainJob job;
  job.config.data.train = {"corpus/train.de", "corpus/train.en"};
  job.config.model.type = ModelType::transformer;
  job.config.model.heads = 2;
  job.config.train.lr = 1.5e-4;
  job.config.train.seed = 11;
  job.config.decode.beam = 3;
  job.run_dir = "runs/a b";
  job.resume = true;
  job.overrides = {"train.epochs=3", "train.lr=5e-4"};
  job.device = "cpu";
  job.max_steps = 12345678901;
  job.threads = 3;
  job.log_level = "debug";
  const TrainJob back = nlohmann::json::parse(nlohmann::json(job).dump()).get<TrainJob>();
  EXPECT_EQ(nlohmann::json(back.config), nlohmann::json(job.config));
  EXPECT_EQ(back.config.train.lr, 1.5e-4);
  EXPECT_EQ(back.run_dir, job.run_dir);
  EXPECT_EQ(back.resume, job.resume);
  EXPECT_EQ(back.overrides, job.overrides);
  EXPECT_EQ(back.device, job.device);
  EXPECT_EQ(back.max_steps, job.max_steps);
  EXPECT_EQ(back.threads, job.threads);
  EXPECT_EQ(back.log_level, job.log_level);
  // Every key is required: a job that lacks one is refused, not half-read.
  const nlohmann::json whole = job;
  for (const auto& item : whole.items()) {
    nlohmann::json partial = whole;
    partial.erase(item.key());
    EXPECT_THROW(partial.get<TrainJob>(), nlohmann::json::exception) << item.key();
  }
}

TEST(Launch, AJobIsHandedOverAsDataOnce) {
  ScopedEnv env;
  env.unset(kChildJobVariable);
  EXPECT_FALSE(child_job_from_env().has_value());
  TrainJob job;
  job.run_dir = "runs/x";
  job.max_steps = 7;
  env.set(kChildJobVariable, nlohmann::json(job).dump());
  const auto received = child_job_from_env();
  ASSERT_TRUE(received.has_value());
  EXPECT_EQ(received->run_dir, "runs/x");
  EXPECT_EQ(received->max_steps, 7);
  EXPECT_EQ(std::getenv(kChildJobVariable), nullptr);  // what this process starts does not inherit it
  env.set(kChildJobVariable, "train --run x");
  EXPECT_THROW(child_job_from_env(), UsageError);
}

TEST(Launch, IndependentJobsReportAFailingChild) {
  const fs::path dir = fresh_temp_dir("seq2seq_launch_jobs");
  const std::string program = failing_child(dir);
  ScopedEnv env;  // this process's own World does not reach independent jobs
  env.set("RANK", "5");
  env.set("WORLD_SIZE", "8");
  std::vector<Job> jobs(3);
  for (size_t i = 0; i < jobs.size(); ++i) {
    jobs[i].name = "job" + std::to_string(i);
    jobs[i].train.run_dir = (dir / ("run" + std::to_string(i))).string();
    jobs[i].log_path = (dir / ("job" + std::to_string(i) + ".log")).string();
  }
  const auto results = run_jobs(jobs, 2, program);  // one failure stops no other job
  ASSERT_EQ(results.size(), jobs.size());
  for (size_t i = 0; i < jobs.size(); ++i) {
    SCOPED_TRACE(jobs[i].name);
    EXPECT_TRUE(results[i].started);
    EXPECT_EQ(results[i].code, 3);
    EXPECT_EQ(results[i].how, "exited with status 3");
    const auto handed = nlohmann::json::parse(read_file(jobs[i].log_path)).get<TrainJob>();
    EXPECT_EQ(handed.run_dir, jobs[i].train.run_dir);
  }
  const auto missing = run_jobs({jobs[0]}, 1, (dir / "no-such-binary").string());
  EXPECT_EQ(missing[0].code, 127);
  EXPECT_NE(read_file(jobs[0].log_path).find("cannot start"), std::string::npos);
  fs::remove_all(dir);
}

TEST(Launch, WorkersReportAFailingChild) {
  const fs::path dir = fresh_temp_dir("seq2seq_launch_workers");
  LaunchOptions options;
  options.nproc = 2;
  options.program = failing_child(dir);
  options.master_port = 29533;
  options.grace_s = 1;
  const TrainJob job;
  EXPECT_EQ(launch_workers(job, options), 3);
  for (int rank = 0; rank < 2; ++rank)
    EXPECT_EQ(read_file(options.program + ".rank" + std::to_string(rank)),
              std::to_string(rank) + " 2 " + std::to_string(rank) + " 127.0.0.1\n");
  fs::remove_all(dir);
}

TEST(Distributed, WorldFromTorchrunVariables) {
  ScopedEnv env;
  for (const char* name : {"RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"}) env.unset(name);
  const World single = world_from_env();
  EXPECT_EQ(single.size, 1);
  EXPECT_FALSE(single.distributed());
  EXPECT_TRUE(single.writer());

  env.set("WORLD_SIZE", "4");
  env.set("RANK", "3");
  env.set("MASTER_ADDR", "10.0.0.7");
  env.set("MASTER_PORT", "29511");
  const World w = world_from_env();
  EXPECT_EQ(w.size, 4);
  EXPECT_EQ(w.rank, 3);
  EXPECT_EQ(w.local_rank, 3);  // LOCAL_RANK defaults to RANK
  EXPECT_EQ(w.master_addr, "10.0.0.7");
  EXPECT_EQ(w.master_port, 29511);
  EXPECT_FALSE(w.writer());

  env.set("RANK", "4");  // not below WORLD_SIZE
  try {
    world_from_env();
    FAIL() << "RANK=4 of 4 accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("RANK=4"), std::string::npos) << e.what();
  }
  env.set("RANK", "1");
  env.set("MASTER_PORT", "70000");
  EXPECT_THROW(world_from_env(), UsageError);
  env.set("MASTER_PORT", "29500");
  env.unset("RANK");
  EXPECT_THROW(world_from_env(), UsageError);  // WORLD_SIZE without RANK
}

TEST(Distributed, ShardsCoverTheBatchOnceAndKeepLengthsTogether) {
  const std::vector<int64_t> batch = {10, 11, 12, 13, 14, 15, 16};
  const auto a = shard_of(batch, 0, 2), b = shard_of(batch, 1, 2);
  EXPECT_EQ(a, (std::vector<int64_t>{10, 12, 14, 16}));
  EXPECT_EQ(b, (std::vector<int64_t>{11, 13, 15}));
  EXPECT_EQ(shard_of(batch, 0, 1), batch);
  EXPECT_TRUE(shard_of({5}, 1, 2).empty());  // fewer sentences than ranks: an empty shard
  // Every position exactly once, whatever the world size.
  for (int size = 1; size <= 8; ++size) {
    std::vector<int64_t> all;
    for (int r = 0; r < size; ++r) {
      auto s = shard_of(batch, r, size);
      all.insert(all.end(), s.begin(), s.end());
    }
    std::sort(all.begin(), all.end());
    EXPECT_EQ(all, batch) << size;
  }
}

TEST(Distributed, BuildReportsGloo) {
  ASSERT_TRUE(distributed_available()) << distributed_unavailable_reason();
  const auto backends = distributed_backends();
  EXPECT_NE(std::find(backends.begin(), backends.end(), "gloo"), backends.end());
  EXPECT_EQ(distributed_unavailable_reason(), "");
}

TEST(Distributed, BroadcastsBytesAndTensorsFromRankZero) {
  with_two_ranks([](Collective& c) {
    std::string bytes = c.world().rank == 0 ? std::string("{\"stop\": true, \"\xc3\xa4\": 1}") : std::string("x");
    c.broadcast_bytes(bytes);
    EXPECT_EQ(bytes, "{\"stop\": true, \"\xc3\xa4\": 1}");
    std::string empty = c.world().rank == 0 ? "" : "not empty";
    c.broadcast_bytes(empty);
    EXPECT_EQ(empty, "");
    // Two dtypes, several shapes: every tensor ends as rank 0's.
    auto a = torch::full({2, 3}, static_cast<float>(c.world().rank + 1));
    auto b = torch::full({5}, static_cast<float>(10 * (c.world().rank + 1)));
    auto n = torch::full({2}, static_cast<int64_t>(c.world().rank + 7), torch::kLong);
    c.broadcast({a, b, n});
    EXPECT_TRUE(torch::equal(a, torch::ones({2, 3})));
    EXPECT_TRUE(torch::equal(b, torch::full({5}, 10.0f)));
    EXPECT_TRUE(torch::equal(n, torch::full({2}, int64_t{7}, torch::kLong)));
  });
}

TEST(Distributed, GradientAllReduceSumsScalesAndUsesBuckets) {
  with_two_ranks([](Collective& c) {
    const int r = c.world().rank;
    // Three parameters of 1,000 floats (4,000 bytes each); a 6,000-byte bucket holds one.
    std::vector<torch::Tensor> params;
    for (int i = 0; i < 3; ++i) {
      auto p = torch::zeros({1000}, torch::requires_grad());
      if (!(r == 1 && i == 2))  // rank 1 has no gradient for the last one: it counts as zeros
        p.mutable_grad() = torch::full({1000}, static_cast<float>((r + 1) * (i + 1)));
      params.push_back(p);
    }
    c.all_reduce_gradients(params, 0.5, 6000);
    EXPECT_EQ(c.last_buckets(), 3);
    // (1 + 2)(i + 1) / 2 for the first two, (1 + 0) * 3 / 2 for the last.
    EXPECT_TRUE(torch::allclose(params[0].grad(), torch::full({1000}, 1.5f)));
    EXPECT_TRUE(torch::allclose(params[1].grad(), torch::full({1000}, 3.0f)));
    EXPECT_TRUE(torch::allclose(params[2].grad(), torch::full({1000}, 1.5f)));
    c.all_reduce_gradients(params, 1.0);  // the default 4 MiB bucket holds all three
    EXPECT_EQ(c.last_buckets(), 1);
    EXPECT_TRUE(torch::allclose(params[0].grad(), torch::full({1000}, 3.0f)));

    auto totals = torch::tensor({1.0 + r, 10.0 * r}, torch::kDouble);
    c.all_reduce_sum(totals);
    EXPECT_TRUE(torch::equal(totals, torch::tensor({3.0, 10.0}, torch::kDouble)));
    c.barrier();
  });
}

TEST(Distributed, AJobWithoutItsOtherWorkerFailsWithinTheTimeout) {
  ScopedEnv env;
  env.set("SEQ2SEQ_DIST_TIMEOUT", "2");
  World world;
  world.rank = 0;
  world.size = 2;
  world.master_port = free_local_port();
  const auto start = std::chrono::steady_clock::now();
  try {
    Collective c(world, torch::kCPU);
    FAIL() << "joined a job whose rank 1 never started";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("rank 0: cannot join the job"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 30.0);
}

// The oracle: with dropout 0, 2 workers x 1 thread and 1 process x 1 thread train on the same
// global batches (20 steps, one epoch), so they end with the same parameters (every tensor within
// 1e-5 of its largest value) and the same validation loss (4 decimals), for every model type.
//
// Adam runs with eps 1e-4 here. With its default 1e-8 it divides a gradient that is zero in exact
// arithmetic by almost nothing: the attention key biases (softmax does not depend on them) get
// float rounding noise of about 1e-10 as gradient, which Adam turns into steps of a few percent of
// the learning rate, different in the two runs although neither output changes. The validation
// loss is also compared with the default eps, where only the function, not those biases, agrees.
// In fp32: under bf16 (train.precision auto on a CPU with native bf16) every product's result is
// rounded to 8 significant bits, and a sum accumulated in another order (half the batch) can round
// the other way, far beyond this oracle's 1e-5.
TEST(Distributed, TwoWorkersTrainAsOneProcess) {
  const fs::path root = fs::temp_directory_path() / ("seq2seq_dist_" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root);
  const std::string bin = SEQ2SEQ_BINARY;
  auto run = [&](const std::string& command) {
    const std::string line = "cd '" + root.string() + "' && " + command + " > /dev/null 2>> log.txt";
    ASSERT_EQ(std::system(line.c_str()), 0) << line << "\n" << read_file((root / "log.txt").string());
  };
  auto valid_loss = [&](const std::string& run_name) {
    std::ifstream in(root / run_name / "metrics.jsonl");
    std::string line;
    std::getline(in, line);
    return nlohmann::json::parse(line).at("valid_loss").get<double>();
  };
  // 320 pairs at 16 a batch: exactly 20 steps in the one epoch, then one validation.
  run(bin + " data synth --out syn --train 320 --valid 40 --test 10 --min-words 3 --max-words 14 --seed 3");
  const std::map<std::string, std::string> models = {
      {"rnn", R"("type": "rnn", "emb_dim": 24, "hidden_dim": 32, "bidirectional": true)"},
      {"bahdanau", R"("type": "bahdanau", "emb_dim": 24, "hidden_dim": 32)"},
      {"transformer", R"("type": "transformer", "emb_dim": 32, "hidden_dim": 32, "layers": 2, "heads": 4, "ff_dim": 64)"}};
  for (const auto& [name, model] : models) {
    SCOPED_TRACE(name);
    std::ofstream(root / (name + ".json"))
        << R"({"data": {"train": {"src": "syn/train.de", "tgt": "syn/train.en"},
                        "valid": {"src": "syn/valid.de", "tgt": "syn/valid.en"}, "min_freq": 1},
               "model": {)"
        << model << R"(, "dropout": 0.0},
               "train": {"epochs": 1, "batch_size": 16, "lr": 0.003, "clip": 1.0, "valid_bleu_max": 0,
                         "precision": "fp32"}})";
    for (const std::string eps : {"1e-4", "1e-8"}) {
      const std::string one = name + ".one." + eps, two = name + ".two." + eps;
      run(bin + " --threads 1 train --config " + name + ".json --run " + one + " --set train.eps=" + eps);
      run(bin + " --threads 1 train --nproc 2 --config " + name + ".json --run " + two + " --set train.eps=" + eps);
      EXPECT_NEAR(valid_loss(one), valid_loss(two), 5e-5) << eps;
      const auto state_one = load_state((root / one / "state.json").string());
      const auto state_two = load_state((root / two / "state.json").string());
      EXPECT_EQ(state_one.step, 20);
      EXPECT_EQ(state_two.step, 20);
      EXPECT_EQ(state_one.world_size, 1);
      EXPECT_EQ(state_two.world_size, 2);
      EXPECT_EQ(state_one.tokens, state_two.tokens);
      if (eps != "1e-4") continue;
      auto a = load_run({(root / one).string(), "last", "cpu"}).model->named_parameters();
      auto b = load_run({(root / two).string(), "last", "cpu"}).model->named_parameters();
      ASSERT_EQ(a.size(), b.size());
      double worst = 0;
      for (const auto& item : a) {
        const auto& x = item.value();
        const auto& y = b[item.key()];
        const double relative = ((x - y).abs().max() / x.abs().max().clamp_min(1e-12)).item<double>();
        EXPECT_LE(relative, 1e-5) << item.key();
        worst = std::max(worst, relative);
      }
      std::cerr << name << ": largest parameter difference after 20 steps, relative to its tensor's largest value: "
                << worst << "\n";
    }
  }
  fs::remove_all(root);
}

// What the data-parallel step rests on, without processes: for every model type, the gradients of
// (sum of each shard's token losses) / (all positions), summed over the shards, equal the gradient
// of the whole batch's mean loss.
TEST(Distributed, ShardGradientsSumToTheBatchGradient) {
  std::mt19937 rng(7);
  std::vector<data::Example> examples;
  for (int i = 0; i < 13; ++i) {  // lengths 3..15 with <bos>/<eos>: padding differs between shards
    data::Example e;
    e.index = i;
    for (int side = 0; side < 2; ++side) {
      auto& ids = side == 0 ? e.src : e.tgt;
      ids.push_back(data::Vocab::kBos);
      const int n = 1 + static_cast<int>(rng() % 13);
      for (int k = 0; k < n; ++k) ids.push_back(4 + static_cast<int64_t>(rng() % 20));
      ids.push_back(data::Vocab::kEos);
    }
    examples.push_back(e);
  }
  std::vector<int64_t> batch(examples.size());
  std::iota(batch.begin(), batch.end(), 0);
  for (const std::string type : {"rnn", "bahdanau", "transformer"}) {
    SCOPED_TRACE(type);
    ModelConfig config;
    config.type = type == "rnn" ? ModelType::rnn : type == "bahdanau" ? ModelType::bahdanau : ModelType::transformer;
    config.emb_dim = config.hidden_dim = 16;
    config.ff_dim = 32;
    config.heads = 2;
    config.layers = 2;
    config.dropout = 0.0;
    torch::manual_seed(1);
    auto model = models::make_model(config, 24, 24);
    auto gradients = [&](const std::vector<std::vector<int64_t>>& shards, double positions) {
      model->zero_grad();
      for (const auto& shard : shards) {
        auto b = data::collate(examples, shard);
        auto logits = scheduled_sampling_logits(*model, b, 1.0);
        auto loss = token_cross_entropy(logits, models::real_targets(b), 0.0);
        (positions > 0 ? loss * (static_cast<double>(logits.size(0)) / positions) : loss).backward();
      }
      std::vector<torch::Tensor> g;
      for (auto& p : model->parameters()) g.push_back(p.grad().clone());
      return g;
    };
    const auto whole = gradients({batch}, 0);
    int64_t positions = 0;
    for (const auto& e : examples) positions += static_cast<int64_t>(e.tgt.size()) - 1;
    const auto split = gradients({shard_of(batch, 0, 2), shard_of(batch, 1, 2)}, static_cast<double>(positions));
    ASSERT_EQ(whole.size(), split.size());
    for (std::size_t i = 0; i < whole.size(); ++i)
      EXPECT_TRUE(torch::allclose(split[i], whole[i], 1e-4, 1e-6))
          << i << ": " << (split[i] - whole[i]).abs().max().item<double>();
  }
}
