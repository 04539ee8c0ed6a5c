// A seeded subset of the synthetic lexicon (`data synth --lemmas N`): fewer content lemmas, each
// seen more often in the same number of sentences, with everything the grammar needs kept.
//
// Content lemmas are nouns, adjectives, verbs and adverbs (Lexicon::content_lemma_count). Each of
// the four word classes keeps its share of N (largest remainders), at least what the generator
// cannot do without. Then every kept lemma gets what it needs to be used: a verb a noun for each of
// its subject/object slots (and a copula an adjective for its subject, a place verb a place), an
// adjective a noun it can describe; those additions come on top of the share. Names, modals,
// prepositions and conjunctions (the function words) are always kept whole.
#pragma once
#include "seq2seq/data/synth_grammar.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace seq2seq::data::synth {

// The four word classes of content lemmas, in this order everywhere: 'N', 'A', 'V', 'D'.
inline constexpr std::array<char, 4> kWordClasses = {'N', 'A', 'V', 'D'};
const char* word_class_name(char word_class);  // "noun", "adjective", "verb", "adverb"

struct LexiconSubset {
  Lexicon lexicon;             // the kept entries, in the full lexicon's order
  std::array<int, 4> full{};   // content lemmas per word class in the full lexicon
  std::array<int, 4> share{};  // the class's share of N (after the minimum)
  std::array<int, 4> kept{};   // kept: the share plus what the kept lemmas need
};

// The fewest content lemmas the generator can build every kind of clause from: a person and an
// event noun (always needed), one adjective, one verb, and a time, a manner, an intensifier and a
// predicative intensifier adverb.
int min_subset_lemmas();

// Throws UsageError naming --lemmas and the allowed range when `lemmas` is below
// min_subset_lemmas() or above full.content_lemma_count().
void require_subset_size(const Lexicon& full, int lemmas);

// About `lemmas` content lemmas of `full` (require_subset_size), the same for the same seed.
LexiconSubset subset_lexicon(const Lexicon& full, int lemmas, uint64_t seed);

// What the generator would miss in `lexicon`: one line per gap ("verb lesen: no noun for its
// accusative object"), empty when every kept lemma can be used and every construction built.
std::vector<std::string> lexicon_gaps(const Lexicon& lexicon);

// The distinct content lemmas of a lexicon as "noun:Mann", "verb:anrufen", sorted by word class
// letter and then German form.
std::vector<std::string> content_lemma_names(const Lexicon& lexicon);

}  // namespace seq2seq::data::synth
