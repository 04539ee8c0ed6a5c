// SVG line charts: "BLEU against source length" and "validation loss against time", one line per run.
#include "seq2seq/report/svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace seq2seq::report {

namespace {

std::string num(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", value);
  return buffer;
}

// Extends [lo, hi] to cover `value` (NaN and infinities are skipped).
void cover(double value, double& lo, double& hi) {
  if (!std::isfinite(value)) return;
  lo = std::min(lo, value);
  hi = std::max(hi, value);
}

// An axis: data range widened to nice ticks unless limits are forced.
struct Axis {
  double lo = 0, hi = 1;
  std::vector<double> ticks;
  double step = 1;
};

Axis numeric_axis(double data_lo, double data_hi, std::optional<double> forced_lo, std::optional<double> forced_hi) {
  if (forced_lo) data_lo = std::min(data_lo, *forced_lo);
  if (forced_hi) data_hi = std::max(data_hi, *forced_hi);
  if (!(data_lo <= data_hi)) data_lo = 0, data_hi = 1;  // no data at all
  Axis axis;
  axis.ticks = nice_ticks(data_lo, data_hi);
  axis.step = axis.ticks.size() > 1 ? axis.ticks[1] - axis.ticks[0] : 1.0;
  axis.lo = forced_lo ? *forced_lo : axis.ticks.front();
  axis.hi = forced_hi ? *forced_hi : axis.ticks.back();
  if (!(axis.hi > axis.lo)) axis.hi = axis.lo + 1;
  const double eps = 1e-9 * (axis.hi - axis.lo);
  axis.ticks.erase(std::remove_if(axis.ticks.begin(), axis.ticks.end(),
                                  [&](double t) { return t < axis.lo - eps || t > axis.hi + eps; }),
                   axis.ticks.end());
  return axis;
}

// One marker shape per series (cycled), with a hover title.
std::string marker(std::size_t index, double cx, double cy, const char* colour, const std::string& title) {
  const std::string t = "<title>" + xml_escape(title) + "</title>";
  const std::string fill = std::string(" fill=\"") + colour + "\" stroke=\"white\" stroke-width=\"1\"";
  const double r = 4.5;
  switch (index % 6) {
    case 0:
      return "<circle cx=\"" + num(cx) + "\" cy=\"" + num(cy) + "\" r=\"" + num(r) + "\"" + fill + ">" + t +
             "</circle>";
    case 1:
      return "<rect x=\"" + num(cx - r) + "\" y=\"" + num(cy - r) + "\" width=\"" + num(2 * r) + "\" height=\"" +
             num(2 * r) + "\"" + fill + ">" + t + "</rect>";
    case 2:  // triangle up
      return "<path d=\"M" + num(cx) + "," + num(cy - r - 1) + " L" + num(cx + r + 1) + "," + num(cy + r) + " L" +
             num(cx - r - 1) + "," + num(cy + r) + " Z\"" + fill + ">" + t + "</path>";
    case 3:  // diamond
      return "<path d=\"M" + num(cx) + "," + num(cy - r - 1) + " L" + num(cx + r + 1) + "," + num(cy) + " L" + num(cx) +
             "," + num(cy + r + 1) + " L" + num(cx - r - 1) + "," + num(cy) + " Z\"" + fill + ">" + t + "</path>";
    case 4:  // triangle down
      return "<path d=\"M" + num(cx) + "," + num(cy + r + 1) + " L" + num(cx + r + 1) + "," + num(cy - r) + " L" +
             num(cx - r - 1) + "," + num(cy - r) + " Z\"" + fill + ">" + t + "</path>";
    default:  // cross
      return "<path d=\"M" + num(cx - r) + "," + num(cy - r) + " L" + num(cx + r) + "," + num(cy + r) + " M" +
             num(cx - r) + "," + num(cy + r) + " L" + num(cx + r) + "," + num(cy - r) + "\" stroke=\"" + colour +
             "\" stroke-width=\"2.5\" fill=\"none\">" + t + "</path>";
  }
}

std::string format_value(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", value);
  return buffer;
}

}  // namespace

