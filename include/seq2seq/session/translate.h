// `seq2seq translate` as a library call: a prompt on a terminal, line by line on a pipe, with
// n-best lists and attention maps (terminal and SVG).
#pragma once
#include "seq2seq/run_options.h"

#include <cstdint>

#include <iosfwd>
#include <string>

namespace seq2seq::session {

struct TranslateOptions {
  RunOptions run;
  std::string input;            // file to translate line by line; empty = stdin
  std::string svg;              // attention heatmap file (FILE, then FILE-stem-N.svg for sentence N)
  int beam = 0;                 // 0 = the run's decode.beam
  int nbest = 1;                // > 1: "k ||| text ||| score" lines
  bool show_attention = false;  // draw the attention matrix on stderr
};

// SVG path for the n-th translated sentence: FILE for the first, FILE-stem-N.svg after that.
std::string svg_path(const std::string& file, int64_t n);

// Loads the run and translates every line of options.input (or of `in` when it is empty) to
// `out`; interactive (prompt, :quit) when reading a terminal. Returns the exit code.
int translate(const TranslateOptions& options, std::istream& in, std::ostream& out, bool interactive);

}  // namespace seq2seq::session
