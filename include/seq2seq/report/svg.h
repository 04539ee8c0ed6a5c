// Line charts as standalone SVG files: title, labelled axes, nice ticks, several series, a legend.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace seq2seq::report {

// One line of the chart. A NaN in x or y leaves a gap in the line.
struct Series {
  std::string name;
  std::vector<double> x, y;
  std::vector<double> y_err = {};  // optional error bars: y +- y_err[i] (empty: none; NaN: none at i)
};

// An x tick at `value` with its own label (categories such as length bands).
struct Tick {
  double value = 0.0;
  std::string label;
};

struct LineChart {
  std::string title, x_label, y_label;
  std::vector<Series> series;
  // Custom x ticks (categorical axes). Empty: nice numeric ticks over the data.
  std::vector<Tick> x_ticks;
  // Forced axis limits (e.g. y from 0 for BLEU); unset: from the data, widened to nice ticks.
  std::optional<double> x_min, x_max, y_min, y_max;
  int width = 720, height = 440;
};

// A complete SVG document. Throws std::invalid_argument when a series' x and y differ in size,
// or y_err is neither empty nor of y's size.
std::string render_line_chart(const LineChart& chart);

// Charts stacked top to bottom in one SVG document, one panel each (each panel is the chart's own
// <svg>, so its coordinates stay its own). Throws as render_line_chart does.
std::string render_panels(const std::vector<LineChart>& charts);

// About `target` round-numbered ticks (steps of 1, 2, 5 x 10^k) covering [lo, hi].
std::vector<double> nice_ticks(double lo, double hi, int target = 6);

// A tick label with as many decimals as the step needs ("0.5", "20", "1e+06" for large values).
std::string format_tick(double value, double step);

// Escapes & < > " ' and drops the control characters XML 1.0 forbids.
std::string xml_escape(std::string_view text);

// Distinct colours (Okabe-Ito, safe for colour-blind readers); index wraps around.
const char* series_colour(std::size_t index);

}  // namespace seq2seq::report
