// Lexicon parsing, German/English morphology, and realisation of synthetic sentence trees.
#include "seq2seq/data/synth_grammar.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <tuple>

namespace seq2seq::data::synth {

namespace {

// ---------------------------------------------------------------- small string helpers

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string cur;
  for (char ch : s) {
    if (ch == sep) {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  parts.push_back(cur);
  return parts;
}

std::vector<std::string> words_of(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

bool is_ascii_vowel(char ch) { return std::string("aeiouyAEIOUY").find(ch) != std::string::npos; }

// ---------------------------------------------------------------- closed-class words

const std::array<std::array<const char*, 8>, 3> kPronounDe = {{
    {"ich", "du", "er", "sie", "es", "wir", "ihr", "sie"},
    {"mich", "dich", "ihn", "sie", "es", "uns", "euch", "sie"},
    {"mir", "dir", "ihm", "ihr", "ihm", "uns", "euch", "ihnen"},
}};
const std::array<const char*, 8> kPronounEnSubject = {"I", "you", "he", "she", "it", "we", "you", "they"};
const std::array<const char*, 8> kPronounEnObject = {"me", "you", "him", "her", "it", "us", "you", "them"};
const std::array<const char*, 6> kPossessiveDe = {"mein", "dein", "sein", "ihr", "unser", "euer"};
const std::array<const char*, 6> kPossessiveEn = {"my", "your", "his", "her", "our", "your"};
const std::array<const char*, 13> kNumberDe = {"",       "",     "zwei", "drei", "vier", "fünf", "sechs",
                                               "sieben", "acht", "neun", "zehn", "elf",  "zwölf"};
const std::array<const char*, 13> kNumberEn = {"",      "",      "two",  "three", "four",   "five",  "six",
                                               "seven", "eight", "nine", "ten",   "eleven", "twelve"};

// Column of a declension table: masculine, feminine, neuter singular, plural.
int column(Gender g, bool plural) { return plural ? 3 : static_cast<int>(g); }

const char* const kDefinite[3][4] = {
    {"der", "die", "das", "die"}, {"den", "die", "das", "die"}, {"dem", "der", "dem", "den"}};
const char* const kDerEnding[3][4] = {{"er", "e", "es", "e"}, {"en", "e", "es", "e"}, {"em", "er", "em", "en"}};
const char* const kEinEnding[3][4] = {{"", "e", "", "e"}, {"en", "e", "", "e"}, {"em", "er", "em", "en"}};
// Adjective endings as indices into kAdjEndings (and Adjective::inflected).
const std::array<const char*, 5> kAdjEndings = {"e", "en", "er", "es", "em"};
const int kWeakAdj[3][4] = {{0, 0, 0, 1}, {1, 0, 0, 1}, {1, 1, 1, 1}};
const int kStrongAdj[3][4] = {{2, 0, 3, 0}, {1, 0, 3, 0}, {4, 2, 4, 1}};
const char* const kRelative[3][4] = {
    {"der", "die", "das", "die"}, {"den", "die", "das", "die"}, {"dem", "der", "dem", "denen"}};

// ---------------------------------------------------------------- lexicon parsing

Classes class_bit(const std::string& name) {
  static const std::map<std::string, Classes> bits = {
      {"person", cls::Person},
      {"animal", cls::Animal},
      {"food", cls::Food},
      {"drink", cls::Drink},
      {"text", cls::Text},
      {"cloth", cls::Cloth},
      {"thing", cls::Thing},
      {"vehicle", cls::Vehicle},
      {"place", cls::Place},
      {"building", cls::Building},
      {"furniture", cls::Furniture},
      {"event", cls::Event},
      {"idea", cls::Idea},
      {"music", cls::Music},
      {"open", cls::Open},
      {"device", cls::Device},
      {"room", cls::Room},
      {"plant", cls::Plant},
      {"baked", cls::Baked},
      {"pick", cls::Pick},
      {"built", cls::Built},
      {"tell", cls::Tell},
      {"landmark", cls::Landmark},
      {"trav", cls::Trav},
      {"around", cls::Around},
      {"across", cls::Across},
      {"small", cls::Small},
      {"write", cls::Write},
      {"learn", cls::Learn},
      {"note", cls::Note},
      {"lock", cls::Lock},
      {"cook", cls::Cook},
      // groups
      {"living", cls::Person | cls::Animal},
      {"portable", cls::Thing | cls::Cloth | cls::Food},
      {"visible", cls::Person | cls::Animal | cls::Food | cls::Cloth | cls::Text | cls::Thing | cls::Vehicle |
                      cls::Place | cls::Building | cls::Furniture | cls::Plant},
      {"all", ~Classes(0)},
  };
  auto it = bits.find(name);
  if (it == bits.end()) throw std::runtime_error("unknown noun class '" + name + "'");
  return it->second;
}

Classes classes_of(const std::string& names) {
  Classes c = 0;
  for (const auto& n : words_of(names)) c |= class_bit(n);
  return c;
}

Gender gender_of(const std::string& g) {
  if (g == "m") return Gender::Masc;
  if (g == "f") return Gender::Fem;
  if (g == "n") return Gender::Neut;
  throw std::runtime_error("gender must be m, f or n, not '" + g + "'");
}

Frame frame_of(const std::string& f) {
  static const std::map<std::string, Frame> frames = {
      {"intr", Frame::Intransitive}, {"motion", Frame::Motion},        {"trans", Frame::Transitive},
      {"dat", Frame::Dative},        {"ditrans", Frame::Ditransitive}, {"copula", Frame::Copula},
      {"loc", Frame::Locative},      {"comp", Frame::Complement},      {"weather", Frame::Weather},
  };
  auto it = frames.find(f);
  if (it == frames.end()) throw std::runtime_error("unknown verb frame '" + f + "'");
  return it->second;
}

// "have/has" -> ("have", "has"); "give" -> ("give", "gives").
std::pair<std::string, std::string> english_base(const std::string& word) {
  auto slash = word.find('/');
  if (slash == std::string::npos) return {word, english_third_person(word)};
  return {word.substr(0, slash), word.substr(slash + 1)};
}

void need_fields(const std::vector<std::string>& f, size_t n) {
  if (f.size() < n) throw std::runtime_error("expected at least " + std::to_string(n) + " fields");
}

using Fields = std::vector<std::string>;

// Calls `each` on every word of the option fields f[first], f[first + 1], ... in order.
template <class Each>
void for_each_option(const Fields& f, size_t first, Each each) {
  for (size_t i = first; i < f.size(); ++i)
    for (const auto& opt : words_of(f[i])) each(opt);
}

// The entry parsers below read one line's fields; the format is described atop synth_lexicon.cpp.

// N|singular|plural|gender|english|english plural|classes|options (mass, obl=, loc=)
void parse_noun(const Fields& f, Lexicon& lx) {
  need_fields(f, 7);
  Noun n;
  n.de = f[1];
  n.de_pl = f[2] == "-" ? "" : f[2];
  n.gender = gender_of(f[3]);
  n.en = f[4];
  n.en_pl = f[5] == "-" ? "" : f[5];
  n.classes = classes_of(f[6]);
  for_each_option(f, 7, [&](const std::string& opt) {
    if (opt == "mass") {
      n.mass = true;
    } else if (starts_with(opt, "obl=")) {
      n.de_oblique = opt.substr(4);
    } else if (starts_with(opt, "loc=")) {
      for (const auto& pair : split(opt.substr(4), '/')) {
        auto colon = pair.find(':');
        if (colon == std::string::npos) throw std::runtime_error("loc= wants de:en pairs");
        n.locative.emplace_back(pair.substr(0, colon), pair.substr(colon + 1));
      }
    } else {
      throw std::runtime_error("unknown noun option '" + opt + "'");
    }
  });
  if (!n.mass && (n.de_pl.empty() || n.en_pl.empty()))
    throw std::runtime_error("count noun without plural (add 'mass' or a plural)");
  // Dative plural adds -n unless the plural already ends in -n or -s (den Kindern, den Autos).
  n.de_pl_dat = (n.de_pl.empty() || ends_with(n.de_pl, "n") || ends_with(n.de_pl, "s")) ? n.de_pl : n.de_pl + "n";
  lx.nouns.push_back(std::move(n));
}

// A|german|english|order|classes|options (nograd, stem=)
void parse_adjective(const Fields& f, Lexicon& lx) {
  need_fields(f, 5);
  Adjective a;
  a.de = f[1];
  // "müde" -> "müd-e", "müd-en"; stems that change otherwise (hoch/hoh) are given with stem=.
  a.stem = ends_with(f[1], "e") ? f[1].substr(0, f[1].size() - 1) : f[1];
  a.en = f[2];
  a.order = std::stoi(f[3]);
  a.applies_to = classes_of(f[4]);
  for_each_option(f, 5, [&](const std::string& opt) {
    if (opt == "nograd")
      a.gradable = false;
    else if (starts_with(opt, "stem="))
      a.stem = opt.substr(5);
    else
      throw std::runtime_error("unknown adjective option '" + opt + "'");
  });
  for (const char* ending : kAdjEndings) a.inflected.push_back(a.stem + ending);
  lx.adjectives.push_back(std::move(a));
}

// The present tense ich..sie: regular from the infinitive, with '-' (all regular), two irregular forms
// (du, er) or all six given in `field`.
std::vector<std::string> present_forms(const std::string& field, const std::string& infinitive) {
  std::vector<std::string> present = regular_present(infinitive);
  auto forms = words_of(field);
  if (forms.size() == 2) {
    present[1] = forms[0];
    present[2] = forms[1];
  } else if (forms.size() == 6) {
    present = forms;
  } else if (!(forms.size() == 1 && forms[0] == "-")) {
    throw std::runtime_error("forms must be '-', two forms (du er) or six forms");
  }
  return present;
}

// The English slots must match the frame, and every argument the frame has needs classes.
void check_verb(const Verb& v) {
  bool has_a = std::count(v.en_rest.begin(), v.en_rest.end(), "{A}") > 0;
  bool has_d = std::count(v.en_rest.begin(), v.en_rest.end(), "{D}") > 0;
  bool wants_a = v.frame == Frame::Transitive || v.frame == Frame::Ditransitive;
  bool wants_d = v.frame == Frame::Dative || v.frame == Frame::Ditransitive;
  if (has_a != wants_a || has_d != wants_d) throw std::runtime_error("English slots {A}/{D} do not match the frame");
  if (v.frame != Frame::Weather && v.subject == 0) throw std::runtime_error("verb without subject classes");
  if (wants_a && v.acc == 0) throw std::runtime_error("verb without accusative classes");
  if (wants_d && v.dat == 0) throw std::runtime_error("verb without dative classes");
  if (v.frame == Frame::Complement && !v.dass && !v.ob) throw std::runtime_error("complement verb needs dass/ob");
}

// V|frame|infinitive|forms|english|subject|accusative|dative|options (dass, ob, vs)
void parse_verb(const Fields& f, Lexicon& lx) {
  need_fields(f, 8);
  Verb v;
  v.frame = frame_of(f[1]);
  auto plus = f[2].find('+');
  if (plus == std::string::npos) {
    v.de = f[2];
  } else {
    v.particle = f[2].substr(0, plus);
    v.de = f[2].substr(plus + 1);
  }
  v.forms = present_forms(f[3], v.de);
  auto en = words_of(f[4]);
  if (en.empty()) throw std::runtime_error("verb without English");
  std::tie(v.en, v.en_3sg) = english_base(en[0]);
  v.en_rest.assign(en.begin() + 1, en.end());
  v.be = v.en == "be";
  v.subject = classes_of(f[5]);
  v.acc = classes_of(f[6]);
  v.dat = classes_of(f[7]);
  for_each_option(f, 8, [&](const std::string& opt) {
    if (opt == "dass")
      v.dass = true;
    else if (opt == "ob")
      v.ob = true;
    else if (opt == "vs")
      v.against = true;
    else
      throw std::runtime_error("unknown verb option '" + opt + "'");
  });
  check_verb(v);
  v.infinitive_form = v.particle + v.de;
  for (const auto& form : v.forms) v.joined_forms.push_back(v.particle + form);
  lx.verbs.push_back(std::move(v));
}

// T, M or I (time, manner, intensifier)|german|english|options
void parse_adverb(const Fields& f, Lexicon& lx) {
  const std::string& kind = f[0];
  need_fields(f, 3);
  Adverb a;
  a.de = f[1];
  a.en = f[2];
  a.kind = kind == "T" ? AdverbKind::Time : kind == "M" ? AdverbKind::Manner : AdverbKind::Intensifier;
  for_each_option(f, 3, [&](const std::string& opt) {
    if (opt == "front")
      a.frontable = true;
    else if (opt == "noneg")
      a.negatable = false;
    else if (opt == "nichtfirst")
      a.nicht_first = true;
    else if (opt == "preverb")
      a.preverbal = true;
    else if (opt == "pl")
      a.plural_only = true;
    else if (opt == "pred")
      a.predicative_only = true;
    else
      throw std::runtime_error("unknown adverb option '" + opt + "'");
  });
  lx.adverbs.push_back(std::move(a));
}

// P|name|gender
void parse_name(const Fields& f, Lexicon& lx) {
  need_fields(f, 3);
  lx.names.push_back({f[1], gender_of(f[2])});
}

// The English side of a modal from f[3] (pure, verb or be) and the fields after it.
void modal_english(const Fields& f, Modal& m) {
  if (f[3] == "pure") {
    m.kind = ModalEn::Pure;
    m.en = f[4];
    need_fields(f, 6);
    m.en_neg = f[5];
  } else if (f[3] == "verb") {
    m.kind = ModalEn::Verb;
    auto en = words_of(f[4]);
    auto [base, third] = english_base(en[0]);
    m.en = base;
    m.en_3sg = third;
    for (size_t i = 1; i < en.size(); ++i) {
      m.en += " " + en[i];
      m.en_3sg += " " + en[i];
    }
  } else if (f[3] == "be") {
    m.kind = ModalEn::Be;
    m.en = f[4];
  } else {
    throw std::runtime_error("modal kind must be pure, verb or be");
  }
}

// Mod|infinitive|six forms|pure/verb/be|english|english negated (pure only)
void parse_modal(const Fields& f, Lexicon& lx) {
  need_fields(f, 5);
  Modal m;
  m.de = f[1];
  m.forms = words_of(f[2]);
  if (m.forms.size() != 6) throw std::runtime_error("a modal needs six forms");
  modal_english(f, m);
  lx.modals.push_back(std::move(m));
}

// R|german|english|case
void parse_preposition(const Fields& f, Lexicon& lx) {
  need_fields(f, 4);
  if (f[3] != "acc" && f[3] != "dat") throw std::runtime_error("preposition case must be acc or dat");
  lx.prepositions.push_back({f[1], f[2], f[3] == "acc" ? Case::Acc : Case::Dat});
}

// C|german|english|sub/comp/coord|comma
void parse_conjunction(const Fields& f, Lexicon& lx) {
  need_fields(f, 4);
  Conjunction c;
  c.de = f[1];
  c.en = f[2];
  if (f[3] == "sub")
    c.kind = ConjKind::Subordinating;
  else if (f[3] == "comp")
    c.kind = ConjKind::Complement;
  else if (f[3] == "coord")
    c.kind = ConjKind::Coordinating;
  else
    throw std::runtime_error("conjunction kind must be sub, comp or coord");
  c.comma = f.size() > 4 && f[4] == "comma";
  lx.conjunctions.push_back(std::move(c));
}

// One lexicon line, split at '|': its first field names the kind of entry and picks the parser.
void parse_line(const Fields& f, Lexicon& lx) {
  using EntryParser = void (*)(const Fields&, Lexicon&);
  static const std::map<std::string, EntryParser> parsers = {
      {"N", parse_noun},        {"A", parse_adjective},   {"V", parse_verb}, {"T", parse_adverb},
      {"M", parse_adverb},      {"I", parse_adverb},      {"P", parse_name}, {"Mod", parse_modal},
      {"R", parse_preposition}, {"C", parse_conjunction},
  };
  auto it = parsers.find(f[0]);
  if (it == parsers.end()) throw std::runtime_error("unknown entry kind '" + f[0] + "'");
  it->second(f, lx);
}

int ending_index(Det det, Gender gender, bool plural, Case c) {
  int row = static_cast<int>(c), col = column(gender, plural);
  switch (det) {
    case Det::Def:
    case Det::Dem:
      return kWeakAdj[row][col];
    case Det::Indef:
    case Det::Kein:
    case Det::Poss:  // mixed: strong where the determiner shows no ending, else weak
      if (!plural && c == Case::Nom && gender == Gender::Masc) return 2;
      if (!plural && c != Case::Dat && gender == Gender::Neut) return 3;
      return kWeakAdj[row][col];
    case Det::None:
    case Det::Number:
      return kStrongAdj[row][col];
  }
  return 0;
}

// Every inflected determiner, built once: "ein"-type words (ein kein mein dein sein ihr unser euer)
// and "dies-".
struct DeterminerTable {
  std::array<std::array<std::array<std::string, 4>, 3>, 8> ein_type;
  std::array<std::array<std::string, 4>, 3> dies;
};

const DeterminerTable& determiners() {
  static const DeterminerTable table = [] {
    DeterminerTable t;
    const std::array<const char*, 8> stems = {"ein", "kein", "mein", "dein", "sein", "ihr", "unser", "euer"};
    for (int s = 0; s < 8; ++s)
      for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 4; ++c) {
          std::string ending = kEinEnding[r][c];
          t.ein_type[s][r][c] = (s == 7 && !ending.empty()) ? "eur" + ending : stems[s] + ending;  // eure, euren
        }
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 4; ++c) t.dies[r][c] = std::string("dies") + kDerEnding[r][c];
    return t;
  }();
  return table;
}

std::string_view determiner_view(Det det, Gender gender, bool plural, Case c, int owner, int number) {
  int row = static_cast<int>(c), col = column(gender, plural);
  switch (det) {
    case Det::Def:
      return kDefinite[row][col];
    case Det::Dem:
      return determiners().dies[row][col];
    case Det::Indef:
      if (plural) throw std::invalid_argument("'ein' has no plural");
      return determiners().ein_type[0][row][col];
    case Det::Kein:
      return determiners().ein_type[1][row][col];
    case Det::Poss:
      return determiners().ein_type.at(2 + owner)[row][col];
    case Det::Number:
      return kNumberDe.at(number);
    case Det::None:
      return {};
  }
  return {};
}

std::string_view relative_view(Gender gender, bool plural, Case c) {
  return kRelative[static_cast<int>(c)][column(gender, plural)];
}

std::string_view noun_view(const Noun& noun, bool plural, Case c) {
  if (plural) return c == Case::Dat ? noun.de_pl_dat : noun.de_pl;
  if (c != Case::Nom && !noun.de_oblique.empty()) return noun.de_oblique;
  return noun.de;
}

// ---------------------------------------------------------------- realisation

// Tokens point into the lexicon, the tables above, or the tree being realised.
using Tokens = std::vector<std::string_view>;
enum class Mode { Main, Sub, Rel };

struct Agreement {
  int person = 3;
  bool plural = false;
};

Agreement agreement(const NP& np) {
  switch (np.kind) {
    case NPKind::Pronoun: {
      static const int person[8] = {1, 2, 3, 3, 3, 1, 2, 3};
      return {person[np.pronoun], np.pronoun >= 5};
    }
    case NPKind::Coord:
      return {3, true};
    case NPKind::Name:
      return {3, false};
    default:
      return {3, np.plural};
  }
}

int form_index(const Agreement& a) { return (a.plural ? 3 : 0) + a.person - 1; }

bool is_gap(const NP& np) { return np.kind == NPKind::Gap; }
bool has_gap(const PP& pp) { return !pp.object.empty() && is_gap(pp.object[0]); }

void de_clause(const Clause& c, Mode mode, Tokens& out);
void en_clause(const Clause& c, Mode mode, Tokens& out);

void de_np(const NP& np, Case c, Tokens& out);

void de_pp(const PP& pp, Tokens& out) {
  if (pp.object.empty()) {
    out.push_back(pp.de);
    return;
  }
  Tokens np;
  de_np(pp.object[0], pp.governs, np);
  const NP& obj = pp.object[0];
  if (obj.kind == NPKind::Noun && obj.det == Det::Def && !np.empty()) {
    std::string_view article = np[0], contracted;
    if (article == "dem") {
      if (pp.de == "in") contracted = "im";
      if (pp.de == "an") contracted = "am";
      if (pp.de == "zu") contracted = "zum";
      if (pp.de == "von") contracted = "vom";
      if (pp.de == "bei") contracted = "beim";
    } else if (article == "der" && pp.de == "zu") {
      contracted = "zur";
    }
    if (!contracted.empty()) {
      out.push_back(contracted);
      out.insert(out.end(), np.begin() + 1, np.end());
      return;
    }
  }
  out.push_back(pp.de);
  out.insert(out.end(), np.begin(), np.end());
}

void de_np(const NP& np, Case c, Tokens& out) {
  switch (np.kind) {
    case NPKind::Pronoun:
      out.push_back(kPronounDe[static_cast<int>(c)][np.pronoun]);
      return;
    case NPKind::Name:
      out.push_back(np.name->de);
      return;
    case NPKind::Gap:
      return;
    case NPKind::Coord:
      for (size_t i = 0; i < np.members.size(); ++i) {
        if (i > 0) out.push_back("und");
        de_np(np.members[i], c, out);
      }
      return;
    case NPKind::Noun:
      break;
  }
  const Noun& n = *np.noun;
  std::string_view det = determiner_view(np.det, n.gender, np.plural, c, np.owner, np.number);
  if (!det.empty()) out.push_back(det);
  if (np.intensifier) out.push_back(np.intensifier->de);
  int ending = np.adjectives.empty() ? 0 : ending_index(np.det, n.gender, np.plural, c);
  for (const Adjective* a : np.adjectives) out.push_back(a->inflected[ending]);
  out.push_back(noun_view(n, np.plural, c));
  for (const PP& pp : np.attribute) de_pp(pp, out);
  for (const Clause& rel : np.relative) {
    out.push_back(",");
    de_clause(rel, Mode::Rel, out);
    out.push_back(",");
  }
}

// The German middle field: everything between the finite verb (or the complementiser) and the
// verb cluster at the end.
void de_middle(const Clause& c, bool with_subject, Mode mode, Tokens& out) {
  bool main = mode == Mode::Main;
  auto fronted_pp = [&](size_t i) { return main && c.front == Front::PP && static_cast<int>(i) == c.front_pp; };
  auto pps_of = [&](PPKind kind) {
    for (size_t i = 0; i < c.pps.size(); ++i)
      if (c.pps[i].kind == kind && !has_gap(c.pps[i]) && !fronted_pp(i)) de_pp(c.pps[i], out);
  };
  if (with_subject) de_np(c.subject, Case::Nom, out);
  // Pronoun objects come first, accusative before dative.
  for (const NP& o : c.acc)
    if (o.kind == NPKind::Pronoun) de_np(o, Case::Acc, out);
  for (const NP& o : c.dat)
    if (o.kind == NPKind::Pronoun) de_np(o, Case::Dat, out);
  bool time_fronted = main && c.front == Front::Time;
  if (c.time && !time_fronted && !c.time->nicht_first) out.push_back(c.time->de);
  pps_of(PPKind::Time);
  // Noun objects: dative before accusative.
  for (const NP& o : c.dat)
    if (o.kind != NPKind::Pronoun && !is_gap(o)) de_np(o, Case::Dat, out);
  for (const NP& o : c.acc)
    if (o.kind != NPKind::Pronoun && !is_gap(o)) de_np(o, Case::Acc, out);
  if (c.negation == Negation::Nicht) out.push_back("nicht");
  if (c.time && !time_fronted && c.time->nicht_first) out.push_back(c.time->de);
  if (c.manner) out.push_back(c.manner->de);
  pps_of(PPKind::Comitative);
  pps_of(PPKind::Location);
  pps_of(PPKind::Direction);
  if (c.predicate) {
    if (c.predicate_intensifier) out.push_back(c.predicate_intensifier->de);
    out.push_back(c.predicate->de);
  }
}

void de_extraposed(const Clause& c, Mode mode, Tokens& out) {
  if (!c.complement.empty()) {
    out.push_back(",");
    out.push_back(c.complementizer->de);
    de_clause(c.complement[0], Mode::Sub, out);
    out.push_back(",");
  }
  size_t first = (mode == Mode::Main && c.front == Front::Adverbial) ? 1 : 0;
  for (size_t i = first; i < c.adverbials.size(); ++i) {
    out.push_back(",");
    out.push_back(c.adverbial_conj[i]->de);
    de_clause(c.adverbials[i], Mode::Sub, out);
    out.push_back(",");
  }
}

void de_clause(const Clause& c, Mode mode, Tokens& out) {
  const Verb& v = *c.verb;
  Agreement agr = agreement(c.subject);
  int index = form_index(agr);
  std::string_view finite = c.modal ? c.modal->forms[index] : v.forms[index];
  if (mode == Mode::Main) {
    switch (c.front) {
      case Front::Subject:
        de_np(c.subject, Case::Nom, out);
        break;
      case Front::Time:
        out.push_back(c.time->de);
        break;
      case Front::PP:
        de_pp(c.pps[c.front_pp], out);
        break;
      case Front::Adverbial:
        out.push_back(c.adverbial_conj[0]->de);
        de_clause(c.adverbials[0], Mode::Sub, out);
        out.push_back(",");
        break;
    }
    out.push_back(finite);
    de_middle(c, c.front != Front::Subject, mode, out);
    if (c.modal)
      out.push_back(v.infinitive());
    else if (!v.particle.empty())
      out.push_back(v.particle);
  } else {
    if (mode == Mode::Rel) {
      // The relative pronoun (after its preposition) opens the clause.
      if (is_gap(c.subject)) {
        out.push_back(relative_view(c.subject.gap_gender, c.subject.plural, Case::Nom));
      } else if (!c.acc.empty() && is_gap(c.acc[0])) {
        out.push_back(relative_view(c.acc[0].gap_gender, c.acc[0].plural, Case::Acc));
      } else if (!c.dat.empty() && is_gap(c.dat[0])) {
        out.push_back(relative_view(c.dat[0].gap_gender, c.dat[0].plural, Case::Dat));
      } else {
        for (const PP& pp : c.pps) {
          if (!has_gap(pp)) continue;
          out.push_back(pp.de);
          out.push_back(relative_view(pp.object[0].gap_gender, pp.object[0].plural, pp.governs));
        }
      }
    }
    de_middle(c, !is_gap(c.subject), mode, out);
    if (c.modal) {
      out.push_back(v.infinitive());
      out.push_back(finite);
    } else {
      out.push_back(v.joined_forms[index]);
    }
  }
  de_extraposed(c, mode, out);
}

// ---------------------------------------------------------------- English

void en_np(const NP& np, bool subject, bool negated_object, Tokens& out);

void en_pp(const PP& pp, Tokens& out) {
  out.push_back(pp.en);
  if (!pp.object.empty()) en_np(pp.object[0], false, false, out);
}

void en_np(const NP& np, bool subject, bool negated_object, Tokens& out) {
  switch (np.kind) {
    case NPKind::Pronoun:
      out.push_back(subject ? kPronounEnSubject[np.pronoun] : kPronounEnObject[np.pronoun]);
      return;
    case NPKind::Name:
      out.push_back(np.name->de);
      return;
    case NPKind::Gap:
      return;
    case NPKind::Coord:
      for (size_t i = 0; i < np.members.size(); ++i) {
        if (i > 0) out.push_back("and");
        en_np(np.members[i], subject, negated_object, out);
      }
      return;
    case NPKind::Noun:
      break;
  }
  const Noun& n = *np.noun;
  switch (np.det) {
    case Det::Def:
      out.push_back("the");
      break;
    case Det::Indef:
      out.push_back("a");  // "an" is decided once the next word is known
      break;
    case Det::Dem:
      out.push_back(np.plural ? "these" : "this");
      break;
    case Det::Poss:
      out.push_back(kPossessiveEn[np.owner]);
      break;
    case Det::Number:
      out.push_back(kNumberEn[np.number]);
      break;
    case Det::Kein:
      // "kein" under a negated verb: "does not buy an apple / any apples"; as a subject: "no".
      out.push_back(negated_object ? (np.plural || n.mass ? "any" : "a") : "no");
      break;
    case Det::None:
      break;
  }
  if (np.intensifier) out.push_back(np.intensifier->en);
  for (const Adjective* a : np.adjectives) out.push_back(a->en);
  out.push_back(np.plural ? n.en_pl : n.en);
  for (const PP& pp : np.attribute) en_pp(pp, out);
  for (const Clause& rel : np.relative) en_clause(rel, Mode::Rel, out);
}

const NP* slot(const Clause& c, const std::string& tok) {
  if (tok == "{A}") return c.acc.empty() ? nullptr : &c.acc[0];
  if (tok == "{D}") return c.dat.empty() ? nullptr : &c.dat[0];
  return nullptr;
}
bool is_slot(const std::string& tok) { return tok == "{A}" || tok == "{D}"; }

const char* be_form(const Agreement& a) {
  if (a.plural || a.person == 2) return "are";
  return a.person == 1 ? "am" : "is";
}

// Objects and the rest of the English verb frame: "{A} ^to {D}", "~up {A}", "{A} back".
void en_frame(const Clause& c, Tokens& out) {
  const auto& rest = c.verb->en_rest;
  bool kein_object = c.negation == Negation::KeinObject;
  std::string_view pending_particle;
  for (size_t i = 0; i < rest.size(); ++i) {
    const std::string& tok = rest[i];
    if (is_slot(tok)) {
      const NP* np = slot(c, tok);
      if (np && !is_gap(*np)) en_np(*np, false, kein_object && np->det == Det::Kein, out);
      if (!pending_particle.empty()) {
        out.push_back(pending_particle);
        pending_particle = {};
      }
    } else if (tok[0] == '~') {
      const NP* next = i + 1 < rest.size() ? slot(c, rest[i + 1]) : nullptr;
      if (next && (next->kind == NPKind::Pronoun || is_gap(*next)))
        pending_particle = std::string_view(tok).substr(1);  // "picks him up", "whom he picks up"
      else
        out.push_back(std::string_view(tok).substr(1));
    } else if (tok[0] == '^') {
      const NP* next = i + 1 < rest.size() ? slot(c, rest[i + 1]) : nullptr;
      if (!(next && is_gap(*next))) out.push_back(std::string_view(tok).substr(1));  // else it went before "whom"
    } else {
      out.push_back(tok);
    }
  }
}

void en_predicate(const Clause& c, Mode mode, Tokens& out) {
  const Verb& v = *c.verb;
  Agreement agr = agreement(c.subject);
  bool third = agr.person == 3 && !agr.plural;
  bool neg = c.negation == Negation::Nicht || c.negation == Negation::KeinObject;
  bool main = mode == Mode::Main;
  bool time_fronted = main && c.front == Front::Time;
  const Adverb* pre = (c.time && c.time->preverbal && !time_fronted) ? c.time : nullptr;
  auto push_pre = [&] {
    if (pre) out.push_back(pre->en);
  };
  const char* do_form = third ? "does" : "do";
  if (c.modal) {
    const Modal& m = *c.modal;
    switch (m.kind) {
      case ModalEn::Pure:
        out.push_back(neg ? m.en_neg : m.en);
        push_pre();
        break;
      case ModalEn::Verb:
        if (neg) {
          out.push_back(do_form);
          out.push_back("not");
          push_pre();
          out.push_back(m.en);
        } else {
          push_pre();
          out.push_back(third ? m.en_3sg : m.en);
        }
        break;
      case ModalEn::Be:
        out.push_back(be_form(agr));
        if (neg) out.push_back("not");
        push_pre();
        out.push_back(m.en);
        break;
    }
    out.push_back(v.be ? std::string_view("be") : std::string_view(v.en));
  } else if (v.be) {
    out.push_back(be_form(agr));
    if (neg) out.push_back("not");
    push_pre();
  } else if (neg) {
    out.push_back(do_form);
    out.push_back("not");
    push_pre();
    out.push_back(v.en);
  } else {
    push_pre();
    out.push_back(third ? v.en_3sg : v.en);
  }
  en_frame(c, out);
  if (c.predicate) {
    if (c.predicate_intensifier) out.push_back(c.predicate_intensifier->en);
    out.push_back(c.predicate->en);
  }
  auto fronted_pp = [&](size_t i) { return main && c.front == Front::PP && static_cast<int>(i) == c.front_pp; };
  auto pps_of = [&](PPKind kind) {
    for (size_t i = 0; i < c.pps.size(); ++i)
      if (c.pps[i].kind == kind && !has_gap(c.pps[i]) && !fronted_pp(i)) en_pp(c.pps[i], out);
  };
  pps_of(PPKind::Direction);
  if (c.manner) out.push_back(c.manner->en);
  pps_of(PPKind::Comitative);
  pps_of(PPKind::Location);
  pps_of(PPKind::Time);
  if (c.time && !pre && !time_fronted) out.push_back(c.time->en);
}

bool gap_is_person(const NP& gap) { return gap.gap_person; }

// "who", "that", "whom", "to whom", "in which".
void en_relative_opening(const Clause& c, Tokens& out) {
  if (is_gap(c.subject)) {
    out.push_back(gap_is_person(c.subject) ? "who" : "that");
    return;
  }
  const auto& rest = c.verb->en_rest;
  for (const char* slot_name : {"{A}", "{D}"}) {
    const NP* np = slot(c, slot_name);
    if (!np || !is_gap(*np)) continue;
    auto it = std::find(rest.begin(), rest.end(), slot_name);
    if (it != rest.begin() && it != rest.end() && (*(it - 1))[0] == '^') {
      out.push_back(std::string_view(*(it - 1)).substr(1));
      out.push_back(gap_is_person(*np) ? "whom" : "which");
    } else {
      out.push_back(gap_is_person(*np) ? "whom" : "that");
    }
    return;
  }
  for (const PP& pp : c.pps) {
    if (!has_gap(pp)) continue;
    out.push_back(pp.en);
    out.push_back(gap_is_person(pp.object[0]) ? "whom" : "which");
    return;
  }
}

void en_clause(const Clause& c, Mode mode, Tokens& out) {
  if (mode == Mode::Main) {
    switch (c.front) {
      case Front::Subject:
        break;
      case Front::Time:
        out.push_back(c.time->en);
        break;
      case Front::PP:
        en_pp(c.pps[c.front_pp], out);
        out.push_back(",");  // "In the park, the man ..."
        break;
      case Front::Adverbial:
        out.push_back(c.adverbial_conj[0]->en);
        en_clause(c.adverbials[0], Mode::Sub, out);
        out.push_back(",");
        break;
    }
  }
  if (mode == Mode::Rel) en_relative_opening(c, out);
  if (!is_gap(c.subject)) en_np(c.subject, true, false, out);
  en_predicate(c, mode, out);
  if (!c.complement.empty()) {
    out.push_back(c.complementizer->en);
    en_clause(c.complement[0], Mode::Sub, out);
  }
  size_t first = (mode == Mode::Main && c.front == Front::Adverbial) ? 1 : 0;
  for (size_t i = first; i < c.adverbials.size(); ++i) {
    out.push_back(c.adverbial_conj[i]->en);
    en_clause(c.adverbials[i], Mode::Sub, out);
  }
}

// ---------------------------------------------------------------- finishing

// Drops doubled commas, commas at the start and commas before the end.
Tokens tidy_commas(const Tokens& in) {
  Tokens out;
  out.reserve(in.size());
  for (const auto& t : in) {
    if (t == "," && (out.empty() || out.back() == ",")) continue;
    out.push_back(t);
  }
  while (!out.empty() && out.back() == ",") out.pop_back();
  return out;
}

bool vowel_sound(std::string_view word) {
  std::string w(word);
  for (auto& ch : w) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (const char* consonant_sound : {"uni", "use", "usu", "eu", "one", "once"})
    if (starts_with(w, consonant_sound)) return false;
  for (const char* silent_h : {"hour", "honest", "honour", "heir"})
    if (starts_with(w, silent_h)) return true;
  return !w.empty() && is_ascii_vowel(w[0]) && w[0] != 'y';
}

void fix_articles(Tokens& tokens) {
  for (size_t i = 0; i + 1 < tokens.size(); ++i)
    if (tokens[i] == "a" && vowel_sound(tokens[i + 1])) tokens[i] = "an";
}

void capitalise(std::string& word) {
  if (word.empty()) return;
  unsigned char first = static_cast<unsigned char>(word[0]);
  if (first < 0x80) {
    word[0] = static_cast<char>(std::toupper(first));
  } else if (first == 0xC3 && word.size() > 1) {
    unsigned char second = static_cast<unsigned char>(word[1]);
    if (second == 0xA4 || second == 0xB6 || second == 0xBC) word[1] = static_cast<char>(second - 0x20);  // ä ö ü
  }
}

std::string join(const Tokens& tokens) {
  size_t size = 0;
  for (const auto& t : tokens) size += t.size() + 1;
  std::string s;
  s.reserve(size + 1);
  for (const auto& t : tokens) {
    if (!s.empty() && t != ",") s += ' ';
    s += t;
  }
  return s;
}

std::string finish(Tokens tokens, bool english) {
  tokens = tidy_commas(tokens);
  if (english) fix_articles(tokens);
  std::string s = join(tokens) + ".";
  capitalise(s);
  return s;
}

Tokens german_tokens(const Sentence& s) {
  Tokens t;
  t.reserve(64);
  for (size_t i = 0; i < s.clauses.size(); ++i) {
    if (i > 0) {
      if (s.links[i - 1]->comma) t.push_back(",");
      t.push_back(s.links[i - 1]->de);
    }
    de_clause(s.clauses[i], Mode::Main, t);
  }
  return t;
}

// Tokens and words of the finished sentence, counted without building it.
Length measure(const Tokens& raw) {
  Length n;
  Tokens tokens = tidy_commas(raw);
  for (std::string_view t : tokens) {
    if (t == ",") {
      ++n.tokens;
      continue;
    }
    int words = 1 + static_cast<int>(std::count(t.begin(), t.end(), ' '));
    n.tokens += words;
    n.words += words;
  }
  ++n.tokens;  // the final period
  return n;
}

Tokens english_tokens(const Sentence& s) {
  Tokens t;
  t.reserve(64);
  for (size_t i = 0; i < s.clauses.size(); ++i) {
    if (i > 0) {
      if (s.links[i - 1]->comma) t.push_back(",");
      t.push_back(s.links[i - 1]->en);
    }
    en_clause(s.clauses[i], Mode::Main, t);
  }
  return t;
}

}  // namespace

// ---------------------------------------------------------------- Lexicon

Lexicon parse_lexicon(const std::string& text) {
  Lexicon lx;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    try {
      parse_line(split(line, '|'), lx);
    } catch (const std::exception& e) {
      throw std::runtime_error("synthetic lexicon line " + std::to_string(number) + " (" + line + "): " + e.what());
    }
  }
  return lx;
}

