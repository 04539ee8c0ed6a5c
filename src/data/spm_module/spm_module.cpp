// The SentencePiece module: a small shared object that alone links libsentencepiece, behind a C
// interface. Why: Debian's libsentencepiece carries its own protobuf (3.14) and exports its
// symbols, while LibTorch loads the system protobuf (3.21). Linked into one binary the two
// interpose each other and the process crashes before main. sentencepiece.cpp opens this module
// with dlopen(RTLD_LOCAL | RTLD_DEEPBIND), so SentencePiece binds to its own protobuf and
// LibTorch never sees it. Only C types cross the boundary, through the functions spm_abi.h
// declares.
#include "spm_abi.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

char* copy_string(const std::string& s, size_t* size = nullptr) {
  char* out = static_cast<char*>(std::malloc(s.size() + 1));
  if (!out) return nullptr;
  std::memcpy(out, s.data(), s.size());
  out[s.size()] = '\0';
  if (size) *size = s.size();
  return out;
}

class Lines : public sentencepiece::SentenceIterator {
 public:
  Lines(const char* const* lines, size_t n) : lines_(lines), n_(n) {}
  bool done() const override { return i_ >= n_; }
  void Next() override {
    ++i_;
    if (i_ < n_) value_ = lines_[i_];
  }
  const std::string& value() const override { return value_; }
  sentencepiece::util::Status status() const override { return {}; }
  void start() {
    if (n_ > 0) value_ = lines_[0];
  }

 private:
  const char* const* lines_;
  size_t n_, i_ = 0;
  std::string value_;
};

}  // namespace

extern "C" {

int s2s_spm_abi_version() { return seq2seq::data::kSpmAbiVersion; }

void* s2s_spm_load(const char* bytes, size_t size, char** error) {
  auto* processor = new sentencepiece::SentencePieceProcessor();
  const auto status = processor->LoadFromSerializedProto(std::string(bytes, size));
  if (!status.ok()) {
    *error = copy_string(status.ToString());
    delete processor;
    return nullptr;
  }
  return processor;
}

void s2s_spm_free(void* processor) { delete static_cast<sentencepiece::SentencePieceProcessor*>(processor); }
void s2s_spm_free_string(char* s) { std::free(s); }

int s2s_spm_piece_size(void* processor) {
  return static_cast<sentencepiece::SentencePieceProcessor*>(processor)->GetPieceSize();
}

const char* s2s_spm_id_to_piece(void* processor, int id) {
  return static_cast<sentencepiece::SentencePieceProcessor*>(processor)->IdToPiece(id).c_str();
}

size_t s2s_spm_encode(void* processor, const char* text, size_t size, int** ids) {
  std::vector<int> out;
  static_cast<sentencepiece::SentencePieceProcessor*>(processor)->Encode(std::string(text, size), &out).IgnoreError();
  *ids = static_cast<int*>(std::malloc(sizeof(int) * (out.empty() ? 1 : out.size())));
  if (!out.empty()) std::memcpy(*ids, out.data(), sizeof(int) * out.size());
  return out.size();
}

char* s2s_spm_decode(void* processor, const char* const* pieces, size_t n) {
  std::vector<std::string> in(pieces, pieces + n);
  std::string text;
  static_cast<sentencepiece::SentencePieceProcessor*>(processor)->Decode(in, &text).IgnoreError();
  return copy_string(text);
}

char* s2s_spm_train(const char* const* keys, const char* const* values, size_t nargs, const char* const* lines,
                    size_t nlines, size_t* size, char** error) {
  std::unordered_map<std::string, std::string> args;
  for (size_t i = 0; i < nargs; ++i) args[keys[i]] = values[i];
  Lines input(lines, nlines);
  input.start();
  std::string model;
  const auto status = sentencepiece::SentencePieceTrainer::Train(args, &input, &model);
  if (!status.ok()) {
    *error = copy_string(status.ToString());
    return nullptr;
  }
  return copy_string(model, size);
}

}  // extern "C"
