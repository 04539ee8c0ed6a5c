// Attention heatmaps: shade characters (or ANSI colours) for the terminal, and SVG with word labels.
#include "seq2seq/report/heatmap.h"

#include "seq2seq/report/svg.h"
#include "seq2seq/util/utf8.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace seq2seq::report {

namespace {

constexpr std::size_t kMaxSourceLabel = 10;
constexpr std::size_t kMaxTargetLabel = 20;

void check_shape(const std::vector<std::string>& src_words, const std::vector<std::string>& tgt_words,
                 const std::vector<std::vector<float>>& weights) {
  if (weights.size() != tgt_words.size())
    throw std::invalid_argument("attention matrix has " + std::to_string(weights.size()) + " rows for " +
                                std::to_string(tgt_words.size()) + " target words");
  for (std::size_t t = 0; t < weights.size(); ++t)
    if (weights[t].size() != src_words.size())
      throw std::invalid_argument("attention row " + std::to_string(t) + " has " + std::to_string(weights[t].size()) +
                                  " columns for " + std::to_string(src_words.size()) + " source words");
}

double clean(float w) { return std::isfinite(w) && w > 0 ? static_cast<double>(w) : 0.0; }

double max_weight(const std::vector<std::vector<float>>& weights) {
  double best = 0.0;
  for (const auto& row : weights)
    for (float w : row) best = std::max(best, clean(w));
  return best;
}

// Weight relative to the largest one, in [0, 1].
double relative(float w, double max) { return max > 0 ? std::min(1.0, clean(w) / max) : 0.0; }

// At most `limit` code points; a cut word ends in "…".
std::vector<std::string> label_chars(const std::string& word, std::size_t limit) {
  std::vector<std::string> chars = utf8_chars(word);
  if (chars.size() > limit) {
    chars.resize(limit);
    chars.back() = "…";
  }
  return chars;
}

std::string join(const std::vector<std::string>& pieces) {
  std::string out;
  for (const auto& p : pieces) out += p;
  return out;
}

std::string format_weight(double w) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", w);
  return buffer;
}

// White to dark blue through ColorBrewer's "Blues".
std::string blues(double v) {
  static const std::array<std::array<int, 3>, 9> kStops = {{{247, 251, 255},
                                                            {222, 235, 247},
                                                            {198, 219, 239},
                                                            {158, 202, 225},
                                                            {107, 174, 214},
                                                            {66, 146, 198},
                                                            {33, 113, 181},
                                                            {8, 81, 156},
                                                            {8, 48, 107}}};
  v = std::clamp(v, 0.0, 1.0) * (kStops.size() - 1);
  std::size_t i = std::min(static_cast<std::size_t>(v), kStops.size() - 2);
  double f = v - i;
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "#%02x%02x%02x",
                static_cast<int>(std::lround(kStops[i][0] + f * (kStops[i + 1][0] - kStops[i][0]))),
                static_cast<int>(std::lround(kStops[i][1] + f * (kStops[i + 1][1] - kStops[i][1]))),
                static_cast<int>(std::lround(kStops[i][2] + f * (kStops[i + 1][2] - kStops[i][2]))));
  return buffer;
}

std::string num(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", value);
  return buffer;
}

}  // namespace