const Lexicon& lexicon() {
  static const Lexicon lx = parse_lexicon(lexicon_text());
  return lx;
}

namespace {
template <class T, class Pred>
const T& find_entry(const std::vector<T>& items, Pred pred, const std::string& what, const std::string& key) {
  auto it = std::find_if(items.begin(), items.end(), pred);
  if (it == items.end()) throw std::out_of_range("synthetic lexicon has no " + what + " '" + key + "'");
  return *it;
}
}  // namespace

const Noun& Lexicon::noun(const std::string& de) const {
  return find_entry(
      nouns, [&](const Noun& n) { return n.de == de; }, "noun", de);
}
const Adjective& Lexicon::adjective(const std::string& de) const {
  return find_entry(
      adjectives, [&](const Adjective& a) { return a.de == de; }, "adjective", de);
}
const Verb& Lexicon::verb(const std::string& infinitive, Frame frame) const {
  return find_entry(
      verbs, [&](const Verb& v) { return v.infinitive() == infinitive && v.frame == frame; }, "verb", infinitive);
}
const Verb& Lexicon::verb(const std::string& infinitive) const {
  return find_entry(
      verbs, [&](const Verb& v) { return v.infinitive() == infinitive; }, "verb", infinitive);
}
const Adverb& Lexicon::adverb(const std::string& de) const {
  return find_entry(
      adverbs, [&](const Adverb& a) { return a.de == de; }, "adverb", de);
}
const Name& Lexicon::name(const std::string& de) const {
  return find_entry(
      names, [&](const Name& n) { return n.de == de; }, "name", de);
}
const Modal& Lexicon::modal(const std::string& de) const {
  return find_entry(
      modals, [&](const Modal& m) { return m.de == de; }, "modal", de);
}
const Preposition& Lexicon::preposition(const std::string& de) const {
  return find_entry(
      prepositions, [&](const Preposition& p) { return p.de == de; }, "preposition", de);
}
const Conjunction& Lexicon::conjunction(const std::string& de) const {
  return find_entry(
      conjunctions, [&](const Conjunction& c) { return c.de == de; }, "conjunction", de);
}

