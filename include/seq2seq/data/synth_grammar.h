// Grammar of the synthetic German->English corpus: the lexicon, a small sentence tree, and its
// realisation as a German sentence together with its English translation.
//
// The generator (synth.h) builds trees at random; tests build them by hand and check the strings.
// Everything is present tense. German: gendered articles in nominative/accusative/dative, weak,
// mixed and strong adjective endings, conjugation by person and number, verb second in main
// clauses, verb last in subordinate and relative clauses, separable verbs, prepositions that govern
// case (two-way prepositions only in their dative reading), nicht/kein. English: do-support,
// third-person -s, a/an, relative who/whom/that/which with pied-piped prepositions.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace seq2seq::data::synth {

enum class Gender : uint8_t { Masc, Fem, Neut };
enum class Case : uint8_t { Nom, Acc, Dat };

// Noun classes, a bit mask: what a verb slot, an adjective or a preposition accepts.
using Classes = uint32_t;
namespace cls {
inline constexpr Classes Person = 1u << 0, Animal = 1u << 1, Food = 1u << 2, Drink = 1u << 3, Text = 1u << 4,
                         Cloth = 1u << 5, Thing = 1u << 6, Vehicle = 1u << 7, Place = 1u << 8, Building = 1u << 9,
                         Furniture = 1u << 10, Event = 1u << 11, Idea = 1u << 12, Music = 1u << 13, Open = 1u << 14,
                         Device = 1u << 15, Room = 1u << 16, Plant = 1u << 17, Baked = 1u << 18, Pick = 1u << 19,
                         Built = 1u << 20, Tell = 1u << 21, Landmark = 1u << 22, Trav = 1u << 23, Around = 1u << 24,
                         Across = 1u << 25, Small = 1u << 26, Write = 1u << 27, Learn = 1u << 28, Note = 1u << 29,
                         Lock = 1u << 30, Cook = 1u << 31;
}  // namespace cls

struct Noun {
  std::string de, de_pl;   // "Mann", "Männer"
  std::string de_oblique;  // weak masculines: singular accusative/dative ("Jungen"); empty otherwise
  std::string de_pl_dat;   // dative plural ("Männern"), derived by the parser
  Gender gender = Gender::Masc;
  std::string en, en_pl;  // "man", "men"
  Classes classes = 0;
  bool mass = false;  // no plural, no indefinite article ("Kaffee")
  // Where something is "at" this noun: German preposition (dative) and its English, e.g. ("auf", "on").
  std::vector<std::pair<std::string, std::string>> locative;
};

struct Adjective {
  std::string de;                      // predicative form, "dunkel"
  std::string stem;                    // before endings, "dunkl"
  std::vector<std::string> inflected;  // stem + e, en, er, es, em (derived by the parser)
  std::string en;
  int order = 3;  // English adjective order: 1 opinion, 2 size, 3 quality, 4 age, 5 colour
  Classes applies_to = 0;
  bool gradable = true;  // takes "sehr"
};

enum class Frame : uint8_t {
  Intransitive,  // "schläft"
  Motion,        // "geht" (+ optional direction)
  Transitive,    // accusative object
  Dative,        // dative object
  Ditransitive,  // dative + accusative
  Copula,        // + predicate adjective ("ist müde")
  Locative,      // + obligatory place ("wohnt im Dorf")
  Complement,    // + dass/ob clause
  Weather,       // "es regnet"
};

struct Verb {
  std::string de;                         // infinitive without separable particle: "rufen"
  std::string particle;                   // separable particle: "an"; empty if none
  std::vector<std::string> forms;         // present tense ich..sie; filled for every verb by the lexicon
  std::vector<std::string> joined_forms;  // particle + form, as in subordinate clauses ("anruft")
  std::string infinitive_form;            // particle + infinitive ("anrufen")
  Frame frame = Frame::Intransitive;
  Classes subject = 0, acc = 0, dat = 0;
  std::string en, en_3sg;  // "give", "gives"
  // English tokens after the verb: "{A}" accusative slot, "{D}" dative slot, "~up" a particle that
  // follows a pronoun object ("picks him up"), "^to" a preposition that moves in front of a
  // relative pronoun ("to whom"), anything else literal.
  std::vector<std::string> en_rest;
  bool dass = false, ob = false;  // Complement: which complementisers it takes
  bool against = false;           // takes "gegen + person" ("spielt gegen ...")
  bool be = false;                // English "be" (sein)
  const std::string& infinitive() const { return infinitive_form; }
};

