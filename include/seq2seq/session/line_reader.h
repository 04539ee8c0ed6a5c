// Where the translate session gets its lines: libedit on a terminal (editing, history), plain
// std::getline otherwise. The session only sees this interface.
#pragma once
#include <iosfwd>
#include <memory>
#include <string>

namespace seq2seq::session {

class LineReader {
 public:
  virtual ~LineReader() = default;
  // Shows `prompt` (on a terminal), reads one line without its line ending; false at the end
  // of input (Ctrl-D).
  virtual bool read_line(const std::string& prompt, std::string& line) = 0;
  // For the session's banner: "line editing and history (libedit), history in PATH", ...
  virtual std::string description() const = 0;
};

// True when this binary was built with libedit (CMake option SEQ2SEQ_LIBEDIT).
bool have_line_editing();

// $XDG_STATE_HOME/seq2seq/history when XDG_STATE_HOME is set (an absolute path), else
// ~/.seq2seq_history; empty when neither gives a place.
std::string history_file();

// With `terminal` (stdin is a terminal and `in` is std::cin) and libedit built in: libedit,
// reading history_file() at start and writing it after every line. Otherwise getline on `in`,
// writing the prompt to `out` only with `terminal`; never touches history.
std::unique_ptr<LineReader> make_line_reader(std::istream& in, std::ostream& out, bool terminal);

}  // namespace seq2seq::session
