// Parallel corpora on disk: aligned line files (plain or .gz) or TSV, read and checked.
#pragma once
#include "seq2seq/config/config.h"

#include <string>
#include <vector>

namespace seq2seq::data {

// One split as raw text lines; src[i] and tgt[i] are a translation pair (same size).
struct ParallelCorpus {
  std::string name;  // "train", "valid", ... (used in messages)
  std::vector<std::string> src, tgt;
  std::string src_path, tgt_path;  // tgt_path == src_path for TSV

  std::size_t size() const { return src.size(); }
};

// The lines of a UTF-8 text file, plain or gzip-compressed (detected from the content, so the
// name does not matter). Split on '\n' only; the final empty piece (after the last newline) is
// dropped; one trailing '\r' per line and a UTF-8 byte-order mark at the start are removed.
// Throws std::runtime_error (one line, naming the file and saying what to do) when the file is
// missing or unreadable, or when a line is not valid UTF-8 (names file:line).
std::vector<std::string> read_lines(const std::string& path);

// Reads a split. paths.tgt non-empty: two line-aligned files (differing line counts are an
// error naming both files and both counts). paths.tgt empty: paths.src is a TSV file, one
// "source<TAB>target" pair per line (further columns ignored; a line without a TAB is an
// error naming file:line).
ParallelCorpus read_corpus(const SplitPaths& paths, const std::string& name);

}  // namespace seq2seq::data
