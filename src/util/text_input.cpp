// One policy for user text at the door: what every reader strips, refuses and quotes back.
#include "seq2seq/util/text_input.h"

#include "seq2seq/util/errors.h"
#include "seq2seq/util/utf8.h"

#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include <unistd.h>

namespace seq2seq {

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// The ASCII names of the C0 control characters, as `man ascii` lists them.
constexpr const char* kControlNames[32] = {"NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS",  "HT",  "LF",
                                           "VT",  "FF",  "CR",  "SO",  "SI",  "DLE", "DC1", "DC2", "DC3", "DC4", "NAK",
                                           "SYN", "ETB", "CAN", "EM",  "SUB", "ESC", "FS",  "GS",  "RS",  "US"};

bool is_control(char32_t c) { return c < 0x20 || c == 0x7F; }

std::string hex_byte(unsigned value) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "\\x%02X", value & 0xFF);
  return buffer;
}

}  // namespace

std::string_view strip_bom(std::string_view text) {
  return text.substr(0, kBom.size()) == kBom ? text.substr(kBom.size()) : text;
}

std::string input_file_problem(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status)) return "no such file";
  if (fs::is_directory(status)) return "is a directory, not a file";
  // Pipes and devices pass (`score --hyp <(...)`, /dev/stdin): only directories read as empty.
  if (::access(path.c_str(), R_OK) != 0) return "cannot read (no permission)";
  return "";
}

void require_input_file(const std::string& path, const std::string& option) {
  const std::string problem = input_file_problem(path);
  if (!problem.empty()) throw UsageError(option + " " + path + ": " + problem);
}

std::size_t find_control_char(std::string_view line) {
  for (std::size_t i = 0; i < line.size(); ++i) {
    const auto byte = static_cast<unsigned char>(line[i]);
    if (byte < 0x20 && byte != '\t') return i;
  }
  return std::string_view::npos;
}

void require_no_control_chars(std::string_view line, const std::string& path, std::size_t line_number) {
  const std::size_t at = find_control_char(line);
  if (at == std::string_view::npos) return;
  const auto byte = static_cast<unsigned char>(line[at]);
  char code[8];
  std::snprintf(code, sizeof code, "U+%04X", byte);
  const std::string hint = byte == '\r' ? "a CR not before a newline (old Mac line ends?): tr '\\r' '\\n' converts them"
                                        : "remove it (cat -A shows it)";
  throw std::runtime_error(path + ":" + std::to_string(line_number) + ": control character " + code + " (" +
                           kControlNames[byte] + ") at byte " + std::to_string(at + 1) + " of the line; " + hint);
}

void require_text_line(std::string_view line, const std::string& path, std::size_t line_number) {
  require_valid_utf8(line, path, line_number);
  require_no_control_chars(line, path, line_number);
}

std::vector<std::string> split_text_lines(std::string_view content, const std::string& path) {
  content = strip_bom(content);
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < content.size()) {
    std::size_t end = content.find('\n', start);
    if (end == std::string_view::npos) end = content.size();
    std::size_t stop = end;
    if (stop > start && content[stop - 1] == '\r') --stop;
    const std::string_view line = content.substr(start, stop - start);
    require_text_line(line, path, lines.size() + 1);
    lines.emplace_back(line);
    start = end + 1;
  }
  return lines;
}

std::string quote_input(std::string_view text, std::size_t max_chars) {
  std::string out;
  std::size_t pos = 0;
  for (std::size_t chars = 0; pos < text.size() && chars < max_chars; ++chars) {
    const std::size_t start = pos;
    const char32_t c = next_code_point(text, pos);
    if (is_control(c))
      out += hex_byte(c);
    else if (is_escaped_byte(c))
      out += hex_byte(static_cast<unsigned char>(text[start]));
    else
      out.append(text.substr(start, pos - start));
  }
  if (pos < text.size()) out += "... (" + std::to_string(text.size() - pos) + " more bytes)";
  return out;
}

}  // namespace seq2seq
