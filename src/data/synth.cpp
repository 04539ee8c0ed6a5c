// The synthetic corpus generator: random sentence trees grown until their German side lands in a
// chosen length band, deduplicated across splits, and written as aligned text files.
#include "seq2seq/data/synth.h"

#include "seq2seq/data/synth_grammar.h"
#include "seq2seq/data/synth_subset.h"
#include "seq2seq/util/errors.h"
#include "seq2seq/util/io.h"
#include "seq2seq/util/random.h"
#include "seq2seq/util/sha256.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

namespace seq2seq::data {

namespace {

using namespace synth;  // NOLINT: this file is the grammar's main client

// Draws on splitmix64 (util/random.h): the same corpus on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : bits_(seed) {}
  uint64_t next() { return bits_.next(); }
  int below(size_t n) { return static_cast<int>(next() % n); }
  int range(int lo, int hi) { return lo + below(static_cast<size_t>(hi - lo + 1)); }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return uniform() < p; }
  template <class T>
  const T& pick(const std::vector<T>& items) {
    return items[below(items.size())];
  }
  // Index drawn with the given weights.
  template <size_t N>
  int weighted(const std::array<double, N>& weights) {
    double total = 0;
    for (double w : weights) total += w;
    double r = uniform() * total;
    for (size_t i = 0; i < N; ++i) {
      if (r < weights[i]) return static_cast<int>(i);
      r -= weights[i];
    }
    return static_cast<int>(N - 1);
  }

 private:
  SplitMix64 bits_;
};

uint64_t mix(uint64_t seed, uint64_t stream) { return Rng(seed * 0x100000001B3ull + stream).next(); }

constexpr Classes kPrimary = cls::Person | cls::Animal | cls::Food | cls::Drink | cls::Text | cls::Cloth | cls::Thing |
                             cls::Vehicle | cls::Place | cls::Building | cls::Furniture | cls::Event | cls::Idea |
                             cls::Music;

enum class Slot { Subject, Acc, Dat, PPObj };

// What a relative clause leaves out: the role its head plays inside it.
enum class GapRole { None, Subject, Acc, Dat, PP };

bool is_person(const NP& np) {
  switch (np.kind) {
    case NPKind::Pronoun:
    case NPKind::Name:
      return true;
    case NPKind::Noun:
      return (np.noun->classes & cls::Person) != 0;
    case NPKind::Gap:
      return np.gap_person;
    case NPKind::Coord:
      return is_person(np.members[0]) && is_person(np.members[1]);
  }
  return false;
}

Classes classes_of(const NP& np) {
  switch (np.kind) {
    case NPKind::Noun:
      return np.noun->classes;
    case NPKind::Coord:
      return classes_of(np.members[0]) & classes_of(np.members[1]);
    case NPKind::Gap:
      return np.gap_person ? cls::Person : 0;
    default:
      return cls::Person;
  }
}

bool plural_subject(const NP& np) {
  if (np.kind == NPKind::Pronoun) return np.pronoun >= 5;
  return np.kind == NPKind::Coord || (np.kind != NPKind::Name && np.plural);
}

bool indefinite(const NP& np) {
  return np.kind == NPKind::Noun && (np.det == Det::Indef || np.det == Det::None || np.det == Det::Number);
}

struct NPSite {
  NP* np;
  Clause* owner;      // the clause the NP belongs to
  int depth;          // clause depth of the owner (main clause = 0)
  bool in_pp;         // inside a prepositional phrase (no further attributes)
  bool in_attribute;  // inside "der Mann mit dem Hut": no relative clause, it would stack with the head's
  Classes slot;       // subject or object of its clause: the classes the verb accepts there (else 0)
};

struct ClauseSite {
  Clause* clause;
  int depth;
};

struct Sites {
  std::vector<NPSite> nps;
  std::vector<ClauseSite> clauses;
};

void collect_clause(Clause& c, int depth, Sites& sites);

void collect_np(NP& np, Clause* owner, int depth, bool in_pp, Classes slot, Sites& sites, bool in_attribute = false) {
  if (np.kind == NPKind::Gap || np.kind == NPKind::Pronoun) return;
  sites.nps.push_back({&np, owner, depth, in_pp, in_attribute, slot});
  for (NP& m : np.members) collect_np(m, owner, depth, in_pp, 0, sites, in_attribute);
  for (PP& p : np.attribute)
    for (NP& o : p.object) collect_np(o, owner, depth, true, 0, sites, true);
  for (Clause& rel : np.relative) collect_clause(rel, depth + 1, sites);
}

void collect_clause(Clause& c, int depth, Sites& sites) {
  sites.clauses.push_back({&c, depth});
  collect_np(c.subject, &c, depth, false, c.verb->subject, sites);
  for (NP& o : c.acc) collect_np(o, &c, depth, false, c.verb->acc, sites);
  for (NP& o : c.dat) collect_np(o, &c, depth, false, c.verb->dat, sites);
  for (PP& p : c.pps)
    for (NP& o : p.object) collect_np(o, &c, depth, true, 0, sites);
  for (Clause& sub : c.complement) collect_clause(sub, depth + 1, sites);
  for (Clause& sub : c.adverbials) collect_clause(sub, depth + 1, sites);
}

constexpr int kMaxDepth = 3;  // clause nesting below the main clause

