// The page's bytes, from the array CMake generates out of src/serve/page.html (embed_bytes.cmake).
#include "seq2seq/serve/page.h"

namespace seq2seq::serve {

namespace {
constexpr unsigned char kPage[] = {
#include "seq2seq/serve/page_bytes.inc"
};
}  // namespace

std::string_view classroom_page() { return {reinterpret_cast<const char*>(kPage), sizeof kPage}; }

}  // namespace seq2seq::serve