const char* series_colour(std::size_t index) {
  static const char* const kColours[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"};
  return kColours[index % (sizeof kColours / sizeof kColours[0])];
}

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (u < 0x20 && c != '\t' && c != '\n' && c != '\r') break;  // not allowed in XML 1.0
        out += c;
    }
  }
  return out;
}

std::vector<double> nice_ticks(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) throw std::invalid_argument("nice_ticks: limits must be finite");
  if (lo > hi) std::swap(lo, hi);
  if (hi - lo < 1e-12 * std::max(1.0, std::abs(hi))) {  // a single value: a unit around it
    double half = lo == 0 ? 1.0 : std::abs(lo) * 0.1;
    lo -= half;
    hi += half;
  }
  target = std::max(target, 2);
  double raw = (hi - lo) / target;
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude * 10;
  for (double nice : {1.0, 2.0, 5.0, 10.0})
    if (nice * magnitude >= raw * (1 - 1e-9)) {
      step = nice * magnitude;
      break;
    }
  const long long first = static_cast<long long>(std::floor(lo / step + 1e-9));
  const long long last = static_cast<long long>(std::ceil(hi / step - 1e-9));
  std::vector<double> ticks;
  for (long long k = first; k <= last; ++k) ticks.push_back(k * step);
  return ticks;
}

