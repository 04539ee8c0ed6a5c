// Reliability pieces without LibTorch: SHA-256 against the FIPS 180-4 vectors, the run lock,
// state.json old and new, the UTF-8 line check, the translate input path. These also run under
// ASan + UBSan (seq2seq_tests_light, scripts/fuzz.sh).
#include "seq2seq/data/source_line.h"
#include "seq2seq/data/tokenizer.h"
#include "seq2seq/data/vocab.h"
#include "seq2seq/run/run_lock.h"
#include "seq2seq/run/train_state.h"
#include "seq2seq/util/errors.h"
#include "seq2seq/util/io.h"
#include "seq2seq/util/sha256.h"
#include "seq2seq/util/utf8.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

std::string temp_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("seq2seq_rel_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

std::string error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(seq2seq::sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(seq2seq::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(seq2seq::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(seq2seq::sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, IncrementalEqualsOneShotAndFiles) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += static_cast<char>(i * 37);
  seq2seq::Sha256 pieces;
  for (std::size_t start = 0, n = 1; start < text.size(); start += n, n = n * 2 + 1)
    pieces.update(std::string_view(text).substr(start, n));
  EXPECT_EQ(pieces.hex(), seq2seq::sha256_hex(text));
  const std::string dir = temp_dir("sha");
  seq2seq::write_file_atomic(dir + "/f", text);
  EXPECT_EQ(seq2seq::sha256_file(dir + "/f"), seq2seq::sha256_hex(text));
  EXPECT_NE(error_of([&] { seq2seq::sha256_file(dir + "/missing"); }).find(dir + "/missing"), std::string::npos);
  fs::remove_all(dir);
}

TEST(RunLock, SecondHolderIsRefusedWithThePid) {
  const std::string dir = temp_dir("lock");
  {
    seq2seq::RunLock first(dir);
    const std::string error = error_of([&] { seq2seq::RunLock second(dir); });
    EXPECT_NE(error.find("pid " + std::to_string(::getpid())), std::string::npos) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos);
  }
  EXPECT_EQ(error_of([&] { seq2seq::RunLock again(dir); }), "");  // released with its holder
  fs::remove_all(dir);
}

TEST(RunLock, LockOfAKilledProcessDoesNotBlock) {
  const std::string dir = temp_dir("stale");
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    seq2seq::RunLock held(dir);
    ::pause();
    ::_exit(0);
  }
  // Wait until the child holds the lock (its pid is in the file).
  const std::string pid = std::to_string(child);
  for (int i = 0; i < 500; ++i) {
    std::ifstream in(seq2seq::RunLock::path_in(dir));
    std::string content;
    std::getline(in, content);
    if (content == pid) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_NE(error_of([&] { seq2seq::RunLock second(dir); }).find("pid " + pid), std::string::npos);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  EXPECT_EQ(error_of([&] { seq2seq::RunLock after(dir); }), "");  // the stale file names a dead pid
  fs::remove_all(dir);
}

TEST(TrainStateJson, OldFilesWithoutChecksumsResumesOrBestEpochLoad) {
  const std::string old = R"({"step": 12, "epoch": 2, "batch_in_epoch": 0, "best_score": 1.5, "best_step": 12,
    "bad_validations": 0, "validations": 2, "schedule": {"plateau_lr": 0.001, "plateau_best": null, "plateau_bad": 0},
    "rng": "00ff", "elapsed_s": 1.5, "train_s": 1.0, "tokens": 300, "complete": true, "stop_reason": "epochs",
    "parameters": 1000, "device": "cpu", "interval_loss": 0, "interval_steps": 0, "interval_tokens": 0,
    "interval_time": 0})";
  const auto state = seq2seq::parse_state(old, "state.json");
  EXPECT_EQ(state.step, 12);
  EXPECT_TRUE(state.checksums.empty());
  EXPECT_TRUE(state.resumes.empty());
  EXPECT_EQ(state.best_epoch, 0);  // not recorded before it existed

  auto with = state;
  with.best_epoch = 2;
  with.checksums["model.pt"] = seq2seq::sha256_hex("x");
  with.resumes.push_back({"2026-12-01T10:00:00Z", 12, {"train.epochs=3"}, 0});
  const auto back = seq2seq::parse_state(nlohmann::json(with).dump(), "state.json");
  EXPECT_EQ(back.checksums, with.checksums);
  EXPECT_EQ(back.best_epoch, 2);
  ASSERT_EQ(back.resumes.size(), 1u);
  EXPECT_EQ(back.resumes[0].overrides, std::vector<std::string>{"train.epochs=3"});

  auto missing = nlohmann::json::parse(old);
  missing.erase("rng");
  const std::string error = error_of([&] { seq2seq::parse_state(missing.dump(), "runs/x/state.json"); });
  EXPECT_NE(error.find("runs/x/state.json: corrupt or truncated"), std::string::npos) << error;
  EXPECT_NE(error_of([&] { seq2seq::parse_state(old.substr(0, 50), "s"); }).find("corrupt or truncated"),
            std::string::npos);
}

