// `seq2seq data concat`: K aligned lines joined into one, for test sets of long sentences.
#include "seq2seq/data/concat.h"

#include "seq2seq/data/corpus.h"
#include "seq2seq/util/errors.h"
#include "seq2seq/util/io.h"
#include "seq2seq/util/random.h"
#include "seq2seq/util/sha256.h"
#include "seq2seq/util/text_input.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <numeric>
#include <stdexcept>

namespace seq2seq::data {

JoinedCorpus join_corpus(const std::vector<std::string>& src, const std::vector<std::string>& tgt, int join,
                         JoinOrder order, uint64_t seed) {
  if (join < 1) throw UsageError("data concat: --join " + std::to_string(join) + " must be at least 1");
  if (src.size() != tgt.size())
    throw std::invalid_argument("join_corpus: " + std::to_string(src.size()) + " source lines but " +
                                std::to_string(tgt.size()) + " target lines");
  std::vector<size_t> lines(src.size());
  std::iota(lines.begin(), lines.end(), size_t{0});
  if (order == JoinOrder::Random) {
    SplitMix64 rng(seed);  // Fisher-Yates on splitmix64: the same groups on every platform
    for (size_t i = lines.size(); i > 1; --i) std::swap(lines[i - 1], lines[rng.next() % i]);
  }
  const size_t k = static_cast<size_t>(join);
  JoinedCorpus out;
  const size_t groups = lines.size() / k;
  out.dropped = static_cast<int64_t>(lines.size() - groups * k);
  for (size_t g = 0; g < groups; ++g) {
    std::string s, t;
    for (size_t j = 0; j < k; ++j) {
      size_t line = lines[g * k + j];
      s += (j ? " " : "") + src[line];
      t += (j ? " " : "") + tgt[line];
    }
    out.src.push_back(std::move(s));
    out.tgt.push_back(std::move(t));
  }
  return out;
}

std::string concat_output_path(const std::string& input, const std::string& out_dir, int join) {
  std::string name = input.substr(input.find_last_of('/') + 1);
  if (name.size() > 3 && name.compare(name.size() - 3, 3, ".gz") == 0) name.resize(name.size() - 3);
  size_t dot = name.find_last_of('.');
  std::string stem = dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
  std::string extension = dot == std::string::npos || dot == 0 ? "" : name.substr(dot);
  return out_dir + "/" + stem + ".join" + std::to_string(join) + extension;
}

ConcatResult write_concat(const ConcatOptions& o, const std::string& command_line) {
  if (o.join < 1) throw UsageError("data concat: --join " + std::to_string(o.join) + " must be at least 1");
  require_input_file(o.src, "--src");
  require_input_file(o.tgt, "--tgt");
  ConcatResult result;
  result.src_out = concat_output_path(o.src, o.out, o.join);
  result.tgt_out = concat_output_path(o.tgt, o.out, o.join);
  result.meta_out = o.out + "/concat.json";
  if (result.src_out == result.tgt_out)
    throw UsageError("data concat: --src " + o.src + " and --tgt " + o.tgt + " would both be written to " +
                     result.src_out + "; give files whose names differ (test.de, test.en)");
  if (!o.force)
    for (const auto& path : {result.src_out, result.tgt_out, result.meta_out})
      if (file_exists(path))
        throw UsageError("data concat: " + path + " exists; pass --force to overwrite it, or choose another --out");

  const ParallelCorpus corpus = read_corpus({o.src, o.tgt}, "concat");
  if (corpus.size() < static_cast<size_t>(o.join))
    throw UsageError("data concat: --join " + std::to_string(o.join) + " needs at least that many lines; " + o.src +
                     " has " + std::to_string(corpus.size()));
  JoinedCorpus joined = join_corpus(corpus.src, corpus.tgt, o.join, o.order, o.seed);
  result.lines_in = static_cast<int64_t>(corpus.size());
  result.lines_out = static_cast<int64_t>(joined.src.size());
  result.dropped = joined.dropped;
  if (joined.dropped > 0)
    spdlog::info("{} trailing line(s) of {} made no group of {} and were left out", joined.dropped, o.src, o.join);

  auto text = [](const std::vector<std::string>& lines) {
    std::string all;
    for (const auto& line : lines) all += line + "\n";
    return all;
  };
  create_directories(o.out);
  write_file_atomic(result.src_out, text(joined.src));
  write_file_atomic(result.tgt_out, text(joined.tgt));
  nlohmann::ordered_json meta;
  meta["generator"] = "seq2seq data concat";
  meta["version"] = SEQ2SEQ_VERSION;
  meta["command"] = command_line;
  meta["inputs"] = {{"src", {{"path", o.src}, {"sha256", sha256_file(o.src)}}},
                    {"tgt", {{"path", o.tgt}, {"sha256", sha256_file(o.tgt)}}}};
  meta["join"] = o.join;
  meta["order"] = o.order == JoinOrder::Random ? "random" : "consecutive";
  meta["seed"] = o.seed;
  meta["lines_in"] = result.lines_in;
  meta["lines_out"] = result.lines_out;
  meta["dropped"] = result.dropped;
  meta["outputs"] = {{"src", result.src_out}, {"tgt", result.tgt_out}};
  write_file_atomic(result.meta_out, meta.dump(2) + "\n");
  return result;
}

}  // namespace seq2seq::data