LemmaKey lemma_key(const Noun& noun) { return {'N', noun.de}; }
LemmaKey lemma_key(const Adjective& adjective) { return {'A', adjective.de}; }
LemmaKey lemma_key(const Verb& verb) { return {'V', verb.infinitive()}; }
LemmaKey lemma_key(const Adverb& adverb) { return {'D', adverb.de}; }

int Lexicon::content_lemma_count() const {
  std::set<LemmaKey> lemmas;
  for (const auto& n : nouns) lemmas.insert(lemma_key(n));
  for (const auto& a : adjectives) lemmas.insert(lemma_key(a));
  for (const auto& v : verbs) lemmas.insert(lemma_key(v));
  for (const auto& a : adverbs) lemmas.insert(lemma_key(a));
  return static_cast<int>(lemmas.size());
}

int Lexicon::lemma_count() const {
  std::set<std::pair<char, std::string>> lemmas;
  for (const auto& m : modals) lemmas.insert({'M', m.de});
  for (const auto& p : prepositions) lemmas.insert({'R', p.de});
  for (const auto& c : conjunctions) lemmas.insert({'C', c.de});
  // Determiners, personal pronouns, numbers and "nicht" live in the grammar tables above.
  for (const char* d : {"der", "ein", "kein", "dieser", "nicht"}) lemmas.insert({'F', d});
  for (const char* p : kPossessiveDe) lemmas.insert({'F', std::string(p) + "-poss"});
  for (int i = 0; i < 8; ++i) lemmas.insert({'P', kPronounDe[0][i]});
  for (const char* n : kNumberDe)
    if (*n) lemmas.insert({'Z', n});
  return content_lemma_count() + static_cast<int>(lemmas.size());
}

