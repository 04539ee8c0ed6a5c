// Atomic file writes and small read helpers.
#include "seq2seq/util/io.h"

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
// fsync so that the rename never exposes a file whose data is still only in the page cache.
void sync_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}
}  // namespace

void write_atomic_with(const std::string& path, const std::function<void(const std::string&)>& write) {
  fs::path target(path);
  if (target.has_parent_path()) fs::create_directories(target.parent_path());
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  try {
    write(tmp);
    sync_file(tmp);
    fs::rename(tmp, target);
  } catch (...) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw;
  }
}

void write_file_atomic(const std::string& path, const std::string& content) {
  write_atomic_with(path, [&](const std::string& tmp) {
    std::ofstream out(tmp, std::ios::binary);
    out << content;
    out.flush();
    if (!out)
      throw std::runtime_error(path + ": cannot write (" + std::strerror(errno) + "; disk full or no permission?)");
  });
}

void append_line(const std::string& path, const std::string& line) {
  std::ofstream out(path, std::ios::app);
  out << line << '\n';
  out.flush();
  if (!out) throw std::runtime_error(path + ": cannot append (disk full or no permission?)");
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open file (check the path)");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

bool file_exists(const std::string& path) { return fs::exists(path); }

void create_directories(const std::string& path) { fs::create_directories(path); }

}  // namespace seq2seq
