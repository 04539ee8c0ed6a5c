// `seq2seq translate` as a library call: one or more runs translate every line; a prompt with
// line editing, history and commands (:help) on a terminal, line by line on a pipe; n-best
// lists and attention maps (terminal and SVG).
#pragma once
#include "seq2seq/run/run_options.h"

#include <cstdint>

#include <iosfwd>
#include <string>
#include <vector>

namespace seq2seq::session {

struct TranslateOptions {
  std::vector<std::string> runs;    // run directories, in the order their lines are printed
  std::string checkpoint = "best";  // for every run: best | last | averaged
  std::string device = "auto";      // for every run: auto | cpu | cuda
  std::string input;                // file to translate line by line; empty = stdin
  std::string svg;                  // attention heatmap file (FILE, then FILE-stem-N.svg for sentence N)
  int beam = 0;                     // 0 = each run's decode.beam
  int nbest = 1;                    // > 1: "k ||| text ||| score" lines
  bool show_attention = false;      // draw the attention matrix (stderr on a pipe)
  bool unk_brackets = false;        // a source word copied for <unk> is written "[word]"
  bool unverified = false;          // --unverified: load runs that lost their state.json, unchecked
  std::string precision;            // "" = each run's own (state.json) | fp32 | bf16 | auto
};

// SVG path for the n-th translated sentence: FILE for the first, FILE-stem-N.svg after that.
// With a `label` (several runs) the label joins the stem: FILE-stem-LABEL.svg, FILE-stem-LABEL-N.svg.
std::string svg_path(const std::string& file, int64_t n, const std::string& label = "");

// The label of each run: its directory's name, or the path as given where two names collide.
std::vector<std::string> run_labels(const std::vector<std::string>& dirs);

// Loads the runs and translates every line of options.input (or of `in` when it is empty) to
// `out`. With one run a pipe gets one translation per line, exactly as before; with several,
// one "LABEL<TAB>translation" line per run and input line, in the order of options.runs (an
// empty input line gives "LABEL<TAB>" per run). On a terminal (`interactive`): a prompt, the
// commands of repl_commands.h, blank lines skipped. Returns the exit code.
int translate(const TranslateOptions& options, std::istream& in, std::ostream& out, bool interactive);

}  // namespace seq2seq::session
