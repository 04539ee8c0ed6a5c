// SentencePiece subwords behind the Tokenizer interface: training on a corpus, loading a model,
// pieces in and out, through the SentencePiece module (spm_module/), which this file finds and opens.
#include "seq2seq/data/tokenizer.h"

#include "seq2seq/data/vocab.h"
#include "seq2seq/util/errors.h"
#include "seq2seq/util/io.h"
#include "seq2seq/util/utf8.h"

#include "spm_module/spm_abi.h"

#include <dlfcn.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <unordered_map>

namespace seq2seq::data {

namespace {

// SentencePiece lives in its own shared object (src/data/spm_module/spm_module.cpp says why),
// opened on first use with its own symbol scope. Its functions are typed by their declarations in
// spm_abi.h, the header the module itself is compiled against.
struct SpmModule {
  decltype(&s2s_spm_load) load = nullptr;
  decltype(&s2s_spm_free) free_processor = nullptr;
  decltype(&s2s_spm_free_string) free_string = nullptr;
  decltype(&s2s_spm_piece_size) piece_size = nullptr;
  decltype(&s2s_spm_id_to_piece) id_to_piece = nullptr;
  decltype(&s2s_spm_encode) encode = nullptr;
  decltype(&s2s_spm_decode) decode = nullptr;
  decltype(&s2s_spm_train) train = nullptr;
};

// Where the module may be, in order: beside the binary as installed (the path from bindir to the
// module's directory, computed by CMake, then the usual ../lib/seq2seq), so that an installed tree
// works wherever it is moved; then where the build tree put it.
std::vector<std::string> spm_module_candidates() {
  const std::filesystem::path build_path = SEQ2SEQ_SPM_MODULE_PATH;
  std::vector<std::string> candidates;
  auto add = [&](const std::filesystem::path& path) {
    const auto normal = path.lexically_normal().string();
    if (std::find(candidates.begin(), candidates.end(), normal) == candidates.end()) candidates.push_back(normal);
  };
  std::error_code ec;
  const auto exe = std::filesystem::canonical("/proc/self/exe", ec);  // symlinks resolved
  if (!ec)
    for (const char* relative : {SEQ2SEQ_SPM_MODULE_RELDIR, "../lib/seq2seq"})
      add(exe.parent_path() / relative / build_path.filename());
  add(build_path);
  return candidates;
}

const SpmModule& spm_module() {
  static SpmModule module;
  static std::string error;
  static std::once_flag once;
  std::call_once(once, [] {
    // SEQ2SEQ_SPM_MODULE, when set, is the only place looked at.
    const char* override_path = std::getenv("SEQ2SEQ_SPM_MODULE");
    const bool overridden = override_path && *override_path;
    const auto candidates = overridden ? std::vector<std::string>{override_path} : spm_module_candidates();
    std::string path;
    for (const auto& candidate : candidates) {
      std::error_code ec;
      if (overridden || std::filesystem::exists(candidate, ec)) {
        path = candidate;  // dlopen says what is wrong with it, if anything
        break;
      }
    }
    if (path.empty()) {
      std::string tried;
      for (const auto& candidate : candidates) tried += (tried.empty() ? "" : ", ") + candidate;
      error = "SentencePiece module not found (looked for " + tried +
              "); reinstall or rebuild seq2seq (scripts/setup.sh), or point SEQ2SEQ_SPM_MODULE at libseq2seq_spm.so";
      return;
    }
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (!handle) {
      const char* why = ::dlerror();
      error = path + ": cannot load the SentencePiece module" + (overridden ? " that SEQ2SEQ_SPM_MODULE names" : "") +
              " (" + (why ? why : "?") +
              "); reinstall or rebuild seq2seq (scripts/setup.sh), or point SEQ2SEQ_SPM_MODULE at libseq2seq_spm.so";
      return;
    }
    // The interface version first: a module built against another spm_abi.h is refused before any
    // of its functions is called with arguments it does not expect.
    const auto abi_version = reinterpret_cast<decltype(&s2s_spm_abi_version)>(::dlsym(handle, "s2s_spm_abi_version"));
    const int version = abi_version ? abi_version() : 0;
    if (version != kSpmAbiVersion) {
      ::dlclose(handle);
      error = path + ": SentencePiece module of interface version " + std::to_string(version) +
              ", this seq2seq needs " + std::to_string(kSpmAbiVersion) +
              "; install the module built with this binary (reinstall or rebuild seq2seq)";
      return;
    }
    auto symbol = [&](const char* name) {
      void* address = ::dlsym(handle, name);
      if (!address && error.empty()) error = path + ": the SentencePiece module lacks " + name + "; rebuild it";
      return address;
    };
    // The name looked up is the name of the declaration that gives the type: the two cannot differ.
#define SEQ2SEQ_SPM_SYMBOL(function) reinterpret_cast<decltype(&function)>(symbol(#function))
    module.load = SEQ2SEQ_SPM_SYMBOL(s2s_spm_load);
    module.free_processor = SEQ2SEQ_SPM_SYMBOL(s2s_spm_free);
    module.free_string = SEQ2SEQ_SPM_SYMBOL(s2s_spm_free_string);
    module.piece_size = SEQ2SEQ_SPM_SYMBOL(s2s_spm_piece_size);
    module.id_to_piece = SEQ2SEQ_SPM_SYMBOL(s2s_spm_id_to_piece);
    module.encode = SEQ2SEQ_SPM_SYMBOL(s2s_spm_encode);
    module.decode = SEQ2SEQ_SPM_SYMBOL(s2s_spm_decode);
    module.train = SEQ2SEQ_SPM_SYMBOL(s2s_spm_train);
#undef SEQ2SEQ_SPM_SYMBOL
    if (error.empty()) spdlog::debug("SentencePiece module: {} (interface version {})", path, version);
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