enum class AdverbKind : uint8_t { Time, Manner, Intensifier };
struct Adverb {
  std::string de, en;
  AdverbKind kind = AdverbKind::Time;
  bool frontable = false;         // may open a main clause ("Heute ...")
  bool negatable = true;          // may stand in a negated clause
  bool nicht_first = false;       // "nicht oft", "nicht jeden Tag" (else "heute nicht")
  bool preverbal = false;         // English "often reads" (else at the end: "reads ... today")
  bool plural_only = false;       // "zusammen" needs a plural subject
  bool predicative_only = false;  // "zu" ("too"): only before a predicate adjective
};

struct Name {
  std::string de;
  Gender gender = Gender::Masc;
};

enum class ModalEn : uint8_t { Pure, Verb, Be };  // "can", "wants to", "is allowed to"
struct Modal {
  std::string de;
  std::vector<std::string> forms;  // ich..sie
  ModalEn kind = ModalEn::Pure;
  std::string en, en_neg, en_3sg;  // Pure: "can"/"cannot"; Verb: "want to"/-/"wants to"; Be: "allowed to"
};

struct Preposition {
  std::string de, en;
  Case governs = Case::Dat;
};

enum class ConjKind : uint8_t { Subordinating, Complement, Coordinating };
struct Conjunction {
  std::string de, en;
  ConjKind kind = ConjKind::Coordinating;
  bool comma = false;  // coordinating: German and English put a comma before it ("aber", "denn")
};

struct Lexicon {
  std::vector<Noun> nouns;
  std::vector<Adjective> adjectives;
  std::vector<Verb> verbs;
  std::vector<Adverb> adverbs;
  std::vector<Name> names;
  std::vector<Modal> modals;
  std::vector<Preposition> prepositions;
  std::vector<Conjunction> conjunctions;

  // Look-ups by German form; they throw std::out_of_range naming the word when it is missing.
  const Noun& noun(const std::string& de) const;
  const Adjective& adjective(const std::string& de) const;
  // The verb with this infinitive (particle joined: "anrufen") and frame.
  const Verb& verb(const std::string& infinitive, Frame frame) const;
  const Verb& verb(const std::string& infinitive) const;  // the first entry with that infinitive
  const Adverb& adverb(const std::string& de) const;
  const Name& name(const std::string& de) const;
  const Modal& modal(const std::string& de) const;
  const Preposition& preposition(const std::string& de) const;
  const Conjunction& conjunction(const std::string& de) const;

  // Distinct German lemmas (content words plus determiners, pronouns, numbers, prepositions,
  // conjunctions and modals), each with its English equivalent.
  int lemma_count() const;
  int content_lemma_count() const;  // nouns, adjectives, verbs, adverbs only
};

// A content lemma: its word class ('N' noun, 'A' adjective, 'V' verb, 'D' adverb) and its German
// form (verbs: the infinitive with its particle, "anrufen"; one lemma for all of a verb's frames).
using LemmaKey = std::pair<char, std::string>;
LemmaKey lemma_key(const Noun& noun);
LemmaKey lemma_key(const Adjective& adjective);
LemmaKey lemma_key(const Verb& verb);
LemmaKey lemma_key(const Adverb& adverb);

// The lexicon, parsed once from the text in synth_lexicon.cpp (immutable afterwards).
const Lexicon& lexicon();
// The raw lexicon text (one entry per line; its format is described at its top).
const char* lexicon_text();
// Parses lexicon text; throws std::runtime_error naming the line on a malformed entry.
Lexicon parse_lexicon(const std::string& text);

// ---- The sentence tree ----

enum class Det : uint8_t {
  Def,     // der
  Indef,   // ein (singular only)
  Kein,    // kein
  Poss,    // mein, dein, sein, ihr, unser, euer (owner 0..5)
  Dem,     // dieser
  None,    // bare plural or mass noun
  Number,  // zwei .. zwölf (plural)
};
enum class NPKind : uint8_t { Noun, Pronoun, Name, Coord, Gap };

struct NP;
struct Clause;

enum class PPKind : uint8_t { Comitative, Location, Direction, Time, Attribute };
struct PP {
  PPKind kind = PPKind::Location;
  std::string de, en;  // the preposition; for a fixed phrase ("zu Hause") the whole phrase
  Case governs = Case::Dat;
  std::vector<NP> object;  // one NP; empty for a fixed phrase
};

