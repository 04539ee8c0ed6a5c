// Data pipeline tests: readers, bad input, tokenizer/detokenizer, vocabulary, batching, stats,
// and the Multi30k vocabulary oracle from the PyTorch reference (skipped without ../shared).
#include "seq2seq/bench/bench_detail.h"
#include "seq2seq/data/batcher.h"
#include "seq2seq/data/corpus.h"
#include "seq2seq/data/stats.h"
#include "seq2seq/data/tokenizer.h"
#include "seq2seq/data/vocab.h"
#include "seq2seq/util/io.h"
#include "seq2seq/util/utf8.h"

#include <gtest/gtest.h>
#include <zlib.h>
#include <nlohmann/json.hpp>

#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>
#include <set>

namespace fs = std::filesystem;
using namespace seq2seq;
using namespace seq2seq::data;

namespace {

// A fresh folder per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ =
        fs::temp_directory_path() / ("seq2seq_data_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  std::string file(const std::string& name, const std::string& content) const {
    const std::string p = (path_ / name).string();
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  std::string gz_file(const std::string& name, const std::string& content) const {
    const std::string p = (path_ / name).string();
    gzFile f = gzopen(p.c_str(), "wb");
    EXPECT_NE(f, nullptr);
    EXPECT_EQ(gzwrite(f, content.data(), static_cast<unsigned>(content.size())), static_cast<int>(content.size()));
    EXPECT_EQ(gzclose(f), Z_OK);
    return p;
  }
  std::string path(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

// The message of the std::runtime_error that `f` throws ("" if it throws none).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

std::vector<std::string> toks(std::initializer_list<const char*> list) { return {list.begin(), list.end()}; }

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

// ---------------------------------------------------------------- readers

TEST(DataCorpus, ReadsPlainLinesSplittingOnNewlineOnly) {
  TempDir dir;
  // '\r' before '\n' is stripped, TAB stays; the final empty piece is dropped.
  auto lines = read_lines(dir.file("a.txt", "eins\r\nzwei\tdrei\n\nvier\n"));
  EXPECT_EQ(lines, toks({"eins", "zwei\tdrei", "", "vier"}));
  // An inner '\r' or a form feed would end up inside a token: refused with file:line.
  const std::string cr = dir.file("cr.txt", "eins\nzwei\rdrei\n");
  EXPECT_TRUE(contains(error_of([&] { read_lines(cr); }), cr + ":2: control character U+000D (CR)"));
  const std::string ff = dir.file("ff.txt", "vier\f\n");
  EXPECT_TRUE(contains(error_of([&] { read_lines(ff); }), ff + ":1: control character U+000C (FF)"));
  // Without a final newline the last line is still a line.
  EXPECT_EQ(read_lines(dir.file("b.txt", "x\ny")), toks({"x", "y"}));
  EXPECT_TRUE(read_lines(dir.file("c.txt", "")).empty());
  EXPECT_EQ(read_lines(dir.file("d.txt", "\n")), toks({""}));
  EXPECT_EQ(read_lines(dir.file("bom.txt", "\xEF\xBB\xBFhallo\n")), toks({"hallo"}));
}

TEST(DataCorpus, ReadsGzipAndAlignedPairs) {
  TempDir dir;
  const std::string de = "Ein Mädchen läuft.\nZwei Hunde spielen.\n", en = "A girl runs.\nTwo dogs play.\n";
  const std::string src = dir.gz_file("train.de.gz", de), tgt = dir.gz_file("train.en.gz", en);
  ASSERT_NE(read_file(src).substr(0, 2), de.substr(0, 2));  // really compressed
  ParallelCorpus corpus = read_corpus({src, tgt}, "train");
  EXPECT_EQ(corpus.name, "train");
  EXPECT_EQ(corpus.src, toks({"Ein Mädchen läuft.", "Zwei Hunde spielen."}));
  EXPECT_EQ(corpus.tgt, toks({"A girl runs.", "Two dogs play."}));
  EXPECT_EQ(corpus.src_path, src);
  EXPECT_EQ(corpus.tgt_path, tgt);
  // The same text plain gives the same lines; a .gz name on a plain file works too.
  EXPECT_EQ(read_lines(dir.file("plain.gz", de)), corpus.src);
}

TEST(DataCorpus, ReadsTsv) {
  TempDir dir;
  const std::string tsv = dir.file("pairs.tsv", "Hallo Welt\tHello world\nJa\tYes\textra column\n\t\n");
  ParallelCorpus corpus = read_corpus({tsv, ""}, "valid");
  EXPECT_EQ(corpus.src, toks({"Hallo Welt", "Ja", ""}));
  EXPECT_EQ(corpus.tgt, toks({"Hello world", "Yes", ""}));
  EXPECT_EQ(corpus.tgt_path, tsv);
  // TSV can be gzipped as well.
  EXPECT_EQ(read_corpus({dir.gz_file("pairs.tsv.gz", "a\tb\n"), ""}, "t").tgt, toks({"b"}));
}

TEST(DataCorpus, MissingFileSaysWhichAndWhatToDo) {
  TempDir dir;
  const std::string missing = dir.path("nope.de.gz");
  const std::string message = error_of([&] { read_corpus({missing, dir.file("x.en", "a\n")}, "train"); });
  EXPECT_TRUE(contains(message, missing)) << message;
  EXPECT_TRUE(contains(message, "not found")) << message;
  EXPECT_TRUE(contains(message, "get_data.sh")) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
  EXPECT_TRUE(contains(error_of([&] { read_corpus({"", ""}, "valid"); }), "data.valid.src"));
}

TEST(DataCorpus, DifferingLineCountsNameBothFilesAndCounts) {
  TempDir dir;
  const std::string src = dir.file("a.de", "1\n2\n3\n"), tgt = dir.gz_file("a.en.gz", "1\n2\n");
  const std::string message = error_of([&] { read_corpus({src, tgt}, "train"); });
  EXPECT_TRUE(contains(message, src + " has 3 lines")) << message;
  EXPECT_TRUE(contains(message, tgt + " has 2 lines")) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

TEST(DataCorpus, InvalidUtf8NamesFileAndLine) {
  TempDir dir;
  // Latin-1 'ä' (0xE4) on line 3; other ill-formed sequences are caught as well.
  const std::string latin1 = dir.file("latin1.de",
                                      "ok\nauch ok\nM\xE4"
                                      "dchen\n");
  std::string message = error_of([&] { read_lines(latin1); });
  EXPECT_TRUE(contains(message, latin1 + ":3: invalid UTF-8")) << message;
  EXPECT_TRUE(contains(message, "iconv")) << message;
  for (const char* bad : {"\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE2\x82", "\x80"}) {
    const std::string p = dir.file("bad.txt", std::string("x\n") + bad + "\n");
    EXPECT_TRUE(contains(error_of([&] { read_lines(p); }), ":2: invalid UTF-8")) << bad;
  }
  // Well-formed 2-, 3- and 4-byte sequences pass.
  EXPECT_EQ(read_lines(dir.file("good.txt", "\xC3\xA4 \xE2\x80\x9E \xF0\x9F\x98\x80\n")).size(), 1u);
  // A gz file is checked after decompression, line numbers included.
  const std::string gz = dir.gz_file("bad.gz", "a\nb\nc\n\xFF\n");
  EXPECT_TRUE(contains(error_of([&] { read_lines(gz); }), gz + ":4: invalid UTF-8"));
}

TEST(DataCorpus, TsvLineWithoutTabNamesFileAndLine) {
  TempDir dir;
  const std::string tsv = dir.file("p.tsv", "a\tb\nkein tab hier\n");
  const std::string message = error_of([&] { read_corpus({tsv, ""}, "train"); });
  EXPECT_TRUE(contains(message, tsv + ":2: no TAB")) << message;
}

TEST(DataCorpus, TruncatedGzipIsAnError) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "Zeile " + std::to_string(i) + " mit etwas Text\n";
  const std::string whole = read_file(dir.gz_file("whole.gz", text));
  const std::string cut = dir.file("cut.gz", whole.substr(0, whole.size() / 2));
  EXPECT_TRUE(contains(error_of([&] { read_lines(cut); }), cut)) << error_of([&] { read_lines(cut); });
}

TEST(DataCorpus, EncodeDropsAndCountsEmptyAndLongPairs) {
  ParallelCorpus corpus;
  corpus.name = "train";
  corpus.src = {"ein hund", "", "eins zwei drei vier", "a b c", "x", "   "};
  corpus.tgt = {"a dog", "nothing", "one two", "a b c", "", "blank"};
  const auto tokenizer = seq2seq::data::make_tokenizers(seq2seq::DataConfig{}, {});  // words, lowercased
  const Vocab src_vocab = Vocab::build({{"ein", "hund", "a", "b"}}, 1, 0);
  const Vocab tgt_vocab = Vocab::build({{"a", "dog"}}, 1, 0);
  EncodedCorpus encoded = encode_corpus(corpus, tokenizer, src_vocab, tgt_vocab, 3);
  EXPECT_EQ(encoded.dropped_empty, 3);  // lines 2, 5 and 6 (only spaces)
  EXPECT_EQ(encoded.dropped_long, 1);   // line 3: four source tokens
  ASSERT_EQ(encoded.examples.size(), 2u);
  EXPECT_EQ(encoded.examples[0].index, 0);
  EXPECT_EQ(encoded.examples[1].index, 3);
  EXPECT_EQ(encoded.examples[0].src,
            (std::vector<int64_t>{Vocab::kBos, src_vocab.id("ein"), src_vocab.id("hund"), Vocab::kEos}));
  EXPECT_EQ(encoded.src_tokens, 2 + 3);
  EXPECT_EQ(encoded.tgt_tokens, 2 + 3);
  EXPECT_EQ(encoded.src_unk, 1);  // "c"
  EXPECT_EQ(encoded.tgt_unk, 2);  // "b", "c"
  // max_len 0 (evaluation) keeps every pair, empty ones included, in corpus order.
  EncodedCorpus all = encode_corpus(corpus, tokenizer, src_vocab, tgt_vocab, 0);
  ASSERT_EQ(all.examples.size(), corpus.size());
  EXPECT_EQ(all.dropped_empty + all.dropped_long, 0);
  EXPECT_EQ(all.examples[1].src, (std::vector<int64_t>{Vocab::kBos, Vocab::kEos}));
  for (std::size_t i = 0; i < corpus.size(); ++i) EXPECT_EQ(all.examples[i].index, static_cast<int64_t>(i));
}

// ---------------------------------------------------------------- tokenizer

TEST(DataTokenizer, ReferenceReadmeExamples) {
  WordTokenizer tokenizer(true);
  EXPECT_EQ(tokenizer.tokenize("10-year-old"), toks({"10", "-", "year", "-", "old"}));
  EXPECT_EQ(tokenizer.tokenize("man's"), toks({"man", "'", "s"}));
  EXPECT_EQ(tokenizer.tokenize("\u201EGesch\u00E4ft\u201C."), toks({"\u201E", "gesch\u00E4ft", "\u201C", "."}));
}

TEST(DataTokenizer, GermanWithUmlautsSharpSPunctuationAndNbsp) {
  WordTokenizer lower(true), keep(false);
  EXPECT_EQ(lower.tokenize("Ein Mädchen läuft über die STRAßE – schnell!"),
            toks({"ein", "mädchen", "läuft", "über", "die", "straße", "–", "schnell", "!"}));
  EXPECT_EQ(lower.tokenize("ÄRGER, ÖL & ÜBUNG: ß bleibt ß; ẞ wird ß."),
            toks({"ärger", ",", "öl", "&", "übung", ":", "ß", "bleibt", "ß", ";", "ß", "wird", "ß", "."}));
  // NBSP and other Unicode spaces separate tokens and vanish; TAB too.
  EXPECT_EQ(lower.tokenize("zwei\u00A0Hunde\u2009und\u3000drei\tKatzen"),
            toks({"zwei", "hunde", "und", "drei", "katzen"}));
  EXPECT_EQ(keep.tokenize("Café „Zum Löwen“ (geöffnet)"),
            toks({"Café", "„", "Zum", "Löwen", "“", "(", "geöffnet", ")"}));
  // Every non-word, non-space character is a token of its own, even in runs.
  EXPECT_EQ(lower.tokenize("Wow?!... $5"), toks({"wow", "?", "!", ".", ".", ".", "$", "5"}));
  EXPECT_EQ(lower.tokenize("snake_case 3×4 x²"), toks({"snake_case", "3", "×", "4", "x²"}));
  EXPECT_TRUE(lower.tokenize(" \t\u00A0 ").empty());
}

TEST(DataTokenizer, LowercasingFollowsPython) {
  // Expected strings are Python's str.lower() of the inputs.
  EXPECT_EQ(seq2seq::lowercase("ÀÉÎÕÜÝÞ × ÷"), "àéîõüýþ × ÷");
  EXPECT_EQ(seq2seq::lowercase("ŁÓDŹ ŒUVRE ĲSSEL Ÿ"), "łódź œuvre ĳssel ÿ");
  EXPECT_EQ(seq2seq::lowercase("İstanbul"), "i\u0307stanbul");
  EXPECT_EQ(seq2seq::lowercase("ΟΔΟΣ ΣΑΣ Σ"), "οδος σας σ");
  EXPECT_EQ(seq2seq::lowercase("МОСКВА ЁЖ Ӂ"), "москва ёж ӂ");
  EXPECT_EQ(seq2seq::lowercase("ẞ ß Ạ"), "ß ß ạ");
  EXPECT_EQ(seq2seq::lowercase("bad \xFF byte"), "bad \xFF byte");
}

TEST(DataTokenizer, CharacterClasses) {
  for (char32_t c : {U'a', U'Z', U'0', U'_', U'ä', U'ß', U'é', U'ñ', U'Ω', U'ж', U'ł', U'ª', U'²', U'中'})
    EXPECT_TRUE(is_word_char(c)) << static_cast<uint32_t>(c);
  for (char32_t c : {U'-', U'\'', U'×', U'÷', U'„', U'“', U'–', U'’', U'€', U'\u0301', U' '})
    EXPECT_FALSE(is_word_char(c)) << static_cast<uint32_t>(c);
  for (char32_t c : {U' ', U'\t', U'\n', U'\u000B', U'\u001F', U'\u0085', U'\u00A0', U'\u2009', U'\u3000'})
    EXPECT_TRUE(seq2seq::is_space(c)) << static_cast<uint32_t>(c);
  for (char32_t c : {U'a', U'\u200B', U'\u00AD', U'_'}) EXPECT_FALSE(seq2seq::is_space(c)) << static_cast<uint32_t>(c);
}

TEST(DataTokenizer, IllFormedBytesBecomeTokens) {
  WordTokenizer tokenizer;
  EXPECT_EQ(tokenizer.tokenize("ab\xFF"
                               "cd"),
            toks({"ab", "\xFF", "cd"}));
}

TEST(DataTokenizer, DetokenizerRules) {
  WordTokenizer tokenizer;
  EXPECT_EQ(tokenizer.detokenize(toks({"a", "10", "-", "year", "-", "old", "boy", "."})), "a 10-year-old boy.");
  EXPECT_EQ(tokenizer.detokenize(toks({"the", "man", "'", "s", "dog", "don", "'", "t", "bark"})),
            "the man's dog don't bark");
  EXPECT_EQ(tokenizer.detokenize(toks({"the", "ladies", "'", "room"})), "the ladies' room");
  EXPECT_EQ(tokenizer.detokenize(toks({"he", "said", "\"", "hi", "\"", "and", "\"", "bye", "\"", "."})),
            "he said \"hi\" and \"bye\".");
  EXPECT_EQ(tokenizer.detokenize(toks({"„", "geschäft", "“", "und", "“", "shop", "”"})), "„geschäft“ und “shop”");
  EXPECT_EQ(tokenizer.detokenize(toks({"a", "(", "b", ")", "[", "c", "]", "50", "%", "!", "?"})), "a (b) [c] 50%!?");
  EXPECT_EQ(tokenizer.detokenize(toks({"3", ".", "5", "and", "1", ",", "000", "at", "10", ":", "30"})),
            "3.5 and 1,000 at 10:30");
  EXPECT_EQ(tokenizer.detokenize(toks({"eins", "–", "zwei", "-", "&", "-", "drei"})), "eins – zwei - & - drei");
  EXPECT_EQ(tokenizer.detokenize({}), "");
}

TEST(DataTokenizer, DetokenizeInvertsTokenizeOnNormalSentences) {
  WordTokenizer tokenizer(false);
  const std::vector<std::string> sentences{
      "A 10-year-old boy jumps into the water.",
      "The man's dog doesn't like the cat's toy.",
      "Two men, one wearing a red shirt, play soccer!",
      "A woman says \"hello\" to a child (who is smiling).",
      "Ein Mann trägt ein Schild mit der Aufschrift „Geschäft“.",
      "Zwei Mädchen – eines auf dem Boden – spielen Fußball; es ist 10:30 Uhr.",
      "It costs $5, or 3.50 euros?",
      "Hors d'oeuvres are served in the ladies' lounge.",
      "He said 'no' to the T-shirt.",
      "Kinder spielen im Schnee, während ihre Eltern zuschauen.",
      "Das Café ist 100% voll: Kaffee, Kuchen und Brötchen!",
      "Die Gruppe [A] wartet {still} auf den Bus #4...",
      "Ein älterer Herr mit grauem Bart liest eine Zeitung.",
      "We're sure they'll say I'd have liked it, and I've seen it.",
      "Zwei Mitarbeiter unter einer „Mongolian BBQ“-Leuchtreklame übergeben Limonade- und Bierdosen."};
  for (const auto& sentence : sentences) EXPECT_EQ(tokenizer.detokenize(tokenizer.tokenize(sentence)), sentence);
}

TEST(DataTokenizer, FactoryHonoursConfig) {
  DataConfig config;
  config.lowercase = false;
  auto tokenizer = make_tokenizer(config);
  EXPECT_EQ(tokenizer->tokenize("Ärger"), toks({"Ärger"}));
  config.lowercase = true;
  EXPECT_EQ(make_tokenizer(config)->tokenize("Ärger"), toks({"ärger"}));
  config.tokenizer = "bpe";
  EXPECT_THROW(make_tokenizer(config), ConfigError);
}

// ---------------------------------------------------------------- vocabulary

TEST(DataVocab, BuildOrdersByCountThenBytes) {
  // a x3; Z, b, c, ä x2 (ties: byte order, 'Z' < 'b' < 'c' < "ä"); d, e x1.
  const std::vector<std::vector<std::string>> sentences{
      {"b", "a", "c", "a", "ä"}, {"a", "b", "d", "Z"}, {"c", "e", "Z", "ä"}};
  EXPECT_EQ(Vocab::build(sentences, 2, 0).tokens(),
            toks({"<pad>", "<unk>", "<bos>", "<eos>", "a", "Z", "b", "c", "ä"}));
  EXPECT_EQ(Vocab::build(sentences, 1, 0).tokens(),
            toks({"<pad>", "<unk>", "<bos>", "<eos>", "a", "Z", "b", "c", "ä", "d", "e"}));
  EXPECT_EQ(Vocab::build(sentences, 1, 2).tokens(), toks({"<pad>", "<unk>", "<bos>", "<eos>", "a", "Z"}));
  EXPECT_EQ(Vocab::build(sentences, 4, 0).size(), 4);
  EXPECT_EQ(Vocab().tokens(), Vocab::specials());
}

TEST(DataVocab, EncodeDecode) {
  const Vocab vocab = Vocab::build({{"ein", "hund", "ein"}}, 1, 0);
  EXPECT_EQ(vocab.id("ein"), 4);
  EXPECT_EQ(vocab.id("katze"), Vocab::kUnk);
  EXPECT_EQ(vocab.token(5), "hund");
  EXPECT_THROW(vocab.token(6), std::out_of_range);
  EXPECT_EQ(vocab.encode(toks({"ein", "katze"})), (std::vector<int64_t>{2, 4, 1, 3}));
  EXPECT_EQ(vocab.encode(toks({"hund"}), false), (std::vector<int64_t>{5}));
  EXPECT_EQ(vocab.decode({2, 4, 0, 5, 3, 4}), toks({"ein", "hund"}));
  EXPECT_EQ(vocab.decode({4, 1}), toks({"ein", "<unk>"}));
}

TEST(DataVocab, SaveLoadRoundTripAndErrors) {
  TempDir dir;
  const Vocab vocab = Vocab::build({{"straße", "„", "hund", "hund"}}, 1, 0);
  const std::string path = dir.path("run/vocab.src.json");
  vocab.save(path);
  const Vocab loaded = Vocab::load(path);
  EXPECT_EQ(loaded.tokens(), vocab.tokens());
  EXPECT_EQ(loaded.id("straße"), vocab.id("straße"));
  EXPECT_EQ(nlohmann::json::parse(read_file(path))["tokens"][4], "hund");

  const std::string missing = dir.path("none.json");
  EXPECT_TRUE(contains(error_of([&] { Vocab::load(missing); }), missing));
  const std::string broken = dir.file("broken.json", "{\"tokens\": [");
  EXPECT_TRUE(contains(error_of([&] { Vocab::load(broken); }), broken));
  const std::string wrong = dir.file("wrong.json", "{\"tokens\": [\"a\", \"b\"]}");
  EXPECT_TRUE(contains(error_of([&] { Vocab::load(wrong); }), wrong + ": vocabulary must start with <pad>"));
  const std::string dup =
      dir.file("dup.json", "{\"tokens\": [\"<pad>\", \"<unk>\", \"<bos>\", \"<eos>\", \"x\", \"x\"]}");
  EXPECT_TRUE(contains(error_of([&] { Vocab::load(dup); }), dup + ": vocabulary lists \"x\" twice"));
  EXPECT_TRUE(contains(error_of([&] { Vocab::load(dir.file("obj.json", "[1]")); }), "obj.json"));
}

// ---------------------------------------------------------------- batching

namespace {

// Pairs with random, correlated lengths (ids are irrelevant to batching, except bos/eos).
std::vector<Example> random_examples(int n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> length(1, 40), jitter(-3, 3);
  std::vector<Example> examples;
  for (int i = 0; i < n; ++i) {
    const int s = length(rng), t = std::max(1, s + jitter(rng));
    Example example;
    example.src.assign(static_cast<std::size_t>(s) + 2, 7);
    example.tgt.assign(static_cast<std::size_t>(t) + 2, 9);
    example.src.front() = example.tgt.front() = Vocab::kBos;
    example.src.back() = example.tgt.back() = Vocab::kEos;
    example.index = 1000 + i;
    examples.push_back(std::move(example));
  }
  return examples;
}

std::vector<int64_t> flatten(const std::vector<std::vector<int64_t>>& batches) {
  std::vector<int64_t> all;
  for (const auto& batch : batches) all.insert(all.end(), batch.begin(), batch.end());
  return all;
}

void expect_each_once(const std::vector<std::vector<int64_t>>& batches, std::size_t n) {
  std::vector<int64_t> all = flatten(batches);
  std::sort(all.begin(), all.end());
  std::vector<int64_t> expected(n);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(all, expected);
  for (const auto& batch : batches) EXPECT_FALSE(batch.empty());
}

}  // namespace

TEST(DataBatcher, EveryPairExactlyOncePerEpoch) {
  const auto examples = random_examples(1237, 1);
  for (int batch_tokens : {0, 600}) {
    for (int chunk : {0, 1, 3, 100}) {
      BatchOptions options;
      options.batch_size = 32;
      options.batch_tokens = batch_tokens;
      options.bucket_chunk = chunk;
      expect_each_once(make_batches(examples, options, 7), examples.size());
    }
  }
  BatchOptions eval;
  eval.shuffle = false;
  expect_each_once(make_batches(examples, eval, 7), examples.size());
  expect_each_once(seq2seq::bench::reference_batches(examples, 32, 10), examples.size());
}

TEST(DataBatcher, DeterministicPerSeedAndSeedsDiffer) {
  const auto examples = random_examples(2000, 2);
  BatchOptions options;
  options.batch_size = 50;
  options.bucket_chunk = 4;
  const auto a = make_batches(examples, options, 1234), b = make_batches(examples, options, 1234);
  const auto c = make_batches(examples, options, 1235);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  // Not just the batch order: different seeds put different pairs together.
  std::set<std::vector<int64_t>> sa, sc;
  for (auto batch : a) sa.insert((std::sort(batch.begin(), batch.end()), batch));
  for (auto batch : c) sc.insert((std::sort(batch.begin(), batch.end()), batch));
  EXPECT_NE(sa, sc);
}

TEST(DataBatcher, ShuffleIsAUniformPermutation) {
  // Position of item 0 after shuffling 5 items, over 20000 seeds: each place ~4000 times.
  std::vector<int> where(5, 0);
  for (uint64_t seed = 0; seed < 20000; ++seed) {
    std::vector<int64_t> items{0, 1, 2, 3, 4};
    std::mt19937_64 rng(seed);
    shuffle_in_place(items, rng);
    ++where[static_cast<std::size_t>(std::find(items.begin(), items.end(), 0) - items.begin())];
  }
  for (int count : where) EXPECT_NEAR(count, 4000, 250);
}

TEST(DataBatcher, BucketingLowersPadding) {
  const auto examples = random_examples(5000, 3);
  BatchOptions plain, bucketed;
  plain.batch_size = bucketed.batch_size = 64;
  plain.bucket_chunk = 0;
  bucketed.bucket_chunk = 20;
  const PaddingStats without = padding_stats(examples, make_batches(examples, plain, 5));
  const PaddingStats with = padding_stats(examples, make_batches(examples, bucketed, 5));
  EXPECT_GT(without.fraction(), 0.3);  // random lengths 1..40 in batches of 64: lots of padding
  EXPECT_LT(with.fraction(), 0.1);     // sorted chunks: little
  EXPECT_LT(with.src_fraction(), without.src_fraction());
  EXPECT_LT(with.tgt_fraction(), without.tgt_fraction());
  // The real token counts do not depend on batching.
  EXPECT_EQ(with.real_src, without.real_src);
  EXPECT_EQ(with.real_tgt, without.real_tgt);
}

TEST(DataBatcher, BatchSizeAndTokenBudgetRespected) {
  const auto examples = random_examples(3000, 4);
  BatchOptions by_count;
  by_count.batch_size = 100;
  const auto counted = make_batches(examples, by_count, 1);
  int full = 0;
  for (const auto& batch : counted) {
    EXPECT_LE(batch.size(), 100u);
    full += batch.size() == 100u;
  }
  EXPECT_EQ(full, 30);  // 3000 = 30 chunks-worth of full batches (one chunk of 3000)

  BatchOptions by_tokens;
  by_tokens.batch_tokens = 1500;
  for (bool shuffle : {true, false}) {
    by_tokens.shuffle = shuffle;
    const auto batches = make_batches(examples, by_tokens, 1);
    int64_t padded = 0;
    for (const auto& batch : batches) {
      std::size_t s = 0, t = 0;
      for (int64_t p : batch) {
        s = std::max(s, examples[static_cast<std::size_t>(p)].src.size());
        t = std::max(t, examples[static_cast<std::size_t>(p)].tgt.size());
      }
      EXPECT_LE(batch.size() * (s + t), 1500u);
      padded += static_cast<int64_t>(batch.size() * (s + t));
    }
    // Batches are filled, not one pair each: on average well over half the budget.
    EXPECT_GT(double(padded) / double(batches.size()), 750.0) << "shuffle=" << shuffle;
  }
  // A pair longer than the budget on its own still gets a batch.
  BatchOptions tiny;
  tiny.batch_tokens = 5;
  const auto singles = make_batches(examples, tiny, 1);
  EXPECT_EQ(singles.size(), examples.size());
}

TEST(DataBatcher, EvalBatchesKeepCorpusOrder) {
  const auto examples = random_examples(250, 5);
  BatchOptions eval;
  eval.batch_size = 64;
  eval.shuffle = false;
  const auto batches = make_batches(examples, eval, 99);
  ASSERT_EQ(batches.size(), 4u);
  EXPECT_EQ(batches.back().size(), 250u - 3 * 64);
  std::vector<int64_t> expected(250);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(flatten(batches), expected);
}

TEST(DataBatcher, ReferenceBatchesSortChunksBySourceLength) {
  const auto examples = random_examples(1000, 6);
  const int batch_size = 30, chunk_batches = 10;  // chunks of 300: 300, 300, 300, 100
  const auto batches = seq2seq::bench::reference_batches(examples, batch_size, chunk_batches);
  EXPECT_EQ(batches.size(), 3u * 10u + 4u);  // the last chunk: 30, 30, 30, 10
  for (int chunk = 0; chunk < 4; ++chunk) {
    // The batches of one chunk, ordered by their shortest source, cover disjoint length ranges.
    std::vector<std::pair<std::size_t, std::size_t>> ranges;
    for (const auto& batch : batches) {
      if (batch.front() / 300 != chunk) continue;
      std::size_t lo = 1000, hi = 0;
      for (int64_t p : batch) {
        EXPECT_EQ(p / 300, chunk) << "batch mixes chunks";
        lo = std::min(lo, examples[static_cast<std::size_t>(p)].src.size());
        hi = std::max(hi, examples[static_cast<std::size_t>(p)].src.size());
      }
      ranges.emplace_back(lo, hi);
    }
    std::sort(ranges.begin(), ranges.end());
    for (std::size_t i = 1; i < ranges.size(); ++i) EXPECT_LE(ranges[i - 1].second, ranges[i].first);
  }
  // Stable: equal source lengths keep corpus order inside a batch.
  for (const auto& batch : batches)
    for (std::size_t i = 1; i < batch.size(); ++i) {
      if (examples[static_cast<std::size_t>(batch[i - 1])].src.size() ==
          examples[static_cast<std::size_t>(batch[i])].src.size()) {
        EXPECT_LT(batch[i - 1], batch[i]);
      }
    }
}

TEST(DataBatcher, CollateShapesPaddingAndBosEos) {
  std::vector<Example> examples(2);
  examples[0] = {{2, 5, 6, 3}, {2, 7, 3}, 17};
  examples[1] = {{2, 5, 3}, {2, 7, 8, 9, 3}, 4};
  const Batch batch = collate(examples, {1, 0});
  ASSERT_EQ(batch.src.sizes(), (std::vector<int64_t>{2, 4}));
  ASSERT_EQ(batch.tgt_in.sizes(), (std::vector<int64_t>{2, 4}));
  ASSERT_EQ(batch.tgt_out.sizes(), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(batch.src.dtype(), torch::kLong);
  EXPECT_TRUE(torch::equal(batch.src, torch::tensor({2, 5, 3, 0, 2, 5, 6, 3}, torch::kLong).view({2, 4})));
  EXPECT_TRUE(torch::equal(batch.src_len, torch::tensor({3, 4}, torch::kLong)));
  EXPECT_TRUE(torch::equal(batch.tgt_in, torch::tensor({2, 7, 8, 9, 2, 7, 0, 0}, torch::kLong).view({2, 4})));
  EXPECT_TRUE(torch::equal(batch.tgt_out, torch::tensor({7, 8, 9, 3, 7, 3, 0, 0}, torch::kLong).view({2, 4})));
  EXPECT_EQ(batch.tgt_tokens, 6);
  EXPECT_EQ(batch.tgt_tokens, batch.tgt_out.ne(Vocab::kPad).sum().item<int64_t>());
  EXPECT_EQ(batch.indices, (std::vector<int64_t>{4, 17}));
  EXPECT_EQ(batch.size(), 2);
  // Every row of tgt_in starts with <bos>; every row of tgt_out has exactly one <eos>, at its length.
  const auto random = random_examples(40, 8);
  std::vector<int64_t> all(40);
  std::iota(all.begin(), all.end(), 0);
  const Batch big = collate(random, all);
  EXPECT_TRUE(big.tgt_in.select(1, 0).eq(Vocab::kBos).all().item<bool>());
  EXPECT_TRUE(big.tgt_out.eq(Vocab::kEos).sum(1).eq(1).all().item<bool>());
  EXPECT_TRUE(big.src.ne(Vocab::kPad).sum(1).equal(big.src_len));

  const PaddingStats stats = padding_stats(examples, {{1, 0}});
  EXPECT_EQ(stats.real_src, 7);
  EXPECT_EQ(stats.padded_src, 8);
  EXPECT_EQ(stats.real_tgt, 8);
  EXPECT_EQ(stats.padded_tgt, 10);
  EXPECT_DOUBLE_EQ(stats.fraction(), 1.0 - 15.0 / 18.0);
}

// ---------------------------------------------------------------- stats

TEST(DataStats, CountsVocabOovAndHistogram) {
  ParallelCorpus train, valid;
  train.name = "train";
  train.src = {"a b a", "a c", "", "a b c d e f g h i j k l"};  // 3, 2, 0, 12 tokens
  train.tgt = {"x y", "x", "z", "x y"};
  valid.name = "valid";
  valid.src = {"a q q", "b"};
  valid.tgt = {"x w", "y y y y"};
  const auto tokenizer = seq2seq::data::make_tokenizers(seq2seq::DataConfig{}, {});  // words, lowercased
  StatsOptions options;
  options.min_freq = 2;
  options.max_len = 10;
  options.src_lang = "de";
  options.tgt_lang = "en";
  const nlohmann::json stats = corpus_stats({train, valid}, tokenizer, options);
  // Train counts: a 4, b 2, c 2, d..l 1 -> vocab a b c; x 4, y 3, z 1 -> x y.
  EXPECT_EQ(stats["vocab"]["src_size"], 4 + 3);
  EXPECT_EQ(stats["vocab"]["tgt_size"], 4 + 2);
  EXPECT_EQ(stats["vocab"]["src_types"], 12);
  const auto& t = stats["splits"][0];
  EXPECT_EQ(t["pairs"], 4);
  EXPECT_EQ(t["src_tokens"], 17);
  EXPECT_EQ(t["tgt_tokens"], 6);
  EXPECT_EQ(t["src_max_len"], 12);
  EXPECT_EQ(t["empty_pairs"], 1);
  EXPECT_EQ(t["long_pairs"], 1);
  EXPECT_EQ(t["dropped_by_max_len"], 2);
  EXPECT_EQ(t["src_unk"], 9);
  EXPECT_EQ(t["histogram"]["bin_width"], 5);
  EXPECT_EQ(t["histogram"]["src"], (std::vector<int64_t>{3, 0, 1}));  // [0,5): 3, 0, 2; [10,15): 12
  EXPECT_EQ(t["histogram"]["tgt"], (std::vector<int64_t>{4, 0, 0}));
  const auto& v = stats["splits"][1];
  EXPECT_EQ(v["src_unk"], 2);
  EXPECT_DOUBLE_EQ(v["src_oov_rate"].get<double>(), 2.0 / 4.0);
  EXPECT_DOUBLE_EQ(v["tgt_oov_rate"].get<double>(), 1.0 / 6.0);
  EXPECT_EQ(v["dropped_by_max_len"], 0);

  const std::string text = render_stats(stats);
  EXPECT_TRUE(contains(text, "train")) << text;
  EXPECT_TRUE(contains(text, "50.00%")) << text;
  EXPECT_TRUE(contains(text, "\u2588")) << text;
  EXPECT_TRUE(contains(text, "de 7, en 6 entries")) << text;
}

TEST(DataStats, BlockBars) {
  EXPECT_EQ(block_bar(1.0, 3), "\u2588\u2588\u2588");
  EXPECT_EQ(block_bar(0.5, 4), "\u2588\u2588  ");
  EXPECT_EQ(block_bar(0.75, 2), "\u2588\u258C");  // 1.5 cells: a full block and a half block
  EXPECT_EQ(block_bar(0.25, 1), "\u258E");        // a quarter cell
  EXPECT_EQ(block_bar(0.0, 2), "  ");
  EXPECT_EQ(block_bar(1e-6, 2), "\u258F ");  // never invisible
}

// ---------------------------------------------------------------- Multi30k oracle

namespace {

const std::string kMulti30k = SEQ2SEQ_SOURCE_DIR "/../shared/data/multi30k";
const std::string kReference = SEQ2SEQ_SOURCE_DIR "/../shared/bench/pytorch_reference";

}  // namespace

TEST(DataMulti30k, MatchesReferenceVocabularyCountsAndPadding) {
  if (!fs::exists(kMulti30k + "/train.de.gz") || !fs::exists(kReference + "/vocab/vocab.de.txt"))
    GTEST_SKIP() << "../shared/data/multi30k or the PyTorch reference vocab is absent; Multi30k oracle not run";
  const ParallelCorpus train = read_corpus({kMulti30k + "/train.de.gz", kMulti30k + "/train.en.gz"}, "train");
  const ParallelCorpus valid = read_corpus({kMulti30k + "/val.de.gz", kMulti30k + "/val.en.gz"}, "valid");
  const ParallelCorpus test =
      read_corpus({kMulti30k + "/test_2016_flickr.de.gz", kMulti30k + "/test_2016_flickr.en.gz"}, "test");
  EXPECT_EQ(train.size(), 29000u);
  EXPECT_EQ(valid.size(), 1014u);
  EXPECT_EQ(test.size(), 1000u);

  DataConfig config;  // lowercase, min_freq 2, no max_size
  const auto tokenizer = seq2seq::data::make_tokenizers(config, {});
  const auto [src_vocab, tgt_vocab] = build_vocabs(train, tokenizer, config.min_freq, config.max_size);
  EXPECT_EQ(src_vocab.size(), 7882);
  EXPECT_EQ(tgt_vocab.size(), 5898);
  EXPECT_EQ(src_vocab.tokens(), read_lines(kReference + "/vocab/vocab.de.txt"));
  EXPECT_EQ(tgt_vocab.tokens(), read_lines(kReference + "/vocab/vocab.en.txt"));

  // Token and <unk> counts per split, as the reference's corpus_stats.json records them.
  const auto oracle = nlohmann::json::parse(read_file(kReference + "/vocab/corpus_stats.json"));
  std::vector<Example> train_examples;
  for (const auto* corpus : {&train, &valid}) {
    EncodedCorpus encoded = encode_corpus(*corpus, tokenizer, src_vocab, tgt_vocab, 0);
    const auto& ref = oracle[corpus == &train ? "train" : "val"];
    const int64_t n = static_cast<int64_t>(encoded.examples.size());
    EXPECT_EQ(n, ref["sentences"].get<int64_t>());
    EXPECT_EQ(encoded.src_tokens + 2 * n, ref["src_tokens_incl_bos_eos"].get<int64_t>());
    EXPECT_EQ(encoded.tgt_tokens + 2 * n, ref["tgt_tokens_incl_bos_eos"].get<int64_t>());
    EXPECT_EQ(encoded.src_unk, ref["src_unk"].get<int64_t>());
    EXPECT_EQ(encoded.tgt_unk, ref["tgt_unk"].get<int64_t>());
    std::size_t src_max = 0, tgt_max = 0;
    for (const auto& e : encoded.examples)
      src_max = std::max(src_max, e.src.size()), tgt_max = std::max(tgt_max, e.tgt.size());
    EXPECT_EQ(static_cast<int64_t>(src_max), ref["src_max_len"].get<int64_t>());
    EXPECT_EQ(static_cast<int64_t>(tgt_max), ref["tgt_max_len"].get<int64_t>());
    if (corpus == &train) train_examples = std::move(encoded.examples);
  }

  // The reference's multi30k-mode batches: same batches, so the same epoch padding fractions.
  const auto batches = seq2seq::bench::reference_batches(train_examples, 128, 100);
  const PaddingStats padding = padding_stats(train_examples, batches);
  const std::string result_file = kReference + "/results/rnn_multi30k.json";
  if (fs::exists(result_file)) {
    std::ifstream in(result_file);
    const auto result = nlohmann::json::parse(in);
    EXPECT_EQ(static_cast<int64_t>(batches.size()), result["epoch_batches"].get<int64_t>());
    EXPECT_NEAR(padding.src_fraction(), result["epoch_pad_frac_src"].get<double>(), 1e-12);
    EXPECT_NEAR(padding.tgt_fraction(), result["epoch_pad_frac_tgt"].get<double>(), 1e-12);
    EXPECT_NEAR(padding.fraction(), result["epoch_pad_frac_all"].get<double>(), 1e-12);
  }
  // Our bucketing (shuffled pairs, sorted by source then target length) pads less than that.
  BatchOptions options;
  const PaddingStats ours = padding_stats(train_examples, make_batches(train_examples, options, 1234));
  EXPECT_LT(ours.fraction(), padding.fraction());
  std::printf(
      "Multi30k train padding (src / tgt / all): reference batching %.4f / %.4f / %.4f (%zu batches), "
      "make_batches %.4f / %.4f / %.4f\n",
      padding.src_fraction(), padding.tgt_fraction(), padding.fraction(), batches.size(), ours.src_fraction(),
      ours.tgt_fraction(), ours.fraction());
}