class Generator {
 public:
  Generator(const Lexicon& lx, uint64_t seed) : lx_(lx), rng_(seed) {
    for (const Verb& v : lx_.verbs) verbs_by_frame_[static_cast<int>(v.frame)].push_back(&v);
    for (const Adverb& a : lx_.adverbs) {
      if (a.kind == AdverbKind::Time) time_.push_back(&a);
      if (a.kind == AdverbKind::Manner) manner_.push_back(&a);
      if (a.kind == AdverbKind::Intensifier) (a.predicative_only ? pred_intensifiers_ : intensifiers_).push_back(&a);
    }
    for (const Conjunction& c : lx_.conjunctions)
      if (c.kind == ConjKind::Subordinating) subordinators_.push_back(&c);
    for (const Modal& m : lx_.modals) modals_.push_back(&m);
    for (const Name& n : lx_.names) names_.push_back(&n);
    for (const Verb& v : lx_.verbs) all_verbs_.push_back(&v);
    // A subset of the lexicon (--lemmas) may keep none of them: then nobody comes "from" anywhere.
    for (const char* origin : {"Stadt", "Dorf", "Insel", "Bauernhof", "Schloss", "Hafen"}) {
      auto it = std::find_if(lx_.nouns.begin(), lx_.nouns.end(), [&](const Noun& n) { return n.de == origin; });
      if (it != lx_.nouns.end()) origins_.push_back(&*it);
    }
  }

  // A sentence whose German side has between `target` and `hi` tokens and at least `min_words`
  // words, or nothing when repeated attempts overshoot.
  std::optional<Sentence> make(int target, int hi, int min_words) {
    for (int restart = 0; restart < 60; ++restart) {
      Sentence s = sentence(make_clause(0));
      Length len = german_length(s);
      int failures = 0;
      for (int step = 0; step < 400 && failures < 40 && len.tokens <= hi; ++step) {
        if (len.tokens >= target && len.words >= min_words) {
          choose_fronting(s);
          int n = german_length(s).tokens;
          if (n < target || n > hi) {
            for (Clause& c : s.clauses) c.front = Front::Subject;
          }
          return s;
        }
        Sentence backup = s;
        if (!grow(s, target - len.tokens)) {
          ++failures;
          continue;
        }
        Length grown = german_length(s);
        if (grown.tokens > hi) {
          s = std::move(backup);
          ++failures;
          continue;
        }
        len = grown;
      }
    }
    return std::nullopt;
  }

  Rng& rng() { return rng_; }

 private:
  // ---------------------------------------------------------------- noun phrases

  const std::vector<const Noun*>& nouns_for(Classes mask) {
    auto it = noun_cache_.find(mask);
    if (it != noun_cache_.end()) return it->second;
    std::vector<const Noun*> list;
    for (const Noun& n : lx_.nouns)
      if (n.classes & mask) list.push_back(&n);
    return noun_cache_.emplace(mask, std::move(list)).first->second;
  }

  const Noun* noun_for(Classes mask) {
    const auto& list = nouns_for(mask);
    return list.empty() ? nullptr : list[rng_.below(list.size())];
  }

  NP random_noun_np(const Noun& n, bool allow_number = true) {
    NP np = noun_np(n, Det::Def);
    if (n.mass) {
      static const std::array<Det, 4> dets = {Det::Def, Det::None, Det::Poss, Det::Dem};
      np.det = dets[rng_.weighted(std::array<double, 4>{0.45, 0.33, 0.12, 0.10})];
    } else if (rng_.chance(0.27)) {
      np.plural = true;
      static const std::array<Det, 5> dets = {Det::Def, Det::None, Det::Poss, Det::Dem, Det::Number};
      np.det = dets[rng_.weighted(std::array<double, 5>{0.45, 0.2, 0.15, 0.08, allow_number ? 0.12 : 0.0})];
    } else {
      static const std::array<Det, 4> dets = {Det::Def, Det::Indef, Det::Poss, Det::Dem};
      np.det = dets[rng_.weighted(std::array<double, 4>{0.5, 0.28, 0.14, 0.08})];
    }
    if (np.det == Det::Poss) np.owner = rng_.below(6);
    if (np.det == Det::Number) np.number = rng_.range(2, 12);
    if (rng_.chance(0.12)) add_adjective(np);
    return np;
  }

  // Pronoun indices allowed in a slot: no "es" (it would refer to nothing), no accusative "sie"
  // (her/them cannot be told apart), nothing reflexive ("ich ... mich").
  int random_pronoun(Slot slot, Case c, int subject_pronoun) {
    static const std::vector<int> subject = {0, 1, 2, 3, 5, 6, 7};
    static const std::vector<int> accusative = {0, 1, 2, 5, 6};
    static const std::vector<int> dative = {0, 1, 2, 3, 5, 6, 7};
    const auto& pool = slot == Slot::Subject ? subject : (c == Case::Acc ? accusative : dative);
    for (;;) {
      int p = rng_.pick(pool);
      bool reflexive = p == subject_pronoun && (p == 0 || p == 1 || p == 5 || p == 6);
      if (!reflexive) return p;
    }
  }

  // A noun phrase for a slot that accepts `mask`; persons are sometimes pronouns or names.
  std::optional<NP> np_for(Classes mask, Slot slot, Case c, int subject_pronoun = -1) {
    if (mask & cls::Person) {
      double r = rng_.uniform();
      double pronoun = slot == Slot::Subject ? 0.22 : slot == Slot::PPObj ? 0.07 : 0.09;
      if (r < pronoun) return pronoun_np(random_pronoun(slot, c, subject_pronoun));
      if (r < pronoun + 0.07) return name_np(*rng_.pick(names_));
    }
    const Noun* n = noun_for(mask);
    if (!n) return std::nullopt;
    return random_noun_np(*n, slot != Slot::PPObj);
  }

  bool add_adjective(NP& np) {
    if (np.kind != NPKind::Noun || np.adjectives.size() >= 2 || np.intensifier) return false;
    std::vector<const Adjective*> options;
    for (const Adjective& a : lx_.adjectives) {
      if (!(a.applies_to & np.noun->classes)) continue;
      bool clash = false;
      for (const Adjective* have : np.adjectives) clash = clash || have->order == a.order;
      if (!clash) options.push_back(&a);
    }
    if (options.empty()) return false;
    const Adjective* a = rng_.pick(options);
    auto pos = std::find_if(np.adjectives.begin(), np.adjectives.end(),
                            [&](const Adjective* have) { return have->order > a->order; });
    np.adjectives.insert(pos, a);
    return true;
  }

