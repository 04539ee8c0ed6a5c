// A small mutation driver for fuzz targets that link LibTorch (and so build with GCC, without
// libFuzzer): replays the files given, then mutates the target's seed inputs for -runs=N inputs
// or -max_total_time=S seconds, seeded by -seed=S. Each mutation edits one piece of an input
// (a byte flipped, inserted or deleted, a range duplicated, a JSON token put in) or, where the
// piece is JSON, one value or key inside it; half the time state.json then vouches for the edits. A failed invariant aborts (fuzz_common.h check), and
// the input that did it is written to crash-<n>.bin first, for replay.
#include "../fuzz_common.h"
#include "run_dir_fixture.h"

#include "seq2seq/util/random.h"
#include "seq2seq/util/sha256.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size);

namespace {

using seq2seq::SplitMix64;

std::string g_current;  // the input being run, written out when an invariant fails
extern "C" void on_abort(int) {
  std::ofstream("crash-input.bin", std::ios::binary) << g_current;
  std::signal(SIGABRT, SIG_DFL);
}

void run_one(const std::string& input) {
  g_current = input;
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

uint64_t below(SplitMix64& random, uint64_t n) { return n == 0 ? 0 : random.next() % n; }

const std::vector<std::string> kTokens = {
    "{", "}", "[", "]", "\"", ",", ":", "null", "true", "false", "0", "-1", "1e999", "2147483648", "3.5",
    "\"\"", "\"model\"", "\"type\"", "\"checksums\"", "\"tokens\"", "\"hidden_dim\"", "\"heads\"", "\"transformer\"",
    "\"rnn\"", "\"bahdanau\"", "\"config.json\"", "\"vocab.tgt.json\"", "\"model.pt\"", "\"data\"", "\xef\xbb\xbf",
    std::string(1, '\0')};

// A value to put into a JSON document: another type, an edge number, or a copy of another value.
nlohmann::json random_value(SplitMix64& random, const nlohmann::json& document) {
  switch (below(random, 9)) {
    case 0: return nullptr;
    case 1: return below(random, 2) == 1;
    case 2: return static_cast<int64_t>(below(random, 64)) - 8;
    case 3: return 1e300;
    case 4: return "transformer";
    case 5: return nlohmann::json::array();
    case 6: return nlohmann::json::object();
    case 7: return std::string(64, 'a');
    default: return document;
  }
}

// Edits one value (or drops one key) somewhere inside `j`.
void mutate_json(nlohmann::json& j, SplitMix64& random, const nlohmann::json& document) {
  if ((!j.is_object() && !j.is_array()) || j.empty() || below(random, 4) == 0) {
    j = random_value(random, document);
    return;
  }
  if (j.is_object()) {
    auto it = j.begin();
    std::advance(it, static_cast<long>(below(random, j.size())));
    if (below(random, 5) == 0) {
      j.erase(it.key());
      return;
    }
    mutate_json(it.value(), random, document);
    return;
  }
  const std::size_t i = below(random, j.size());
  if (below(random, 5) == 0) {
    j.erase(i);
    return;
  }
  mutate_json(j[i], random, document);
}

std::string mutate_bytes(std::string piece, SplitMix64& random) {
  const std::size_t at = below(random, piece.size() + 1);
  switch (below(random, 5)) {
    case 0:
      if (!piece.empty()) piece[at % piece.size()] ^= static_cast<char>(1 << below(random, 8));
      break;
    case 1: piece.insert(at, 1, static_cast<char>(below(random, 256))); break;
    case 2: piece.erase(at, below(random, 16) + 1); break;
    case 3: piece.insert(at, piece.substr(below(random, piece.size() + 1), below(random, 32))); break;
    default: piece.insert(at, kTokens[below(random, kTokens.size())]); break;
  }
  return piece;
}

std::string mutate(const std::string& input, SplitMix64& random) {
  auto pieces = seq2seq::fuzz::split(input, seq2seq::fuzz::kPieceSeparator);
  const int edits = 1 + static_cast<int>(below(random, 3));
  for (int e = 0; e < edits; ++e) {
    if (below(random, 50) == 0 && pieces.size() > 1) {  // a file goes missing
      pieces.pop_back();
      continue;
    }
    std::string& piece = pieces[below(random, pieces.size())];
    if (below(random, 2) == 0) {
      try {
        auto j = nlohmann::json::parse(piece);
        const auto original = j;
        mutate_json(j, random, original);
        piece = below(random, 2) ? j.dump() : j.dump(1);
        continue;
      } catch (const nlohmann::json::exception&) {
      }
    }
    piece = mutate_bytes(std::move(piece), random);
  }
  // Half the time state.json is made to vouch for the mutated files (a hand edit that updated the
  // checksums too), so that loads get past the checksums to the checks behind them.
  if (pieces.size() > 2 && below(random, 2) == 0) {
    try {
      auto state = nlohmann::json::parse(pieces[2]);
      if (state.is_object() && state.contains("checksums") && state["checksums"].is_object()) {
        state["checksums"]["config.json"] = seq2seq::sha256_hex(pieces[0]);
        state["checksums"]["vocab.tgt.json"] = seq2seq::sha256_hex(pieces[1]);
        pieces[2] = state.dump(1);
      }
    } catch (const nlohmann::json::exception&) {
    }
  }
  std::string out;
  for (std::size_t i = 0; i < pieces.size(); ++i)
    out += (i ? std::string(seq2seq::fuzz::kPieceSeparator) : "") + pieces[i];
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  long runs = 1000, seconds = 0;
  uint64_t seed = 1;
  std::vector<std::string> replay;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("-runs=", 0) == 0) runs = std::stol(arg.substr(6));
    else if (arg.rfind("-seed=", 0) == 0) seed = std::stoull(arg.substr(6));
    else if (arg.rfind("-max_total_time=", 0) == 0) seconds = std::stol(arg.substr(16));
    else replay.push_back(arg);
  }
  spdlog::set_level(spdlog::level::off);  // the target's info and warning lines are not the subject
  std::signal(SIGABRT, on_abort);
  for (const auto& file : replay) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    run_one(bytes.str());
  }
  if (!replay.empty()) {
    std::cout << "replayed " << replay.size() << " input(s)\n";
    return 0;
  }
  const auto seeds = seq2seq::fuzz::RunDirFixture::get().seeds();
  for (const auto& input : seeds) run_one(input);
  // Without coverage feedback a pool of mutants drifts into inputs that all fail at the first
  // check; every input is a few edits away from a seed instead.
  SplitMix64 random(seed);
  const auto start = std::chrono::steady_clock::now();
  long done = 0;
  for (; seconds > 0 ? std::chrono::steady_clock::now() - start < std::chrono::seconds(seconds) : done < runs; ++done)
    run_one(mutate(seeds[below(random, seeds.size())], random));
  std::cout << "fuzz_run_dir: " << done << " mutated inputs and " << seeds.size() << " seeds, seed " << seed
            << ": no invariant failed\n";
  return 0;
}
