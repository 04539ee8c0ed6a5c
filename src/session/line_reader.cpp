// Line input for the translate session. The only file that includes libedit (SEQ2SEQ_HAVE_LIBEDIT,
// set by CMake for this file alone).
#include "seq2seq/session/line_reader.h"

#include "seq2seq/util/utf8.h"

#include <spdlog/spdlog.h>

#include <clocale>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <system_error>

#ifdef SEQ2SEQ_HAVE_LIBEDIT
#include <editline/readline.h>
#endif

namespace seq2seq::session {

bool have_line_editing() {
#ifdef SEQ2SEQ_HAVE_LIBEDIT
  return true;
#else
  return false;
#endif
}

std::string history_file() {
  const char* state = std::getenv("XDG_STATE_HOME");
  if (state && state[0] == '/') return std::string(state) + "/seq2seq/history";
  const char* home = std::getenv("HOME");
  if (home && home[0] != '\0') return std::string(home) + "/.seq2seq_history";
  return "";
}

namespace {

// std::getline: pipes, files, and terminals without libedit.
class GetlineReader : public LineReader {
 public:
  GetlineReader(std::istream& in, std::ostream& out, bool terminal) : in_(in), out_(out), terminal_(terminal) {}
  bool read_line(const std::string& prompt, std::string& line) override {
    if (terminal_) out_ << prompt << std::flush;
    if (!std::getline(in_, line)) return false;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return true;
  }
  std::string description() const override {
    return have_line_editing() ? "plain input" : "plain input: built without libedit, so no line editing or history";
  }

 private:
  std::istream& in_;
  std::ostream& out_;
  bool terminal_;
};

#ifdef SEQ2SEQ_HAVE_LIBEDIT
// libedit's readline interface: emacs keys (arrows, Ctrl-A/E, Ctrl-R search), history file.
class EditlineReader : public LineReader {
 public:
  explicit EditlineReader(std::string history) : history_(std::move(history)) {
    // libedit decodes multibyte input by LC_CTYPE; without a UTF-8 locale it would show German
    // umlauts as octal escapes. Only the character type is changed, never LC_NUMERIC.
    const char* ctype = std::setlocale(LC_CTYPE, "");
    if (!ctype || (!std::strstr(ctype, "UTF-8") && !std::strstr(ctype, "utf8"))) std::setlocale(LC_CTYPE, "C.UTF-8");
    rl_readline_name = const_cast<char*>("seq2seq");
    using_history();
    stifle_history(1000);
    if (!history_.empty()) read_history(history_.c_str());  // a missing file is a first session
  }
  ~EditlineReader() override { clear_history(); }

  bool read_line(const std::string& prompt, std::string& line) override {
    char* raw = readline(prompt.c_str());
    if (!raw) return false;
    line = raw;
    std::free(raw);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!split_whitespace(line).empty() && line != last_) {
      add_history(line.c_str());
      last_ = line;
      save();
    }
    return true;
  }

  std::string description() const override {
    return "line editing and history (libedit), history in " + (history_.empty() ? "memory only" : history_);
  }

 private:
  // After every line, so that a killed session keeps its history.
  void save() {
    if (history_.empty() || save_failed_) return;
    std::error_code error;
    std::filesystem::create_directories(std::filesystem::path(history_).parent_path(), error);
    if (error || write_history(history_.c_str()) != 0) {
      spdlog::warn("cannot write the history file {}; history is kept for this session only", history_);
      save_failed_ = true;
    }
  }

  std::string history_;
  std::string last_;
  bool save_failed_ = false;
};
#endif

}  // namespace

std::unique_ptr<LineReader> make_line_reader(std::istream& in, std::ostream& out, bool terminal) {
#ifdef SEQ2SEQ_HAVE_LIBEDIT
  if (terminal && &in == &std::cin) return std::make_unique<EditlineReader>(history_file());
#endif
  return std::make_unique<GetlineReader>(in, out, terminal);
}

}  // namespace seq2seq::session
