// Atomic file writes, checked output and small read helpers.
#include "seq2seq/util/io.h"

#include "seq2seq/util/errors.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fcntl.h>
#include <unistd.h>

namespace seq2seq {
namespace fs = std::filesystem;

namespace {

// One line for a file that could not be written, with the reason the system gave.
std::runtime_error cannot_write(const std::string& path, int error_number) {
  return std::runtime_error(path + ": cannot write (" + std::strerror(error_number != 0 ? error_number : EIO) +
                            "; disk full or no permission?)");
}

// Writes, flushes and checks; errno still holds the reason when the stream has just failed (an
// ofstream makes no other call after the failed one).
void write_checked(const std::string& file, const std::string& path, const std::string& content,
                   std::ios::openmode mode) {
  errno = 0;
  std::ofstream out(file, mode);
  out << content;
  out.flush();
  if (!out) throw cannot_write(path, errno);
}

// fsync so that the rename never exposes a file whose data is still only in the page cache. Some
// filesystems report a full disk only here (delayed allocation, NFS, quotas).
void sync_file(const std::string& file, const std::string& path) {
  int fd = ::open(file.c_str(), O_RDONLY);
  if (fd < 0) return;
  const int failed = ::fsync(fd) != 0 ? errno : 0;
  ::close(fd);
  if (failed == ENOSPC || failed == EDQUOT || failed == EIO) throw cannot_write(path, failed);
}

}  // namespace

void write_atomic_with(const std::string& path, const std::function<void(const std::string&)>& write) {
  fs::path target(path);
  if (target.has_parent_path()) create_directories(target.parent_path().string());
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  try {
    write(tmp);
    sync_file(tmp, path);
    fs::rename(tmp, target);
  } catch (...) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw;
  }
}

void write_file_atomic(const std::string& path, const std::string& content) {
  std::error_code error;
  const fs::file_status status = fs::symlink_status(path, error);
  if (fs::exists(status) && !fs::is_regular_file(status)) {
    if (fs::is_directory(fs::status(path, error))) throw cannot_write(path, EISDIR);
    write_checked(path, path, content, std::ios::binary);
    return;
  }
  write_atomic_with(path, [&](const std::string& tmp) { write_checked(tmp, path, content, std::ios::binary); });
}

void append_line(const std::string& path, const std::string& line) {
  write_checked(path, path, line + '\n', std::ios::app);
}

void check_output(std::ostream& out, const std::string& output) {
  errno = 0;
  out.flush();
  if (out) return;
  int error = errno;
  if (const auto* recorder = dynamic_cast<const WriteErrorRecorder*>(out.rdbuf()); recorder && recorder->error())
    error = recorder->error();
  throw OutputError(output, error != 0 ? error : EIO);
}

WriteErrorRecorder::WriteErrorRecorder(std::ostream& stream) : stream_(stream), target_(stream.rdbuf()) {
  stream_.rdbuf(this);
}

WriteErrorRecorder::~WriteErrorRecorder() { stream_.rdbuf(target_); }

void WriteErrorRecorder::record() {
  if (error_ == 0) error_ = errno != 0 ? errno : EIO;
}

WriteErrorRecorder::int_type WriteErrorRecorder::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  errno = 0;
  const int_type written = target_->sputc(traits_type::to_char_type(c));
  if (traits_type::eq_int_type(written, traits_type::eof())) record();
  return written;
}

std::streamsize WriteErrorRecorder::xsputn(const char* text, std::streamsize count) {
  errno = 0;
  const std::streamsize written = target_->sputn(text, count);
  if (written < count) record();
  return written;
}

int WriteErrorRecorder::sync() {
  errno = 0;
  const int result = target_->pubsync();
  if (result != 0) record();
  return result;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open file (check the path)");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

bool file_exists(const std::string& path) { return fs::exists(path); }

void create_directories(const std::string& path) {
  std::error_code error;
  fs::create_directories(path, error);
  if (error) throw std::runtime_error(path + ": cannot create the directory (" + error.message() + ")");
}

}  // namespace seq2seq
