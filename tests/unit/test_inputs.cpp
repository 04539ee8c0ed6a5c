// Inputs checked at the door, without LibTorch: the byte-order mark, control characters with
// file:line, input quoted into messages, paths that must be files, duplicate JSON keys, and the
// corpora a config names checked before training. These also run under ASan + UBSan.
#include "seq2seq/config/config.h"
#include "seq2seq/data/corpus.h"
#include "seq2seq/util/errors.h"
#include "seq2seq/util/json_text.h"
#include "seq2seq/util/text_input.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include <unistd.h>

namespace fs = std::filesystem;
using seq2seq::ConfigError;

namespace {

std::string error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

// A fresh directory per test, removed at the end.
class TempDir {
 public:
  explicit TempDir(const std::string& name)
      : dir_(fs::temp_directory_path() / ("seq2seq_inputs_" + name + "_" + std::to_string(::getpid()))) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  ~TempDir() { fs::remove_all(dir_); }
  std::string file(const std::string& name, const std::string& content) const {
    std::ofstream(dir_ / name, std::ios::binary) << content;
    return path(name);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

 private:
  fs::path dir_;
};

}  // namespace

TEST(Bom, StrippedAtTheStartOnly) {
  EXPECT_EQ(seq2seq::strip_bom("\xEF\xBB\xBFhallo"), "hallo");
  EXPECT_EQ(seq2seq::strip_bom("hallo"), "hallo");
  EXPECT_EQ(seq2seq::strip_bom("\xEF\xBB"), "\xEF\xBB");  // a truncated mark is not one
  EXPECT_EQ(seq2seq::strip_bom("a\xEF\xBB\xBF"), "a\xEF\xBB\xBF");
  EXPECT_EQ(seq2seq::strip_bom(""), "");
}

TEST(TextLines, SplitLikeTheCorpusReaders) {
  using Lines = std::vector<std::string>;
  EXPECT_EQ(seq2seq::split_text_lines("\xEF\xBB\xBF"
                                      "a b\r\n\nc",
                                      "f.txt"),
            (Lines{"a b", "", "c"}));
  EXPECT_EQ(seq2seq::split_text_lines("a\tb\n", "f.txt"), (Lines{"a\tb"}));  // TAB is text (TSV)
  EXPECT_EQ(seq2seq::split_text_lines("", "f.txt"), Lines{});
  EXPECT_EQ(seq2seq::split_text_lines("\xEF\xBB\xBF", "f.txt"), Lines{});
}

TEST(ControlChars, FoundExceptTab) {
  using seq2seq::find_control_char;
  const auto none = std::string_view::npos;
  EXPECT_EQ(find_control_char("Der Hund\tsieht"), none);
  EXPECT_EQ(find_control_char(std::string_view("ab\0c", 4)), 2u);
  EXPECT_EQ(find_control_char("a\x1b[A"), 1u);
  EXPECT_EQ(find_control_char("a\rb"), 1u);                      // a CR that is not part of CRLF
  EXPECT_EQ(find_control_char("\x7f \xc2\x85 \xc3\xa4"), none);  // DEL, NEL and ä are not C0
}

TEST(ControlChars, RefusalNamesFileLineAndByte) {
  const std::string nul = error_of([] { seq2seq::require_no_control_chars(std::string("ab\0", 3), "f.de", 3); });
  EXPECT_TRUE(starts_with(nul, "f.de:3: control character U+0000 (NUL) at byte 3 of the line")) << nul;
  const std::string lines = error_of([] { seq2seq::split_text_lines("ok\nx\x01y\n", "g.en"); });
  EXPECT_TRUE(starts_with(lines, "g.en:2: control character U+0001 (SOH) at byte 2")) << lines;
  const std::string cr = error_of([] { seq2seq::split_text_lines("a\rb\n", "mac.txt"); });
  EXPECT_TRUE(starts_with(cr, "mac.txt:1: control character U+000D (CR)")) << cr;
  // Invalid UTF-8 is still refused first, with its own message.
  const std::string utf8 = error_of([] { seq2seq::require_text_line("a\xff\x01", "h.txt", 1); });
  EXPECT_TRUE(starts_with(utf8, "h.txt:1: invalid UTF-8 at byte 2")) << utf8;
  EXPECT_EQ(error_of([] { seq2seq::require_text_line("Grüße\tok", "h.txt", 1); }), "");
}

TEST(QuoteInput, ShortTextUnchangedLongTextCut) {
  using seq2seq::quote_input;
  EXPECT_EQ(quote_input("Fahrrad"), "Fahrrad");
  EXPECT_EQ(quote_input(std::string(60, 'a')), std::string(60, 'a'));
  const std::string word(1 << 20, 'x');
  EXPECT_EQ(quote_input(word), std::string(60, 'x') + "... (" + std::to_string((1 << 20) - 60) + " more bytes)");
  // Cut between code points, never inside one: 61 ä are 122 bytes, 60 of them kept.
  std::string umlauts;
  for (int i = 0; i < 61; ++i) umlauts += "\xc3\xa4";
  EXPECT_EQ(quote_input(umlauts), umlauts.substr(0, 120) + "... (2 more bytes)");
  EXPECT_EQ(quote_input("abc", 2), "ab... (1 more bytes)");
}

TEST(QuoteInput, ControlCharsAndBadBytesEscaped) {
  EXPECT_EQ(seq2seq::quote_input("a\x1b[2Jb"), "a\\x1B[2Jb");
  EXPECT_EQ(seq2seq::quote_input("line\nbreak\ttab"), "line\\x0Abreak\\x09tab");
  EXPECT_EQ(seq2seq::quote_input("bad\xff"), "bad\\xFF");
}

TEST(InputFile, DirectoriesAndMissingFilesNamed) {
  TempDir dir("file");
  const std::string file = dir.file("a.txt", "x\n");
  EXPECT_EQ(seq2seq::input_file_problem(file), "");
  EXPECT_EQ(seq2seq::input_file_problem(dir.path("")), "is a directory, not a file");
  EXPECT_EQ(seq2seq::input_file_problem(dir.path("gone.txt")), "no such file");
  const std::string error = error_of([&] { seq2seq::require_input_file(dir.path("sub"), "--ref"); });
  EXPECT_EQ(error, "--ref " + dir.path("sub") + ": no such file");
  fs::create_directories(dir.path("sub"));
  EXPECT_THROW(seq2seq::require_input_file(dir.path("sub"), "--ref"), seq2seq::UsageError);
}

TEST(JsonUniqueKeys, DuplicateNamedWithLineAndKeyPath) {
  using seq2seq::parse_json_unique_keys;
  const std::string top = error_of([] { parse_json_unique_keys(R"({"a": 1, "a": 2})", "c.json"); });
  EXPECT_EQ(top, "c.json:1: duplicate key a; keep one (the later one would silently win)");
  const std::string nested = error_of(
      [] { parse_json_unique_keys("{\"model\": {\"type\": \"rnn\",\n\n  \"type\": \"bahdanau\"}}", "c.json"); });
  EXPECT_TRUE(starts_with(nested, "c.json:3: duplicate key model.type;")) << nested;
  const std::string in_array =
      error_of([] { parse_json_unique_keys(R"({"runs": [{"a": 1}, [0, {"b": 1}], {"a": 2, "a": 3}]})", "s.json"); });
  EXPECT_TRUE(starts_with(in_array, "s.json:1: duplicate key runs[2].a;")) << in_array;
  const std::string deep = error_of([] { parse_json_unique_keys(R"({"x": [[{"k": 1, "k": 1}]]})", "d.json"); });
  EXPECT_TRUE(starts_with(deep, "d.json:1: duplicate key x[0][0].k;")) << deep;
  EXPECT_THROW(parse_json_unique_keys(R"({"a": {}, "a": {}})", "e.json"), ConfigError);
}

TEST(JsonUniqueKeys, SameKeyElsewhereIsFine) {
  const std::string text = R"({"a": {"a": 1, "b": {"a": 2}}, "b": [{"a": 1}, {"a": 2}], "c": {"a": [1, 1]}})";
  EXPECT_EQ(seq2seq::parse_json_unique_keys(text, "ok.json"), nlohmann::json::parse(text));
  // Comments only where asked for, as nlohmann::json::parse; syntax errors stay parse errors.
  EXPECT_EQ(seq2seq::parse_json_unique_keys("// note\n{\"a\": 1}", "c.json", true), nlohmann::json({{"a", 1}}));
  EXPECT_THROW(seq2seq::parse_json_unique_keys("// note\n{}", "c.json"), nlohmann::json::parse_error);
  EXPECT_THROW(seq2seq::parse_json_unique_keys(R"({"a": 1,})", "c.json"), nlohmann::json::parse_error);
  EXPECT_EQ(seq2seq::parse_json_unique_keys("[]", "c.json"), nlohmann::json::array());
}

TEST(JsonUniqueKeys, ConfigFilesAndTheirBasesRefuseDuplicates) {
  TempDir dir("config");
  dir.file("base.json",
           "{\"data\": {\"train\": {\"src\": \"a.de\", \"tgt\": \"a.en\"}},\n \"train\": {\"lr\": 0.1, \"lr\": 0.2}}");
  const std::string child = dir.file("child.json", R"({"extends": "base.json", "model": {"type": "rnn"}})");
  const std::string error = error_of([&] { seq2seq::load_config(child); });
  EXPECT_EQ(error, dir.path("base.json") + ":2: duplicate key train.lr; keep one (the later one would silently win)");
  const std::string folder = error_of([&] { seq2seq::load_config(dir.path("")); });
  EXPECT_TRUE(starts_with(folder, dir.path("") + ": is a directory, not a file")) << folder;
}

TEST(CheckCorpora, EveryNamedSplitReadBeforeTraining) {
  TempDir dir("corpora");
  seq2seq::DataConfig data;
  data.train = {dir.file("train.de", "Der Hund.\nDie Katze.\n"), dir.file("train.en", "The dog.\nThe cat.\n")};
  data.valid = {dir.file("valid.tsv", "\xEF\xBB\xBFHallo.\tHello.\n"), ""};
  data.test = {dir.file("test.de", "Ein Mann.\n"), dir.file("test.en", "A man.\n")};
  EXPECT_EQ(error_of([&] { seq2seq::data::check_corpora(data); }), "");

  auto check = [&](seq2seq::DataConfig changed) { return error_of([&] { seq2seq::data::check_corpora(changed); }); };
  seq2seq::DataConfig missing = data;
  missing.test.src = dir.path("gone.de");
  EXPECT_TRUE(starts_with(check(missing), "data.test.src: " + dir.path("gone.de") + ": no such file"))
      << check(missing);
  EXPECT_THROW(seq2seq::data::check_corpora(missing), ConfigError);
  seq2seq::DataConfig folder = data;
  folder.valid.src = dir.path("");
  EXPECT_EQ(check(folder), "data.valid.src: " + dir.path("") + ": is a directory, not a file");

  seq2seq::DataConfig empty = data;
  empty.valid = {dir.file("empty.de", ""), dir.file("empty.en", "")};
  EXPECT_TRUE(starts_with(check(empty),
                          "data.valid: " + dir.path("empty.de") + " and " + dir.path("empty.en") + ": empty (0 lines)"))
      << check(empty);
  seq2seq::DataConfig blank = data;
  blank.valid = {dir.file("blank.de", "\n  \nx\n"), dir.file("blank.en", "y\n\n\n")};
  EXPECT_NE(check(blank).find("data.valid: " + dir.path("blank.de") + " and " + dir.path("blank.en") +
                              ": no usable pair (each of its 3 lines"),
            std::string::npos)
      << check(blank);

  seq2seq::DataConfig uneven = data;
  uneven.test.tgt = dir.path("train.en");
  EXPECT_TRUE(starts_with(check(uneven), "data.test: differing line counts: ")) << check(uneven);
  seq2seq::DataConfig control = data;
  control.train.src = dir.file("nul.de", std::string("Der Hund.\nDie\0 Katze.\n", 22));
  EXPECT_TRUE(
      starts_with(check(control), "data.train: " + dir.path("nul.de") + ":2: control character U+0000 (NUL) at byte 4"))
      << check(control);
  seq2seq::DataConfig orphan = data;
  orphan.test = {"", dir.path("test.en")};
  EXPECT_TRUE(starts_with(check(orphan), "data.test.tgt: ")) << check(orphan);
  const std::string named = error_of([&] { seq2seq::data::check_corpora(missing, "c.json"); });
  EXPECT_TRUE(starts_with(named, "c.json: data.test.src: ")) << named;
}
