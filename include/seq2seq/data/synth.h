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
  // --lemmas: keep a seeded subset of about this many content lemmas (synth_subset.h); 0 keeps the
  // whole lexicon.
  int lemmas = 0;
  // --train-band-weights: how the train split spreads over the bands (one weight per band); empty
  // spreads it evenly, as valid and test always are.
  std::vector<double> train_band_weights;
};

struct SynthPair {
  std::string de, en;
  int content_lemmas = 0;  // content-lemma occurrences in the sentence (nouns, adjectives, verbs, adverbs)
};

// The lexicon a corpus was drawn from.
struct SynthLexiconInfo {
  int requested = 0;                      // --lemmas (0: the whole lexicon)
  std::vector<std::string> word_classes;  // "noun", "adjective", "verb", "adverb"
  std::vector<int> full, share, kept;     // content lemmas per word class
  std::vector<std::string> kept_lemmas;   // "noun:Mann", sorted
  int lemmas = 0;                         // all lemmas, function words included (as synth_lemma_count)
  int content_lemmas() const;             // the sum of kept
};

struct SynthCorpus {
  std::vector<SynthPair> train, valid, test;
  SynthLexiconInfo lexicon;
  // Distinct content lemmas that occur in each split.
  int64_t train_lemmas_seen = 0, valid_lemmas_seen = 0, test_lemmas_seen = 0;
  std::vector<int64_t> train_band_plan;  // pairs asked of each band in the train split
};

// A band of source lengths in tokens, both ends included.
struct SynthBand {
  int lo = 1, hi = 10;
  std::string label() const;  // "11-20"
};

// Throws UsageError when the options cannot be met (negative counts, min/max out of order,
// --lemmas out of range, band weights that do not fit the bands).
void validate_synth_options(const SynthOptions& options);

// "1,1,0.5,0,2" as weights; throws UsageError naming --train-band-weights on anything but
// comma-separated non-negative numbers.
std::vector<double> parse_band_weights(const std::string& text);

// How many of `count` pairs go to each band: proportional to `weights` (largest remainders, ties to
// the earlier band), or as even as can be when `weights` is empty.
std::vector<int64_t> band_plan(int64_t count, const std::vector<double>& weights, size_t bands);

// The bands 1-10, 11-20, 21-30, 31-40, 41-max_words, clipped to what the options allow
// (at least min_words + 1 tokens: the final period); empty bands are left out.
std::vector<SynthBand> synth_bands(const SynthOptions& options);

// Deterministic for a seed. Each split gets (nearly) the same number of sentences per band (train:
// as train_band_weights asks). No
// German sentence occurs twice in the corpus: a duplicate is regenerated. The test split is made
// first and the train split last, each from its own stream, so test and valid do not change when
// only --train changes.
SynthCorpus generate_synth(const SynthOptions& options);

// Writes train/valid/test .de/.en (one sentence per line) and synth.json (command, seed,
// options, counts, per-band counts, the lexicon and how often its lemmas occur) into out_dir, each
// file atomically.
void write_synth(const SynthCorpus& corpus, const SynthOptions& options, const std::string& out_dir,
                 const std::string& command_line);

// How often the average kept content lemma occurs in the train split: its content-lemma
// occurrences over the kept content lemmas.
double synth_train_occurrences_per_lemma(const SynthCorpus& corpus);

// Number of German lemmas (with English equivalents) the whole lexicon holds.
int synth_lemma_count();

// Content-lemma occurrences of a split per band, as summed from SynthPair::content_lemmas.
std::vector<int64_t> synth_band_lemma_occurrences(const std::vector<SynthPair>& pairs,
                                                  const std::vector<SynthBand>& bands);

// Per-band sentence counts of a split, measured on the German side in tokens (or in words).
std::vector<int64_t> synth_band_counts(const std::vector<SynthPair>& pairs, const std::vector<SynthBand>& bands,
                                       bool in_words = false);

}  // namespace seq2seq::data
