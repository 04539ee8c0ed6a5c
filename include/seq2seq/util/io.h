// Small file helpers: atomic writes (temporary file, then rename), whole-file reads, and checked
// output (a failed write to standard output or a file is an error, not lost work).
#pragma once
#include <functional>
#include <ostream>
#include <streambuf>
#include <string>

namespace seq2seq {

// Writes `content` to `path` atomically: a crash leaves either the old file or the new one. A path
// that exists and is no regular file (/dev/stdout, a device, a pipe, a link) is written in place,
// since a rename would replace the link or device itself. Throws naming `path` when a write fails.
void write_file_atomic(const std::string& path, const std::string& content);
// Calls `write(tmp_path)` and then renames tmp_path over `path`; the temporary file is removed
// when `write` throws.
void write_atomic_with(const std::string& path, const std::function<void(const std::string&)>& write);
// Appends one line (a newline is added) and flushes it to disk.
void append_line(const std::string& path, const std::string& line);
std::string read_file(const std::string& path);
bool file_exists(const std::string& path);
void create_directories(const std::string& path);

// Flushes `out` and throws OutputError ("writing OUTPUT: No space left on device") when this or
// any earlier write to it failed. Streaming loops call it after each result, so that a full disk
// stops the work at once; main calls it on standard output before exiting.
void check_output(std::ostream& out, const std::string& output);

// Remembers why a write through `stream` failed. An ostream keeps only a bad bit, and stdio sets
// errno once, at the write that failed; installed on std::cout (main holds one), this forwards
// every write, unbuffered, to the stream's own buffer and keeps the errno of the first failure
// for check_output's message. The stream gets its buffer back when this is destroyed.
class WriteErrorRecorder : public std::streambuf {
 public:
  explicit WriteErrorRecorder(std::ostream& stream);
  ~WriteErrorRecorder() override;
  WriteErrorRecorder(const WriteErrorRecorder&) = delete;
  WriteErrorRecorder& operator=(const WriteErrorRecorder&) = delete;

  int error() const { return error_; }  // errno of the first failed write; 0 while none failed

 private:
  int_type overflow(int_type c) override;
  std::streamsize xsputn(const char* text, std::streamsize count) override;
  int sync() override;
  void record();

  std::ostream& stream_;
  std::streambuf* target_;
  int error_ = 0;
};

}  // namespace seq2seq
