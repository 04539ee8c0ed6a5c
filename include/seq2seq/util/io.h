// Small file helpers: atomic writes (temporary file, then rename) and whole-file reads.
#pragma once
#include <functional>
#include <string>

namespace seq2seq {

// Writes `content` to `path` atomically: a crash leaves either the old file or the new one.
void write_file_atomic(const std::string& path, const std::string& content);
// Calls `write(tmp_path)` and then renames tmp_path over `path`; the temporary file is removed
// when `write` throws.
void write_atomic_with(const std::string& path, const std::function<void(const std::string&)>& write);
// Appends one line (a newline is added) and flushes it to disk.
void append_line(const std::string& path, const std::string& line);
std::string read_file(const std::string& path);
bool file_exists(const std::string& path);
void create_directories(const std::string& path);

}  // namespace seq2seq
