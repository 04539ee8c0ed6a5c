// User text at the door: input paths that must be files, a byte-order mark, control characters,
// and input quoted back into messages, handled alike by every reader (corpora, score, eval, translate).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace seq2seq {

// `text` without a UTF-8 byte-order mark at its start (Windows editors write one; it is not text).
std::string_view strip_bom(std::string_view text);

// Why `path` cannot be read as an input file ("no such file", "is a directory, not a file",
// "cannot read (Permission denied)"), or "" when it can.
std::string input_file_problem(const std::string& path);
// Throws UsageError "OPTION PATH: PROBLEM" (exit 2) when `path`, given as `option` ("--ref"),
// cannot be read as a file.
void require_input_file(const std::string& path, const std::string& option);

// Byte offset of the first C0 control character (U+0000..U+001F) other than TAB in `line`, or
// std::string_view::npos. Readers remove the newline and a '\r' before it first; any other control
// character (NUL, a lone CR, ESC, form feed) would become part of a token.
std::size_t find_control_char(std::string_view line);
// Throws std::runtime_error "PATH:LINE: control character U+0000 (NUL) at byte N of the line; ..."
// when `line` holds one.
void require_no_control_chars(std::string_view line, const std::string& path, std::size_t line_number);
// require_valid_utf8 and require_no_control_chars: the check of every line of a text file.
void require_text_line(std::string_view line, const std::string& path, std::size_t line_number);

// The lines of a text file's content: a byte-order mark at the start removed, split on '\n' (the
// empty piece after a final newline dropped), one '\r' before each '\n' removed, each line checked
// with require_text_line (naming `path` and the line).
std::vector<std::string> split_text_lines(std::string_view content, const std::string& path);

// Input quoted into a message (a word, a key, a value), cut to `max_chars` code points with
// "... (N more bytes)" after, control characters and ill-formed bytes as \xNN: a one-megabyte
// word or a stray escape sequence stays a short, printable log line.
std::string quote_input(std::string_view text, std::size_t max_chars = 60);

}  // namespace seq2seq
