// Fuzz target: BLEU and chrF on arbitrary hypothesis/reference pairs. Input: lines, taken as
// hypothesis, reference, hypothesis, reference, ...; the first byte's low bit picks lowercase.
#include "fuzz_common.h"

#include "seq2seq/eval/bleu.h"
#include "seq2seq/eval/chrf.h"

#include <cmath>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace seq2seq;
  if (size == 0) return 0;
  const bool lowercase = data[0] & 1;
  const auto lines = fuzz::split(fuzz::as_text(data + 1, size - 1), "\n");
  std::vector<std::string> hyps, refs;
  for (std::size_t i = 0; i + 1 < lines.size(); i += 2) {
    hyps.push_back(lines[i]);
    refs.push_back(lines[i + 1]);
  }
  const auto bleu = eval::corpus_bleu(hyps, refs, lowercase);
  fuzz::check(std::isfinite(bleu.score) && bleu.score >= 0 && bleu.score <= 100 + 1e-9, "BLEU in [0, 100]");
  const auto chrf = eval::corpus_chrf(hyps, refs, lowercase);
  fuzz::check(std::isfinite(chrf.score) && chrf.score >= 0 && chrf.score <= 100 + 1e-9, "chrF in [0, 100]");
  for (std::size_t i = 0; i < hyps.size(); ++i) {
    const double sentence = eval::sentence_bleu(hyps[i], refs[i], lowercase);
    fuzz::check(std::isfinite(sentence) && sentence >= 0 && sentence <= 100 + 1e-9, "sentence BLEU in [0, 100]");
    eval::tokenize_13a(hyps[i]);
  }
  if (!hyps.empty()) {
    const auto self = eval::corpus_bleu(refs, refs, lowercase);
    fuzz::check(self.stats.sys_len == self.stats.ref_len, "a reference against itself has the same length");
  }
  return 0;
}
