// The run directory: its paths, its record (state.json), its weight files, and loading a run
// back for inference. `train` writes a run directory; `eval`, `translate` and `compare` read it
// through this module and never include train/.
#pragma once
#include "seq2seq/config.h"
#include "seq2seq/data/tokenizer.h"
#include "seq2seq/data/vocab.h"
#include "seq2seq/json_optional.h"
#include "seq2seq/models/seq2seq_model.h"
#include "seq2seq/run_options.h"

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace seq2seq {

// Every file of a run directory (DESIGN.md, "The run directory").
struct RunPaths {
  std::string dir;
  std::string config() const { return dir + "/config.json"; }
  std::string src_vocab() const { return dir + "/vocab.src.json"; }
  std::string tgt_vocab() const { return dir + "/vocab.tgt.json"; }
  std::string last() const { return dir + "/model.pt"; }
  std::string best() const { return dir + "/best.pt"; }
  std::string optimizer() const { return dir + "/optimizer.pt"; }
  std::string state() const { return dir + "/state.json"; }
  std::string metrics() const { return dir + "/metrics.jsonl"; }
  std::string log() const { return dir + "/train.log"; }
  std::string eval_dir() const { return dir + "/eval"; }
};

// The run's record: everything besides weights and optimizer moments needed to resume exactly,
// and what compare reports about the training. Written as state.json.
struct TrainState {
  int64_t step = 0;                  // optimizer steps taken
  int64_t epoch = 0;                 // current epoch, 0-based
  int64_t batch_in_epoch = 0;        // batches of the current epoch already trained
  std::optional<double> best_score;  // by train.early_stopping_metric; none before a validation
  int64_t best_step = 0;
  int bad_validations = 0;  // early-stopping patience counter
  int64_t validations = 0;
  nlohmann::json schedule;  // LrSchedule::state()
  std::string rng;          // torch CPU generator state, hex
  double elapsed_s = 0;     // training wall time (steps + validation)
  double train_s = 0;       // time inside training steps only
  int64_t tokens = 0;       // target tokens trained on
  bool complete = false;    // ran to the end (epochs or early stopping)
  std::string stop_reason;  // "", "epochs", "early_stopping", "max_steps", "interrupted", "diverged"
  int64_t parameters = 0;
  std::string device;
  // Training since the last validation (what its metrics line reports).
  double interval_loss = 0;  // summed step losses
  int64_t interval_steps = 0, interval_tokens = 0;
  double interval_time = 0;
};
// Every field is required when reading: a state.json with a key missing is refused.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TrainState, step, epoch, batch_in_epoch, best_score, best_step, bad_validations,
                                   validations, schedule, rng, elapsed_s, train_s, tokens, complete, stop_reason,
                                   parameters, device, interval_loss, interval_steps, interval_tokens, interval_time)

void save_state(const TrainState& state, const std::string& path);
TrainState load_state(const std::string& path);  // one-line error when missing, corrupt or truncated

// Module weights, written atomically; loading names the file on failure.
void save_module(torch::nn::Module& module, const std::string& path);
void load_module(torch::nn::Module& module, const std::string& path, const torch::Device& device);

// "auto" (CUDA when available), "cpu" or "cuda"; a one-line error for anything else.
torch::Device resolve_device(const std::string& name);

// Throws a one-line error when `dir` is not a run directory.
void require_run_dir(const std::string& dir);

// A run directory loaded for inference: the model in eval mode on its device.
struct LoadedRun {
  RunPaths paths;
  Config config;
  data::Vocab src_vocab, tgt_vocab;
  std::unique_ptr<data::Tokenizer> tokenizer;
  std::shared_ptr<models::Seq2SeqModel> model;
  torch::Device device = torch::kCPU;
  std::string checkpoint;  // the weights file used
};

LoadedRun load_run(const RunOptions& options);

}  // namespace seq2seq
