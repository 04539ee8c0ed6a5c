// Tables of strings rendered as aligned text, GitHub markdown or CSV (JSON is the caller's).
#pragma once
#include <string>
#include <vector>

namespace seq2seq::report {

enum class Align { Left, Right, Center };

enum class TableStyle {
  Plain,  // columns separated by two spaces, a dashed rule under the header
  Box,    // unicode box-drawing frame
};

class Table {
 public:
  // `align` may be shorter than `header`: missing columns are left-aligned.
  explicit Table(std::vector<std::string> header, std::vector<Align> align = {});

  // Throws std::invalid_argument when the row does not have one cell per column.
  void add_row(std::vector<std::string> row);
  // A horizontal rule before the next row (text styles only; markdown and CSV ignore it).
  void add_separator();

  std::size_t columns() const { return header_.size(); }
  std::size_t rows() const { return rows_.size(); }
  const std::vector<std::string>& header() const { return header_; }
  const std::vector<std::vector<std::string>>& data() const { return rows_; }

  // Columns padded to their widest cell (counted in code points), each line ends in "\n".
  std::string to_text(TableStyle style = TableStyle::Plain) const;
  // GitHub-flavoured markdown; '|' in cells is escaped, newlines become spaces.
  std::string to_markdown() const;
  // RFC 4180: CRLF line ends; a field with a comma, quote, CR or LF is quoted, quotes doubled.
  std::string to_csv() const;

 private:
  std::vector<std::string> header_;
  std::vector<Align> align_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<std::size_t> separators_;  // row indices a rule goes before
};

// `value` with `digits` decimals; NaN (and infinities) as `missing`.
std::string format_number(double value, int digits = 2, const std::string& missing = "-");

// One CSV field, quoted when RFC 4180 requires it.
std::string csv_field(const std::string& field);

}  // namespace seq2seq::report