// ---------------------------------------------------------------- building blocks

NP noun_np(const Noun& noun, Det det, bool plural, std::vector<const Adjective*> adjectives) {
  NP np;
  np.kind = NPKind::Noun;
  np.noun = &noun;
  np.det = det;
  np.plural = plural;
  np.adjectives = std::move(adjectives);
  return np;
}

NP pronoun_np(int pronoun) {
  NP np;
  np.kind = NPKind::Pronoun;
  np.pronoun = pronoun;
  np.plural = pronoun >= 5;
  return np;
}

NP name_np(const Name& name) {
  NP np;
  np.kind = NPKind::Name;
  np.name = &name;
  return np;
}

NP coord_np(NP first, NP second) {
  NP np;
  np.kind = NPKind::Coord;
  np.plural = true;
  np.members.push_back(std::move(first));
  np.members.push_back(std::move(second));
  return np;
}

NP gap_np(const NP& head) {
  NP np;
  np.kind = NPKind::Gap;
  np.plural = head.plural;
  if (head.kind == NPKind::Noun) {
    np.gap_gender = head.noun->gender;
    np.gap_person = (head.noun->classes & cls::Person) != 0;
  } else if (head.kind == NPKind::Name) {
    np.gap_gender = head.name->gender;
    np.gap_person = true;
  } else {
    throw std::invalid_argument("a relative clause needs a noun or a name as its head");
  }
  return np;
}

