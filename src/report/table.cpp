// Table rendering: aligned text (plain or box-drawing), GitHub markdown and RFC 4180 CSV.
#include "seq2seq/report/table.h"

#include "seq2seq/util/utf8.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace seq2seq::report {

namespace {

std::string pad(const std::string& text, std::size_t width, Align align) {
  std::size_t have = display_width(text);
  std::size_t missing = width > have ? width - have : 0;
  switch (align) {
    case Align::Right:
      return std::string(missing, ' ') + text;
    case Align::Center:
      return std::string(missing / 2, ' ') + text + std::string(missing - missing / 2, ' ');
    case Align::Left:
      break;
  }
  return text + std::string(missing, ' ');
}

std::string repeat(const std::string& piece, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += piece;
  return out;
}

// Markdown cells live on one line and must not close the cell early.
std::string markdown_cell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n' || c == '\r')
      out += ' ';
    else
      out += c;
  }
  return out;
}

}  // namespace

Table::Table(std::vector<std::string> header, std::vector<Align> align)
    : header_(std::move(header)), align_(std::move(align)) {
  align_.resize(header_.size(), Align::Left);
}

void Table::add_row(std::vector<std::string> row) {
  if (row.size() != header_.size())
    throw std::invalid_argument("table row has " + std::to_string(row.size()) + " cells, the header has " +
                                std::to_string(header_.size()));
  rows_.push_back(std::move(row));
}

void Table::add_separator() { separators_.push_back(rows_.size()); }

std::string Table::to_text(TableStyle style) const {
  std::vector<std::size_t> width(header_.size());
  for (std::size_t c = 0; c < header_.size(); ++c) {
    width[c] = display_width(header_[c]);
    for (const auto& row : rows_) width[c] = std::max(width[c], display_width(row[c]));
  }
  const bool box = style == TableStyle::Box;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out = box ? "│ " : "";
    for (std::size_t c = 0; c < cells.size(); ++c) {
      if (c) out += box ? " │ " : "  ";
      // Header cells follow their column's alignment so that titles sit over their numbers.
      out += pad(cells[c], width[c], align_[c]);
    }
    if (!box) {
      while (!out.empty() && out.back() == ' ') out.pop_back();
      return out + "\n";
    }
    return out + " │\n";
  };
  auto rule = [&](const char* left, const char* mid, const char* right) {
    if (!box) {
      std::string out;
      for (std::size_t c = 0; c < width.size(); ++c) out += (c ? "  " : "") + std::string(width[c], '-');
      return out + "\n";
    }
    std::string out = left;
    for (std::size_t c = 0; c < width.size(); ++c) out += (c ? mid : "") + repeat("─", width[c] + 2);
    return out + right + "\n";
  };

  std::string out;
  if (box) out += rule("┌", "┬", "┐");
  out += line(header_);
  out += rule("├", "┼", "┤");
  for (std::size_t r = 0; r < rows_.size(); ++r) {
    if (r > 0 && std::find(separators_.begin(), separators_.end(), r) != separators_.end()) out += rule("├", "┼", "┤");
    out += line(rows_[r]);
  }
  if (box) out += rule("└", "┴", "┘");
  return out;
}

std::string Table::to_markdown() const {
  auto line = [](const std::vector<std::string>& cells) {
    std::string out = "|";
    for (const auto& cell : cells) out += " " + markdown_cell(cell) + " |";
    return out + "\n";
  };
  std::string out = line(header_);
  out += "|";
  for (Align a : align_) {
    switch (a) {
      case Align::Left:
        out += " --- |";
        break;
      case Align::Right:
        out += " ---: |";
        break;
      case Align::Center:
        out += " :---: |";
        break;
    }
  }
  out += "\n";
  for (const auto& row : rows_) out += line(row);
  return out;
}

std::string csv_field(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string Table::to_csv() const {
  auto line = [](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t c = 0; c < cells.size(); ++c) out += (c ? "," : "") + csv_field(cells[c]);
    return out + "\r\n";
  };
  std::string out = line(header_);
  for (const auto& row : rows_) out += line(row);
  return out;
}

std::string format_number(double value, int digits, const std::string& missing) {
  if (!std::isfinite(value)) return missing;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

}  // namespace seq2seq::report