// Found by fuzz_run_json under UBSan: a number past int64 in an integer field was cast to it
// (undefined behaviour), and a fraction was silently cut (1.5 steps read as 1).
TEST(TrainStateJson, IntegerFieldsRefuseFractionsAndNumbersPast64Bits) {
  seq2seq::TrainState state;
  state.resumes.push_back({"2026-12-01T10:00:00Z", 12, {}, 0});
  const nlohmann::json good = state;
  EXPECT_EQ(error_of([&] { seq2seq::parse_state(good.dump(), "state.json"); }), "");
  const std::vector<std::pair<std::string, nlohmann::json>> bad = {
      {"/validations", nlohmann::json::parse("1.6e107")},
      {"/step", 1.5},
      {"/tokens", nlohmann::json(uint64_t(1) << 63)},
      {"/resumes/0/step", 2.5},
  };
  for (const auto& [pointer, value] : bad) {
    auto j = good;
    j[nlohmann::json::json_pointer(pointer)] = value;
    const std::string error = error_of([&] { seq2seq::parse_state(j.dump(), "runs/x/state.json"); });
    EXPECT_NE(error.find("runs/x/state.json: corrupt training state"), std::string::npos) << pointer << ": " << error;
    EXPECT_NE(error.find("not a whole number of 64 bits"), std::string::npos) << pointer << ": " << error;
  }
  auto whole = good;
  whole["step"] = 7;  // integers still read
  EXPECT_EQ(seq2seq::parse_state(whole.dump(), "state.json").step, 7);
}

// Found by fuzz_run_json: a duplicated token holding a newline made the error two lines.
TEST(VocabJson, DuplicateTokenErrorIsOneLineWithTheTokenEscaped) {
  const std::string text = R"({"tokens": ["<pad>", "<unk>", "<bos>", "<eos>", "a\nb", "a\nb"]})";
  const std::string error = error_of([&] { seq2seq::data::Vocab::parse(text, "vocab.src.json"); });
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  EXPECT_NE(error.find("vocab.src.json: vocabulary lists \"a\\nb\" twice (ids 4 and 5)"), std::string::npos) << error;
}

TEST(Utf8Lines, RefusalNamesFileLineAndByte) {
  EXPECT_EQ(error_of([] { seq2seq::require_valid_utf8("ok \xc3\xa4", "f.txt", 1); }), "");
  const std::string error = error_of([] { seq2seq::require_valid_utf8("ab\xff", "hyp.txt", 3); });
  EXPECT_EQ(error.rfind("hyp.txt:3: invalid UTF-8 at byte 3 of the line", 0), 0u) << error;
}