PP pp(const Preposition& prep, NP object, PPKind kind) {
  return pp(prep.de, prep.en, prep.governs, std::move(object), kind);
}

PP pp(const std::string& de, const std::string& en, Case governs, NP object, PPKind kind) {
  PP p;
  p.kind = kind;
  p.de = de;
  p.en = en;
  p.governs = governs;
  p.object.push_back(std::move(object));
  return p;
}

PP fixed_pp(const std::string& de, const std::string& en, PPKind kind) {
  PP p;
  p.kind = kind;
  p.de = de;
  p.en = en;
  return p;
}

Clause clause(const Verb& verb, NP subject) {
  Clause c;
  c.verb = &verb;
  c.subject = std::move(subject);
  return c;
}

Sentence sentence(Clause main) {
  Sentence s;
  s.clauses.push_back(std::move(main));
  return s;
}

// ---------------------------------------------------------------- morphology

std::vector<std::string> regular_present(const std::string& inf) {
  if (ends_with(inf, "eln")) {  // lächeln: ich lächle, du lächelst
    std::string stem = inf.substr(0, inf.size() - 1);
    std::string ich = inf.substr(0, inf.size() - 3) + "le";
    return {ich, stem + "st", stem + "t", inf, stem + "t", inf};
  }
  if (ends_with(inf, "ern")) {  // wandern: ich wandere, du wanderst
    std::string stem = inf.substr(0, inf.size() - 1);
    return {stem + "e", stem + "st", stem + "t", inf, stem + "t", inf};
  }
  std::string stem = ends_with(inf, "en") ? inf.substr(0, inf.size() - 2) : inf.substr(0, inf.size() - 1);
  auto needs_e = [&] {
    size_t n = stem.size();
    if (n == 0) return false;
    char last = stem[n - 1];
    if (last == 'd' || last == 't') return true;   // arbeitest, findet
    if ((last == 'm' || last == 'n') && n >= 2) {  // atmest, öffnet, zeichnet; but lernst, wohnst
      char prev = stem[n - 2];
      if (is_ascii_vowel(prev) || static_cast<unsigned char>(prev) >= 0x80) return false;
      if (std::string("lrmn").find(prev) != std::string::npos) return false;
      if (prev == 'h') return n >= 3 && stem[n - 3] == 'c';
      return true;
    }
    return false;
  }();
  bool sibilant = (ends_with(stem, "s") && !ends_with(stem, "sch")) || ends_with(stem, "ß") || ends_with(stem, "z") ||
                  ends_with(stem, "x");
  std::string du = stem + (needs_e ? "est" : sibilant ? "t" : "st");
  std::string er = stem + (needs_e ? "et" : "t");
  return {stem + "e", du, er, inf, er, inf};
}

