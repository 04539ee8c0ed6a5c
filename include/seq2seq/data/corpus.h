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
// name does not matter), split as util's split_text_lines does: a byte-order mark removed, one
// '\r' before each '\n' removed. Throws std::runtime_error (one line, naming the file and saying
// what to do) when the file is missing, a directory or unreadable, or when a line is not valid
// UTF-8 or holds a control character other than TAB (names file:line).
std::vector<std::string> read_lines(const std::string& path);

// Reads a split. paths.tgt non-empty: two line-aligned files (differing line counts are an
// error naming both files and both counts). paths.tgt empty: paths.src is a TSV file, one
// "source<TAB>target" pair per line (further columns ignored; a line without a TAB is an
// error naming file:line).
ParallelCorpus read_corpus(const SplitPaths& paths, const std::string& name);

// Throws std::runtime_error "LABEL: FILES: empty (0 lines) ..." or "...: no usable pair ..." unless
// some pair has words on both sides: an empty split would train, validate or score as nothing.
void require_usable_pairs(const ParallelCorpus& corpus, const std::string& label);

// Reads every split `data` names (data.train, data.valid, data.test) as training and eval will:
// each file exists, is a file and readable (else ConfigError "data.test.src: FILE: no such file"),
// valid UTF-8 without control characters, both sides with the same line count, and with a usable
// pair (else std::runtime_error "data.valid: ..."). Train calls it before the first step, so that a
// bad test split fails in seconds, not when eval reads it after training; so does
// `config validate --data`. A non-empty `origin` (the config file) starts each message.
void check_corpora(const DataConfig& data, const std::string& origin = "");

}  // namespace seq2seq::data