TEST(SourceLine, TokenizesCutsAndEncodes) {
  const seq2seq::data::WordTokenizer tokenizer(true);
  const auto vocab = seq2seq::data::Vocab::build({{"der", "hund", "."}}, 1, 0);
  auto line = seq2seq::data::prepare_source("Der Zauberer sieht den Hund.", tokenizer, vocab, 4);
  EXPECT_EQ(line.tokens, (std::vector<std::string>{"der", "zauberer", "sieht", "den"}));
  EXPECT_EQ(line.cut_from, 6);
  EXPECT_EQ(line.unknown, (std::vector<std::string>{"zauberer", "sieht", "den"}));
  ASSERT_EQ(line.ids.size(), 6u);
  EXPECT_EQ(line.ids[0], seq2seq::data::Vocab::kBos);
  EXPECT_EQ(line.ids[1], vocab.id("der"));
  EXPECT_EQ(line.ids[2], seq2seq::data::Vocab::kUnk);
  EXPECT_EQ(line.ids.back(), seq2seq::data::Vocab::kEos);
  EXPECT_TRUE(seq2seq::data::prepare_source("   ", tokenizer, vocab, 4).ids.empty());
}

TEST(VocabParse, ErrorsAreOneLineNamingTheFile) {
  // 1e999: nlohmann's out_of_range, which escaped Vocab::load before (found by fuzz_config).
  for (const std::string text : {"{", "[]", R"({"tokens": [1]})", R"({"tokens": ["a"]})", R"({"tokens": [1e999]})"}) {
    const std::string error = error_of([&] { seq2seq::data::Vocab::parse(text, "runs/x/vocab.src.json"); });
    EXPECT_EQ(error.rfind("runs/x/vocab.src.json: ", 0), 0u) << text << " -> " << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
}

// A failed write is an error naming the output, with the reason of the write that failed, even
// when the stream is checked long after (WriteErrorRecorder keeps the errno the stream forgets).
TEST(CheckedOutput, FailuresNameTheOutputAndTheReason) {
  std::ostringstream fine;
  fine << "text";
  EXPECT_NO_THROW(seq2seq::check_output(fine, "standard output"));

  std::ofstream full("/dev/full");
  ASSERT_TRUE(full.is_open());
  seq2seq::WriteErrorRecorder recorder(full);
  full << "a translation\n";
  try {
    seq2seq::check_output(full, "standard output");
    ADD_FAILURE() << "a write to /dev/full passed";
  } catch (const seq2seq::OutputError& e) {
    EXPECT_EQ(e.error_number, ENOSPC);
    EXPECT_EQ(std::string(e.what()), "writing standard output: No space left on device");
  }
  EXPECT_EQ(recorder.error(), ENOSPC);
  errno = ENOENT;  // anything the program did since
  try {
    seq2seq::check_output(full, "standard output");
    ADD_FAILURE() << "a failed stream passed its second check";
  } catch (const seq2seq::OutputError& e) {
    EXPECT_EQ(e.error_number, ENOSPC);
  }
}

// write_file_atomic writes a device in place (a rename would replace the device node) and says
// which file failed and why; a directory that cannot be made is named too.
TEST(CheckedOutput, FileWritesNameTheFile) {
  EXPECT_EQ(error_of([] { seq2seq::write_file_atomic("/dev/full", "x"); }),
            "/dev/full: cannot write (No space left on device; disk full or no permission?)");
  EXPECT_TRUE(fs::is_character_file("/dev/full"));
  EXPECT_NO_THROW(seq2seq::write_file_atomic("/dev/null", "x"));
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
  const std::string dir = temp_dir("checked_output");
  seq2seq::write_file_atomic(dir + "/plain", "x");
  EXPECT_EQ(error_of([&] { seq2seq::write_file_atomic(dir + "/plain/under", "y"); }),
            dir + "/plain: cannot create the directory (Not a directory)");
  EXPECT_EQ(error_of([&] { seq2seq::write_file_atomic(dir, "y"); }),
            dir + ": cannot write (Is a directory; disk full or no permission?)");
  EXPECT_EQ(error_of([] { seq2seq::append_line("/dev/full", "x"); }),
            "/dev/full: cannot write (No space left on device; disk full or no permission?)");
  fs::remove_all(dir);
}
