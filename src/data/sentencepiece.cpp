// SentencePiece subwords behind the Tokenizer interface: training on a corpus, loading a model,
// pieces in and out. The only file that includes SentencePiece's headers.
#include "seq2seq/data/tokenizer.h"

#include "seq2seq/errors.h"
#include "seq2seq/io.h"
#include "seq2seq/utf8.h"
#include "seq2seq/data/vocab.h"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>
#include <unordered_map>

namespace seq2seq::data {

namespace {

// SentencePiece lives in its own shared object (src/data/spm_module/spm_module.cpp says why),
// opened on first use with its own symbol scope.
struct SpmModule {
  void* (*load)(const char*, size_t, char**) = nullptr;
  void (*free_processor)(void*) = nullptr;
  void (*free_string)(char*) = nullptr;
  int (*piece_size)(void*) = nullptr;
  const char* (*id_to_piece)(void*, int) = nullptr;
  size_t (*encode)(void*, const char*, size_t, int**) = nullptr;
  char* (*decode)(void*, const char* const*, size_t) = nullptr;
  char* (*train)(const char* const*, const char* const*, size_t, const char* const*, size_t, size_t*, char**) = nullptr;
};

const SpmModule& spm_module() {
  static SpmModule module;
  static std::string error;
  static std::once_flag once;
  std::call_once(once, [] {
    const char* override_path = std::getenv("SEQ2SEQ_SPM_MODULE");
    const std::string path = override_path && *override_path ? override_path : SEQ2SEQ_SPM_MODULE_PATH;
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (!handle) {
      const char* why = ::dlerror();
      error = path + ": cannot load the SentencePiece module (" + (why ? why : "?") +
              "); rebuild (scripts/setup.sh), or point SEQ2SEQ_SPM_MODULE at libseq2seq_spm.so";
      return;
    }
    auto symbol = [&](const char* name) {
      void* address = ::dlsym(handle, name);
      if (!address && error.empty()) error = path + ": the SentencePiece module lacks " + name + "; rebuild it";
      return address;
    };
    module.load = reinterpret_cast<decltype(module.load)>(symbol("s2s_spm_load"));
    module.free_processor = reinterpret_cast<decltype(module.free_processor)>(symbol("s2s_spm_free"));
    module.free_string = reinterpret_cast<decltype(module.free_string)>(symbol("s2s_spm_free_string"));
    module.piece_size = reinterpret_cast<decltype(module.piece_size)>(symbol("s2s_spm_piece_size"));
    module.id_to_piece = reinterpret_cast<decltype(module.id_to_piece)>(symbol("s2s_spm_id_to_piece"));
    module.encode = reinterpret_cast<decltype(module.encode)>(symbol("s2s_spm_encode"));
    module.decode = reinterpret_cast<decltype(module.decode)>(symbol("s2s_spm_decode"));
    module.train = reinterpret_cast<decltype(module.train)>(symbol("s2s_spm_train"));
  });
  if (!error.empty()) throw std::runtime_error(error);
  return module;
}

// Takes a malloc'ed string from the module.
std::string take(char* s) {
  std::string out = s ? std::string(s) : std::string();
  if (s) spm_module().free_string(s);
  return out;
}

}  // namespace

struct SentencePieceTokenizer::Impl {
  void* processor = nullptr;
  ~Impl() {
    if (processor) spm_module().free_processor(processor);
  }
  int size() const { return spm_module().piece_size(processor); }
  std::string piece(int id) const { return spm_module().id_to_piece(processor, id); }
};

SentencePieceTokenizer::SentencePieceTokenizer(const std::string& model, bool lowercase, const std::string& origin)
    : impl_(std::make_unique<Impl>()), model_(model), lowercase_(lowercase) {
  char* error = nullptr;
  impl_->processor = spm_module().load(model_.data(), model_.size(), &error);
  if (!impl_->processor)
    throw std::runtime_error(origin + ": not a SentencePiece model (" + take(error) +
                             "); train it again with seq2seq data spm or seq2seq train");
  // Our ids are SentencePiece's ids: the four specials must come first, under our names.
  const auto& specials = Vocab::specials();
  for (int id = 0; id < 4; ++id)
    if (impl_->size() <= id || impl_->piece(id) != specials[id])
      throw std::runtime_error(origin + ": a SentencePiece model without " + specials[id] + " as piece " +
                               std::to_string(id) + " (not trained by seq2seq); train it with seq2seq data spm");
}

SentencePieceTokenizer::~SentencePieceTokenizer() = default;

std::vector<std::string> SentencePieceTokenizer::tokenize(std::string_view text) const {
  const std::string input = lowercase_ ? seq2seq::lowercase(text) : std::string(text);
  int* ids = nullptr;
  const size_t n = spm_module().encode(impl_->processor, input.data(), input.size(), &ids);
  std::vector<std::string> pieces;
  pieces.reserve(n);
  for (size_t i = 0; i < n; ++i) pieces.push_back(impl_->piece(ids[i]));  // unknown characters: "<unk>"
  spm_module().free_string(reinterpret_cast<char*>(ids));
  return pieces;
}

std::string SentencePieceTokenizer::detokenize(const std::vector<std::string>& tokens) const {
  std::vector<const char*> pieces;
  pieces.reserve(tokens.size());
  for (const auto& t : tokens) pieces.push_back(t.c_str());
  return take(spm_module().decode(impl_->processor, pieces.data(), pieces.size()));
}

std::string SentencePieceTokenizer::name() const {
  return "sentencepiece " + std::to_string(impl_->size()) + " pieces" + (lowercase_ ? " (lowercased)" : "");
}

std::vector<std::string> SentencePieceTokenizer::fixed_vocabulary() const {
  std::vector<std::string> pieces;
  for (int id = 0; id < impl_->size(); ++id) pieces.push_back(impl_->piece(id));
  return pieces;
}

std::vector<std::string> spm_model_files(const DataConfig& config) {
  if (config.joint_vocab) return {"spm.model"};
  return {"spm.src.model", "spm.tgt.model"};
}

namespace {

std::string train_one(const DataConfig& config, std::vector<const std::vector<std::string>*> parts,
                      const std::string& what) {
  const auto& specials = Vocab::specials();
  const std::vector<std::pair<std::string, std::string>> args = {
      {"model_type", config.spm_type},
      {"vocab_size", std::to_string(config.vocab_size)},
      {"character_coverage", "1.0"},
      {"pad_id", "0"},
      {"unk_id", "1"},
      {"bos_id", "2"},
      {"eos_id", "3"},
      {"pad_piece", specials[0]},
      {"unk_piece", specials[1]},
      {"bos_piece", specials[2]},
      {"eos_piece", specials[3]},
      {"num_threads", "1"},          // deterministic
      {"input_sentence_size", "0"},  // every line, no sampling
      {"shuffle_input_sentence", "false"},
      {"hard_vocab_limit", "false"},  // a small corpus gets fewer pieces instead of an error
      {"minloglevel", "1"},           // SentencePiece's own progress lines stay quiet
  };
  std::vector<const char*> keys, values;
  for (const auto& [k, v] : args) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  // The lines as the tokenizer will see them: lower-cased when data.lowercase, empty ones left out.
  std::vector<std::string> text;
  for (const auto* part : parts)
    for (const auto& line : *part)
      if (!line.empty()) text.push_back(config.lowercase ? seq2seq::lowercase(line) : line);
  std::vector<const char*> lines;
  lines.reserve(text.size());
  for (const auto& line : text) lines.push_back(line.c_str());
  size_t size = 0;
  char* error = nullptr;
  char* model = spm_module().train(keys.data(), values.data(), keys.size(), lines.data(), lines.size(), &size, &error);
  if (!model)
    throw std::runtime_error("SentencePiece training on the " + what + " failed: " + take(error) +
                             " (check data.vocab_size and data.spm_type)");
  std::string bytes(model, size);
  spm_module().free_string(model);
  return bytes;
}

}  // namespace

std::vector<std::string> train_spm(const DataConfig& config, const std::vector<std::string>& src_lines,
                                   const std::vector<std::string>& tgt_lines) {
  if (config.joint_vocab) return {train_one(config, {&src_lines, &tgt_lines}, "training split (both sides)")};
  return {train_one(config, {&src_lines}, "training split's source side"),
          train_one(config, {&tgt_lines}, "training split's target side")};
}

Tokenizers make_tokenizers(const DataConfig& config, const std::vector<std::string>& spm_models) {
  Tokenizers out;
  if (config.tokenizer == "word") {
    out.src = std::shared_ptr<const Tokenizer>(make_tokenizer(config));
    out.tgt = out.src;
    return out;
  }
  const auto names = spm_model_files(config);
  if (spm_models.size() != names.size())
    throw std::logic_error("make_tokenizers: " + std::to_string(names.size()) + " SentencePiece model(s) expected");
  out.src = std::make_shared<SentencePieceTokenizer>(spm_models[0], config.lowercase, names[0]);
  out.tgt = config.joint_vocab ? out.src
                               : std::make_shared<SentencePieceTokenizer>(spm_models[1], config.lowercase, names[1]);
  return out;
}

namespace {
std::vector<std::string> read_models(const DataConfig& config, const std::string& dir, const std::string& hint) {
  std::vector<std::string> models;
  for (const auto& name : spm_model_files(config)) {
    const std::string path = dir + "/" + name;
    if (!file_exists(path))
      throw std::runtime_error(path + ": missing SentencePiece model (data.tokenizer is \"spm\"" +
                               std::string(config.joint_vocab ? ", data.joint_vocab true" : "") + "); " + hint);
    models.push_back(read_file(path));
  }
  return models;
}
}  // namespace

std::vector<std::string> load_spm_models(const DataConfig& config, const std::string& dir) {
  if (config.tokenizer == "word") return {};
  return read_models(config, dir, "train the run again");
}

Tokenizers load_tokenizers(const DataConfig& config, const std::string& dir) {
  return make_tokenizers(config, load_spm_models(config, dir));
}

std::vector<std::string> spm_models_for_training(const DataConfig& config, const std::vector<std::string>& src_lines,
                                                 const std::vector<std::string>& tgt_lines) {
  if (config.tokenizer == "word") return {};
  if (!config.spm_dir.empty())
    return read_models(config, config.spm_dir,
                       "write it with seq2seq data spm --config FILE --out " + config.spm_dir +
                           ", or set data.spm_dir to \"\" to train the models with the run");
  return train_spm(config, src_lines, tgt_lines);
}

}  // namespace seq2seq::data
