// The C interface of the SentencePiece module, declared once: spm_module.cpp defines these
// functions (a definition that differs from its declaration here does not compile) and
// sentencepiece.cpp, which opens the module with dlopen, takes its function pointer types from
// them (decltype), so the two sides cannot drift apart.
#pragma once

#include <cstddef>

namespace seq2seq::data {
// Raise it with every change below (a signature, an ownership rule, what a function means): the
// loader refuses a module built with another version, such as a stale installed one.
inline constexpr int kSpmAbiVersion = 1;
}  // namespace seq2seq::data

extern "C" {

// The module's kSpmAbiVersion; the loader checks it before anything else.
int s2s_spm_abi_version();

// A processor from a model's bytes, or nullptr with *error set (free it with s2s_spm_free_string).
void* s2s_spm_load(const char* bytes, size_t size, char** error);
void s2s_spm_free(void* processor);
// Frees what the module malloc'ed: strings, model bytes, id arrays.
void s2s_spm_free_string(char* s);

int s2s_spm_piece_size(void* processor);
// The piece of `id`, NUL-terminated, owned by the processor.
const char* s2s_spm_id_to_piece(void* processor, int id);
// Ids of `text`, malloc'ed into *ids (free with s2s_spm_free_string); returns their number.
size_t s2s_spm_encode(void* processor, const char* text, size_t size, int** ids);
// The text of `n` pieces, malloc'ed.
char* s2s_spm_decode(void* processor, const char* const* pieces, size_t n);
// Trains a model on `lines` with the trainer's key=value arguments; returns its bytes (malloc'ed,
// *size set) or nullptr with *error set.
char* s2s_spm_train(const char* const* keys, const char* const* values, size_t nargs, const char* const* lines,
                    size_t nlines, size_t* size, char** error);

}  // extern "C"
