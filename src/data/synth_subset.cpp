// `data synth --lemmas N`: a seeded subset of the synthetic lexicon that the generator can still
// build every kind of clause from.
#include "seq2seq/data/synth_subset.h"

#include "seq2seq/util/errors.h"
#include "seq2seq/util/random.h"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace seq2seq::data::synth {

namespace {

// What the generator draws without checking: a person (the "für/von + person" attribute) and an
// event ("nach dem Konzert"), and one adverb of each kind it picks from.
constexpr int kMinNouns = 2, kMinAdjectives = 1, kMinVerbs = 1, kMinAdverbs = 4;
constexpr std::array<int, 4> kMinPerClass = {kMinNouns, kMinAdjectives, kMinVerbs, kMinAdverbs};

// Where a place verb's obligatory location can be (the generator's location_pp).
constexpr Classes kLocationClasses = cls::Place | cls::Building | cls::Furniture | cls::Vehicle | cls::Landmark;

int class_index(char word_class) {
  return static_cast<int>(std::find(kWordClasses.begin(), kWordClasses.end(), word_class) - kWordClasses.begin());
}

enum class AdverbNeed { Time, Manner, Intensifier, PredicativeIntensifier };
bool is_kind(const Adverb& a, AdverbNeed need) {
  switch (need) {
    case AdverbNeed::Time:
      return a.kind == AdverbKind::Time;
    case AdverbNeed::Manner:
      return a.kind == AdverbKind::Manner;
    case AdverbNeed::Intensifier:
      return a.kind == AdverbKind::Intensifier && !a.predicative_only;
    case AdverbNeed::PredicativeIntensifier:
      return a.kind == AdverbKind::Intensifier && a.predicative_only;
  }
  return false;
}
constexpr std::array<const char*, 4> kAdverbNeedNames = {"time", "manner", "intensifier", "predicative intensifier"};
constexpr std::array<AdverbNeed, 4> kAdverbNeeds = {AdverbNeed::Time, AdverbNeed::Manner, AdverbNeed::Intensifier,
                                                    AdverbNeed::PredicativeIntensifier};

// Which slots of a verb need a noun, as (slot name, classes it accepts).
std::vector<std::pair<const char*, Classes>> noun_slots(const Verb& v) {
  std::vector<std::pair<const char*, Classes>> slots;
  if (v.frame != Frame::Weather) slots.push_back({"subject", v.subject});
  if (v.frame == Frame::Transitive || v.frame == Frame::Ditransitive) slots.push_back({"accusative object", v.acc});
  if (v.frame == Frame::Dative || v.frame == Frame::Ditransitive) slots.push_back({"dative object", v.dat});
  if (v.frame == Frame::Locative) slots.push_back({"place", kLocationClasses});
  return slots;
}

bool any_noun(const std::vector<Noun>& nouns, Classes mask) {
  return std::any_of(nouns.begin(), nouns.end(), [&](const Noun& n) { return (n.classes & mask) != 0; });
}

// A copula verb needs an adjective that can describe one of its possible subjects.
bool copula_has_predicate(const Lexicon& lx, const Verb& v) {
  return std::any_of(lx.adjectives.begin(), lx.adjectives.end(),
                     [&](const Adjective& a) { return any_noun(lx.nouns, v.subject & a.applies_to); });
}

// The selection: the lemmas chosen so far, and each class's lemmas in seeded order.
class Selection {
 public:
  Selection(const Lexicon& full, uint64_t seed) : full_(full) {
    for (const Noun& n : full.nouns) add_candidate(lemma_key(n));
    for (const Adjective& a : full.adjectives) add_candidate(lemma_key(a));
    for (const Verb& v : full.verbs) add_candidate(lemma_key(v));
    for (const Adverb& a : full.adverbs) add_candidate(lemma_key(a));
    for (size_t c = 0; c < order_.size(); ++c) {
      SplitMix64 rng(derive_seed(seed, 0x5b5e7, c));  // a stream of its own: the corpus draws are untouched
      auto& list = order_[c];
      for (size_t i = list.size(); i > 1; --i) std::swap(list[i - 1], list[rng.next() % i]);
    }
  }

  int full_count(int c) const { return static_cast<int>(order_[c].size()); }
  int kept_count(int c) const { return kept_per_class_[c]; }

  bool kept(const LemmaKey& key) const { return kept_.count(key) != 0; }
  void keep(const LemmaKey& key) {
    if (kept_.insert(key).second) ++kept_per_class_[class_index(key.first)];
  }

