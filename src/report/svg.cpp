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

std::string render_line_chart(const LineChart& chart) {
  for (const auto& s : chart.series)
    if (s.x.size() != s.y.size())
      throw std::invalid_argument("series \"" + s.name + "\" has " + std::to_string(s.x.size()) + " x values and " +
                                  std::to_string(s.y.size()) + " y values");
    else if (!s.y_err.empty() && s.y_err.size() != s.y.size())
      throw std::invalid_argument("series \"" + s.name + "\" has " + std::to_string(s.y_err.size()) +
                                  " error bars for " + std::to_string(s.y.size()) + " y values");
  const double W = chart.width, H = chart.height;

  // Legend width from the longest name (about 7 px per character at 12 px).
  std::size_t longest = 0;
  for (const auto& s : chart.series) longest = std::max(longest, s.name.size());
  const double legend_w = chart.series.empty() ? 0 : std::clamp(44.0 + 7.0 * longest, 110.0, W / 3);
  const double left = 72, top = 50, right = W - 24 - legend_w, bottom = H - 62;

  double x_lo = std::numeric_limits<double>::infinity(), x_hi = -x_lo, y_lo = x_lo, y_hi = -x_lo;
  bool any_point = false;
  for (const auto& s : chart.series)
    for (std::size_t i = 0; i < s.x.size(); ++i)
      if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) {
        cover(s.x[i], x_lo, x_hi);
        cover(s.y[i], y_lo, y_hi);
        if (i < s.y_err.size() && std::isfinite(s.y_err[i])) {
          cover(s.y[i] - std::abs(s.y_err[i]), y_lo, y_hi);
          cover(s.y[i] + std::abs(s.y_err[i]), y_lo, y_hi);
        }
        any_point = true;
      }

  Axis x_axis;
  if (!chart.x_ticks.empty()) {
    // Categorical: half a category of room on both sides.
    std::vector<double> values;
    for (const auto& t : chart.x_ticks) values.push_back(t.value);
    std::sort(values.begin(), values.end());
    double spacing = std::numeric_limits<double>::infinity();
    for (std::size_t i = 1; i < values.size(); ++i)
      if (values[i] > values[i - 1]) spacing = std::min(spacing, values[i] - values[i - 1]);
    if (!std::isfinite(spacing)) spacing = 1.0;
    cover(values.front(), x_lo, x_hi);
    cover(values.back(), x_lo, x_hi);
    x_axis.lo = chart.x_min ? *chart.x_min : x_lo - spacing / 2;
    x_axis.hi = chart.x_max ? *chart.x_max : x_hi + spacing / 2;
  } else {
    x_axis = numeric_axis(x_lo, x_hi, chart.x_min, chart.x_max);
  }
  Axis y_axis = numeric_axis(y_lo, y_hi, chart.y_min, chart.y_max);

  auto px = [&](double x) { return left + (x - x_axis.lo) / (x_axis.hi - x_axis.lo) * (right - left); };
  auto py = [&](double y) { return bottom - (y - y_axis.lo) / (y_axis.hi - y_axis.lo) * (bottom - top); };

  std::string svg;
  svg += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(W) + "\" height=\"" + num(H) + "\" viewBox=\"0 0 " +
         num(W) + " " + num(H) + "\" font-family=\"Helvetica, Arial, sans-serif\">\n";
  svg += "<title>" + xml_escape(chart.title) + "</title>\n";
  svg += "<rect x=\"0\" y=\"0\" width=\"" + num(W) + "\" height=\"" + num(H) + "\" fill=\"white\"/>\n";
  svg += "<text x=\"" + num((left + right) / 2) + "\" y=\"28\" text-anchor=\"middle\" font-size=\"16\" " +
         "font-weight=\"bold\">" + xml_escape(chart.title) + "</text>\n";

  // Grid and y ticks.
  svg += "<g font-size=\"12\" fill=\"#333\">\n";
  for (double t : y_axis.ticks) {
    double y = py(t);
    svg += "<line x1=\"" + num(left) + "\" y1=\"" + num(y) + "\" x2=\"" + num(right) + "\" y2=\"" + num(y) +
           "\" stroke=\"#e3e3e3\" stroke-width=\"1\"/>\n";
    svg += "<text x=\"" + num(left - 8) + "\" y=\"" + num(y + 4) + "\" text-anchor=\"end\">" +
           xml_escape(format_tick(t, y_axis.step)) + "</text>\n";
  }
  // x ticks: the caller's labels or nice numbers.
  std::vector<Tick> x_ticks = chart.x_ticks;
  if (x_ticks.empty())
    for (double t : x_axis.ticks) x_ticks.push_back({t, format_tick(t, x_axis.step)});
  for (const auto& t : x_ticks) {
    if (t.value < x_axis.lo - 1e-9 || t.value > x_axis.hi + 1e-9) continue;
    double x = px(t.value);
    svg += "<line x1=\"" + num(x) + "\" y1=\"" + num(bottom) + "\" x2=\"" + num(x) + "\" y2=\"" + num(bottom + 5) +
           "\" stroke=\"#333\" stroke-width=\"1\"/>\n";
    svg += "<text x=\"" + num(x) + "\" y=\"" + num(bottom + 19) + "\" text-anchor=\"middle\">" + xml_escape(t.label) +
           "</text>\n";
  }
  svg += "</g>\n";

  // Axes and their labels.
  svg += "<path d=\"M" + num(left) + "," + num(top) + " L" + num(left) + "," + num(bottom) + " L" + num(right) + "," +
         num(bottom) + "\" stroke=\"#333\" stroke-width=\"1.2\" fill=\"none\"/>\n";
  svg += "<text x=\"" + num((left + right) / 2) + "\" y=\"" + num(H - 18) +
         "\" text-anchor=\"middle\" font-size=\"13\">" + xml_escape(chart.x_label) + "</text>\n";
  svg += "<text transform=\"translate(20," + num((top + bottom) / 2) + ") rotate(-90)\" " +
         "text-anchor=\"middle\" font-size=\"13\">" + xml_escape(chart.y_label) + "</text>\n";
  if (!any_point)
    svg += "<text x=\"" + num((left + right) / 2) + "\" y=\"" + num((top + bottom) / 2) +
           "\" text-anchor=\"middle\" font-size=\"14\" fill=\"#888\">no data</text>\n";

  // Series: one path per unbroken stretch, then the markers on top.
  for (std::size_t s = 0; s < chart.series.size(); ++s) {
    const Series& series = chart.series[s];
    const char* colour = series_colour(s);
    svg += "<g>\n";
    std::string d;
    bool pen_down = false;
    for (std::size_t i = 0; i < series.x.size(); ++i) {
      if (!std::isfinite(series.x[i]) || !std::isfinite(series.y[i])) {
        pen_down = false;
        continue;
      }
      d += (pen_down ? " L" : (d.empty() ? "M" : " M")) + num(px(series.x[i])) + "," + num(py(series.y[i]));
      pen_down = true;
    }
    if (!d.empty())
      svg += "<path d=\"" + d + "\" stroke=\"" + colour + "\" stroke-width=\"2\" fill=\"none\" " +
             "stroke-linejoin=\"round\"/>\n";
    // Error bars under the markers: a vertical line from y - err to y + err with short caps,
    // clipped to the plot (a forced y_min such as 0 for BLEU may cut one).
    for (std::size_t i = 0; i < series.y_err.size(); ++i) {
      if (!std::isfinite(series.x[i]) || !std::isfinite(series.y[i]) || !std::isfinite(series.y_err[i])) continue;
      const double err = std::abs(series.y_err[i]), x = px(series.x[i]);
      const double y1 = std::clamp(py(series.y[i] - err), top, bottom),
                   y2 = std::clamp(py(series.y[i] + err), top, bottom);
      svg += "<path class=\"error-bar\" d=\"M" + num(x) + "," + num(y1) + " L" + num(x) + "," + num(y2) + " M" +
             num(x - 4) + "," + num(y1) + " L" + num(x + 4) + "," + num(y1) + " M" + num(x - 4) + "," + num(y2) + " L" +
             num(x + 4) + "," + num(y2) + "\" stroke=\"" + colour + "\" stroke-width=\"1.5\" fill=\"none\"/>\n";
    }
    for (std::size_t i = 0; i < series.x.size(); ++i) {
      if (!std::isfinite(series.x[i]) || !std::isfinite(series.y[i])) continue;
      std::string x_text = format_value(series.x[i]);
      for (const auto& t : chart.x_ticks)
        if (std::abs(t.value - series.x[i]) < 1e-9) x_text = t.label;
      std::string value_text = format_value(series.y[i]);
      if (i < series.y_err.size() && std::isfinite(series.y_err[i]))
        value_text += " \u00b1 " + format_value(std::abs(series.y_err[i]));
      svg +=
          marker(s, px(series.x[i]), py(series.y[i]), colour, series.name + ": " + x_text + ", " + value_text) + "\n";
    }
    svg += "</g>\n";
  }

  // Legend on the right, one row per series: line sample with its marker, then the name.
  if (!chart.series.empty()) {
    const double lx = right + 20, ly = top;
    const double row = 22;
    svg += "<g font-size=\"12\">\n";
    svg += "<rect x=\"" + num(lx) + "\" y=\"" + num(ly) + "\" width=\"" + num(legend_w) + "\" height=\"" +
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
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace seq2seq::report