std::string format_tick(double value, double step) {
  char buffer[32];
  if (std::abs(value) < std::abs(step) * 1e-9) value = 0.0;  // no "-0"
  if (std::abs(value) >= 1e6 || (step > 0 && step < 1e-4)) {
    std::snprintf(buffer, sizeof buffer, "%g", value);
    return buffer;
  }
  int decimals = step > 0 && step < 1 ? static_cast<int>(-std::floor(std::log10(step) + 1e-9)) : 0;
  // Steps like 0.25 need one more decimal than their order of magnitude says.
  if (step > 0 && std::abs(std::round(step * std::pow(10.0, decimals)) - step * std::pow(10.0, decimals)) > 1e-6)
    ++decimals;
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

namespace {

// Throws when a series' x, y and y_err disagree in length.
void check_series_sizes(const LineChart& chart) {
  for (const auto& s : chart.series)
    if (s.x.size() != s.y.size())
      throw std::invalid_argument("series \"" + s.name + "\" has " + std::to_string(s.x.size()) + " x values and " +
                                  std::to_string(s.y.size()) + " y values");
    else if (!s.y_err.empty() && s.y_err.size() != s.y.size())
      throw std::invalid_argument("series \"" + s.name + "\" has " + std::to_string(s.y_err.size()) +
                                  " error bars for " + std::to_string(s.y.size()) + " y values");
}

// The extent of the finite points, error bars included.
struct DataRange {
  double x_lo = std::numeric_limits<double>::infinity(), x_hi = -x_lo, y_lo = x_lo, y_hi = -x_lo;
  bool any_point = false;
};

DataRange data_range(const LineChart& chart) {
  DataRange range;
  for (const auto& s : chart.series)
    for (std::size_t i = 0; i < s.x.size(); ++i)
      if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) {
        cover(s.x[i], range.x_lo, range.x_hi);
        cover(s.y[i], range.y_lo, range.y_hi);
        if (i < s.y_err.size() && std::isfinite(s.y_err[i])) {
          cover(s.y[i] - std::abs(s.y_err[i]), range.y_lo, range.y_hi);
          cover(s.y[i] + std::abs(s.y_err[i]), range.y_lo, range.y_hi);
        }
        range.any_point = true;
      }
  return range;
}

// The x axis: the caller's categories with half a category of room on both sides, or nice numbers.
Axis x_axis_for(const LineChart& chart, double x_lo, double x_hi) {
  if (chart.x_ticks.empty()) return numeric_axis(x_lo, x_hi, chart.x_min, chart.x_max);
  std::vector<double> values;
  for (const auto& t : chart.x_ticks) values.push_back(t.value);
  std::sort(values.begin(), values.end());
  double spacing = std::numeric_limits<double>::infinity();
  for (std::size_t i = 1; i < values.size(); ++i)
    if (values[i] > values[i - 1]) spacing = std::min(spacing, values[i] - values[i - 1]);
  if (!std::isfinite(spacing)) spacing = 1.0;
  cover(values.front(), x_lo, x_hi);
  cover(values.back(), x_lo, x_hi);
  Axis x_axis;
  x_axis.lo = chart.x_min ? *chart.x_min : x_lo - spacing / 2;
  x_axis.hi = chart.x_max ? *chart.x_max : x_hi + spacing / 2;
  return x_axis;
}

// Canvas size, plot area (pixels), legend width and the two axes; maps data to pixels.
struct Frame {
  double W = 0, H = 0, legend_w = 0;
  double left = 72, top = 50, right = 0, bottom = 0;
  Axis x_axis, y_axis;
  double px(double x) const { return left + (x - x_axis.lo) / (x_axis.hi - x_axis.lo) * (right - left); }
  double py(double y) const { return bottom - (y - y_axis.lo) / (y_axis.hi - y_axis.lo) * (bottom - top); }
};

Frame plot_frame(const LineChart& chart, const DataRange& data) {
  Frame frame;
  frame.W = chart.width, frame.H = chart.height;
  // Legend width from the longest name (about 7 px per character at 12 px).
  std::size_t longest = 0;
  for (const auto& s : chart.series) longest = std::max(longest, s.name.size());
  frame.legend_w = chart.series.empty() ? 0 : std::clamp(44.0 + 7.0 * longest, 110.0, frame.W / 3);
  frame.right = frame.W - 24 - frame.legend_w, frame.bottom = frame.H - 62;
  frame.x_axis = x_axis_for(chart, data.x_lo, data.x_hi);
  frame.y_axis = numeric_axis(data.y_lo, data.y_hi, chart.y_min, chart.y_max);
  return frame;
}

// XML declaration, <svg> open tag, white background and the chart's title.
std::string document_head(const LineChart& chart, const Frame& f) {
  std::string svg;
  svg += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(f.W) + "\" height=\"" + num(f.H) +
         "\" viewBox=\"0 0 " + num(f.W) + " " + num(f.H) + "\" font-family=\"Helvetica, Arial, sans-serif\">\n";
  svg += "<title>" + xml_escape(chart.title) + "</title>\n";
  svg += "<rect x=\"0\" y=\"0\" width=\"" + num(f.W) + "\" height=\"" + num(f.H) + "\" fill=\"white\"/>\n";
  // Centred on the whole image, not the plot: a long title then stays inside the legend's side too.
  svg += "<text x=\"" + num(f.W / 2) + "\" y=\"28\" text-anchor=\"middle\" font-size=\"16\" " +
         "font-weight=\"bold\">" + xml_escape(chart.title) + "</text>\n";
  return svg;
}

// Horizontal grid lines with the y ticks, then the x ticks: the caller's labels or nice numbers.
std::string grid_and_ticks(const LineChart& chart, const Frame& f) {
  std::string svg = "<g font-size=\"12\" fill=\"#333\">\n";
  for (double t : f.y_axis.ticks) {
    double y = f.py(t);
    svg += "<line x1=\"" + num(f.left) + "\" y1=\"" + num(y) + "\" x2=\"" + num(f.right) + "\" y2=\"" + num(y) +
           "\" stroke=\"#e3e3e3\" stroke-width=\"1\"/>\n";
    svg += "<text x=\"" + num(f.left - 8) + "\" y=\"" + num(y + 4) + "\" text-anchor=\"end\">" +
           xml_escape(format_tick(t, f.y_axis.step)) + "</text>\n";
  }
  std::vector<Tick> x_ticks = chart.x_ticks;
  if (x_ticks.empty())
    for (double t : f.x_axis.ticks) x_ticks.push_back({t, format_tick(t, f.x_axis.step)});
  for (const auto& t : x_ticks) {
    if (t.value < f.x_axis.lo - 1e-9 || t.value > f.x_axis.hi + 1e-9) continue;
    double x = f.px(t.value);
    svg += "<line x1=\"" + num(x) + "\" y1=\"" + num(f.bottom) + "\" x2=\"" + num(x) + "\" y2=\"" + num(f.bottom + 5) +
           "\" stroke=\"#333\" stroke-width=\"1\"/>\n";
    svg += "<text x=\"" + num(x) + "\" y=\"" + num(f.bottom + 19) + "\" text-anchor=\"middle\">" + xml_escape(t.label) +
           "</text>\n";
  }
  svg += "</g>\n";
  return svg;
}

// The two axis lines, their labels, and "no data" when nothing finite was plotted.
std::string axes_and_labels(const LineChart& chart, const Frame& f, bool any_point) {
  std::string svg;
  svg += "<path d=\"M" + num(f.left) + "," + num(f.top) + " L" + num(f.left) + "," + num(f.bottom) + " L" +
         num(f.right) + "," + num(f.bottom) + "\" stroke=\"#333\" stroke-width=\"1.2\" fill=\"none\"/>\n";
  svg += "<text x=\"" + num((f.left + f.right) / 2) + "\" y=\"" + num(f.H - 18) +
         "\" text-anchor=\"middle\" font-size=\"13\">" + xml_escape(chart.x_label) + "</text>\n";
  svg += "<text transform=\"translate(20," + num((f.top + f.bottom) / 2) + ") rotate(-90)\" " +
         "text-anchor=\"middle\" font-size=\"13\">" + xml_escape(chart.y_label) + "</text>\n";
  if (!any_point)
    svg += "<text x=\"" + num((f.left + f.right) / 2) + "\" y=\"" + num((f.top + f.bottom) / 2) +
           "\" text-anchor=\"middle\" font-size=\"14\" fill=\"#888\">no data</text>\n";
  return svg;
}

// One path per unbroken stretch of finite points (a NaN lifts the pen); empty when there are none.
std::string series_line(const Series& series, const char* colour, const Frame& f) {
  std::string d;
  bool pen_down = false;
  for (std::size_t i = 0; i < series.x.size(); ++i) {
    if (!std::isfinite(series.x[i]) || !std::isfinite(series.y[i])) {
      pen_down = false;
      continue;
    }
    d += (pen_down ? " L" : (d.empty() ? "M" : " M")) + num(f.px(series.x[i])) + "," + num(f.py(series.y[i]));
    pen_down = true;
  }
  if (d.empty()) return "";
  return "<path d=\"" + d + "\" stroke=\"" + colour + "\" stroke-width=\"2\" fill=\"none\" " +
         "stroke-linejoin=\"round\"/>\n";
}

// Error bars under the markers: a vertical line from y - err to y + err with short caps,
// clipped to the plot (a forced y_min such as 0 for BLEU may cut one).
std::string error_bars(const Series& series, const char* colour, const Frame& f) {
  std::string svg;
  for (std::size_t i = 0; i < series.y_err.size(); ++i) {
    if (!std::isfinite(series.x[i]) || !std::isfinite(series.y[i]) || !std::isfinite(series.y_err[i])) continue;
    const double err = std::abs(series.y_err[i]), x = f.px(series.x[i]);
    const double y1 = std::clamp(f.py(series.y[i] - err), f.top, f.bottom),
                 y2 = std::clamp(f.py(series.y[i] + err), f.top, f.bottom);
    svg += "<path class=\"error-bar\" d=\"M" + num(x) + "," + num(y1) + " L" + num(x) + "," + num(y2) + " M" +
           num(x - 4) + "," + num(y1) + " L" + num(x + 4) + "," + num(y1) + " M" + num(x - 4) + "," + num(y2) + " L" +
           num(x + 4) + "," + num(y2) + "\" stroke=\"" + colour + "\" stroke-width=\"1.5\" fill=\"none\"/>\n";
  }
  return svg;
}

// A marker per finite point, titled "name: x, y" (x as its category label when it has one, y +- err).
std::string point_markers(const LineChart& chart, std::size_t s, const char* colour, const Frame& f) {
  const Series& series = chart.series[s];
  std::string svg;
  for (std::size_t i = 0; i < series.x.size(); ++i) {
    if (!std::isfinite(series.x[i]) || !std::isfinite(series.y[i])) continue;
    std::string x_text = format_value(series.x[i]);
    for (const auto& t : chart.x_ticks)
      if (std::abs(t.value - series.x[i]) < 1e-9) x_text = t.label;
    std::string value_text = format_value(series.y[i]);
    if (i < series.y_err.size() && std::isfinite(series.y_err[i]))
      value_text += " \u00b1 " + format_value(std::abs(series.y_err[i]));
    svg +=
        marker(s, f.px(series.x[i]), f.py(series.y[i]), colour, series.name + ": " + x_text + ", " + value_text) + "\n";
  }
  return svg;
}

// Series s as one group: its line, then error bars, then the markers on top.
std::string series_group(const LineChart& chart, std::size_t s, const Frame& f) {
  const Series& series = chart.series[s];
  const char* colour = series_colour(s);
  return "<g>\n" + series_line(series, colour, f) + error_bars(series, colour, f) + point_markers(chart, s, colour, f) +
         "</g>\n";
}

// Legend on the right, one row per series: line sample with its marker, then the name.
std::string legend(const LineChart& chart, const Frame& f) {
  const double lx = f.right + 20, ly = f.top;
  const double row = 22;
  std::string svg = "<g font-size=\"12\">\n";
  svg += "<rect x=\"" + num(lx) + "\" y=\"" + num(ly) + "\" width=\"" + num(f.legend_w) + "\" height=\"" +
         num(row * chart.series.size() + 10) + "\" fill=\"white\" stroke=\"#bbb\" rx=\"4\"/>\n";
  for (std::size_t s = 0; s < chart.series.size(); ++s) {
    double y = ly + 16 + row * s;
    const char* colour = series_colour(s);
    svg += "<line x1=\"" + num(lx + 8) + "\" y1=\"" + num(y) + "\" x2=\"" + num(lx + 34) + "\" y2=\"" + num(y) +
           "\" stroke=\"" + colour + "\" stroke-width=\"2\"/>\n";
    svg += marker(s, lx + 21, y, colour, chart.series[s].name) + "\n";
    svg +=
        "<text x=\"" + num(lx + 42) + "\" y=\"" + num(y + 4) + "\">" + xml_escape(chart.series[s].name) + "</text>\n";
  }
  svg += "</g>\n";
  return svg;
}

}  // namespace

std::string render_line_chart(const LineChart& chart) {
  check_series_sizes(chart);
  const DataRange data = data_range(chart);
  const Frame frame = plot_frame(chart, data);
  std::string svg = document_head(chart, frame);
  svg += grid_and_ticks(chart, frame);
  svg += axes_and_labels(chart, frame, data.any_point);
  for (std::size_t s = 0; s < chart.series.size(); ++s) svg += series_group(chart, s, frame);
  if (!chart.series.empty()) svg += legend(chart, frame);
  svg += "</svg>\n";
  return svg;
}

std::string render_panels(const std::vector<LineChart>& charts) {
  int width = 0, height = 0;
  std::string panels;
  for (const auto& chart : charts) {
    std::string panel = render_line_chart(chart);
    panel.erase(0, panel.find("<svg"));  // an XML declaration belongs to the document only
    // A nested <svg> is placed by its x and y attributes.
    panels += "<svg x=\"0\" y=\"" + num(height) + "\"" + panel.substr(4);
    width = std::max(width, chart.width);
    height += chart.height;
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(width) +
         "\" height=\"" + num(height) + "\" viewBox=\"0 0 " + num(width) + " " + num(height) + "\">\n" + panels +
         "</svg>\n";
}

}  // namespace seq2seq::report