  // Keeps the first lemma of class `c`, in seeded order, for which `fits` holds.
  template <class Fits>
  void keep_first(int c, Fits fits, const std::string& what) {
    for (const LemmaKey& key : order_[c]) {
      if (fits(key)) {
        keep(key);
        return;
      }
    }
    throw std::logic_error("synthetic lexicon has no " + what);
  }

  // Lemmas of class `c` in seeded order until the class has `count`.
  void fill(int c, int count) {
    for (const LemmaKey& key : order_[c]) {
      if (kept_per_class_[c] >= count) return;
      keep(key);
    }
  }

  // The full lexicon's entries whose lemma is kept, in the full lexicon's order.
  Lexicon lexicon() const {
    Lexicon lx = full_;
    auto drop = [&](auto& entries) {
      entries.erase(std::remove_if(entries.begin(), entries.end(), [&](const auto& e) { return !kept(lemma_key(e)); }),
                    entries.end());
    };
    drop(lx.nouns);
    drop(lx.adjectives);
    drop(lx.verbs);
    drop(lx.adverbs);
    return lx;
  }

 private:
  void add_candidate(const LemmaKey& key) {
    if (seen_.insert(key).second) order_[class_index(key.first)].push_back(key);
  }

  const Lexicon& full_;
  std::set<LemmaKey> seen_, kept_;
  std::array<std::vector<LemmaKey>, 4> order_;
  std::array<int, 4> kept_per_class_{};
};

// Each class's share of `total`: proportional to its size, rounded by largest remainders (ties to
// the earlier class), so that the shares add up to `total`.
std::array<int, 4> shares(const std::array<int, 4>& sizes, int total) {
  int all = 0;
  for (int s : sizes) all += s;
  std::array<int, 4> share{};
  std::array<double, 4> remainder{};
  int given = 0;
  for (size_t c = 0; c < sizes.size(); ++c) {
    double exact = static_cast<double>(total) * sizes[c] / all;
    share[c] = static_cast<int>(exact);
    remainder[c] = exact - share[c];
    given += share[c];
  }
  for (; given < total; ++given) {
    size_t best = 0;
    for (size_t c = 1; c < sizes.size(); ++c)
      if (remainder[c] > remainder[best]) best = c;
    ++share[best];
    remainder[best] = -1;
  }
  return share;
}

}  // namespace

const char* word_class_name(char word_class) {
  switch (word_class) {
    case 'N':
      return "noun";
    case 'A':
      return "adjective";
    case 'V':
      return "verb";
    default:
      return "adverb";
  }
}

int min_subset_lemmas() { return kMinNouns + kMinAdjectives + kMinVerbs + kMinAdverbs; }

void require_subset_size(const Lexicon& full, int lemmas) {
  const int most = full.content_lemma_count();
  if (lemmas < min_subset_lemmas() || lemmas > most)
    throw UsageError("synth: --lemmas " + std::to_string(lemmas) + " is out of range; give " +
                     std::to_string(min_subset_lemmas()) + ".." + std::to_string(most) +
                     " (content lemmas: nouns, adjectives, verbs, adverbs) or leave it out for the whole lexicon");
}