std::string conjugate(const Verb& verb, int person, bool plural) {
  if (person < 1 || person > 3) throw std::invalid_argument("person must be 1, 2 or 3");
  return verb.forms[form_index({person, plural})];
}

std::string english_third_person(const std::string& base) {
  if (base == "have") return "has";
  if (base == "be") return "is";
  if (base == "do") return "does";
  if (base == "go") return "goes";
  for (const char* es : {"s", "x", "z", "ch", "sh", "o"})
    if (ends_with(base, es)) return base + "es";
  if (base.size() >= 2 && base.back() == 'y' && !is_ascii_vowel(base[base.size() - 2]))
    return base.substr(0, base.size() - 1) + "ies";
  return base + "s";
}

std::string determiner(Det det, Gender gender, bool plural, Case c, int owner, int number) {
  return std::string(determiner_view(det, gender, plural, c, owner, number));
}

std::string adjective_ending(Det det, Gender gender, bool plural, Case c) {
  return kAdjEndings[ending_index(det, gender, plural, c)];
}

std::string noun_form(const Noun& noun, bool plural, Case c) { return std::string(noun_view(noun, plural, c)); }

std::string relative_pronoun(Gender gender, bool plural, Case c) {
  return std::string(relative_view(gender, plural, c));
}

// ---------------------------------------------------------------- realisation (public)

