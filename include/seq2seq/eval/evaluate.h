// Evaluation of a run on held-out sentences: translations, BLEU, chrF, perplexity, BLEU by length,
// and teacher-forced cross-entropy and accuracy by length band and relative target position.
#pragma once
#include "seq2seq/decode/search.h"
#include "seq2seq/run/run.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace seq2seq::eval {

struct EvalInput {
  std::string name;  // the results' name: the split's ("valid", "test"), or one for two files
  std::string src_path, ref_path;  // where the sentences come from (as configured or given)
  std::vector<std::string> src, ref;
};

struct EvalOutput {
  nlohmann::json report;          // everything eval/<split>.json holds
  std::vector<std::string> hyps;  // detokenized, one per source line, same order
};

// Reads a split named in the run's config ("valid" | "test"), all pairs (no max_len filter).
EvalInput load_split(const LoadedRun& run, const std::string& split);
// Reads two line-aligned files, named `name`, or when it is empty files_result_name().
EvalInput load_files(const std::string& src_path, const std::string& ref_path, const std::string& name = "");

// The name of results on two files that are not a split of the run: "files-STEM-HASH", HASH from
// both files' absolute paths, so that results on other files never replace each other or a split's.
std::string files_result_name(const std::string& src_path, const std::string& ref_path);

// Refuses (one line naming --out) a results name that could overwrite other results: "valid" and
// "test" belong to the configured splits (allowed only for that split itself), and a name must be
// a plain file name.
void check_result_name(const std::string& name, const std::string& split_evaluated);

EvalOutput evaluate_run(LoadedRun& run, const EvalInput& input, const decode::SearchOptions& options, int batch_size);

// Writes eval/<name>.hyp and eval/<name>.json into the run directory (atomically). The report
// names the weights file and its SHA-256 ("checkpoint", "checkpoint_sha256") and the sentences'
// files, so that compare can tell whether it still stands for the weights it reports.
void save_eval(const LoadedRun& run, const EvalOutput& output);

}  // namespace seq2seq::eval
