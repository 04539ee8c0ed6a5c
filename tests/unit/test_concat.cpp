// `data concat`: joining K aligned lines, consecutive and seeded-random, and the files it writes.
#include "seq2seq/data/concat.h"
#include "seq2seq/util/errors.h"
#include "seq2seq/util/io.h"
#include "seq2seq/util/sha256.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace {

namespace fs = std::filesystem;
using seq2seq::data::join_corpus;
using seq2seq::data::JoinOrder;

// Source lines "s0".."sN-1" and their targets "t0".."tN-1".
std::pair<std::vector<std::string>, std::vector<std::string>> numbered(int n) {
  std::vector<std::string> src, tgt;
  for (int i = 0; i < n; ++i) {
    src.push_back("s" + std::to_string(i));
    tgt.push_back("t" + std::to_string(i));
  }
  return {src, tgt};
}

std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

TEST(Concat, JoinOfOneIsTheInput) {
  auto [src, tgt] = numbered(5);
  auto joined = join_corpus(src, tgt, 1, JoinOrder::Consecutive, 7);
  EXPECT_EQ(joined.src, src);
  EXPECT_EQ(joined.tgt, tgt);
  EXPECT_EQ(joined.dropped, 0);
}

TEST(Concat, ConsecutivePairsDropTheRemainder) {
  const std::vector<std::string> src = {"Ein Mann.", "Eine Frau.", "Ein Kind.", "Ein Hund.", "Eine Katze."};
  const std::vector<std::string> tgt = {"A man.", "A woman.", "A child.", "A dog.", "A cat."};
  auto joined = join_corpus(src, tgt, 2, JoinOrder::Consecutive, 1);
  EXPECT_EQ(joined.src, (std::vector<std::string>{"Ein Mann. Eine Frau.", "Ein Kind. Ein Hund."}));
  EXPECT_EQ(joined.tgt, (std::vector<std::string>{"A man. A woman.", "A child. A dog."}));
  EXPECT_EQ(joined.dropped, 1);
}

TEST(Concat, RandomGroupsUseEachLineOnceAndStayAligned) {
  auto [src, tgt] = numbered(23);
  auto joined = join_corpus(src, tgt, 3, JoinOrder::Random, 5);
  ASSERT_EQ(joined.src.size(), 7u);
  EXPECT_EQ(joined.dropped, 2);
  std::map<std::string, int> uses;
  for (size_t i = 0; i < joined.src.size(); ++i) {
    auto s = words(joined.src[i]), t = words(joined.tgt[i]);
    ASSERT_EQ(s.size(), 3u);
    ASSERT_EQ(t.size(), 3u);
    for (size_t j = 0; j < 3; ++j) {
      EXPECT_EQ(t[j], "t" + s[j].substr(1)) << "target out of step with source in line " << i;
      ++uses[s[j]];
    }
  }
  EXPECT_EQ(uses.size(), 21u);
  for (const auto& [line, n] : uses) EXPECT_EQ(n, 1) << line;
  // Not the consecutive grouping, the same for the same seed, another for another seed.
  EXPECT_NE(joined.src, join_corpus(src, tgt, 3, JoinOrder::Consecutive, 5).src);
  EXPECT_EQ(joined.src, join_corpus(src, tgt, 3, JoinOrder::Random, 5).src);
  EXPECT_NE(joined.src, join_corpus(src, tgt, 3, JoinOrder::Random, 6).src);
  // K = 1 in random order is a permutation of the lines.
  auto shuffled = join_corpus(src, tgt, 1, JoinOrder::Random, 5);
  auto sorted = shuffled.src;
  std::sort(sorted.begin(), sorted.end());
  auto expected = src;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(sorted, expected);
}

TEST(Concat, BadArguments) {
  auto [src, tgt] = numbered(4);
  try {
    join_corpus(src, tgt, 0, JoinOrder::Consecutive, 1);
    ADD_FAILURE() << "--join 0 accepted";
  } catch (const seq2seq::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--join"), std::string::npos) << e.what();
  }
  tgt.pop_back();
  EXPECT_THROW(join_corpus(src, tgt, 2, JoinOrder::Consecutive, 1), std::invalid_argument);
}

TEST(Concat, OutputNames) {
  using seq2seq::data::concat_output_path;
  EXPECT_EQ(concat_output_path("data/multi30k/test_2016_flickr.de", "out", 3), "out/test_2016_flickr.join3.de");
  EXPECT_EQ(concat_output_path("test.en.gz", "out", 2), "out/test.join2.en");
  EXPECT_EQ(concat_output_path("corpus", "o", 4), "o/corpus.join4");
}

TEST(Concat, WritesBothSidesAndMetadataAndRefusesToOverwrite) {
  const fs::path dir = fs::temp_directory_path() / ("seq2seq_concat_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "t.de") << "a\nb\nc\nd\ne\n";
  std::ofstream(dir / "t.en") << "A\nB\nC\nD\nE\n";
  seq2seq::data::ConcatOptions o;
  o.src = (dir / "t.de").string();
  o.tgt = (dir / "t.en").string();
  o.out = (dir / "out").string();
  o.join = 2;
  auto result = seq2seq::data::write_concat(o, "test");
  EXPECT_EQ(seq2seq::read_file(result.src_out), "a b\nc d\n");
  EXPECT_EQ(seq2seq::read_file(result.tgt_out), "A B\nC D\n");
  auto meta = nlohmann::json::parse(seq2seq::read_file(o.out + "/concat.json"));
  EXPECT_EQ(meta["lines_in"], 5);
  EXPECT_EQ(meta["lines_out"], 2);
  EXPECT_EQ(meta["dropped"], 1);
  EXPECT_EQ(meta["join"], 2);
  EXPECT_EQ(meta["order"], "consecutive");
  EXPECT_EQ(meta["inputs"]["src"]["sha256"], seq2seq::sha256_hex("a\nb\nc\nd\ne\n"));
  EXPECT_THROW(seq2seq::data::write_concat(o, "test"), seq2seq::UsageError);
  o.force = true;
  o.order = JoinOrder::Random;
  EXPECT_NO_THROW(seq2seq::data::write_concat(o, "test"));
  fs::remove_all(dir);
}

}  // namespace
