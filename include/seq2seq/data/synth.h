// `seq2seq data synth`: a seeded synthetic German->English corpus whose source lengths spread
// evenly over the bands 1-10, 11-20, 21-30, 31-40 and 41+ (the grammar is in synth_grammar.h).
//
// Length unit: tokens of the German side as the seq2seq tokenizer splits them, i.e. words plus
// punctuation marks ("Der Mann, der liest, schläft." is 8 tokens, 6 words). Bands are assigned in
// tokens (what evaluation uses); every sentence has at least min_words words and at most
// max_words tokens, so both limits hold whichever way one counts.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace seq2seq::data {

struct SynthOptions {
  int64_t train = 20000, valid = 1000, test = 1000;
  int min_words = 3, max_words = 60;
  uint64_t seed = 1;
};

struct SynthPair {
  std::string de, en;
};

struct SynthCorpus {
  std::vector<SynthPair> train, valid, test;
};

// A band of source lengths in tokens, both ends included.
struct SynthBand {
  int lo = 1, hi = 10;
  std::string label() const;  // "11-20"
};

// Throws UsageError when the options cannot be met (negative counts, min/max out of order).
void validate_synth_options(const SynthOptions& options);

// The bands 1-10, 11-20, 21-30, 31-40, 41-max_words, clipped to what the options allow
// (at least min_words + 1 tokens: the final period); empty bands are left out.
std::vector<SynthBand> synth_bands(const SynthOptions& options);

// Deterministic for a seed. Each split gets (nearly) the same number of sentences per band. No
// German sentence occurs twice in the corpus: a duplicate is regenerated. The test split is made
// first and the train split last, each from its own stream, so test and valid do not change when
// only --train changes.
SynthCorpus generate_synth(const SynthOptions& options);

// Writes train/valid/test .de/.en (one sentence per line) and synth.json (command, seed,
// options, counts, per-band counts, lemma count) into out_dir, each file atomically.
void write_synth(const SynthCorpus& corpus, const SynthOptions& options, const std::string& out_dir,
                 const std::string& command_line);

// Number of German lemmas (with English equivalents) the generator draws from.
int synth_lemma_count();

// Per-band sentence counts of a split, measured on the German side in tokens (or in words).
std::vector<int64_t> synth_band_counts(const std::vector<SynthPair>& pairs, const std::vector<SynthBand>& bands,
                                       bool in_words = false);

}  // namespace seq2seq::data
