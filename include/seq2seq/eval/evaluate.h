// Evaluation of a run on held-out sentences: translations, BLEU, chrF, perplexity, BLEU by length.
#pragma once
#include "seq2seq/decode/search.h"
#include "seq2seq/run/run.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace seq2seq::eval {

struct EvalInput {
  std::string name;  // split name ("valid", "test") or a file stem
  std::vector<std::string> src, ref;
};

struct EvalOutput {
  nlohmann::json report;          // everything eval/<split>.json holds
  std::vector<std::string> hyps;  // detokenized, one per source line, same order
};

// Reads a split named in the run's config ("valid" | "test"), all pairs (no max_len filter).
EvalInput load_split(const LoadedRun& run, const std::string& split);
// Reads two line-aligned files.
EvalInput load_files(const std::string& src_path, const std::string& ref_path);

EvalOutput evaluate_run(LoadedRun& run, const EvalInput& input, const decode::SearchOptions& options, int batch_size);

// Writes eval/<name>.hyp and eval/<name>.json into the run directory (atomically).
void save_eval(const LoadedRun& run, const EvalOutput& output);

}  // namespace seq2seq::eval