LexiconSubset subset_lexicon(const Lexicon& full, int lemmas, uint64_t seed) {
  require_subset_size(full, lemmas);
  Selection sel(full, seed);
  LexiconSubset out;
  for (size_t c = 0; c < kWordClasses.size(); ++c) out.full[c] = sel.full_count(static_cast<int>(c));
  out.share = shares(out.full, lemmas);
  for (size_t c = 0; c < kWordClasses.size(); ++c) out.share[c] = std::max(out.share[c], kMinPerClass[c]);

  // What the generator draws without checking comes first, then each class up to its share.
  const int nouns = class_index('N'), adjectives = class_index('A'), verbs = class_index('V'),
            adverbs = class_index('D');
  // Does some entry of `entries` with this lemma satisfy `pred`? (A lemma may have several entries:
  // a verb one per frame.)
  auto some_entry = [](const auto& entries, const LemmaKey& key, auto pred) {
    return std::any_of(entries.begin(), entries.end(), [&](const auto& e) { return lemma_key(e) == key && pred(e); });
  };
  auto noun_with = [&](Classes mask) {
    return [&, mask](const LemmaKey& key) {
      return some_entry(full.nouns, key, [&](const Noun& n) { return (n.classes & mask) != 0; });
    };
  };
  auto kept_noun_with = [&](Classes mask) {
    return std::any_of(full.nouns.begin(), full.nouns.end(),
                       [&](const Noun& n) { return (n.classes & mask) != 0 && sel.kept(lemma_key(n)); });
  };
  sel.keep_first(nouns, noun_with(cls::Person), "person noun");
  sel.keep_first(nouns, noun_with(cls::Event), "event noun");
  for (AdverbNeed need : kAdverbNeeds)
    sel.keep_first(
        adverbs,
        [&](const LemmaKey& key) {
          return some_entry(full.adverbs, key, [&](const Adverb& a) { return is_kind(a, need); });
        },
        "adverb kind");
  // One verb that is not a complement verb: below the second clause level those cannot be used.
  sel.keep_first(
      verbs,
      [&](const LemmaKey& key) {
        return some_entry(full.verbs, key, [](const Verb& v) { return v.frame != Frame::Complement; });
      },
      "verb without a clause complement");
  sel.fill(adjectives, out.share[adjectives]);
  for (int c : {nouns, verbs, adverbs}) sel.fill(c, out.share[c]);

  // What the kept verbs need, then what the kept adjectives (some added for copulas) need.
  for (const Verb& v : full.verbs) {
    if (!sel.kept(lemma_key(v))) continue;
    for (const auto& [slot, mask] : noun_slots(v))
      if (!kept_noun_with(mask)) sel.keep_first(nouns, noun_with(mask), std::string("noun for a ") + slot);
    if (v.frame != Frame::Copula) continue;
    bool has_predicate = std::any_of(full.adjectives.begin(), full.adjectives.end(), [&](const Adjective& a) {
      return sel.kept(lemma_key(a)) && kept_noun_with(a.applies_to & v.subject);
    });
    if (has_predicate) continue;
    Classes describable = 0;  // the subjects the chosen adjective can describe
    sel.keep_first(
        adjectives,
        [&](const LemmaKey& key) {
          return some_entry(full.adjectives, key, [&](const Adjective& a) {
            describable = a.applies_to & v.subject;
            return any_noun(full.nouns, describable);
          });
        },
        "adjective for a copula");
    if (!kept_noun_with(describable)) sel.keep_first(nouns, noun_with(describable), "noun for a copula's adjective");
  }
  for (const Adjective& a : full.adjectives)
    if (sel.kept(lemma_key(a)) && !kept_noun_with(a.applies_to))
      sel.keep_first(nouns, noun_with(a.applies_to), "noun for an adjective");

  out.lexicon = sel.lexicon();
  for (size_t c = 0; c < kWordClasses.size(); ++c) out.kept[c] = sel.kept_count(static_cast<int>(c));
  // The selection above is meant to leave no gap; a gap here is a defect in it, not in the input.
  if (auto gaps = lexicon_gaps(out.lexicon); !gaps.empty())
    throw std::logic_error("synth: the lexicon subset misses what the grammar needs: " + gaps.front());
  return out;
}

std::vector<std::string> lexicon_gaps(const Lexicon& lx) {
  std::vector<std::string> gaps;
  if (!any_noun(lx.nouns, cls::Person)) gaps.push_back("no person noun");
  if (!any_noun(lx.nouns, cls::Event)) gaps.push_back("no event noun");
  for (AdverbNeed need : kAdverbNeeds) {
    if (std::none_of(lx.adverbs.begin(), lx.adverbs.end(), [&](const Adverb& a) { return is_kind(a, need); }))
      gaps.push_back(std::string("no ") + kAdverbNeedNames[static_cast<size_t>(need)] + " adverb");
  }
  if (std::all_of(lx.verbs.begin(), lx.verbs.end(), [](const Verb& v) { return v.frame == Frame::Complement; }))
    gaps.push_back("no verb without a clause complement");
  for (const Verb& v : lx.verbs) {
    for (const auto& [slot, mask] : noun_slots(v))
      if (!any_noun(lx.nouns, mask)) gaps.push_back("verb " + v.infinitive() + ": no noun for its " + slot);
    if (v.frame == Frame::Copula && !copula_has_predicate(lx, v))
      gaps.push_back("verb " + v.infinitive() + ": no adjective for a subject it takes");
  }
  for (const Adjective& a : lx.adjectives)
    if (!any_noun(lx.nouns, a.applies_to)) gaps.push_back("adjective " + a.de + ": no noun it describes");
  return gaps;
}

std::vector<std::string> content_lemma_names(const Lexicon& lx) {
  std::set<LemmaKey> keys;
  for (const Noun& n : lx.nouns) keys.insert(lemma_key(n));
  for (const Adjective& a : lx.adjectives) keys.insert(lemma_key(a));
  for (const Verb& v : lx.verbs) keys.insert(lemma_key(v));
  for (const Adverb& a : lx.adverbs) keys.insert(lemma_key(a));
  std::vector<std::string> names;
  for (const auto& [word_class, de] : keys) names.push_back(std::string(word_class_name(word_class)) + ":" + de);
  return names;
}

}  // namespace seq2seq::data::synth
