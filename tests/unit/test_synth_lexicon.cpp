// `data synth --lemmas` and `--train-band-weights`: the lexicon subset keeps what the grammar
// needs, lemma occurrences are counted right, and band weights shape only the train split.
#include "seq2seq/data/synth.h"
#include "seq2seq/data/synth_grammar.h"
#include "seq2seq/data/synth_subset.h"
#include "seq2seq/util/errors.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

namespace {

using namespace seq2seq::data::synth;  // NOLINT: test of this namespace
using seq2seq::data::SynthCorpus;
using seq2seq::data::SynthOptions;

const Lexicon& full() { return lexicon(); }

TEST(SynthLemmas, ContentLemmasOfAHandBuiltSentenceAreCountedOncePerUse) {
  // "Der große Mann, der schläft, liest heute das Buch, weil er es liest." : Mann, groß, schlafen,
  // lesen, heute, Buch, lesen, Buch = 8 (the gap, "er" and function words are no content lemmas).
  NP man = noun_np(full().noun("Mann"), Det::Def, false, {&full().adjective("groß")});
  man.relative.push_back(clause(full().verb("schlafen"), gap_np(man)));
  Clause main = clause(full().verb("lesen", Frame::Transitive), std::move(man));
  main.acc.push_back(noun_np(full().noun("Buch"), Det::Def));
  main.time = &full().adverb("heute");
  Clause because = clause(full().verb("lesen", Frame::Transitive), pronoun_np(2));
  because.acc.push_back(noun_np(full().noun("Buch"), Det::Def));
  main.adverbials.push_back(std::move(because));
  main.adverbial_conj.push_back(&full().conjunction("weil"));
  std::vector<LemmaKey> lemmas = content_lemmas(sentence(std::move(main)));
  std::map<LemmaKey, int> counts;
  for (const auto& key : lemmas) ++counts[key];
  const std::map<LemmaKey, int> expected = {{{'N', "Mann"}, 1},  {{'A', "groß"}, 1},  {{'V', "schlafen"}, 1},
                                            {{'V', "lesen"}, 2}, {{'D', "heute"}, 1}, {{'N', "Buch"}, 2}};
  EXPECT_EQ(counts, expected);
  // A name subject and a coordinated pair: only the nouns count.
  Clause names =
      clause(full().verb("schlafen"), coord_np(name_np(full().name("Anna")), noun_np(full().noun("Frau"), Det::Def)));
  EXPECT_EQ(content_lemmas(sentence(std::move(names))).size(), 2u);  // schlafen, Frau
}

TEST(SynthLemmas, TheWholeLexiconHasNoGapsAndABrokenOneHas) {
  EXPECT_TRUE(lexicon_gaps(full()).empty()) << lexicon_gaps(full()).front();
  Lexicon broken = full();
  broken.nouns.erase(std::remove_if(broken.nouns.begin(), broken.nouns.end(),
                                    [](const Noun& n) { return (n.classes & cls::Event) != 0; }),
                     broken.nouns.end());
  auto gaps = lexicon_gaps(broken);
  EXPECT_NE(std::find(gaps.begin(), gaps.end(), "no event noun"), gaps.end());
}

// The test's own reading of "every kept lemma has what it needs" (lexicon_gaps is the library's).
void expect_dependencies_kept(const Lexicon& lx) {
  auto has_noun = [&](Classes mask) {
    return std::any_of(lx.nouns.begin(), lx.nouns.end(), [&](const Noun& n) { return (n.classes & mask) != 0; });
  };
  for (const Verb& v : lx.verbs) {
    std::vector<std::pair<const char*, Classes>> slots;
    if (v.frame != Frame::Weather) slots.push_back({"subject", v.subject});
    if (v.frame == Frame::Transitive || v.frame == Frame::Ditransitive) slots.push_back({"accusative", v.acc});
    if (v.frame == Frame::Dative || v.frame == Frame::Ditransitive) slots.push_back({"dative", v.dat});
    if (v.frame == Frame::Locative)
      slots.push_back({"place", cls::Place | cls::Building | cls::Furniture | cls::Vehicle | cls::Landmark});
    for (const auto& [slot, mask] : slots) EXPECT_TRUE(has_noun(mask)) << v.infinitive() << ": " << slot;
    bool predicate = std::any_of(lx.adjectives.begin(), lx.adjectives.end(),
                                 [&](const Adjective& a) { return has_noun(a.applies_to & v.subject); });
    EXPECT_TRUE(v.frame != Frame::Copula || predicate) << v.infinitive() << ": no predicate adjective";
  }
  for (const Adjective& a : lx.adjectives) EXPECT_TRUE(has_noun(a.applies_to)) << a.de;
  EXPECT_TRUE(has_noun(cls::Person));
  EXPECT_TRUE(has_noun(cls::Event));
  EXPECT_TRUE(
      std::any_of(lx.verbs.begin(), lx.verbs.end(), [](const Verb& v) { return v.frame != Frame::Complement; }));
  for (AdverbKind kind : {AdverbKind::Time, AdverbKind::Manner, AdverbKind::Intensifier})
    EXPECT_TRUE(std::any_of(lx.adverbs.begin(), lx.adverbs.end(), [&](const Adverb& a) { return a.kind == kind; }));
  EXPECT_TRUE(std::any_of(lx.adverbs.begin(), lx.adverbs.end(), [](const Adverb& a) { return a.predicative_only; }));
  // Function words: all of them.
  EXPECT_EQ(lx.names.size(), full().names.size());
  EXPECT_EQ(lx.modals.size(), full().modals.size());
  EXPECT_EQ(lx.prepositions.size(), full().prepositions.size());
  EXPECT_EQ(lx.conjunctions.size(), full().conjunctions.size());
}

TEST(SynthLemmas, SubsetsKeepTheirSharesAndEverythingTheyNeed) {
  const int most = full().content_lemma_count();
  for (int lemmas : {min_subset_lemmas(), 20, 60, 150, 400, most}) {
    for (uint64_t seed : {1, 2, 3}) {
      SCOPED_TRACE("lemmas " + std::to_string(lemmas) + " seed " + std::to_string(seed));
      LexiconSubset subset = subset_lexicon(full(), lemmas, seed);
      expect_dependencies_kept(subset.lexicon);
      int shares = 0, kept = 0, whole = 0;
      for (size_t c = 0; c < kWordClasses.size(); ++c) {
        EXPECT_GE(subset.kept[c], subset.share[c]);
        EXPECT_LE(subset.kept[c], subset.full[c]);
        shares += subset.share[c];
        kept += subset.kept[c];
        whole += subset.full[c];
      }
      EXPECT_EQ(whole, most);
      // The shares add up to N unless a class's minimum lifted it.
      EXPECT_TRUE(lemmas < 150 || shares == lemmas) << shares;
      EXPECT_EQ(kept, subset.lexicon.content_lemma_count());
      EXPECT_EQ(static_cast<int>(content_lemma_names(subset.lexicon).size()), kept);
      // Dependencies come on top of the share, but not many.
      EXPECT_LE(kept, std::max(lemmas + 40, 3 * lemmas));
      EXPECT_TRUE(lemmas != most || kept == most) << kept;
    }
  }
  // Each class keeps about its share: nouns are about half of the lexicon, so of N too.
  LexiconSubset hundred = subset_lexicon(full(), 100, 9);
  EXPECT_NEAR(hundred.share[0], 100.0 * hundred.full[0] / full().content_lemma_count(), 1.0);
}

TEST(SynthLemmas, SameSeedSameSubsetOtherSeedOtherSubset) {
  auto a = content_lemma_names(subset_lexicon(full(), 80, 4).lexicon);
  auto b = content_lemma_names(subset_lexicon(full(), 80, 4).lexicon);
  auto c = content_lemma_names(subset_lexicon(full(), 80, 5).lexicon);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(SynthLemmas, OutOfRangeIsAUsageErrorNamingTheOption) {
  for (int lemmas : {min_subset_lemmas() - 1, full().content_lemma_count() + 1}) {
    try {
      subset_lexicon(full(), lemmas, 1);
      ADD_FAILURE() << lemmas << " was accepted";
    } catch (const seq2seq::UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("--lemmas"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(std::to_string(full().content_lemma_count())), std::string::npos)
          << e.what();
    }
  }
  SynthOptions o;
  o.lemmas = 3;
  EXPECT_THROW(seq2seq::data::validate_synth_options(o), seq2seq::UsageError);
}

// A corpus of `train` pairs and `held_out` each for valid and test.
SynthOptions small_corpus(int train, int held_out, int seed) {
  SynthOptions o;
  o.train = train;
  o.valid = held_out;
  o.test = held_out;
  o.seed = seed;
  return o;
}

// The words of German text (punctuation dropped), added to `words`.
void add_words(const std::string& text, std::set<std::string>& words) {
  std::string word;
  for (char ch : text + " ") {
    if (ch == ' ' || ch == ',' || ch == '.') {
      if (!word.empty()) words.insert(word);
      word.clear();
    } else {
      word += ch;
    }
  }
}

TEST(SynthLemmas, ASmallLexiconGeneratesAndUsesOnlyItsNouns) {
  SynthOptions o = small_corpus(200, 30, 11);
  o.lemmas = 40;
  SynthCorpus corpus = seq2seq::data::generate_synth(o);
  ASSERT_EQ(corpus.train.size(), 200u);
  EXPECT_EQ(corpus.lexicon.requested, 40);
  const Lexicon kept = subset_lexicon(full(), 40, 11).lexicon;
  EXPECT_EQ(corpus.lexicon.kept_lemmas, content_lemma_names(kept));
  // A dropped noun's forms never occur, unless some kept word (or fixed phrase) has the same form.
  std::set<std::string> allowed = {"Hause"};
  for (const Noun& n : kept.nouns) allowed.insert({n.de, n.de_pl, n.de_oblique, n.de_pl_dat});
  for (const Name& n : kept.names) allowed.insert(n.de);
  for (const Adverb& a : full().adverbs) add_words(a.de, allowed);  // "heute Abend", "jeden Tag"
  std::set<std::string> tokens;
  for (const auto* split : {&corpus.train, &corpus.valid, &corpus.test})
    for (const auto& p : *split) add_words(p.de, tokens);
  std::set<std::string> kept_de;
  for (const Noun& n : kept.nouns) kept_de.insert(n.de);
  int dropped_checked = 0;
  for (const Noun& n : full().nouns) {
    if (kept_de.count(n.de)) continue;
    for (const std::string& form : {n.de, n.de_pl}) {
      if (form.empty() || allowed.count(form)) continue;
      ++dropped_checked;
      EXPECT_EQ(tokens.count(form), 0u) << "dropped noun " << n.de << " occurs as " << form;
    }
  }
  EXPECT_GT(dropped_checked, 200);
  // Every sentence has a verb at least; the per-lemma figure is occurrences over kept lemmas.
  int64_t total = 0;
  for (const auto& p : corpus.train) {
    EXPECT_GE(p.content_lemmas, 1) << p.de;
    total += p.content_lemmas;
  }
  EXPECT_DOUBLE_EQ(seq2seq::data::synth_train_occurrences_per_lemma(corpus),
                   static_cast<double>(total) / corpus.lexicon.content_lemmas());
  auto bands = seq2seq::data::synth_bands(o);
  auto per_band = seq2seq::data::synth_band_lemma_occurrences(corpus.train, bands);
  int64_t band_total = 0;
  for (int64_t n : per_band) band_total += n;
  EXPECT_EQ(band_total, total);
  EXPECT_LT(per_band.front(), per_band.back());  // long sentences hold more lemmas
  EXPECT_LE(corpus.train_lemmas_seen, corpus.lexicon.content_lemmas());
  EXPECT_GT(corpus.train_lemmas_seen, corpus.lexicon.content_lemmas() / 2);
}

TEST(SynthBandWeights, PlansFollowTheWeights) {
  using seq2seq::data::band_plan;
  EXPECT_EQ(band_plan(10, {}, 5), (std::vector<int64_t>{2, 2, 2, 2, 2}));
  EXPECT_EQ(band_plan(7, {}, 5), (std::vector<int64_t>{2, 2, 1, 1, 1}));
  EXPECT_EQ(band_plan(10, {0, 0, 0, 0, 1}, 5), (std::vector<int64_t>{0, 0, 0, 0, 10}));
  EXPECT_EQ(band_plan(10, {1, 1, 0, 0, 2}, 5), (std::vector<int64_t>{3, 2, 0, 0, 5}));
  EXPECT_EQ(band_plan(7, {1, 1, 1, 1, 1}, 5), band_plan(7, {}, 5));
}

TEST(SynthBandWeights, ParsingAndValidation) {
  using seq2seq::data::parse_band_weights;
  EXPECT_EQ(parse_band_weights("1,2.5,0"), (std::vector<double>{1, 2.5, 0}));
  for (const char* bad : {"1,,2", "a", "1,-1", "", "1,2,"}) {
    try {
      parse_band_weights(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const seq2seq::UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("--train-band-weights"), std::string::npos) << e.what();
    }
  }
  SynthOptions o;
  o.train_band_weights = {1, 1, 1};  // five bands
  EXPECT_THROW(seq2seq::data::validate_synth_options(o), seq2seq::UsageError);
  o.train_band_weights = {0, 0, 0, 0, 0};
  EXPECT_THROW(seq2seq::data::validate_synth_options(o), seq2seq::UsageError);
  o.train_band_weights = {0, 0, 0, 0, 1};
  EXPECT_NO_THROW(seq2seq::data::validate_synth_options(o));
}

TEST(SynthBandWeights, OnlyTheTrainSplitMoves) {
  SynthOptions even = small_corpus(100, 25, 3);
  SynthOptions last = even;
  last.train_band_weights = {0, 0, 0, 0, 1};
  SynthCorpus a = seq2seq::data::generate_synth(even), b = seq2seq::data::generate_synth(last);
  auto bands = seq2seq::data::synth_bands(even);
  EXPECT_EQ(seq2seq::data::synth_band_counts(b.train, bands), (std::vector<int64_t>{0, 0, 0, 0, 100}));
  EXPECT_EQ(b.train_band_plan, (std::vector<int64_t>{0, 0, 0, 0, 100}));
  EXPECT_EQ(seq2seq::data::synth_band_counts(a.train, bands), (std::vector<int64_t>{20, 20, 20, 20, 20}));
  ASSERT_EQ(a.valid.size(), b.valid.size());
  for (size_t i = 0; i < a.valid.size(); ++i) EXPECT_EQ(a.valid[i].de, b.valid[i].de);
  for (size_t i = 0; i < a.test.size(); ++i) EXPECT_EQ(a.test[i].de, b.test[i].de);
}

}  // namespace