Realized realize(const Sentence& s) { return {finish(german_tokens(s), false), finish(english_tokens(s), true)}; }

std::string german(const Sentence& s) { return finish(german_tokens(s), false); }

Length german_length(const Sentence& s) { return measure(german_tokens(s)); }

namespace {
void collect_lemmas(const Clause& c, std::vector<LemmaKey>& out);

void collect_lemmas(const NP& np, std::vector<LemmaKey>& out) {
  if (np.noun) out.push_back(lemma_key(*np.noun));
  for (const Adjective* a : np.adjectives) out.push_back(lemma_key(*a));
  if (np.intensifier) out.push_back(lemma_key(*np.intensifier));
  for (const PP& p : np.attribute)
    for (const NP& o : p.object) collect_lemmas(o, out);
  for (const Clause& rel : np.relative) collect_lemmas(rel, out);
  for (const NP& m : np.members) collect_lemmas(m, out);
}

void collect_lemmas(const Clause& c, std::vector<LemmaKey>& out) {
  out.push_back(lemma_key(*c.verb));
  collect_lemmas(c.subject, out);
  for (const NP& o : c.acc) collect_lemmas(o, out);
  for (const NP& o : c.dat) collect_lemmas(o, out);
  if (c.predicate) out.push_back(lemma_key(*c.predicate));
  for (const Adverb* a : {c.predicate_intensifier, c.time, c.manner})
    if (a) out.push_back(lemma_key(*a));
  for (const PP& p : c.pps)
    for (const NP& o : p.object) collect_lemmas(o, out);
  for (const Clause& sub : c.complement) collect_lemmas(sub, out);
  for (const Clause& sub : c.adverbials) collect_lemmas(sub, out);
}
}  // namespace

