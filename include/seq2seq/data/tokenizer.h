// Tokenizers behind one interface: the word-level \w+|[^\w\s] rule, and SentencePiece subwords.
#pragma once
#include "seq2seq/config/config.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace seq2seq::data {

// Text <-> tokens. Callers hold a Tokenizer& and never ask which kind it is, so a subword
// tokenizer (SentencePiece) can be added behind make_tokenizer() without touching them.
class Tokenizer {
 public:
  virtual ~Tokenizer() = default;
  virtual std::vector<std::string> tokenize(std::string_view text) const = 0;
  virtual std::string detokenize(const std::vector<std::string>& tokens) const = 0;
  virtual std::string name() const = 0;
  // A tokenizer that brings its own vocabulary (SentencePiece: its pieces, in id order, the
  // four specials first) returns it; empty = count the tokens of the training split (words).
  virtual std::vector<std::string> fixed_vocabulary() const { return {}; }
};

// Python's `re.findall(r"\w+|[^\w\s]", text.lower())` on UTF-8 text: a token is a maximal run
// of word characters (Unicode letters and digits, and '_'), or one character that is neither a
// word character nor whitespace (seq2seq::is_space). With lowercase=true the text is lower-cased
// first (seq2seq::lowercase, Python's str.lower()). Ill-formed UTF-8 bytes become one-byte tokens.
//
// detokenize() joins tokens with single spaces, except (first matching rule wins):
//  1. '-' and '/' between two word tokens (or a closing quote and a word) join both sides:
//     "10 - year - old" -> "10-year-old", "„ bbq “ - schild" -> "„bbq“-schild"; but a '-' after a
//     word and before und/oder/bis/bzw/sowie only joins its word ("ein - und ausgang" ->
//     "ein- und ausgang", German suspended hyphen).
//  2. '.', ',' and ':' between two tokens made of digits join both sides: "3 . 5" -> "3.5".
//  3. An apostrophe (' or U+2019) after a word token joins both sides when the next token is
//     an English clitic (s t d m re ve ll) or the word is one letter ("man ' s" -> "man's",
//     "don ' t" -> "don't", "d ' oeuvres" -> "d'oeuvres"); after any other word ending in 's'
//     it closes the word ("ladies ' room" -> "ladies' room"); otherwise it is a single quote,
//     handled as in rule 6.
//  4. No space before . , ! ? ; : ) ] } % … and closing quotes (” » and, when a „ is open, “).
//  5. No space after ( [ { $ £ # and opening quotes („ « ‚ and, when no „ is open, “).
//  6. Straight quotes pair up: the first " of a sentence opens (no space after), the second
//     closes (no space before), and so on; the same for single quotes ' ‘ ’ (‘ after an open ‚
//     closes it).
// Everything else is separated by one space. Tokenization loses the original spacing, so the
// round trip is exact only for text written the way these rules produce it (normal
// punctuation); "a - b" (a dash between words written with spaces) comes back as "a-b".
class WordTokenizer : public Tokenizer {
 public:
  explicit WordTokenizer(bool lowercase = true) : lowercase_(lowercase) {}
  std::vector<std::string> tokenize(std::string_view text) const override;
  std::string detokenize(const std::vector<std::string>& tokens) const override;
  std::string name() const override { return lowercase_ ? "word (lowercased)" : "word"; }
  bool lowercase() const { return lowercase_; }

 private:
  bool lowercase_;
};

// SentencePiece (Kudo and Richardson 2018) over one trained model: tokenize() gives its pieces
// ("▁der", "▁hund", "e"), detokenize() joins pieces back into text. With lowercase=true the
// text is lower-cased first (as WordTokenizer). Characters the model never saw become the
// piece "<unk>". The model file's bytes are kept, so a run directory can hold them.
class SentencePieceTokenizer : public Tokenizer {
 public:
  // `model`: the bytes of a .model file; `origin` names it in errors.
  SentencePieceTokenizer(const std::string& model, bool lowercase, const std::string& origin);
  ~SentencePieceTokenizer() override;
  std::vector<std::string> tokenize(std::string_view text) const override;
  std::string detokenize(const std::vector<std::string>& tokens) const override;
  std::string name() const override;
  std::vector<std::string> fixed_vocabulary() const override;
  const std::string& model_bytes() const { return model_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string model_;
  bool lowercase_;
};

// The source side's and the target side's tokenizer (the same object for word tokens and for a
// joint SentencePiece model).
struct Tokenizers {
  std::shared_ptr<const Tokenizer> src, tgt;
};

// The SentencePiece model files of a run directory (or of `seq2seq data spm --out DIR`):
// {"spm.model"} with data.joint_vocab, else {"spm.src.model", "spm.tgt.model"}.
std::vector<std::string> spm_model_files(const DataConfig& config);
// Trains the SentencePiece model(s) config asks for (data.spm_type, data.vocab_size,
// data.joint_vocab) on the training split's lines: one model over both sides when joint, else
// one per side. Deterministic: one thread, no sampling of sentences. Returns the models' bytes,
// in spm_model_files() order.
std::vector<std::string> train_spm(const DataConfig& config, const std::vector<std::string>& src_lines,
                                   const std::vector<std::string>& tgt_lines);
// Tokenizers from models' bytes (spm_model_files() order); word tokenizers need none.
Tokenizers make_tokenizers(const DataConfig& config, const std::vector<std::string>& spm_models);
// The bytes of the spm_model_files() in `dir` (a run directory); empty for the word tokenizer.
// A missing file is a one-line error that names it.
std::vector<std::string> load_spm_models(const DataConfig& config, const std::string& dir);
// Tokenizers for a directory that holds spm_model_files() (a run directory).
Tokenizers load_tokenizers(const DataConfig& config, const std::string& dir);
// The SentencePiece models a new run starts from: read from data.spm_dir when it is set, else
// trained on these training lines (train_spm). Empty for the word tokenizer.
std::vector<std::string> spm_models_for_training(const DataConfig& config, const std::vector<std::string>& src_lines,
                                                 const std::vector<std::string>& tgt_lines);

// Python's `ch.isalnum() or ch == "_"` (Unicode 14). Exact for U+0000-U+06FF (Latin, IPA,
// Greek, Cyrillic, Armenian, Hebrew, Arabic), U+1E00-U+1FFF (Latin Extended Additional, Greek
// Extended), kana, CJK unified ideographs (U+3400-U+4DBF, U+4E00-U+9FFF), Hangul syllables
// and fullwidth Latin letters and digits; every other code point counts as a non-word character.
bool is_word_char(char32_t cp);
// The word tokenizer, with config.lowercase (config.tokenizer must be "word").
std::unique_ptr<Tokenizer> make_tokenizer(const DataConfig& config);

}  // namespace seq2seq::data