  bool add_intensifier(NP& np) {
    if (np.kind != NPKind::Noun || np.adjectives.empty() || np.intensifier || !np.adjectives[0]->gradable) return false;
    np.intensifier = rng_.pick(intensifiers_);
    return true;
  }

  // ---------------------------------------------------------------- prepositional phrases

  std::optional<PP> location_pp(bool person_subject, Classes where = cls::Place | cls::Building | cls::Furniture |
                                                                     cls::Vehicle | cls::Landmark) {
    if (person_subject && rng_.chance(0.08)) return fixed_pp("zu Hause", "at home", PPKind::Location);
    const Noun* n = noun_for(where);
    if (!n) return std::nullopt;
    NP obj = random_noun_np(*n, false);
    if (!n->locative.empty() && (rng_.chance(0.7) || !(n->classes & (cls::Landmark | cls::Place | cls::Building)))) {
      const auto& [de, en] = rng_.pick(n->locative);
      return pp(de, en, Case::Dat, std::move(obj), PPKind::Location);
    }
    if (n->classes & cls::Landmark) {
      static const std::array<const char*, 3> preps = {"neben", "hinter", "vor"};
      return pp(lx_.preposition(preps[rng_.below(3)]), std::move(obj), PPKind::Location);
    }
    return pp(lx_.preposition("bei"), std::move(obj), PPKind::Location);
  }

  std::optional<PP> direction_pp(int subject_pronoun) {
    int kind = rng_.weighted(std::array<double, 7>{0.1, 0.4, 0.12, 0.1, 0.1, 0.08, 0.1});
    if (kind == 0) return fixed_pp("nach Hause", "home", PPKind::Direction);
    struct Option {
      const char* de;
      const char* en;
      Classes mask;
    };
    static const std::array<Option, 6> options = {{
        {"zu", "to", cls::Place | cls::Building | cls::Person},
        {"durch", "through", cls::Trav},
        {"um", "around", cls::Around},
        {"aus", "out of", cls::Building},
        {"von", "from", cls::Place | cls::Building},
        {"über", "across", cls::Across},
    }};
    const Option& o = options[kind - 1];
    const Preposition& prep = lx_.preposition(o.de);
    auto obj = np_for(o.mask, Slot::PPObj, prep.governs, subject_pronoun);
    if (!obj) return std::nullopt;
    return pp(o.de, o.en, prep.governs, std::move(*obj), PPKind::Direction);
  }

  std::optional<PP> comitative_pp(const Verb& v, int subject_pronoun) {
    int kind = rng_.weighted(std::array<double, 4>{0.5, 0.2, 0.25, v.against ? 0.4 : 0.0});
    static const std::array<const char*, 4> preps = {"mit", "ohne", "für", "gegen"};
    const Preposition& prep = lx_.preposition(preps[kind]);
    Classes mask = kind < 2 ? (cls::Person | cls::Animal) : cls::Person;
    auto obj = np_for(mask, Slot::PPObj, prep.governs, subject_pronoun);
    if (!obj) return std::nullopt;
    return pp(prep, std::move(*obj), PPKind::Comitative);
  }

  std::optional<PP> time_pp() {
    const Noun* n = noun_for(cls::Event);
    bool after = rng_.chance(0.6);
    return pp(after ? "nach" : "vor", after ? "after" : "before", Case::Dat, random_noun_np(*n, false), PPKind::Time);
  }

  // "der Mann mit dem Hut", "das Geschenk für das Kind", "das Haus neben der Kirche".
  bool add_attribute(NP& np) {
    if (np.kind != NPKind::Noun || !np.attribute.empty()) return false;
    Classes hc = np.noun->classes;
    std::vector<int> kinds;
    if (hc & cls::Person) kinds.insert(kinds.end(), {0, 1});
    if (hc & cls::Animal) kinds.push_back(0);
    if (hc & (cls::Thing | cls::Food | cls::Text)) kinds.insert(kinds.end(), {2, 3});
    if (hc & (cls::Person | cls::Animal | cls::Thing | cls::Building | cls::Vehicle | cls::Furniture | cls::Plant))
      kinds.push_back(4);
    if (kinds.empty()) return false;
    switch (rng_.pick(kinds)) {
      case 0: {  // mit + clothing/animal
        const Noun* n = noun_for((hc & cls::Person) ? (cls::Cloth | cls::Animal) : cls::Cloth);
        if (!n) return false;
        np.attribute.push_back(pp(lx_.preposition("mit"), random_noun_np(*n, false), PPKind::Attribute));
        return true;
      }
      case 1: {  // aus + a place one comes from: "from"
        if (origins_.empty()) return false;
        const Noun* n = rng_.pick(origins_);
        np.attribute.push_back(pp("aus", "from", Case::Dat, random_noun_np(*n, false), PPKind::Attribute));
        return true;
      }
      case 2:    // für + person
      case 3: {  // von + person: "from"
        bool fuer = rng_.chance(0.5);
        const Noun* n = noun_for(cls::Person);
        NP obj = rng_.chance(0.15) ? name_np(*rng_.pick(names_)) : random_noun_np(*n, false);
        np.attribute.push_back(fuer ? pp(lx_.preposition("für"), std::move(obj), PPKind::Attribute)
                                    : pp("von", "from", Case::Dat, std::move(obj), PPKind::Attribute));
        return true;
      }
      default: {  // a place; people and animals are not "on the chair" as a lasting property
        Classes where = (hc & (cls::Person | cls::Animal)) ? (cls::Place | cls::Building | cls::Vehicle)
                                                           : (cls::Place | cls::Building | cls::Furniture);
        auto loc = location_pp(false, where);
        if (!loc) return false;
        // The head must not be its own place ("das Haus im Haus").
        if (!loc->object.empty() && loc->object[0].noun == np.noun) return false;
        loc->kind = PPKind::Attribute;
        np.attribute.push_back(std::move(*loc));
        return true;
      }
    }
  }