std::string render_attention_text(const std::vector<std::string>& src_words, const std::vector<std::string>& tgt_words,
                                  const std::vector<std::vector<float>>& weights, bool colour) {
  check_shape(src_words, tgt_words, weights);
  static const std::array<const char*, 5> kShades = {" ", "░", "▒", "▓", "█"};
  const double max = max_weight(weights);

  std::vector<std::string> row_labels;
  std::size_t label_width = 0;
  for (const auto& word : tgt_words) {
    row_labels.push_back(join(label_chars(word, kMaxTargetLabel)));
    label_width = std::max(label_width, display_width(row_labels.back()));
  }
  const std::string indent(label_width + 1, ' ');

  std::string out;
  // Source words written downwards, each ending right above its two-character column.
  std::vector<std::vector<std::string>> columns;
  std::size_t depth = 0;
  for (const auto& word : src_words) {
    columns.push_back(label_chars(word, kMaxSourceLabel));
    depth = std::max(depth, columns.back().size());
  }
  for (std::size_t line = 0; line < depth; ++line) {
    std::string text = indent;
    for (const auto& chars : columns) {
      std::size_t offset = depth - chars.size();
      text += line >= offset ? chars[line - offset] + " " : "  ";
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + "\n";
  }
  // One line per target word.
  for (std::size_t t = 0; t < tgt_words.size(); ++t) {
    std::string text = row_labels[t] + std::string(label_width - display_width(row_labels[t]) + 1, ' ');
    for (float w : weights[t]) {
      double v = relative(w, max);
      if (colour) {
        text += "\x1b[48;5;" + std::to_string(232 + std::lround(v * 23)) + "m  \x1b[0m";
      } else {
        const char* shade = kShades[std::clamp<long>(std::lround(v * 4), 0, 4)];
        text += std::string(shade) + shade;
      }
    }
    out += text + "\n";
  }
  // The scale.
  std::string scale = colour ? "" : "\" ░▒▓█\"";
  if (colour)
    for (int step = 0; step <= 4; ++step) scale += "\x1b[48;5;" + std::to_string(232 + step * 23 / 4) + "m  \x1b[0m";
  out += "scale " + scale + " = 0 .. " + format_weight(max) + " (the largest weight)\n";
  return out;
}

std::string render_attention_svg(const std::vector<std::string>& src_words, const std::vector<std::string>& tgt_words,
                                 const std::vector<std::vector<float>>& weights, const std::string& title) {
  check_shape(src_words, tgt_words, weights);
  const double max = max_weight(weights);
  const double cell = std::clamp(640.0 / std::max<std::size_t>(src_words.size(), 1), 14.0, 30.0);
  const double char_w = 7.2;  // about one character at 12 px

  std::size_t longest_src = 1, longest_tgt = 1;
  for (const auto& w : src_words) longest_src = std::max(longest_src, std::min(display_width(w), kMaxTargetLabel));
  for (const auto& w : tgt_words) longest_tgt = std::max(longest_tgt, std::min(display_width(w), kMaxTargetLabel));

  const double left = 16 + char_w * longest_tgt;
  const double top = 44 + char_w * longest_src;
  const double grid_w = cell * src_words.size(), grid_h = cell * tgt_words.size();
  const double bar_x = left + grid_w + 24, bar_h = std::max(grid_h, 120.0);
  const double width = bar_x + 70, height = top + std::max(grid_h, bar_h) + 24;

  std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(width) + "\" height=\"" + num(height) +
         "\" viewBox=\"0 0 " + num(width) + " " + num(height) + "\" font-family=\"Helvetica, Arial, sans-serif\">\n";
  svg += "<title>" + xml_escape(title) + "</title>\n";
  svg += "<rect x=\"0\" y=\"0\" width=\"" + num(width) + "\" height=\"" + num(height) + "\" fill=\"white\"/>\n";
  svg += "<text x=\"12\" y=\"22\" font-size=\"15\" font-weight=\"bold\">" + xml_escape(title) + "</text>\n";

  svg += "<defs><linearGradient id=\"scale\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">";
  for (int stop = 0; stop <= 8; ++stop)
    svg += "<stop offset=\"" + num(stop * 12.5) + "%\" stop-color=\"" + blues(stop / 8.0) + "\"/>";
  svg += "</linearGradient></defs>\n";

  auto cut = [](const std::string& word) { return join(label_chars(word, kMaxTargetLabel)); };
  svg += "<g font-size=\"12\" fill=\"#222\">\n";
  for (std::size_t s = 0; s < src_words.size(); ++s) {
    double x = left + cell * (s + 0.5) + 4, y = top - 6;
    svg += "<text transform=\"translate(" + num(x) + "," + num(y) + ") rotate(-90)\">" + xml_escape(cut(src_words[s])) +
           "<title>" + xml_escape(src_words[s]) + "</title></text>\n";
  }
  for (std::size_t t = 0; t < tgt_words.size(); ++t)
    svg += "<text x=\"" + num(left - 6) + "\" y=\"" + num(top + cell * (t + 0.5) + 4) + "\" text-anchor=\"end\">" +
           xml_escape(cut(tgt_words[t])) + "<title>" + xml_escape(tgt_words[t]) + "</title></text>\n";
  svg += "</g>\n<g stroke=\"white\" stroke-width=\"0.5\">\n";
  for (std::size_t t = 0; t < tgt_words.size(); ++t)
    for (std::size_t s = 0; s < src_words.size(); ++s) {
      double w = clean(weights[t][s]);
      svg += "<rect x=\"" + num(left + cell * s) + "\" y=\"" + num(top + cell * t) + "\" width=\"" + num(cell) +
             "\" height=\"" + num(cell) + "\" fill=\"" + blues(relative(weights[t][s], max)) + "\"><title>" +
             xml_escape(tgt_words[t] + " \u2190 " + src_words[s] + ": " + format_weight(w)) + "</title></rect>\n";
    }
  svg += "</g>\n";
  // Colour scale: 0 at the bottom, the largest weight at the top.
  svg += "<rect x=\"" + num(bar_x) + "\" y=\"" + num(top) + "\" width=\"14\" height=\"" + num(bar_h) +
         "\" fill=\"url(#scale)\" stroke=\"#999\" stroke-width=\"0.5\"/>\n";
  svg += "<g font-size=\"11\" fill=\"#222\">\n";
  for (int i = 0; i <= 2; ++i) {
    double v = max * i / 2.0, y = top + bar_h * (1 - i / 2.0);
    svg += "<text x=\"" + num(bar_x + 19) + "\" y=\"" + num(y + 4) + "\">" + format_weight(v) + "</text>\n";
  }
  svg += "</g>\n</svg>\n";
  return svg;
}

}  // namespace seq2seq::report
