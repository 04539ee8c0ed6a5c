// Synthetic corpus: German grammar and English translation on hand-built sentences (expected
// strings written by hand), and split/length/agreement properties of a generated corpus.
#include "seq2seq/data/synth.h"
#include "seq2seq/data/synth_grammar.h"
#include "seq2seq/data/tokenizer.h"
#include "seq2seq/util/errors.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>
#include <sstream>

namespace {

using namespace seq2seq::data::synth;  // NOLINT: test of this namespace
using seq2seq::data::SynthCorpus;
using seq2seq::data::SynthOptions;
using seq2seq::data::SynthPair;

const Lexicon& lx() { return lexicon(); }
const Noun& N(const char* de) { return lx().noun(de); }
const Adjective* A(const char* de) { return &lx().adjective(de); }
const Verb& V(const char* inf) { return lx().verb(inf); }
const Verb& V(const char* inf, Frame frame) { return lx().verb(inf, frame); }
NP def(const char* noun, bool plural = false, std::vector<const Adjective*> adjs = {}) {
  return noun_np(N(noun), Det::Def, plural, std::move(adjs));
}
NP indef(const char* noun, std::vector<const Adjective*> adjs = {}) {
  return noun_np(N(noun), Det::Indef, false, std::move(adjs));
}
PP P(const char* prep, NP object, PPKind kind = PPKind::Comitative) {
  return pp(lx().preposition(prep), std::move(object), kind);
}
Clause with_acc(Clause c, NP object) {
  c.acc.push_back(std::move(object));
  return c;
}
Clause with_dat(Clause c, NP object) {
  c.dat.push_back(std::move(object));
  return c;
}
Clause negated(Clause c, Negation n = Negation::Nicht) {
  c.negation = n;
  return c;
}
Sentence with_adverbial(Clause main, const char* conj, Clause sub, bool fronted = false) {
  main.adverbial_conj.push_back(&lx().conjunction(conj));
  main.adverbials.push_back(std::move(sub));
  if (fronted) main.front = Front::Adverbial;
  return sentence(std::move(main));
}
void expect(const Sentence& s, const std::string& de, const std::string& en) {
  Realized r = realize(s);
  EXPECT_EQ(r.de, de);
  EXPECT_EQ(r.en, en);
}
Clause rain() { return clause(V("regnen"), pronoun_np(4)); }

// ---------------------------------------------------------------- morphology

TEST(SynthGrammar, ArticleTablesForAllGendersCasesAndPlural) {
  const std::map<std::pair<Det, Case>, std::vector<std::string>> want = {
      // masculine, feminine, neuter, plural
      {{Det::Def, Case::Nom}, {"der", "die", "das", "die"}},
      {{Det::Def, Case::Acc}, {"den", "die", "das", "die"}},
      {{Det::Def, Case::Dat}, {"dem", "der", "dem", "den"}},
      {{Det::Kein, Case::Nom}, {"kein", "keine", "kein", "keine"}},
      {{Det::Kein, Case::Acc}, {"keinen", "keine", "kein", "keine"}},
      {{Det::Kein, Case::Dat}, {"keinem", "keiner", "keinem", "keinen"}},
      {{Det::Dem, Case::Nom}, {"dieser", "diese", "dieses", "diese"}},
      {{Det::Dem, Case::Dat}, {"diesem", "dieser", "diesem", "diesen"}},
  };
  for (const auto& [key, forms] : want) {
    for (int g = 0; g < 4; ++g) {
      Gender gender = g == 3 ? Gender::Masc : static_cast<Gender>(g);
      EXPECT_EQ(determiner(key.first, gender, g == 3, key.second), forms[g])
          << "det " << static_cast<int>(key.first) << " case " << static_cast<int>(key.second) << " col " << g;
    }
  }
  EXPECT_EQ(determiner(Det::Indef, Gender::Masc, false, Case::Acc), "einen");
  EXPECT_EQ(determiner(Det::Indef, Gender::Fem, false, Case::Dat), "einer");
  EXPECT_EQ(determiner(Det::Poss, Gender::Masc, false, Case::Acc, 5), "euren");
  EXPECT_EQ(determiner(Det::Poss, Gender::Neut, false, Case::Nom, 5), "euer");
  EXPECT_EQ(determiner(Det::Poss, Gender::Fem, false, Case::Dat, 4), "unserer");
  EXPECT_THROW(determiner(Det::Indef, Gender::Masc, true, Case::Nom), std::invalid_argument);
  EXPECT_EQ(relative_pronoun(Gender::Masc, false, Case::Acc), "den");
  EXPECT_EQ(relative_pronoun(Gender::Fem, false, Case::Dat), "der");
  EXPECT_EQ(relative_pronoun(Gender::Neut, true, Case::Dat), "denen");
}

TEST(SynthGrammar, AdjectiveEndingsAgreeInAllGendersAndPlural) {
  struct Row {
    NP np;
    Case c;
    const char* want;
  };
  auto alt = std::vector<const Adjective*>{A("alt")};
  auto np = [&](const char* noun, Det det, bool plural = false, int owner = 0) {
    NP n = noun_np(N(noun), det, plural, alt);
    n.owner = owner;
    return n;
  };
  std::vector<Row> rows = {
      // weak after der/die/das
      {np("Mann", Det::Def), Case::Nom, "der alte Mann"},
      {np("Mann", Det::Def), Case::Acc, "den alten Mann"},
      {np("Mann", Det::Def), Case::Dat, "dem alten Mann"},
      {np("Frau", Det::Def), Case::Acc, "die alte Frau"},
      {np("Frau", Det::Def), Case::Dat, "der alten Frau"},
      {np("Haus", Det::Def), Case::Nom, "das alte Haus"},
      {np("Haus", Det::Def, true), Case::Nom, "die alten Häuser"},
      {np("Haus", Det::Def, true), Case::Dat, "den alten Häusern"},
      // mixed after ein/kein/mein
      {np("Mann", Det::Indef), Case::Nom, "ein alter Mann"},
      {np("Mann", Det::Indef), Case::Acc, "einen alten Mann"},
      {np("Frau", Det::Indef), Case::Nom, "eine alte Frau"},
      {np("Frau", Det::Kein), Case::Dat, "keiner alten Frau"},
      {np("Haus", Det::Indef), Case::Acc, "ein altes Haus"},
      {np("Haus", Det::Indef), Case::Dat, "einem alten Haus"},
      {np("Haus", Det::Kein, true), Case::Nom, "keine alten Häuser"},
      {np("Freund", Det::Poss, true, 0), Case::Acc, "meine alten Freunde"},
      {np("Haus", Det::Poss, false, 4), Case::Nom, "unser altes Haus"},
      // strong without an article
      {np("Haus", Det::None, true), Case::Nom, "alte Häuser"},
      {np("Haus", Det::None, true), Case::Dat, "alten Häusern"},
      {noun_np(N("Wasser"), Det::None, false, {A("kalt")}), Case::Dat, "kaltem Wasser"},
      {noun_np(N("Kaffee"), Det::None, false, {A("kalt")}), Case::Nom, "kalter Kaffee"},
      // stems that change, weak nouns, dative plural -n
      {noun_np(N("Turm"), Det::Indef, false, {A("hoch")}), Case::Nom, "ein hoher Turm"},
      {noun_np(N("Küche"), Det::Def, false, {A("dunkel")}), Case::Nom, "die dunkle Küche"},
      {noun_np(N("Auto"), Det::Indef, false, {A("teuer")}), Case::Nom, "ein teures Auto"},
      {noun_np(N("Kind"), Det::Def, false, {A("müde")}), Case::Nom, "das müde Kind"},
      {noun_np(N("Junge"), Det::Def, false, {}), Case::Acc, "den Jungen"},
      {noun_np(N("Herr"), Det::Indef, false, {}), Case::Dat, "einem Herrn"},
      {noun_np(N("Kind"), Det::Number, true, {A("klein")}), Case::Dat, "zwei kleinen Kindern"},
      {noun_np(N("Auto"), Det::Def, true, {}), Case::Dat, "den Autos"},
  };
  for (const auto& row : rows) EXPECT_EQ(german_np(row.np, row.c), row.want);
}

TEST(SynthGrammar, EnglishNounPhrasesUseAAnPluralsAndAdjectiveOrder) {
  EXPECT_EQ(english_np(indef("Mann", {A("alt")}), true), "an old man");
  EXPECT_EQ(english_np(indef("Apfel"), true), "an apple");
  EXPECT_EQ(english_np(indef("Mann", {A("ehrlich")}), true), "an honest man");
  EXPECT_EQ(english_np(indef("Universität"), true), "a university");
  EXPECT_EQ(english_np(indef("Auto", {A("groß"), A("rot")}), true), "a big red car");
  EXPECT_EQ(german_np(indef("Auto", {A("groß"), A("rot")}), Case::Nom), "ein großes rotes Auto");
  EXPECT_EQ(english_np(def("Kind", true), true), "the children");
  EXPECT_EQ(english_np(def("Maus", true), true), "the mice");
  NP these = noun_np(N("Buch"), Det::Dem, true);
  EXPECT_EQ(english_np(these, true), "these books");
  NP ours = noun_np(N("Hund"), Det::Poss);
  ours.owner = 4;
  EXPECT_EQ(english_np(ours, true), "our dog");
  NP very = indef("Haus", {A("alt")});
  very.intensifier = &lx().adverb("sehr");
  EXPECT_EQ(german_np(very, Case::Acc), "ein sehr altes Haus");
  EXPECT_EQ(english_np(very, false), "a very old house");
}

TEST(SynthGrammar, ConjugationTables) {
  auto table = [](const Verb& v) {
    std::vector<std::string> forms;
    for (bool plural : {false, true})
      for (int person = 1; person <= 3; ++person) forms.push_back(conjugate(v, person, plural));
    return forms;
  };
  using F = std::vector<std::string>;
  EXPECT_EQ(table(V("kaufen")), (F{"kaufe", "kaufst", "kauft", "kaufen", "kauft", "kaufen"}));
  EXPECT_EQ(table(V("arbeiten")), (F{"arbeite", "arbeitest", "arbeitet", "arbeiten", "arbeitet", "arbeiten"}));
  EXPECT_EQ(table(V("tanzen")), (F{"tanze", "tanzt", "tanzt", "tanzen", "tanzt", "tanzen"}));
  EXPECT_EQ(table(V("öffnen")), (F{"öffne", "öffnest", "öffnet", "öffnen", "öffnet", "öffnen"}));
  EXPECT_EQ(table(V("wohnen")), (F{"wohne", "wohnst", "wohnt", "wohnen", "wohnt", "wohnen"}));
  EXPECT_EQ(table(V("lächeln")), (F{"lächle", "lächelst", "lächelt", "lächeln", "lächelt", "lächeln"}));
  EXPECT_EQ(table(V("wandern")), (F{"wandere", "wanderst", "wandert", "wandern", "wandert", "wandern"}));
  // irregular present tenses
  EXPECT_EQ(table(V("fahren")), (F{"fahre", "fährst", "fährt", "fahren", "fahrt", "fahren"}));
  EXPECT_EQ(table(V("lesen")), (F{"lese", "liest", "liest", "lesen", "lest", "lesen"}));
  EXPECT_EQ(table(V("nehmen")), (F{"nehme", "nimmst", "nimmt", "nehmen", "nehmt", "nehmen"}));
  EXPECT_EQ(table(V("halten")), (F{"halte", "hältst", "hält", "halten", "haltet", "halten"}));
  EXPECT_EQ(table(V("sein")), (F{"bin", "bist", "ist", "sind", "seid", "sind"}));
  EXPECT_EQ(table(V("haben")), (F{"habe", "hast", "hat", "haben", "habt", "haben"}));
  EXPECT_EQ(table(V("wissen")), (F{"weiß", "weißt", "weiß", "wissen", "wisst", "wissen"}));
  EXPECT_EQ(lx().modal("können").forms, (F{"kann", "kannst", "kann", "können", "könnt", "können"}));
  // separable verbs conjugate their base; the particle is placed by the clause
  EXPECT_EQ(conjugate(V("einladen"), 3, false), "lädt");
  EXPECT_EQ(V("einladen").particle, "ein");

  EXPECT_EQ(english_third_person("read"), "reads");
  EXPECT_EQ(english_third_person("watch"), "watches");
  EXPECT_EQ(english_third_person("wash"), "washes");
  EXPECT_EQ(english_third_person("go"), "goes");
  EXPECT_EQ(english_third_person("carry"), "carries");
  EXPECT_EQ(english_third_person("play"), "plays");
  EXPECT_EQ(english_third_person("have"), "has");
}

// ---------------------------------------------------------------- clauses

TEST(SynthGrammar, PrepositionsGovernTheirCase) {
  struct Row {
    PP p;
    const char* de;
    const char* en;
  };
  std::vector<Row> rows = {
      {P("mit", def("Mann")), "mit dem Mann", "with the man"},
      {P("mit", def("Kind", true)), "mit den Kindern", "with the children"},
      {P("mit", indef("Frau")), "mit einer Frau", "with a woman"},
      {P("von", def("Junge")), "vom Jungen", "from the boy"},
      {P("aus", def("Haus")), "aus dem Haus", "out of the house"},
      {P("bei", def("Bahnhof")), "beim Bahnhof", "near the station"},
      {P("zu", def("Bahnhof")), "zum Bahnhof", "to the station"},
      {P("zu", def("Schule")), "zur Schule", "to the school"},
      {P("für", def("Mann")), "für den Mann", "for the man"},
      {P("für", pronoun_np(2)), "für ihn", "for him"},
      {P("ohne", indef("Hund")), "ohne einen Hund", "without a dog"},
      {P("durch", def("Park")), "durch den Park", "through the park"},
      {P("gegen", def("Student")), "gegen den Studenten", "against the student"},
      {P("um", def("See")), "um den See", "around the lake"},
      {P("neben", def("Kirche")), "neben der Kirche", "next to the church"},
      {P("mit", pronoun_np(7)), "mit ihnen", "with them"},
      {pp("in", "in", Case::Dat, def("Park"), PPKind::Location), "im Park", "in the park"},
      {pp("an", "at", Case::Dat, def("Bahnhof"), PPKind::Location), "am Bahnhof", "at the station"},
      {pp("auf", "on", Case::Dat, def("Tisch"), PPKind::Location), "auf dem Tisch", "on the table"},
  };
  for (const auto& row : rows) {
    EXPECT_EQ(german_pp(row.p), row.de);
    EXPECT_EQ(english_pp(row.p), row.en);
  }
}

TEST(SynthGrammar, MainClauseVerbSecondAndEnglishAgreement) {
  expect(sentence(with_acc(clause(V("lesen"), def("Mann")), def("Buch"))), "Der Mann liest das Buch.",
         "The man reads the book.");
  expect(sentence(with_acc(clause(V("lesen"), pronoun_np(5)), def("Buch", true))), "Wir lesen die Bücher.",
         "We read the books.");
  expect(sentence(with_acc(clause(V("haben"), pronoun_np(2)), indef("Hund"))), "Er hat einen Hund.", "He has a dog.");
  // Fronted time adverb: the verb stays second, the subject follows it; English keeps S-V.
  Clause today = with_acc(clause(V("kaufen"), def("Mann")), indef("Apfel"));
  today.time = &lx().adverb("heute");
  today.front = Front::Time;
  expect(sentence(today), "Heute kauft der Mann einen Apfel.", "Today the man buys an apple.");
  today.front = Front::Subject;
  expect(sentence(today), "Der Mann kauft heute einen Apfel.", "The man buys an apple today.");
  // Dative before accusative in German, "to" in English.
  expect(sentence(with_dat(with_acc(clause(V("geben"), def("Mann")), def("Buch")), def("Kind"))),
         "Der Mann gibt dem Kind das Buch.", "The man gives the book to the child.");
  // Coordinated subjects take a plural verb.
  expect(sentence(with_acc(clause(V("lesen"), coord_np(def("Mann"), def("Frau"))), def("Buch"))),
         "Der Mann und die Frau lesen das Buch.", "The man and the woman read the book.");
  Clause copula = clause(V("sein", Frame::Copula), def("Kind"));
  copula.predicate = A("müde");
  copula.predicate_intensifier = &lx().adverb("sehr");
  expect(sentence(copula), "Das Kind ist sehr müde.", "The child is very tired.");
}

TEST(SynthGrammar, NegationWithNichtAndKein) {
  expect(sentence(negated(with_acc(clause(V("lesen"), def("Frau")), def("Buch")))), "Die Frau liest das Buch nicht.",
         "The woman does not read the book.");
  expect(sentence(negated(with_acc(clause(V("lesen"), pronoun_np(0)), def("Buch")))), "Ich lese das Buch nicht.",
         "I do not read the book.");
  Clause tired = clause(V("sein", Frame::Copula), def("Mann"));
  tired.predicate = A("müde");
  expect(sentence(negated(tired)), "Der Mann ist nicht müde.", "The man is not tired.");
  // kein takes the endings of ein; English negates the verb ("does not ... a/any").
  expect(sentence(
             negated(with_acc(clause(V("kaufen"), def("Mann")), noun_np(N("Apfel"), Det::Kein)), Negation::KeinObject)),
         "Der Mann kauft keinen Apfel.", "The man does not buy an apple.");
  expect(sentence(negated(with_acc(clause(V("haben"), def("Frau")), noun_np(N("Katze"), Det::Kein, true)),
                          Negation::KeinObject)),
         "Die Frau hat keine Katzen.", "The woman does not have any cats.");
  expect(sentence(negated(with_acc(clause(V("trinken"), pronoun_np(2)), noun_np(N("Kaffee"), Det::Kein)),
                          Negation::KeinObject)),
         "Er trinkt keinen Kaffee.", "He does not drink any coffee.");
  expect(sentence(negated(with_dat(clause(V("helfen"), pronoun_np(3)), noun_np(N("Kind"), Det::Kein)),
                          Negation::KeinObject)),
         "Sie hilft keinem Kind.", "She does not help a child.");
  expect(sentence(negated(clause(V("schlafen"), noun_np(N("Kind"), Det::Kein)), Negation::KeinSubject)),
         "Kein Kind schläft.", "No child sleeps.");
  // Frequency adverbs: "nicht oft" / "does not often".
  Clause often = with_acc(clause(V("lesen"), def("Mann")), def("Buch"));
  often.time = &lx().adverb("oft");
  expect(sentence(often), "Der Mann liest das Buch oft.", "The man often reads the book.");
  expect(sentence(negated(often)), "Der Mann liest das Buch nicht oft.", "The man does not often read the book.");
  // Modals: infinitive last, English "cannot" / "does not have to".
  Clause can = negated(with_acc(clause(V("lesen"), def("Kind")), def("Buch")));
  can.modal = &lx().modal("können");
  expect(sentence(can), "Das Kind kann das Buch nicht lesen.", "The child cannot read the book.");
  Clause must = negated(clause(V("arbeiten"), pronoun_np(2)));
  must.modal = &lx().modal("müssen");
  expect(sentence(must), "Er muss nicht arbeiten.", "He does not have to work.");
}

TEST(SynthGrammar, SubordinateClausesPutTheVerbLast) {
  Clause main = clause(V("schlafen"), def("Frau"));
  Clause sub = negated(with_acc(clause(V("lesen"), def("Mann")), def("Buch")));
  expect(with_adverbial(main, "weil", sub), "Die Frau schläft, weil der Mann das Buch nicht liest.",
         "The woman sleeps because the man does not read the book.");
  EXPECT_EQ(german_subordinate(sub), "der Mann das Buch nicht liest");
  // A fronted subordinate clause fills the first position: verb, then subject.
  Clause stay = clause(V("bleiben", Frame::Locative), def("Kind"));
  stay.pps.push_back(fixed_pp("zu Hause", "at home", PPKind::Location));
  expect(with_adverbial(stay, "weil", rain(), true), "Weil es regnet, bleibt das Kind zu Hause.",
         "Because it rains, the child stays at home.");
  expect(with_adverbial(stay, "obwohl", rain()), "Das Kind bleibt zu Hause, obwohl es regnet.",
         "The child stays at home although it rains.");
  // dass / ob complements, nested.
  Clause believe = clause(V("glauben"), pronoun_np(1));
  believe.complementizer = &lx().conjunction("dass");
  believe.complement.push_back(rain());
  Clause know = clause(V("wissen"), pronoun_np(0));
  know.complementizer = &lx().conjunction("dass");
  know.complement.push_back(believe);
  expect(sentence(know), "Ich weiß, dass du glaubst, dass es regnet.", "I know that you believe that it rains.");
  Clause ask = clause(V("fragen", Frame::Complement), pronoun_np(3));
  ask.complementizer = &lx().conjunction("ob");
  ask.complement.push_back(clause(V("kommen"), def("Zug")));
  expect(sentence(ask), "Sie fragt, ob der Zug kommt.", "She asks whether the train comes.");
  // A subordinate clause inside a subordinate clause keeps both verbs last.
  Clause laugh = clause(V("lachen"), def("Mann"));
  laugh.adverbial_conj.push_back(&lx().conjunction("wenn"));
  laugh.adverbials.push_back(clause(V("tanzen"), def("Frau")));
  expect(with_adverbial(clause(V("singen", Frame::Intransitive), pronoun_np(5)), "weil", laugh),
         "Wir singen, weil der Mann lacht, wenn die Frau tanzt.",
         "We sing because the man laughs when the woman dances.");
}

TEST(SynthGrammar, SeparableVerbsSplitInMainAndJoinInSubordinateClauses) {
  NP mother = noun_np(N("Mutter"), Det::Poss);
  mother.owner = 2;
  Clause call = with_acc(clause(V("anrufen"), def("Junge")), mother);
  expect(sentence(call), "Der Junge ruft seine Mutter an.", "The boy calls his mother.");
  expect(with_adverbial(clause(V("lachen"), def("Frau")), "weil", call),
         "Die Frau lacht, weil der Junge seine Mutter anruft.", "The woman laughs because the boy calls his mother.");
  Clause want = call;
  want.modal = &lx().modal("wollen");
  expect(sentence(want), "Der Junge will seine Mutter anrufen.", "The boy wants to call his mother.");
  expect(with_adverbial(clause(V("lachen"), def("Frau")), "weil", negated(want)),
         "Die Frau lacht, weil der Junge seine Mutter nicht anrufen will.",
         "The woman laughs because the boy does not want to call his mother.");
  Clause up = negated(clause(V("aufstehen"), pronoun_np(0)));
  up.time = &lx().adverb("heute");
  expect(sentence(up), "Ich stehe heute nicht auf.", "I do not get up today.");
  // English particles follow a pronoun object and precede a noun object.
  expect(sentence(with_acc(clause(V("abholen"), def("Frau")), pronoun_np(2))), "Die Frau holt ihn ab.",
         "The woman picks him up.");
  expect(sentence(with_acc(clause(V("abholen"), def("Frau")), def("Kind"))), "Die Frau holt das Kind ab.",
         "The woman picks up the child.");
  expect(sentence(clause(V("einkaufen"), def("Vater"))), "Der Vater kauft ein.", "The father goes shopping.");
}

TEST(SynthGrammar, RelativePronounsAgreeWithTheirHead) {
  // subject gap, masculine nominative
  NP man = def("Mann");
  man.relative.push_back(with_acc(clause(V("lesen"), gap_np(man)), def("Buch")));
  expect(sentence(clause(V("schlafen"), man)), "Der Mann, der das Buch liest, schläft.",
         "The man who reads the book sleeps.");
  // accusative gap: masculine "den", neuter "das"
  NP dog = def("Hund");
  dog.relative.push_back(with_acc(clause(V("sehen"), def("Frau")), gap_np(dog)));
  expect(sentence(clause(V("schlafen"), dog)), "Der Hund, den die Frau sieht, schläft.",
         "The dog that the woman sees sleeps.");
  NP book = def("Buch");
  book.relative.push_back(with_acc(clause(V("lesen"), def("Mann")), gap_np(book)));
  Clause old = clause(V("sein", Frame::Copula), book);
  old.predicate = A("alt");
  expect(sentence(old), "Das Buch, das der Mann liest, ist alt.", "The book that the man reads is old.");
  // dative gaps: feminine "der", plural "denen" with a pied-piped English preposition
  NP woman = def("Frau");
  woman.relative.push_back(with_dat(clause(V("helfen"), def("Kind")), gap_np(woman)));
  expect(sentence(clause(V("lachen"), woman)), "Die Frau, der das Kind hilft, lacht.",
         "The woman whom the child helps laughs.");
  NP children = def("Kind", true);
  children.relative.push_back(with_acc(with_dat(clause(V("geben"), def("Mann")), gap_np(children)), def("Buch")));
  expect(sentence(clause(V("lachen"), children)), "Die Kinder, denen der Mann das Buch gibt, lachen.",
         "The children to whom the man gives the book laugh.");
  // prepositional gaps
  NP friend_np = def("Freund");
  Clause play = clause(V("spielen"), def("Kind"));
  play.pps.push_back(P("mit", gap_np(friend_np)));
  friend_np.relative.push_back(play);
  Clause see_friend = with_acc(clause(V("sehen"), pronoun_np(0)), friend_np);
  expect(sentence(see_friend), "Ich sehe den Freund, mit dem das Kind spielt.",
         "I see the friend with whom the child plays.");
  NP park = def("Park");
  Clause live = clause(V("wohnen"), def("Frau", true));
  live.pps.push_back(pp("in", "in", Case::Dat, gap_np(park), PPKind::Location));
  park.relative.push_back(live);
  Clause visit = with_acc(clause(V("besuchen"), pronoun_np(5)), park);
  expect(sentence(visit), "Wir besuchen den Park, in dem die Frauen wohnen.",
         "We visit the park in which the women live.");
  // a relative clause whose separable verb joins, and a plural subject gap
  NP boys = def("Junge", true);
  boys.relative.push_back(with_acc(clause(V("anrufen"), gap_np(boys)), pronoun_np(0)));
  expect(sentence(clause(V("lachen"), boys)), "Die Jungen, die mich anrufen, lachen.", "The boys who call me laugh.");
}

TEST(SynthGrammar, CoordinationWithUndAber) {
  Sentence s = sentence(clause(V("lachen"), def("Mann")));
  s.links.push_back(&lx().conjunction("aber"));
  s.clauses.push_back(clause(V("schlafen"), def("Frau")));
  s.links.push_back(&lx().conjunction("und"));
  Clause go = clause(V("gehen"), def("Kind"));
  go.pps.push_back(fixed_pp("nach Hause", "home", PPKind::Direction));
  s.clauses.push_back(go);
  expect(s, "Der Mann lacht, aber die Frau schläft und das Kind geht nach Hause.",
         "The man laughs, but the woman sleeps and the child goes home.");
}

TEST(SynthGrammar, LexiconIsLargeAndConsistent) {
  EXPECT_GE(lx().content_lemma_count(), 400);
  EXPECT_GE(seq2seq::data::synth_lemma_count(), lx().content_lemma_count());
  for (const Noun& n : lx().nouns) EXPECT_TRUE(n.mass || !n.de_pl.empty()) << n.de;
  EXPECT_THROW(parse_lexicon("N|Tisch|Tische|x|table|tables|furniture"), std::runtime_error);
  EXPECT_THROW(parse_lexicon("V|trans|lesen|-|read|person||"), std::runtime_error);  // no {A}
  EXPECT_THROW(lx().noun("Quatschwort"), std::out_of_range);
}

// ---------------------------------------------------------------- generated corpus

const SynthOptions& small_options() {
  static const SynthOptions o = [] {
    SynthOptions opt;
    opt.train = 1500;
    opt.valid = 250;
    opt.test = 250;
    opt.seed = 7;
    return opt;
  }();
  return o;
}

const SynthCorpus& small_corpus() {
  static const SynthCorpus corpus = seq2seq::data::generate_synth(small_options());
  return corpus;
}

std::vector<const std::vector<SynthPair>*> splits(const SynthCorpus& c) { return {&c.train, &c.valid, &c.test}; }

std::vector<std::string> split_words(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char ch : s) {
    if (ch == ' ' || ch == ',' || ch == '.') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
      if (ch != ' ') out.push_back(std::string(1, ch));
    } else {
      cur += ch;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

TEST(SynthCorpus, DeterministicForASeedAndDifferentAcrossSeeds) {
  SynthCorpus again = seq2seq::data::generate_synth(small_options());
  const auto& first = small_corpus();
  ASSERT_EQ(again.train.size(), first.train.size());
  for (size_t i = 0; i < first.train.size(); ++i) {
    EXPECT_EQ(again.train[i].de, first.train[i].de);
    EXPECT_EQ(again.train[i].en, first.train[i].en);
  }
  SynthOptions other = small_options();
  other.seed = 8;
  other.train = 100;
  SynthCorpus different = seq2seq::data::generate_synth(other);
  int same = 0;
  for (size_t i = 0; i < different.test.size(); ++i) same += different.test[i].de == first.test[i].de;
  EXPECT_LT(same, 5);
  // The test and valid splits do not depend on the size of the train split.
  SynthOptions fewer = small_options();
  fewer.train = 10;
  SynthCorpus small = seq2seq::data::generate_synth(fewer);
  ASSERT_EQ(small.test.size(), first.test.size());
  for (size_t i = 0; i < first.test.size(); ++i) EXPECT_EQ(small.test[i].de, first.test[i].de);
}

TEST(SynthCorpus, CountsSplitsAreDisjointAndNoSentenceRepeats) {
  const auto& c = small_corpus();
  EXPECT_EQ(c.train.size(), 1500u);
  EXPECT_EQ(c.valid.size(), 250u);
  EXPECT_EQ(c.test.size(), 250u);
  std::set<std::string> seen;
  size_t total = 0;
  for (const auto* split : splits(c)) {
    for (const auto& p : *split) {
      seen.insert(p.de);
      ++total;
      EXPECT_FALSE(p.de.empty());
      EXPECT_FALSE(p.en.empty());
    }
  }
  EXPECT_EQ(seen.size(), total);
}

TEST(SynthCorpus, EveryBandIsEquallyFilledAndLimitsHold) {
  const auto& o = small_options();
  auto bands = seq2seq::data::synth_bands(o);
  ASSERT_EQ(bands.size(), 5u);
  EXPECT_EQ(bands[0].lo, 4);  // min_words 3 + the final period
  EXPECT_EQ(bands[4].label(), "41-60");
  seq2seq::data::WordTokenizer tokenizer(false);
  for (const auto* split : splits(small_corpus())) {
    auto counts = seq2seq::data::synth_band_counts(*split, bands);
    for (int64_t n : counts) EXPECT_LE(std::abs(n - static_cast<int64_t>(split->size() / 5)), 1);
    auto words = seq2seq::data::synth_band_counts(*split, bands, true);
    for (int64_t n : words) EXPECT_GE(n, static_cast<int64_t>(split->size() * 0.13));
    for (const auto& p : *split) {
      int tokens = count_tokens(p.de);
      // Our count is the project tokenizer's.
      EXPECT_EQ(tokens, static_cast<int>(tokenizer.tokenize(p.de).size())) << p.de;
      EXPECT_LE(tokens, o.max_words) << p.de;
      EXPECT_GE(count_words(p.de), o.min_words) << p.de;
    }
  }
  // Other limits give other bands and are respected too.
  SynthOptions narrow;
  narrow.train = 200;
  narrow.valid = narrow.test = 0;
  narrow.min_words = 6;
  narrow.max_words = 25;
  auto narrow_bands = seq2seq::data::synth_bands(narrow);
  ASSERT_EQ(narrow_bands.size(), 3u);
  EXPECT_EQ(narrow_bands[0].label(), "7-10");
  EXPECT_EQ(narrow_bands[2].label(), "21-25");
  for (const auto& p : seq2seq::data::generate_synth(narrow).train) {
    EXPECT_GE(count_words(p.de), 6) << p.de;
    EXPECT_LE(count_tokens(p.de), 25) << p.de;
  }
  SynthOptions bad;
  bad.max_words = bad.min_words;
  EXPECT_THROW(seq2seq::data::generate_synth(bad), seq2seq::UsageError);
}

TEST(SynthCorpus, PunctuationAndCapitalisation) {
  for (const auto* split : splits(small_corpus())) {
    for (const auto& p : *split) {
      for (const std::string* s : {&p.de, &p.en}) {
        ASSERT_FALSE(s->empty());
        EXPECT_EQ(s->back(), '.') << *s;
        EXPECT_EQ(std::count(s->begin(), s->end(), '.'), 1) << *s;
        EXPECT_TRUE(std::isupper(static_cast<unsigned char>((*s)[0])) || (*s)[0] == '\xC3') << *s;
        EXPECT_EQ(s->find(" ,"), std::string::npos) << *s;
        EXPECT_EQ(s->find(",,"), std::string::npos) << *s;
        EXPECT_EQ(s->find(", ."), std::string::npos) << *s;
        EXPECT_EQ(s->find("  "), std::string::npos) << *s;
      }
      // a/an by the sound of the next word
      auto words = split_words(p.en);
      for (size_t i = 0; i + 1 < words.size(); ++i) {
        const std::string& next = words[i + 1];
        bool vowel = std::string("aeiouAEIOU").find(next[0]) != std::string::npos;
        bool exception = next.rfind("uni", 0) == 0 || next.rfind("hon", 0) == 0;
        if (words[i] == "a" || words[i] == "A") {
          EXPECT_TRUE(!vowel || exception) << p.en;
        }
        if (words[i] == "an" || words[i] == "An") {
          EXPECT_TRUE(vowel || exception) << p.en;
        }
      }
    }
  }
}

// German declension, written from the grammar tables independently of the generator: which
// nouns an article may stand before, and which adjective endings it calls for.
struct Declension {
  struct Analysis {
    Gender gender;
    bool plural;
    bool oblique_or_dative;  // a weak noun's -en form or a dative plural in -n
  };
  struct Rule {
    std::function<bool(const Analysis&)> fits;
    std::set<std::string> endings;
  };
  std::multimap<std::string, Analysis> nouns;
  std::set<std::string> adjective_forms;
  std::map<std::string, Rule> rules;

  Declension() {
    for (const Noun& n : lx().nouns) {
      nouns.insert({n.de, {n.gender, false, false}});
      if (!n.de_oblique.empty()) nouns.insert({n.de_oblique, {n.gender, false, true}});
      if (!n.de_pl.empty()) {
        nouns.insert({n.de_pl, {n.gender, true, false}});
        nouns.insert({n.de_pl_dat, {n.gender, true, true}});
      }
    }
    for (const Adjective& a : lx().adjectives)
      for (const auto& f : a.inflected) adjective_forms.insert(f);
    auto m = [](const Analysis& a) { return !a.plural && a.gender == Gender::Masc; };
    auto f = [](const Analysis& a) { return !a.plural && a.gender == Gender::Fem; };
    auto n = [](const Analysis& a) { return !a.plural && a.gender == Gender::Neut; };
    auto pl = [](const Analysis& a) { return a.plural; };
    auto m_or_n = [=](const Analysis& a) { return m(a) || n(a); };
    auto m_or_dat_pl = [=](const Analysis& a) { return m(a) || (pl(a) && a.oblique_or_dative); };
    auto f_or_pl = [=](const Analysis& a) { return f(a) || pl(a); };
    rules = {
        {"der", {[=](const Analysis& a) { return m(a) || f(a); }, {"e", "en"}}},
        {"die", {f_or_pl, {"e", "en"}}},
        {"das", {n, {"e"}}},
        {"dem", {m_or_n, {"en"}}},
        {"den", {m_or_dat_pl, {"en"}}},
        {"ein", {m_or_n, {"er", "es"}}},
        {"eine", {f, {"e"}}},
        {"einen", {m, {"en"}}},
        {"einem", {m_or_n, {"en"}}},
        {"einer", {f, {"en"}}},
        {"keine", {f_or_pl, {"e", "en"}}},
        {"keinen", {m_or_dat_pl, {"en"}}},
        {"dieses", {n, {"e"}}},
        {"diesem", {m_or_n, {"en"}}},
    };
  }

  static bool has_ending(const std::string& adj, const std::string& e) {
    auto ends = [&](const std::string& x) {
      return adj.size() > x.size() && adj.compare(adj.size() - x.size(), x.size(), x) == 0;
    };
    if (e == "e") return ends("e");  // "-en", "-er", "-es", "-em" end in a consonant
    return ends(e);
  }

  struct Match {
    bool found = false;      // w[i] is an article followed by (adjectives and) a lexicon noun
    bool noun_fits = false;  // the noun agrees with the article
    std::vector<std::string> bad_adjectives;
    std::string noun;
  };

  Match at(const std::vector<std::string>& w, size_t i) const {
    Match r;
    std::string article = w[i];
    article[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(article[0])));
    auto rule = rules.find(article);
    if (rule == rules.end()) return r;
    size_t j = i + 1;
    std::vector<std::string> adjectives;
    static const std::set<std::string> intensifiers = {"sehr", "ziemlich", "wirklich", "besonders"};
    while (j < w.size() && (adjective_forms.count(w[j]) || intensifiers.count(w[j]))) {
      if (adjective_forms.count(w[j])) adjectives.push_back(w[j]);
      ++j;
    }
    if (j >= w.size()) return r;
    auto range = nouns.equal_range(w[j]);
    if (range.first == range.second) return r;  // a name, a pronoun, a verb ...
    r.found = true;
    r.noun = w[j];
    for (auto it = range.first; it != range.second; ++it) r.noun_fits = r.noun_fits || rule->second.fits(it->second);
    for (const auto& adj : adjectives) {
      bool ok = false;
      for (const auto& e : rule->second.endings) ok = ok || has_ending(adj, e);
      if (!ok) r.bad_adjectives.push_back(adj);
    }
    return r;
  }
};

const Declension& declension() {
  static const Declension d;
  return d;
}

// Every article directly before a noun (or before adjectives and a noun) agrees with it in gender
// and number, and the adjectives carry the ending the article calls for.
TEST(SynthCorpus, ArticlesAdjectivesAndNounsAgree) {
  int checked = 0;
  for (const auto* split : splits(small_corpus())) {
    for (const auto& p : *split) {
      auto w = split_words(p.de);
      for (size_t i = 0; i < w.size(); ++i) {
        // Relative pronouns look like articles: they follow a comma, or ", preposition".
        if ((i > 0 && w[i - 1] == ",") || (i > 1 && w[i - 2] == ",")) continue;
        auto m = declension().at(w, i);
        if (!m.found) continue;
        EXPECT_TRUE(m.noun_fits) << "'" << w[i] << " ... " << m.noun << "' in: " << p.de;
        for (const auto& adj : m.bad_adjectives)
          EXPECT_TRUE(false) << "'" << w[i] << " " << adj << " " << m.noun << "' in: " << p.de;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 3000);
}

// Word order on the generated corpus: a finite verb is second after a fronted one-word adverb,
// and the last word of every subordinate or relative clause is its finite verb.
TEST(SynthCorpus, VerbSecondInMainAndVerbLastInSubordinateClauses) {
  std::set<std::string> finite;
  for (const Verb& v : lx().verbs) {
    finite.insert(v.forms.begin(), v.forms.end());
    finite.insert(v.joined_forms.begin(), v.joined_forms.end());
  }
  for (const Modal& m : lx().modals) finite.insert(m.forms.begin(), m.forms.end());
  std::set<std::string> one_word_time;
  for (const Adverb& a : lx().adverbs)
    if (a.kind == AdverbKind::Time && a.de.find(' ') == std::string::npos) {
      std::string cap = a.de;
      cap[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(cap[0])));
      one_word_time.insert(cap);
    }
  const std::set<std::string> openers = {"weil", "obwohl", "wenn", "während", "bevor", "sobald", "bis",  "dass",
                                         "ob",   "der",    "die",  "das",     "den",   "dem",    "denen"};
  int v2 = 0, verb_last = 0;
  for (const auto* split : splits(small_corpus())) {
    for (const auto& p : *split) {
      auto w = split_words(p.de);
      bool multiword_adverb = w[0] == "Heute" && w[1] == "Abend";
      if (one_word_time.count(w[0]) && !multiword_adverb && w.size() > 2) {
        EXPECT_TRUE(finite.count(w[1])) << p.de;
        ++v2;
      }
      for (size_t i = 0; i + 1 < w.size(); ++i) {
        // A clause opener right after a comma (or "Weil" at the start) starts a verb-final clause.
        bool start = (i == 0 && (w[0] == "Weil" || w[0] == "Obwohl" || w[0] == "Wenn")) ||
                     (i > 0 && w[i - 1] == "," && openers.count(w[i]));
        if (!start) continue;
        // "dem Mann, der liest, das Buch": after a comma "das Buch" may be an article and its noun.
        auto article = declension().at(w, i);
        if (article.found && article.noun_fits) continue;
        size_t j = i + 1;
        while (j < w.size() && w[j] != "," && w[j] != ".") ++j;
        if (j >= w.size()) continue;
        // A clause that continues after an embedded one (", der ...", ", weil ...") is not yet over.
        bool embedded = j + 1 < w.size() && w[j] == "," && openers.count(w[j + 1]);
        bool pp_relative = j + 2 < w.size() && w[j] == "," && openers.count(w[j + 2]);
        if (embedded || pp_relative) continue;
        EXPECT_TRUE(finite.count(w[j - 1])) << "'" << w[j - 1] << "' ends a clause in: " << p.de;
        ++verb_last;
      }
    }
  }
  EXPECT_GT(v2, 20);
  EXPECT_GT(verb_last, 1000);
}

// Subject-verb agreement at the start of sentences with a pronoun subject, German and English.
TEST(SynthCorpus, PronounSubjectsAgreeWithTheirVerbs) {
  int checked = 0;
  const std::set<std::string> modal_like = {"kann", "will", "muss", "darf", "soll", "mag", "weiß", "wird"};
  for (const auto* split : splits(small_corpus())) {
    for (const auto& p : *split) {
      auto de = split_words(p.de);
      auto en = split_words(p.en);
      auto ends = [](const std::string& s, const std::string& e) {
        return s.size() >= e.size() && s.compare(s.size() - e.size(), e.size(), e) == 0;
      };
      if (de[0] == "Ich") {
        EXPECT_TRUE(ends(de[1], "e") || de[1] == "bin" || modal_like.count(de[1])) << p.de;
        ++checked;
      }
      if (de[0] == "Du") {
        EXPECT_TRUE(ends(de[1], "st") || ends(de[1], "t")) << p.de;
        ++checked;
      }
      if (de[0] == "Er") {
        EXPECT_TRUE(ends(de[1], "t") || modal_like.count(de[1]) || de[1] == "möchte") << p.de;
        ++checked;
      }
      if (de[0] == "Wir") {
        EXPECT_TRUE(ends(de[1], "n") || de[1] == "sind") << p.de;
        ++checked;
      }
      if (en[0] == "He" || en[0] == "She") {
        size_t v = 1;
        while (v < en.size() && (en[v] == "often" || en[v] == "always" || en[v] == "sometimes" || en[v] == "rarely" ||
                                 en[v] == "usually"))
          ++v;
        const std::set<std::string> unmarked = {"can", "cannot", "should", "would"};
        EXPECT_TRUE(ends(en[v], "s") || unmarked.count(en[v])) << p.en;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 100);
}

}  // namespace