  // ---------------------------------------------------------------- clauses

  const Verb* random_verb_of(Frame frame) {
    const auto& list = verbs_by_frame_[static_cast<int>(frame)];
    return list.empty() ? nullptr : list[rng_.below(list.size())];
  }

  Clause make_clause(int depth) {
    for (;;) {
      static const std::array<Frame, 9> frames = {Frame::Intransitive, Frame::Motion,       Frame::Transitive,
                                                  Frame::Dative,       Frame::Ditransitive, Frame::Copula,
                                                  Frame::Locative,     Frame::Complement,   Frame::Weather};
      int f = rng_.weighted(std::array<double, 9>{14, 10, 32, 7, 9, 10, 6, depth < 2 ? 7.0 : 0.0, 1.5});
      const Verb* v = random_verb_of(frames[f]);
      if (!v) continue;
      if (auto c = build_clause(*v, depth, GapRole::None, nullptr)) return std::move(*c);
    }
  }

  // Fills the verb's slots; `gap` (with `head_classes`) marks the slot a relative clause leaves out.
  std::optional<Clause> build_clause(const Verb& v, int depth, GapRole role, const NP* head) {
    Classes head_classes = head && head->kind == NPKind::Noun ? head->noun->classes : cls::Person;
    Clause c;
    c.verb = &v;
    if (v.frame == Frame::Weather) {
      c.subject = pronoun_np(4);
    } else if (role == GapRole::Subject) {
      c.subject = gap_np(*head);
    } else {
      auto s = np_for(v.subject, Slot::Subject, Case::Nom);
      if (!s) return std::nullopt;
      c.subject = std::move(*s);
    }
    int subject_pronoun = c.subject.kind == NPKind::Pronoun ? c.subject.pronoun : -1;
    if (v.frame == Frame::Transitive || v.frame == Frame::Ditransitive) {
      if (role == GapRole::Acc) {
        c.acc.push_back(gap_np(*head));
      } else {
        auto o = np_for(v.acc, Slot::Acc, Case::Acc, subject_pronoun);
        if (!o) return std::nullopt;
        c.acc.push_back(std::move(*o));
      }
    }
    if (v.frame == Frame::Dative || v.frame == Frame::Ditransitive) {
      if (role == GapRole::Dat) {
        c.dat.push_back(gap_np(*head));
      } else {
        auto o = np_for(v.dat, Slot::Dat, Case::Dat, subject_pronoun);
        if (!o) return std::nullopt;
        c.dat.push_back(std::move(*o));
      }
    }
    Classes subject_classes = role == GapRole::Subject ? head_classes : classes_of(c.subject);
    switch (v.frame) {
      case Frame::Copula: {
        std::vector<const Adjective*> options;
        for (const Adjective& a : lx_.adjectives)
          if (a.applies_to & subject_classes) options.push_back(&a);
        if (options.empty()) return std::nullopt;
        c.predicate = rng_.pick(options);
        if (c.predicate->gradable && rng_.chance(0.25))
          c.predicate_intensifier = rng_.chance(0.7) ? rng_.pick(intensifiers_) : rng_.pick(pred_intensifiers_);
        break;
      }
      case Frame::Locative: {
        if (role == GapRole::PP) break;  // the relativised place is the location
        auto loc = location_pp((subject_classes & cls::Person) != 0);
        if (!loc) return std::nullopt;
        c.pps.push_back(std::move(*loc));
        break;
      }
      case Frame::Motion:
        if (rng_.chance(0.6)) {
          if (auto dir = direction_pp(subject_pronoun)) c.pps.push_back(std::move(*dir));
        }
        break;
      case Frame::Complement: {
        bool dass = v.dass && (!v.ob || rng_.chance(0.6));
        c.complementizer = &lx_.conjunction(dass ? "dass" : "ob");
        c.complement.push_back(make_clause(depth + 1));
        break;
      }
      default:
        break;
    }
    if (v.frame != Frame::Copula && rng_.chance(0.15)) negate(c, role);
    return c;
  }

  void negate(Clause& c, GapRole role) {
    for (auto* objects : {&c.acc, &c.dat}) {
      for (NP& o : *objects) {
        if (indefinite(o)) {
          o.det = Det::Kein;
          c.negation = Negation::KeinObject;
          return;
        }
      }
    }
    if (role != GapRole::Subject && indefinite(c.subject) && rng_.chance(0.4)) {
      c.subject.det = Det::Kein;
      c.negation = Negation::KeinSubject;
      return;
    }
    c.negation = Negation::Nicht;
  }

  // A relative clause on `head`, with the head's role inside it chosen at random.
  bool add_relative(NP& head, int depth) {
    if (head.kind != NPKind::Noun || !head.relative.empty() || depth >= kMaxDepth) return false;
    Classes hc = head.noun->classes;
    for (int attempt = 0; attempt < 12; ++attempt) {
      GapRole role = static_cast<GapRole>(1 + rng_.weighted(std::array<double, 4>{0.45, 0.25, 0.12, 0.18}));
      if (role == GapRole::PP) {
        if (auto rel = relative_with_pp_gap(head, depth)) {
          head.relative.push_back(std::move(*rel));
          return true;
        }
        continue;
      }
      for (int tries = 0; tries < 30; ++tries) {
        const Verb& v = *rng_.pick(all_verbs_);
        bool fits =
            (role == GapRole::Subject && v.frame != Frame::Weather && (v.subject & hc)) ||
            (role == GapRole::Acc && (v.frame == Frame::Transitive || v.frame == Frame::Ditransitive) &&
             (v.acc & hc)) ||
            (role == GapRole::Dat && (v.frame == Frame::Dative || v.frame == Frame::Ditransitive) && (v.dat & hc));
        if (!fits) continue;
        if (auto rel = build_clause(v, depth + 1, role, &head)) {
          head.relative.push_back(std::move(*rel));
          return true;
        }
      }
    }
    return false;
  }

