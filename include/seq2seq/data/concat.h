// `seq2seq data concat`: a test set of long sentences made by joining K aligned lines of a
// parallel corpus (Multi30k has none over 30 words; K lines joined reach K times that).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace seq2seq::data {

enum class JoinOrder {
  Consecutive,  // lines i..i+K-1, groups that do not overlap
  Random,       // a seeded shuffle of the lines, then groups of K: each line used once
};

struct ConcatOptions {
  std::string src, tgt, out;  // --src, --tgt, --out
  int join = 2;               // --join K
  JoinOrder order = JoinOrder::Consecutive;
  uint64_t seed = 1;
  bool force = false;  // overwrite existing output files
};

struct JoinedCorpus {
  std::vector<std::string> src, tgt;  // each line K input lines joined by a space
  int64_t dropped = 0;                // trailing lines (fewer than K) that made no whole group
};

// Joins aligned lines in groups of `join`; src[i] and tgt[i] stay translations of each other.
// Throws UsageError naming --join when join < 1, std::invalid_argument when the sides differ in size.
JoinedCorpus join_corpus(const std::vector<std::string>& src, const std::vector<std::string>& tgt, int join,
                         JoinOrder order, uint64_t seed);

// Where concat writes a side: OUT/<name without its extension (and .gz)>.join<K><extension>, e.g.
// test_2016_flickr.de -> OUT/test_2016_flickr.join3.de.
std::string concat_output_path(const std::string& input, const std::string& out_dir, int join);

struct ConcatResult {
  std::string src_out, tgt_out, meta_out;
  int64_t lines_in = 0, lines_out = 0, dropped = 0;
};

// Reads --src and --tgt (the corpus readers' checks: a file, UTF-8, no control characters, same
// line count), joins them and writes both sides and OUT/concat.json (inputs with their SHA-256,
// K, order, seed, line counts). Existing outputs are an error unless options.force.
ConcatResult write_concat(const ConcatOptions& options, const std::string& command_line);

}  // namespace seq2seq::data
