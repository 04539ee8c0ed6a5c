// Fuzz target: the JSON files of a run directory that are read back, vocab.*.json and
// state.json. Bad files must end in a one-line std::runtime_error, and good ones round-trip.
#include "fuzz_common.h"

#include "seq2seq/data/vocab.h"
#include "seq2seq/run/train_state.h"

#include <stdexcept>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace seq2seq;
  const std::string text(fuzz::as_text(data, size));
  try {
    const data::Vocab vocab = data::Vocab::parse(text, "vocab.src.json");
    fuzz::check(vocab.size() >= 4, "a vocabulary holds the specials");
    for (int64_t id = 0; id < vocab.size(); ++id)
      fuzz::check(vocab.id(vocab.token(id)) == id, "token ids are unique and consistent");
    nlohmann::json saved;
    saved["tokens"] = vocab.tokens();
    fuzz::check(data::Vocab::parse(saved.dump(0), "saved").tokens() == vocab.tokens(), "vocab round trip");
  } catch (const std::runtime_error& e) {
    fuzz::check(std::string(e.what()).find('\n') == std::string::npos, "vocab errors are one line");
  }
  try {
    const TrainState state = parse_state(text, "state.json");
    const nlohmann::json saved = state;
    const TrainState again = parse_state(saved.dump(1), "saved");
    fuzz::check(nlohmann::json(again) == saved, "state round trip");
  } catch (const std::runtime_error& e) {
    fuzz::check(std::string(e.what()).find('\n') == std::string::npos, "state errors are one line");
  }
  return 0;
}