  // "der Freund, mit dem ...", "der Park, in dem ...".
  std::optional<Clause> relative_with_pp_gap(const NP& head, int depth) {
    Classes hc = head.noun->classes;
    bool animate = (hc & (cls::Person | cls::Animal)) != 0;
    bool place = !head.noun->locative.empty();
    if (!animate && !place) return std::nullopt;
    for (int tries = 0; tries < 30; ++tries) {
      const Verb& v = *rng_.pick(all_verbs_);
      bool agentive = v.subject & cls::Person;
      if (animate) {
        if (!agentive || !(v.frame == Frame::Intransitive || v.frame == Frame::Motion || v.frame == Frame::Transitive ||
                           v.frame == Frame::Ditransitive))
          continue;
        auto c = build_clause(v, depth + 1, GapRole::PP, &head);
        if (!c || !is_person(c->subject)) continue;
        int kind = rng_.weighted(std::array<double, 3>{0.6, 0.15, (hc & cls::Person) ? 0.25 : 0.0});
        static const std::array<const char*, 3> preps = {"mit", "ohne", "für"};
        c->pps.push_back(pp(lx_.preposition(preps[kind]), gap_np(head), PPKind::Comitative));
        return c;
      }
      if (!(v.frame == Frame::Intransitive || v.frame == Frame::Transitive || v.frame == Frame::Locative)) continue;
      auto c = build_clause(v, depth + 1, GapRole::PP, &head);
      if (!c) continue;
      const auto& [de, en] = rng_.pick(head.noun->locative);
      c->pps.push_back(pp(de, en, Case::Dat, gap_np(head), PPKind::Location));
      return c;
    }
    return std::nullopt;
  }

  bool has_pp(const Clause& c, PPKind kind) {
    return std::any_of(c.pps.begin(), c.pps.end(), [&](const PP& p) { return p.kind == kind; });
  }

  bool add_pp(Clause& c) {
    const Verb& v = *c.verb;
    Frame f = v.frame;
    bool agentive = is_person(c.subject) && f != Frame::Copula && f != Frame::Locative && f != Frame::Weather;
    int subject_pronoun = c.subject.kind == NPKind::Pronoun ? c.subject.pronoun : -1;
    std::vector<int> kinds;
    if (agentive && !has_pp(c, PPKind::Comitative) && f != Frame::Complement) kinds.push_back(0);
    if (!has_pp(c, PPKind::Location) && f != Frame::Locative && f != Frame::Copula && !has_pp(c, PPKind::Direction))
      kinds.push_back(1);
    if (!has_pp(c, PPKind::Time)) kinds.push_back(2);
    if (f == Frame::Motion && !has_pp(c, PPKind::Direction) && !has_pp(c, PPKind::Location)) kinds.push_back(3);
    if (kinds.empty()) return false;
    std::optional<PP> p;
    switch (rng_.pick(kinds)) {
      case 0:
        p = comitative_pp(v, subject_pronoun);
        break;
      case 1:
        p = location_pp(is_person(c.subject));
        break;
      case 2:
        p = time_pp();
        break;
      default:
        p = direction_pp(subject_pronoun);
        break;
    }
    if (!p) return false;
    c.pps.push_back(std::move(*p));
    return true;
  }

  bool add_time(Clause& c) {
    if (c.time) return false;
    const Adverb* a = rng_.pick(time_);
    if (c.negation != Negation::None && !a->negatable) return false;
    c.time = a;
    return true;
  }

  bool add_manner(Clause& c) {
    Frame f = c.verb->frame;
    if (c.manner || !(f == Frame::Intransitive || f == Frame::Motion || f == Frame::Transitive)) return false;
    if (!(classes_of(c.subject) & (cls::Person | cls::Animal))) return false;
    const Adverb* a = rng_.pick(manner_);
    if (a->plural_only && !plural_subject(c.subject)) return false;
    c.manner = a;
    return true;
  }

  bool add_modal(Clause& c) {
    if (c.modal || c.verb->frame == Frame::Weather) return false;
    c.modal = rng_.pick(modals_);
    return true;
  }

  bool add_adverbial(Clause& c, int depth) {
    if (depth >= kMaxDepth - 1 || c.adverbials.size() >= 2) return false;
    c.adverbials.push_back(make_clause(depth + 1));
    c.adverbial_conj.push_back(rng_.pick(subordinators_));
    return true;
  }

  bool coordinate_clause(Sentence& s) {
    if (s.clauses.size() >= 3) return false;
    static const std::array<const char*, 4> conj = {"und", "aber", "oder", "denn"};
    const Conjunction* link = &lx_.conjunction(conj[rng_.weighted(std::array<double, 4>{0.45, 0.25, 0.1, 0.2})]);
    // "X, aber Y, aber Z" reads badly: each conjunction at most once per sentence.
    if (std::find(s.links.begin(), s.links.end(), link) != s.links.end()) return false;
    s.links.push_back(link);
    s.clauses.push_back(make_clause(0));
    return true;
  }

  bool coordinate_np(const NPSite& site) {
    NP& np = *site.np;
    if (!site.slot || site.owner->negation != Negation::None) return false;
    if (np.kind != NPKind::Noun && np.kind != NPKind::Name) return false;
    if (np.kind == NPKind::Noun && np.noun->mass) return false;
    NP second;
    if (np.kind == NPKind::Name) {
      const Name* other = rng_.pick(names_);
      if (other == np.name) return false;
      second = name_np(*other);
    } else {
      // Same kind of thing as the first member, and fit for the verb (and predicate) as well.
      Classes kind = np.noun->classes & kPrimary;
      const Noun* n = noun_for(kind & site.slot);
      if (!n || n == np.noun || n->mass || !(n->classes & site.slot)) return false;
      const Adjective* predicate = site.owner->predicate;
      if (predicate && &site.owner->subject == &np && !(predicate->applies_to & n->classes)) return false;
      second = random_noun_np(*n);
    }
    np = coord_np(std::move(np), std::move(second));
    return true;
  }