struct NP {
  NPKind kind = NPKind::Noun;
  const Noun* noun = nullptr;
  const Name* name = nullptr;
  int pronoun = 0;  // 0 ich, 1 du, 2 er, 3 sie, 4 es, 5 wir, 6 ihr, 7 sie (plural)
  bool plural = false;
  Det det = Det::Def;
  int owner = 0;                             // Det::Poss: 0 mein .. 5 euer
  int number = 2;                            // Det::Number
  std::vector<const Adjective*> adjectives;  // in English order
  const Adverb* intensifier = nullptr;       // before the first adjective
  std::vector<PP> attribute;                 // "der Mann mit dem Hut"
  std::vector<Clause> relative;              // "der Mann, der liest"
  std::vector<NP> members;                   // Coord: "der Mann und die Frau"
  // Gap (the relativised position inside a relative clause): the head's gender and number.
  Gender gap_gender = Gender::Masc;
  bool gap_person = false;  // English who/whom rather than that/which
};

enum class Negation : uint8_t { None, Nicht, KeinObject, KeinSubject };
enum class Front : uint8_t { Subject, Time, PP, Adverbial };

struct Clause {
  const Verb* verb = nullptr;
  const Modal* modal = nullptr;
  NP subject;
  std::vector<NP> acc, dat;  // zero or one each
  const Adjective* predicate = nullptr;
  const Adverb* predicate_intensifier = nullptr;
  Negation negation = Negation::None;
  const Adverb* time = nullptr;
  const Adverb* manner = nullptr;
  std::vector<PP> pps;
  const Conjunction* complementizer = nullptr;  // dass / ob
  std::vector<Clause> complement;               // zero or one
  std::vector<Clause> adverbials;               // subordinate clauses ("weil ...")
  std::vector<const Conjunction*> adverbial_conj;
  Front front = Front::Subject;  // main clauses: what stands before the finite verb
  int front_pp = -1;             // Front::PP: index into pps
};

struct Sentence {
  std::vector<Clause> clauses;            // main clauses
  std::vector<const Conjunction*> links;  // links[i] joins clauses[i] and clauses[i + 1]
};

// ---- Building blocks (used by the generator and by tests) ----

NP noun_np(const Noun& noun, Det det, bool plural = false, std::vector<const Adjective*> adjectives = {});
NP pronoun_np(int pronoun);
NP name_np(const Name& name);
NP coord_np(NP first, NP second);
NP gap_np(const NP& head);  // the relativised position for a relative clause on `head`
PP pp(const Preposition& prep, NP object, PPKind kind);
PP pp(const std::string& de, const std::string& en, Case governs, NP object, PPKind kind);
PP fixed_pp(const std::string& de, const std::string& en, PPKind kind);
Clause clause(const Verb& verb, NP subject);
Sentence sentence(Clause main);

// ---- Morphology ----

// Present tense form, ich=0 du=1 er/sie/es=2 wir=3 ihr=4 sie=5; without the separable particle.
std::string conjugate(const Verb& verb, int person, bool plural);  // person 1..3
std::vector<std::string> regular_present(const std::string& infinitive);
std::string english_third_person(const std::string& base);
std::string determiner(Det det, Gender gender, bool plural, Case c, int owner = 0, int number = 2);
std::string adjective_ending(Det det, Gender gender, bool plural, Case c);
std::string noun_form(const Noun& noun, bool plural, Case c);
std::string relative_pronoun(Gender gender, bool plural, Case c);

// ---- Realisation ----

struct Realized {
  std::string de, en;
};
Realized realize(const Sentence& sentence);
// Pieces, without capitalisation or final period.
std::string german_np(const NP& np, Case c);
std::string english_np(const NP& np, bool subject);
std::string german_pp(const PP& pp);
std::string english_pp(const PP& pp);
// A subordinate clause on its own ("der Mann das Buch liest"), with its complementiser left off.
std::string german_subordinate(const Clause& clause);
std::string english_subordinate(const Clause& clause);
// The German sentence only.
std::string german(const Sentence& sentence);
// Tokens (words and punctuation marks, as count_tokens) and words of german(sentence), counted
// without building the string; the generator measures lengths with it.
struct Length {
  int tokens = 0, words = 0;
};
Length german_length(const Sentence& sentence);

// Every content-lemma occurrence in the tree (nouns, adjectives, verbs, adverbs, each time it is
// used; names, pronouns and function words are not content lemmas), in no particular order.
std::vector<LemmaKey> content_lemmas(const Sentence& sentence);

// Tokens as the seq2seq tokenizer splits them (runs of letters/digits/_ and single punctuation
// marks), and words (the same without punctuation).
int count_tokens(const std::string& text);
int count_words(const std::string& text);

}  // namespace seq2seq::data::synth
