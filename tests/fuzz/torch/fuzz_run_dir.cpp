// Fuzz target: a run directory loaded for inference (load_run) from fuzzed config.json,
// vocab.tgt.json and state.json bytes, around a tiny valid checkpoint (model.pt, vocab.src.json).
// The input is the three files, separated by "\n=====\n"; a missing piece is a missing file.
// Every load ends in one of two ways: an error whose first line names a file of the run, or a
// consistent load: the files read are the ones state.json records (when it records them), and
// the model holds exactly the checkpoint's weights. Never a crash, never a silent mismatch.
//
// LibTorch is built with GCC, so this target runs in the GCC build under a small mutation driver
// of its own (driver.cpp; ctest runs it as fuzz.run_dir), not under libFuzzer like tests/fuzz/*.
#include "../fuzz_common.h"
#include "run_dir_fixture.h"

#include "seq2seq/run/run.h"
#include "seq2seq/util/errors.h"
#include "seq2seq/util/io.h"
#include "seq2seq/util/sha256.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace {

using namespace seq2seq;

// The recorded checksum of `name`, or "" (none, or no state.json that parses).
std::string recorded(const std::string& state_text, const std::string& name) {
  try {
    const TrainState state = parse_state(state_text, "state.json");
    const auto found = state.checksums.find(name);
    return found == state.checksums.end() ? "" : found->second;
  } catch (const std::exception&) {
    return "";
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const fuzz::RunDirFixture& fixture = fuzz::RunDirFixture::get();
  const auto pieces = fuzz::split(fuzz::as_text(data, size), fuzz::kPieceSeparator);
  const std::string dir = fixture.fresh_run(pieces);
  const bool has_state = pieces.size() > 2;
  try {
    const LoadedRun run = load_run({dir, "last", "cpu", /*unverified=*/false});
    // A load without state.json would have read weights nothing vouches for.
    fuzz::check(has_state, "a run without state.json loads only with --unverified");
    // The files read are the ones state.json records, wherever it records them.
    const std::string config_sum = recorded(pieces[2], "config.json");
    fuzz::check(config_sum.empty() || config_sum == sha256_hex(pieces[0]), "config.json matches its checksum");
    const std::string vocab_sum = recorded(pieces[2], "vocab.tgt.json");
    fuzz::check(vocab_sum.empty() || vocab_sum == sha256_hex(pieces[1]), "vocab.tgt.json matches its checksum");
    // The model holds the checkpoint's weights, name by name and value by value.
    fuzz::check(fixture.holds_checkpoint(*run.model), "the model holds exactly the checkpoint's weights");
    if (std::getenv("SEQ2SEQ_FUZZ_VERBOSE")) std::fprintf(stderr, "loaded\n");
  } catch (const std::exception& e) {
    const std::string line = first_line(e.what());
    if (std::getenv("SEQ2SEQ_FUZZ_VERBOSE")) std::fprintf(stderr, "error: %s\n", line.c_str());
    fuzz::check(!line.empty(), "an error says something");
    fuzz::check(line.find(dir) != std::string::npos, "an error names the run's file");
  }
  std::filesystem::remove_all(dir);
  return 0;
}