  // One random enlargement of the tree; `missing` is how many tokens the sentence still lacks.
  bool grow(Sentence& s, int missing) {
    Sites sites;
    for (Clause& c : s.clauses) collect_clause(c, 0, sites);
    double big = missing > 12 ? 0.65 : missing > 6 ? 0.4 : missing > 3 ? 0.15 : 0.03;
    double medium = 0.35;
    int category = rng_.weighted(std::array<double, 3>{big, medium, std::max(0.0, 1.0 - big - medium)});
    if (sites.nps.empty()) sites.nps.push_back({&s.clauses[0].subject, &s.clauses[0], 0, false, false, 0});
    if (category == 0) {
      switch (rng_.below(3)) {
        case 0: {
          auto& site = rng_.pick(sites.clauses);
          return add_adverbial(*site.clause, site.depth);
        }
        case 1:
          return coordinate_clause(s);
        default: {
          auto& site = rng_.pick(sites.nps);
          return !site.in_attribute && add_relative(*site.np, site.depth);
        }
      }
    }
    if (category == 1) {
      switch (rng_.below(4)) {
        case 0:
          return add_pp(*rng_.pick(sites.clauses).clause);
        case 1: {
          auto& site = rng_.pick(sites.nps);
          return !site.in_pp && add_attribute(*site.np);
        }
        case 2: {
          auto& site = rng_.pick(sites.nps);
          return coordinate_np(site);
        }
        default:
          return add_time(*rng_.pick(sites.clauses).clause);
      }
    }
    switch (rng_.below(5)) {
      case 0:
      case 1:
        return add_adjective(*rng_.pick(sites.nps).np);
      case 2:
        return add_intensifier(*rng_.pick(sites.nps).np);
      case 3:
        return add_manner(*rng_.pick(sites.clauses).clause);
      default:
        return rng_.chance(0.5) ? add_modal(*rng_.pick(sites.clauses).clause)
                                : add_time(*rng_.pick(sites.clauses).clause);
    }
  }

  // What opens each main clause: mostly the subject, else a time adverb, a time or place phrase,
  // or a subordinate clause.
  void choose_fronting(Sentence& s) {
    for (Clause& c : s.clauses) {
      std::vector<std::pair<Front, int>> options = {{Front::Subject, -1}};
      if (c.time && c.time->frontable) options.push_back({Front::Time, -1});
      for (size_t i = 0; i < c.pps.size(); ++i) {
        bool frontable =
            c.pps[i].kind == PPKind::Time ||
            (c.pps[i].kind == PPKind::Location && c.verb->frame != Frame::Locative && !c.pps[i].object.empty());
        if (frontable) options.push_back({Front::PP, static_cast<int>(i)});
      }
      if (!c.adverbials.empty()) options.push_back({Front::Adverbial, -1});
      c.front = Front::Subject;
      c.front_pp = -1;
      if (options.size() > 1 && rng_.chance(0.45)) {
        auto [front, index] = options[1 + rng_.below(options.size() - 1)];
        c.front = front;
        c.front_pp = index;
      }
    }
  }

  const Lexicon& lx_;
  Rng rng_;
  std::array<std::vector<const Verb*>, 9> verbs_by_frame_;
  std::vector<const Verb*> all_verbs_;
  std::vector<const Adverb*> time_, manner_, intensifiers_, pred_intensifiers_;
  std::vector<const Conjunction*> subordinators_;
  std::vector<const Modal*> modals_;
  std::vector<const Name*> names_;
  std::vector<const Noun*> origins_;  // where people come from ("der Mann aus dem Dorf")
  std::unordered_map<Classes, std::vector<const Noun*>> noun_cache_;
};

std::string join_lines(const std::vector<SynthPair>& pairs, bool german) {
  std::string out;
  for (const auto& p : pairs) {
    out += german ? p.de : p.en;
    out += '\n';
  }
  return out;
}

}  // namespace

std::string SynthBand::label() const { return std::to_string(lo) + "-" + std::to_string(hi); }

void validate_synth_options(const SynthOptions& o) {
  if (o.train < 0 || o.valid < 0 || o.test < 0) throw UsageError("synth: sentence counts must not be negative");
  if (o.min_words < 2) throw UsageError("synth: --min-words must be at least 2");
  if (o.max_words < o.min_words + 1)
    throw UsageError("synth: --max-words must exceed --min-words (lengths count the final period)");
  if (o.max_words > 200) throw UsageError("synth: --max-words must be at most 200");
  if (o.lemmas != 0) synth::require_subset_size(synth::lexicon(), o.lemmas);
  if (!o.train_band_weights.empty()) {
    auto bands = synth_bands(o);
    std::string labels;
    for (const auto& b : bands) labels += (labels.empty() ? "" : ",") + b.label();
    if (o.train_band_weights.size() != bands.size())
      throw UsageError("synth: --train-band-weights has " + std::to_string(o.train_band_weights.size()) +
                       " weights; give one per length band, " + std::to_string(bands.size()) + " (" + labels + ")");
    bool positive = false;
    for (double w : o.train_band_weights) {
      if (!std::isfinite(w) || w < 0)
        throw UsageError("synth: --train-band-weights must be non-negative numbers, one per band (" + labels + ")");
      positive = positive || w > 0;
    }
    if (!positive) throw UsageError("synth: --train-band-weights needs at least one weight above 0");
  }
}

