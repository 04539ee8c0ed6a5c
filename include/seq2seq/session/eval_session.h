// `seq2seq eval` as a library call: load a run, translate a split (or two files), score, save.
#pragma once
#include "seq2seq/run/run_options.h"

#include <iosfwd>
#include <string>

namespace seq2seq::session {

struct EvalOptions {
  RunOptions run;
  std::string split = "test";  // valid | test, from the run's config ...
  std::string src, ref;        // ... or two line-aligned files (both or neither)
  // The results' name in RUN/eval: NAME.json and NAME.hyp. Default: the split's name, or for
  // --src/--ref a name made from the files ("files-STEM-HASH") that no split can have.
  std::string out;
  int beam = 0;                // 0 = decode.beam of the run
  double length_penalty = -1;  // < 0 = decode.length_penalty of the run
  int batch = 0;               // 0 = decode.batch_size of the run
  bool json = false;           // print the JSON report instead of the summary
};

// Writes RUN/eval/<name>.hyp and .json, and prints the summary (or the JSON) to `out`.
int evaluate(const EvalOptions& options, std::ostream& out);

}  // namespace seq2seq::session
