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

// A run directory loaded for inference: the model in eval mode on its device.
struct LoadedRun {
  RunPaths paths;
  Config config;
  data::Vocab src_vocab, tgt_vocab;
  data::Tokenizers tokenizers;
  std::shared_ptr<models::Seq2SeqModel> model;
  torch::Device device = torch::kCPU;
  std::string checkpoint;  // the weights file used
};

LoadedRun load_run(const RunOptions& options);

}  // namespace seq2seq