std::vector<double> parse_band_weights(const std::string& text) {
  std::vector<double> weights;
  size_t begin = 0;
  for (;;) {
    size_t end = text.find(',', begin);
    std::string item = text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    size_t used = 0;
    double w = 0;
    try {
      w = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (item.empty() || used != item.size() || !std::isfinite(w) || w < 0)
      throw UsageError("synth: --train-band-weights \"" + text + "\": \"" + item +
                       "\" is not a non-negative number; give comma-separated weights, one per band (1,1,1,1,2)");
    weights.push_back(w);
    if (end == std::string::npos) return weights;
    begin = end + 1;
  }
}

std::vector<int64_t> band_plan(int64_t count, const std::vector<double>& weights, size_t bands) {
  std::vector<double> w = weights.empty() ? std::vector<double>(bands, 1.0) : weights;
  double total = 0;
  for (double x : w) total += x;
  std::vector<int64_t> plan(bands, 0);
  std::vector<double> remainder(bands, 0.0);
  int64_t given = 0;
  for (size_t b = 0; b < bands; ++b) {
    double exact = static_cast<double>(count) * w[b] / total;
    plan[b] = static_cast<int64_t>(std::floor(exact));
    remainder[b] = exact - static_cast<double>(plan[b]);
    given += plan[b];
  }
  for (; given < count; ++given) {
    size_t best = 0;
    for (size_t b = 1; b < bands; ++b)
      if (remainder[b] > remainder[best] + 1e-9) best = b;
    ++plan[best];
    remainder[best] = -1;
  }
  return plan;
}

std::vector<SynthBand> synth_bands(const SynthOptions& o) {
  static const std::array<std::pair<int, int>, 5> nominal = {{{1, 10}, {11, 20}, {21, 30}, {31, 40}, {41, 1 << 20}}};
  int lo_limit = o.min_words + 1, hi_limit = o.max_words;
  std::vector<SynthBand> bands;
  for (auto [lo, hi] : nominal) {
    SynthBand b{std::max(lo, lo_limit), std::min(hi, hi_limit)};
    if (b.lo <= b.hi) bands.push_back(b);
  }
  return bands;
}

namespace {
// The band of a sentence of `n` tokens (or words): word counts may fall below a band's clipped
// start; they belong to the nominal band.
std::optional<size_t> band_of(int n, const std::vector<SynthBand>& bands) {
  for (size_t b = 0; b < bands.size(); ++b) {
    bool last = b + 1 == bands.size();
    int lo = b == 0 ? 0 : bands[b].lo;
    if (n >= lo && (n <= bands[b].hi || last)) return b;
  }
  return std::nullopt;
}
}  // namespace

std::vector<int64_t> synth_band_counts(const std::vector<SynthPair>& pairs, const std::vector<SynthBand>& bands,
                                       bool in_words) {
  std::vector<int64_t> counts(bands.size(), 0);
  for (const auto& p : pairs)
    if (auto b = band_of(in_words ? synth::count_words(p.de) : synth::count_tokens(p.de), bands)) ++counts[*b];
  return counts;
}

std::vector<int64_t> synth_band_lemma_occurrences(const std::vector<SynthPair>& pairs,
                                                  const std::vector<SynthBand>& bands) {
  std::vector<int64_t> counts(bands.size(), 0);
  for (const auto& p : pairs)
    if (auto b = band_of(synth::count_tokens(p.de), bands)) counts[*b] += p.content_lemmas;
  return counts;
}

int SynthLexiconInfo::content_lemmas() const {
  int total = 0;
  for (int k : kept) total += k;
  return total;
}

SynthCorpus generate_synth(const SynthOptions& o) {
  validate_synth_options(o);
  auto bands = synth_bands(o);
  SynthCorpus corpus;
  // The lexicon the generators draw from: the whole one, or a seeded subset that outlives them.
  std::unique_ptr<synth::LexiconSubset> subset;
  if (o.lemmas > 0) subset = std::make_unique<synth::LexiconSubset>(synth::subset_lexicon(lexicon(), o.lemmas, o.seed));
  const Lexicon& lx = subset ? subset->lexicon : lexicon();
  SynthLexiconInfo& info = corpus.lexicon;
  info.requested = o.lemmas;
  info.kept_lemmas = synth::content_lemma_names(lx);
  info.lemmas = lx.lemma_count();
  for (size_t c = 0; c < synth::kWordClasses.size(); ++c) {
    char word_class = synth::kWordClasses[c];
    info.word_classes.push_back(synth::word_class_name(word_class));
    int in_lexicon =
        static_cast<int>(std::count_if(info.kept_lemmas.begin(), info.kept_lemmas.end(), [&](const std::string& name) {
          return name.rfind(std::string(synth::word_class_name(word_class)) + ":", 0) == 0;
        }));
    info.full.push_back(subset ? subset->full[c] : in_lexicon);
    info.share.push_back(subset ? subset->share[c] : in_lexicon);
    info.kept.push_back(in_lexicon);
  }

  std::unordered_set<std::string> used;
  auto make_split = [&](int64_t count, uint64_t stream, const char* name, const std::vector<double>& weights,
                        std::vector<SynthPair>& out) -> int64_t {
    Generator gen(lx, mix(o.seed, stream));
    // Bands in turn while each still has pairs to get: with even counts that is i % bands.
    std::vector<int64_t> quota = band_plan(count, weights, bands.size());
    std::vector<int> plan;
    plan.reserve(static_cast<size_t>(count));
    while (static_cast<int64_t>(plan.size()) < count)
      for (size_t b = 0; b < bands.size(); ++b)
        if (quota[b] > 0) {
          plan.push_back(static_cast<int>(b));
          --quota[b];
        }
    for (size_t i = plan.size(); i > 1; --i) std::swap(plan[i - 1], plan[gen.rng().below(i)]);
    out.reserve(plan.size());
    std::set<LemmaKey> seen;
    for (int b : plan) {
      const SynthBand& band = bands[b];
      bool done = false;
      for (int attempt = 0; attempt < 500 && !done; ++attempt) {
        // In the open last band, aim a little above its start so that it stays well filled
        // when counted in words (punctuation makes tokens exceed words by a few).
        bool last = b + 1 == static_cast<int>(bands.size()) && band.hi - band.lo >= 12;
        int target = gen.rng().range(last ? band.lo + (band.hi - band.lo) / 8 : band.lo, band.hi);
        auto s = gen.make(target, band.hi, o.min_words);
        if (!s) continue;
        Realized r = realize(*s);
        if (used.insert(r.de).second) {
          std::vector<LemmaKey> lemmas = content_lemmas(*s);
          seen.insert(lemmas.begin(), lemmas.end());
          out.push_back({std::move(r.de), std::move(r.en), static_cast<int>(lemmas.size())});
          done = true;
        }
      }
      if (!done)
        throw std::runtime_error(std::string("synth: could not make another distinct ") + name + " sentence of " +
                                 band.label() + " tokens; ask for fewer sentences, widen --min-words/--max-words" +
                                 (o.lemmas ? " or keep more --lemmas" : ""));
    }
    return static_cast<int64_t>(seen.size());
  };
  corpus.test_lemmas_seen = make_split(o.test, 3, "test", {}, corpus.test);
  corpus.valid_lemmas_seen = make_split(o.valid, 2, "valid", {}, corpus.valid);
  corpus.train_lemmas_seen = make_split(o.train, 1, "train", o.train_band_weights, corpus.train);
  corpus.train_band_plan = band_plan(o.train, o.train_band_weights, bands.size());
  return corpus;
}

int synth_lemma_count() { return synth::lexicon().lemma_count(); }

namespace {
// Occurrences per kept lemma, 0 for an empty lexicon.
double per_lemma(int64_t occurrences, int lemmas) {
  return lemmas > 0 ? static_cast<double>(occurrences) / lemmas : 0.0;
}
}  // namespace

void write_synth(const SynthCorpus& corpus, const SynthOptions& o, const std::string& out_dir,
                 const std::string& command_line) {
  create_directories(out_dir);
  auto bands = synth_bands(o);
  const SynthLexiconInfo& info = corpus.lexicon;
  const int kept = info.content_lemmas();
  nlohmann::ordered_json meta;  // keys in the order written: bands read shortest first
  meta["generator"] = "seq2seq data synth";
  meta["version"] = SEQ2SEQ_VERSION;
  meta["command"] = command_line;
  meta["seed"] = o.seed;
  meta["options"] = {{"train", o.train},         {"valid", o.valid},         {"test", o.test},
                     {"min_words", o.min_words}, {"max_words", o.max_words}, {"seed", o.seed}};
  if (o.lemmas) meta["options"]["lemmas"] = o.lemmas;
  if (!o.train_band_weights.empty()) meta["options"]["train_band_weights"] = o.train_band_weights;
  meta["length_unit"] =
      "tokens of the German side: runs of letters/digits and single punctuation marks (the seq2seq tokenizer)";
  meta["lemmas"] = info.lemmas;
  meta["content_lemmas"] = kept;
  // The lexicon: per word class, the whole lexicon's count, the share of --lemmas and what was kept
  // (the share plus what kept lemmas need); the kept list itself only for a subset.
  auto& lexicon_meta = meta["lexicon"];
  lexicon_meta["requested"] = info.requested ? nlohmann::ordered_json(info.requested) : nlohmann::ordered_json();
  for (size_t c = 0; c < info.word_classes.size(); ++c)
    lexicon_meta["classes"][info.word_classes[c]] = {
        {"full", info.full[c]}, {"requested", info.share[c]}, {"kept", info.kept[c]}};
  lexicon_meta["kept"] = kept;
  std::string joined;
  for (const auto& name : info.kept_lemmas) joined += name + "\n";
  lexicon_meta["kept_sha256"] = sha256_hex(joined);  // of the kept list, one "class:lemma" per line, sorted
  if (info.requested) lexicon_meta["kept_lemmas"] = info.kept_lemmas;

  const std::array<std::pair<const char*, const std::vector<SynthPair>*>, 3> splits = {
      {{"train", &corpus.train}, {"valid", &corpus.valid}, {"test", &corpus.test}}};
  const std::array<int64_t, 3> seen = {corpus.train_lemmas_seen, corpus.valid_lemmas_seen, corpus.test_lemmas_seen};
  for (size_t i = 0; i < splits.size(); ++i) {
    const auto& [name, pairs] = splits[i];
    write_file_atomic(out_dir + "/" + name + ".de", join_lines(*pairs, true));
    write_file_atomic(out_dir + "/" + name + ".en", join_lines(*pairs, false));
    meta["counts"][name] = pairs->size();
    auto tokens = synth_band_counts(*pairs, bands, false);
    auto words = synth_band_counts(*pairs, bands, true);
    for (size_t b = 0; b < bands.size(); ++b) {
      meta["bands"][name][bands[b].label()] = tokens[b];
      meta["bands_words"][name][bands[b].label()] = words[b];
    }
    // How often the average kept content lemma occurs: occurrences / kept lemmas, per band too.
    auto occurrences = synth_band_lemma_occurrences(*pairs, bands);
    int64_t total = 0;
    for (int64_t n : occurrences) total += n;
    auto& split_meta = meta["lemma_occurrences"][name];
    split_meta["occurrences"] = total;
    split_meta["per_lemma"] = per_lemma(total, kept);
    split_meta["distinct_seen"] = seen[i];
    for (size_t b = 0; b < bands.size(); ++b)
      split_meta["bands"][bands[b].label()] = {{"occurrences", occurrences[b]},
                                               {"per_lemma", per_lemma(occurrences[b], kept)}};
  }
  if (!o.train_band_weights.empty()) {
    meta["train_band_weights"] = o.train_band_weights;
    for (size_t b = 0; b < bands.size(); ++b) meta["train_band_plan"][bands[b].label()] = corpus.train_band_plan[b];
  }
  write_file_atomic(out_dir + "/synth.json", meta.dump(2) + "\n");
}

// How often the average kept content lemma occurs in the train split.
double synth_train_occurrences_per_lemma(const SynthCorpus& corpus) {
  int64_t total = 0;
  for (const auto& p : corpus.train) total += p.content_lemmas;
  return per_lemma(total, corpus.lexicon.content_lemmas());
}

}  // namespace seq2seq::data