std::vector<LemmaKey> content_lemmas(const Sentence& s) {
  std::vector<LemmaKey> out;
  for (const Clause& c : s.clauses) collect_lemmas(c, out);
  return out;
}

std::string german_np(const NP& np, Case c) {
  Tokens t;
  de_np(np, c, t);
  return join(tidy_commas(t));
}

std::string english_np(const NP& np, bool subject) {
  Tokens t;
  en_np(np, subject, false, t);
  fix_articles(t);
  return join(t);
}

std::string german_pp(const PP& p) {
  Tokens t;
  de_pp(p, t);
  return join(tidy_commas(t));
}

std::string english_pp(const PP& p) {
  Tokens t;
  en_pp(p, t);
  fix_articles(t);
  return join(t);
}

std::string german_subordinate(const Clause& c) {
  Tokens t;
  de_clause(c, Mode::Sub, t);
  return join(tidy_commas(t));
}

std::string english_subordinate(const Clause& c) {
  Tokens t;
  en_clause(c, Mode::Sub, t);
  fix_articles(t);
  return join(tidy_commas(t));
}

namespace {
template <bool kWithPunctuation>
int count(const std::string& text) {
  int n = 0;
  bool in_word = false;
  for (char ch : text) {
    unsigned char u = static_cast<unsigned char>(ch);
    bool space = std::isspace(u) != 0;
    bool word_char = u >= 0x80 || std::isalnum(u) || ch == '_';
    if (word_char) {
      if (!in_word) ++n;
      in_word = true;
    } else {
      in_word = false;
      if (!space && kWithPunctuation) ++n;
    }
  }
  return n;
}
}  // namespace

int count_tokens(const std::string& text) { return count<true>(text); }
int count_words(const std::string& text) { return count<false>(text); }

}  // namespace seq2seq::data::synth
