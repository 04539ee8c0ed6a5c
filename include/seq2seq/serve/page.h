// The classroom page `seq2seq serve` answers at "/": src/serve/page.html, compiled into the binary.
#pragma once
#include <string_view>

namespace seq2seq::serve {

// The whole page (HTML with its CSS and script inline; it loads nothing from another origin).
std::string_view classroom_page();

}  // namespace seq2seq::serve
