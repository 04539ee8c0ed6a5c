// The run directory: its paths, its record (state.json), its weight files, and loading a run
// back for inference. `train` writes a run directory; `eval`, `translate` and `compare` read it
// through this module and never include train/.
#pragma once
#include "seq2seq/config/config.h"
#include "seq2seq/data/tokenizer.h"
#include "seq2seq/data/vocab.h"
#include "seq2seq/models/seq2seq_model.h"
#include "seq2seq/run/checkpoint.h"
#include "seq2seq/run/paths.h"
#include "seq2seq/run/run_options.h"
#include "seq2seq/run/train_state.h"

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace seq2seq {

// "auto" (CUDA when available), "cpu" or "cuda"; a one-line error for anything else.
torch::Device resolve_device(const std::string& name);

// Throws a one-line error when `dir` is not a run directory.
void require_run_dir(const std::string& dir);

// Whether the run directory holds weights: a checkpoint, a snapshot or averaged.pt, committed or
// staged. A run with weights and no state.json has lost its record: nothing in it can be checked.
bool has_weights(const RunPaths& paths);

// The files that give the weights their meaning: config.json (the architecture), the two
// vocabularies (which row is which token) and the run's SentencePiece models. state.json records
// their SHA-256 beside the weights'; a changed one would silently change what the weights do.
std::vector<std::string> record_files(const DataConfig& data);
// Adds to state.checksums the SHA-256 of every record file that it does not name yet (a new
// run's first checkpoint; a run written before these checksums, at its resume).
void record_run_files(const RunPaths& paths, const DataConfig& data, TrainState& state);

// A run directory's record, read and checked: state.json, then config.json, the vocabularies and
// the SentencePiece models against the checksums state.json records (a run written before those
// checksums loads unchecked, with an info line). Without state.json, a run that holds weights is
// refused unless `unverified` (then one warning line); one without weights has no checkpoint yet.
struct RunRecord {
  std::optional<TrainState> state;
  Config config;
  data::Vocab src_vocab, tgt_vocab;
  std::vector<std::string> spm_models;  // bytes, in data::spm_model_files() order
};
RunRecord read_run_record(const RunPaths& paths, bool unverified);

// A run directory loaded for inference: the model in eval mode on its device.
struct LoadedRun {
  RunPaths paths;
  Config config;
  data::Vocab src_vocab, tgt_vocab;
  data::Tokenizers tokenizers;
  std::shared_ptr<models::Seq2SeqModel> model;
  torch::Device device = torch::kCPU;
  std::string checkpoint;  // the weights file used
  std::optional<TrainState> state;  // state.json; none only for a run loaded --unverified
  // RunOptions::precision resolved (fp32 or bf16): what search and the loss run at.
  Precision precision = Precision::fp32;
};

// The precision to load a run at: `requested` ("" = the run's own: state.json's, fp32 for a run
// written before it was recorded, train.precision resolved for one without state.json; or
// fp32 | bf16 | auto), resolved. Warns when it is bf16 on a CPU without native bf16.
Precision run_precision(const std::string& requested, const std::optional<TrainState>& state, const Config& config);

LoadedRun load_run(const RunOptions& options);

}  // namespace seq2seq
