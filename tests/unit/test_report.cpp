// Report rendering: tables (text, markdown, CSV), SVG line charts, attention heatmaps, progress bar.
#include "seq2seq/report/heatmap.h"
#include "seq2seq/report/progress.h"
#include "seq2seq/report/svg.h"
#include "seq2seq/report/table.h"
#include "seq2seq/util/utf8.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <array>
#include <cmath>
#include <limits>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace report = seq2seq::report;
using report::Align;

namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::size_t count(const std::string& text, const std::string& piece) {
  std::size_t n = 0;
  for (std::size_t pos = text.find(piece); pos != std::string::npos; pos = text.find(piece, pos + piece.size())) ++n;
  return n;
}

// A minimal RFC 4180 reader, to check that what to_csv writes reads back cell for cell.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string cell;
  bool quoted = false, in_quotes = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_quotes) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        in_quotes = false;
      } else {
        cell += c;
      }
    } else if (c == '"' && cell.empty() && !quoted) {
      in_quotes = quoted = true;
    } else if (c == ',') {
      rows.back().push_back(cell);
      cell.clear();
      quoted = false;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      rows.back().push_back(cell);
      cell.clear();
      quoted = false;
      rows.emplace_back();
      ++i;
    } else {
      cell += c;
    }
  }
  if (rows.back().empty() && cell.empty()) rows.pop_back();
  return rows;
}

// Well-formed enough: every tag closed in order, every '&' an XML entity, one root <svg>.
std::string xml_problem(const std::string& xml) {
  std::vector<std::string> stack;
  int roots = 0;
  for (std::size_t i = 0; i < xml.size(); ++i) {
    if (xml[i] == '&') {
      bool ok = false;
      for (const char* entity : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"})
        ok = ok || xml.compare(i, std::char_traits<char>::length(entity), entity) == 0;
      if (!ok) return "bare & at " + std::to_string(i);
      continue;
    }
    if (xml[i] == '>') return "bare > at " + std::to_string(i);
    if (xml[i] != '<') continue;
    std::size_t end = xml.find('>', i);
    if (end == std::string::npos) return "unclosed tag at " + std::to_string(i);
    std::string tag = xml.substr(i + 1, end - i - 1);
    i = end;
    if (tag.empty()) return "empty tag";
    if (tag[0] == '?' || tag[0] == '!') continue;
    if (tag.find('<') != std::string::npos) return "'<' inside a tag: " + tag;
    if (tag[0] == '/') {
      std::string name = tag.substr(1);
      if (stack.empty() || stack.back() != name)
        return "</" + name + "> does not close " + (stack.empty() ? "" : stack.back());
      stack.pop_back();
      continue;
    }
    std::string name = tag.substr(0, tag.find_first_of(" \n/"));
    if (stack.empty()) ++roots;
    if (tag.back() != '/') stack.push_back(name);
  }
  if (!stack.empty()) return "<" + stack.back() + "> never closed";
  if (roots != 1) return std::to_string(roots) + " root elements";
  return "";
}

report::Table sample_table() {
  report::Table table({"model", "BLEU", "note"}, {Align::Left, Align::Right, Align::Left});
  table.add_row({"rnn", "12.5", "plain"});
  table.add_row({"bahdanau", "7.25", "has a|pipe"});
  table.add_row({"transformer", "100.00", "quote \"q\", comma"});
  return table;
}

}  // namespace

// ---- tables ----

TEST(Table, MarkdownHasPipesAlignmentRowAndEscapes) {
  std::vector<std::string> lines = split_lines(sample_table().to_markdown());
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], "| model | BLEU | note |");
  EXPECT_EQ(lines[1], "| --- | ---: | --- |");
  EXPECT_EQ(lines[2], "| rnn | 12.5 | plain |");
  EXPECT_EQ(lines[3], "| bahdanau | 7.25 | has a\\|pipe |");
  for (const auto& line : lines) EXPECT_EQ(count(line, "|") - count(line, "\\|"), 4u) << line;
}

TEST(Table, CsvQuotesOnlyWhenNeededAndReadsBack) {
  report::Table table({"a", "b"});
  std::vector<std::vector<std::string>> cells = {
      {"plain", "with, comma"}, {"say \"hi\"", "two\nlines"}, {"", "cr\rinside"}, {" spaced ", "ünï"}};
  for (const auto& row : cells) table.add_row(row);
  std::string csv = table.to_csv();
  EXPECT_EQ(csv.rfind("a,b\r\nplain,\"with, comma\"\r\n", 0), 0u) << csv;
  EXPECT_NE(csv.find("\"say \"\"hi\"\"\",\"two\nlines\"\r\n"), std::string::npos) << csv;
  std::vector<std::vector<std::string>> back = parse_csv(csv);
  ASSERT_EQ(back.size(), cells.size() + 1);
  EXPECT_EQ(back[0], (std::vector<std::string>{"a", "b"}));
  for (std::size_t r = 0; r < cells.size(); ++r) EXPECT_EQ(back[r + 1], cells[r]);
  EXPECT_EQ(report::csv_field("x"), "x");
}

TEST(Table, TextColumnsLineUp) {
  report::Table table = sample_table();
  std::vector<std::string> lines = split_lines(table.to_text(report::TableStyle::Plain));
  ASSERT_EQ(lines.size(), 5u);  // header, rule, three rows
  // Left-aligned column 2 starts at the same place on every line; the right-aligned BLEU column
  // ends at the same place.
  std::size_t note_at = lines[0].find("note");
  std::size_t bleu_end = lines[0].find("BLEU") + 4;
  EXPECT_EQ(lines[2].find("plain"), note_at);
  EXPECT_EQ(lines[4].find("quote"), note_at);
  EXPECT_EQ(lines[2].find("12.5") + 4, bleu_end);
  EXPECT_EQ(lines[3].find("7.25") + 4, bleu_end);
  EXPECT_EQ(lines[4].find("100.00") + 6, bleu_end);
  EXPECT_EQ(lines[1].find_first_not_of("- "), std::string::npos);  // the rule

  // Box style: every line has the same display width, also with non-ASCII cells.
  table.add_separator();
  table.add_row({"größe", "1.0", "ü"});
  std::vector<std::string> box = split_lines(table.to_text(report::TableStyle::Box));
  ASSERT_EQ(box.size(), 9u);  // top, header, rule, 3 rows, rule, 1 row, bottom
  for (const auto& line : box) EXPECT_EQ(seq2seq::display_width(line), seq2seq::display_width(box[0])) << line;
  EXPECT_EQ(box[0].rfind("┌", 0), 0u);
  EXPECT_EQ(box[6].rfind("├", 0), 0u);
}

TEST(Table, RowSizeMustMatchHeader) {
  report::Table table({"a", "b"});
  EXPECT_THROW(table.add_row({"1"}), std::invalid_argument);
  EXPECT_EQ(table.rows(), 0u);
}

TEST(Table, FormatNumber) {
  EXPECT_EQ(report::format_number(66.77836, 2), "66.78");
  EXPECT_EQ(report::format_number(std::nan(""), 2), "-");
  EXPECT_EQ(report::format_number(3.0, 0), "3");
}

// ---- SVG line charts ----

TEST(Svg, NiceTicks) {
  for (auto [lo, hi] : std::vector<std::pair<double, double>>{{0, 67.3}, {2.31, 2.97}, {-5, 1234}, {0.001, 0.0042}}) {
    std::vector<double> ticks = report::nice_ticks(lo, hi);
    ASSERT_GE(ticks.size(), 3u) << lo << ".." << hi;
    EXPECT_LE(ticks.size(), 13u);
    EXPECT_LE(ticks.front(), lo);
    EXPECT_GE(ticks.back(), hi);
    double step = ticks[1] - ticks[0];
    double mantissa = step / std::pow(10.0, std::floor(std::log10(step)));
    EXPECT_TRUE(std::abs(mantissa - 1) < 1e-6 || std::abs(mantissa - 2) < 1e-6 || std::abs(mantissa - 5) < 1e-6)
        << step;
    for (std::size_t i = 1; i < ticks.size(); ++i) EXPECT_NEAR(ticks[i] - ticks[i - 1], step, 1e-9 * step);
  }
  EXPECT_EQ(report::nice_ticks(0, 100), (std::vector<double>{0, 20, 40, 60, 80, 100}));
  EXPECT_EQ(report::format_tick(0.5, 0.5), "0.5");
  EXPECT_EQ(report::format_tick(20, 20), "20");
  EXPECT_EQ(report::format_tick(0.25, 0.25), "0.25");
  EXPECT_EQ(report::format_tick(-1e-17, 0.1), "0.0");
}

TEST(Svg, XmlEscape) {
  EXPECT_EQ(report::xml_escape("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;");
  EXPECT_EQ(report::xml_escape(std::string("x\x01y", 3)), "xy");
}

TEST(Svg, LineChartIsWellFormedAndLabelled) {
  report::LineChart chart;
  chart.title = "BLEU against source length";
  chart.x_label = "source length (words)";
  chart.y_label = "BLEU";
  chart.y_min = 0;
  for (int i = 0; i < 5; ++i)
    chart.x_ticks.push_back(
        {static_cast<double>(i), i < 4 ? std::to_string(i * 10 + 1) + "-" + std::to_string(i * 10 + 10) : "41+"});
  const double nan = std::numeric_limits<double>::quiet_NaN();
  chart.series.push_back({"rnn <plain>", {0, 1, 2, 3, 4}, {30, 20, 10, 5, 2}});
  chart.series.push_back({"bahdanau & co", {0, 1, 2, 3, 4}, {32, 31, nan, 29, 28}});
  chart.series.push_back({"transformer", {0, 1, 2, 3, 4}, {35, 34, 33, 33, 32}});
  std::string svg = report::render_line_chart(chart);

  EXPECT_EQ(xml_problem(svg), "") << svg;
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("width=\"720.0\" height=\"440.0\""), std::string::npos);
  for (const char* text : {"BLEU against source length", "source length (words)", ">BLEU<", "41+", "1-10",
                           "rnn &lt;plain&gt;", "bahdanau &amp; co", "transformer"})
    EXPECT_NE(svg.find(text), std::string::npos) << text;
  EXPECT_EQ(svg.find("<plain>"), std::string::npos);  // escaped everywhere
  // Three distinct colours, and the NaN leaves a gap: the second series' line has two pieces
  // and four markers (each with a hover title), plus one in the legend.
  EXPECT_NE(svg.find(report::series_colour(0)), std::string::npos);
  EXPECT_NE(svg.find(report::series_colour(1)), std::string::npos);
  EXPECT_NE(svg.find(report::series_colour(2)), std::string::npos);
  EXPECT_EQ(count(svg, "<title>bahdanau &amp; co: "), 4u);
  std::smatch m;
  std::string pattern = std::string("<path d=\"(M[^\"]*)\" stroke=\"") + report::series_colour(1);
  ASSERT_TRUE(std::regex_search(svg, m, std::regex(pattern)));
  EXPECT_EQ(count(m[1].str(), "M"), 2u) << m[1];
}

TEST(Svg, PanelsStackChartsInOneDocument) {
  report::LineChart top, bottom;
  top.title = "short sources";
  top.series.push_back({"rnn", {0.05, 0.15}, {0.9, 0.8}});
  bottom.title = "long sources";
  bottom.height = 300;
  bottom.series.push_back({"rnn", {0.05, 0.15}, {0.7, 0.4}});
  const std::string svg = report::render_panels({top, bottom});
  EXPECT_EQ(xml_problem(svg), "") << svg;
  EXPECT_EQ(count(svg, "<?xml"), 1u);  // one document, the panels' declarations dropped
  EXPECT_EQ(count(svg, "<svg"), 3u);
  EXPECT_NE(svg.find("width=\"720.0\" height=\"740.0\""), std::string::npos) << svg.substr(0, 300);
  // The second panel starts below the first (440 px high).
  EXPECT_LT(svg.find("<svg x=\"0\" y=\"0.0\""), svg.find("short sources"));
  const auto second = svg.find("<svg x=\"0\" y=\"440.0\"");
  ASSERT_NE(second, std::string::npos);
  EXPECT_GT(svg.find("long sources"), second);
  EXPECT_LT(svg.find("short sources"), second);
}

TEST(Svg, HigherValuesAreDrawnHigher) {
  report::LineChart chart;
  chart.series.push_back({"up", {0, 1, 2, 3}, {1.0, 2.5, 2.6, 7.0}});
  std::string svg = report::render_line_chart(chart);
  std::regex circle("<circle cx=\"([0-9.]+)\" cy=\"([0-9.]+)\"");
  std::vector<double> xs, ys;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), circle); it != std::sregex_iterator(); ++it) {
    xs.push_back(std::stod((*it)[1]));
    ys.push_back(std::stod((*it)[2]));
  }
  ASSERT_EQ(xs.size(), 5u);  // four points and the legend marker
  for (std::size_t i = 1; i < 4; ++i) {
    EXPECT_GT(xs[i], xs[i - 1]);
    EXPECT_LT(ys[i], ys[i - 1]);  // SVG y grows downwards
  }
  // Equal steps in the data are equal steps on the page.
  EXPECT_NEAR(xs[1] - xs[0], xs[3] - xs[2], 0.11);
}

TEST(Svg, EmptyChartAndBadSeries) {
  report::LineChart chart;
  chart.title = "nothing yet";
  std::string svg = report::render_line_chart(chart);
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_NE(svg.find("no data"), std::string::npos);
  chart.series.push_back({"bad", {1, 2}, {1}});
  EXPECT_THROW(report::render_line_chart(chart), std::invalid_argument);
}

TEST(Svg, ErrorBarsSpanPlusMinusTheErrorAndWidenTheAxis) {
  report::LineChart chart;
  chart.series.push_back({"mean", {0, 1, 2}, {10, 20, 30}, {2, std::nan(""), 50}});
  const std::string svg = report::render_line_chart(chart);
  EXPECT_EQ(xml_problem(svg), "");
  std::regex bar("<path class=\"error-bar\" d=\"M([0-9.]+),([0-9.]+) L([0-9.]+),([0-9.]+) ");
  std::vector<std::array<double, 4>> bars;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), bar); it != std::sregex_iterator(); ++it)
    bars.push_back({std::stod((*it)[1]), std::stod((*it)[2]), std::stod((*it)[3]), std::stod((*it)[4])});
  ASSERT_EQ(bars.size(), 2u);         // none where the error is NaN
  EXPECT_EQ(bars[0][0], bars[0][2]);  // vertical
  EXPECT_GT(bars[0][1], bars[0][3]);  // from y - err (lower on the page) up to y + err
  // The third bar reaches 80: the axis grew to hold it (its top is inside the plot).
  EXPECT_LT(bars[1][3], bars[0][3]);
  EXPECT_NE(svg.find("30 \u00b1 50"), std::string::npos);  // the hover text gives the error
  chart.series[0].y_err = {1};
  EXPECT_THROW(report::render_line_chart(chart), std::invalid_argument);
}

// ---- attention heatmaps ----

namespace {
const std::vector<std::string> kSrc = {"der", "Hund", "läuft", "Donaudampfschifffahrt"};
const std::vector<std::string> kTgt = {"the", "dog", "runs"};
const std::vector<std::vector<float>> kWeights = {
    {0.6f, 0.2f, 0.2f, 0.0f}, {0.05f, 0.9f, 0.05f, 0.0f}, {0.0f, 0.1f, 0.45f, 0.45f}};
}  // namespace

TEST(Heatmap, TextHasOneLinePerTargetWordAndDarkestShadeAtMax) {
  std::string text = report::render_attention_text(kSrc, kTgt, kWeights);
  std::vector<std::string> lines = split_lines(text);
  const std::size_t depth = 10;  // the longest source word, cut to 10 characters
  ASSERT_EQ(lines.size(), depth + kTgt.size() + 1);
  // The header writes "Hund" downwards over column 2, ending on the last header line.
  std::vector<std::string> header_last = seq2seq::utf8_chars(lines[depth - 1]);
  const std::size_t grid_at = std::string("runs").size() + 1;
  ASSERT_GT(header_last.size(), grid_at + 2);
  EXPECT_EQ(header_last[grid_at + 2], "d");
  EXPECT_EQ(header_last[grid_at + 6], "…");  // Donaudampfschifffahrt, cut to 10 characters
  EXPECT_EQ(seq2seq::utf8_chars(lines[0])[grid_at + 6], "D");
  for (std::size_t t = 0; t < kTgt.size(); ++t) {
    std::vector<std::string> row = seq2seq::utf8_chars(lines[depth + t]);
    EXPECT_EQ(lines[depth + t].rfind(kTgt[t], 0), 0u) << lines[depth + t];
    ASSERT_EQ(row.size(), grid_at + 2 * kSrc.size());
    auto cell = [&](std::size_t s) { return row[grid_at + 2 * s] + row[grid_at + 2 * s + 1]; };
    if (t == 0) {
      EXPECT_EQ(cell(0), "▓▓");  // 0.6 / 0.9 -> 3 of 4
      EXPECT_EQ(cell(1), "░░");  // 0.2 / 0.9 -> 1 of 4
    } else if (t == 1) {
      EXPECT_EQ(cell(1), "██");  // 0.9 is the largest weight
    } else {
      EXPECT_EQ(cell(2), "▒▒");  // 0.45 / 0.9 -> 2 of 4
      EXPECT_EQ(cell(0), "  ");  // zero
    }
  }
  EXPECT_EQ(count(text, "██"), 1u);
  EXPECT_NE(lines.back().find("0.900"), std::string::npos) << lines.back();
}

TEST(Heatmap, TextColourUsesAnsiBackgrounds) {
  std::string text = report::render_attention_text(kSrc, kTgt, kWeights, /*colour=*/true);
  EXPECT_NE(text.find("\x1b[48;5;255m"), std::string::npos);  // the largest weight: white
  EXPECT_NE(text.find("\x1b[48;5;232m"), std::string::npos);  // zero: darkest grey
  EXPECT_EQ(text.find("█"), std::string::npos);
  EXPECT_EQ(split_lines(text).size(), 10 + kTgt.size() + 1);
}

TEST(Heatmap, ShapeMismatchThrows) {
  EXPECT_THROW(report::render_attention_text(kSrc, {"the", "dog"}, kWeights), std::invalid_argument);
  EXPECT_THROW(report::render_attention_svg({"der", "Hund"}, kTgt, kWeights), std::invalid_argument);
}

TEST(Heatmap, SvgHasLabelsCellsAndHoverValues) {
  std::vector<std::string> src = kSrc;
  src[0] = "<unk>";
  std::string svg = report::render_attention_svg(src, kTgt, kWeights, "Attention: \"der Hund\"");
  EXPECT_EQ(xml_problem(svg), "") << svg;
  EXPECT_EQ(count(svg, "<rect x="), kTgt.size() * kSrc.size() + 2);  // cells, background, scale
  EXPECT_NE(svg.find("<title>dog \u2190 Hund: 0.900</title>"), std::string::npos);
  EXPECT_NE(svg.find("&lt;unk&gt;"), std::string::npos);
  EXPECT_NE(svg.find("rotate(-90)"), std::string::npos);
  EXPECT_NE(svg.find("linearGradient"), std::string::npos);
  for (const auto& word : kTgt) EXPECT_NE(svg.find(">" + word + "<"), std::string::npos) << word;
  // The largest weight gets the darkest colour.
  EXPECT_NE(svg.find("fill=\"#08306b\"><title>dog \u2190 Hund"), std::string::npos);
}

// ---- progress bar ----

namespace {
// Routes the default spdlog logger into a string for the life of the object.
struct CapturedLog {
  std::ostringstream stream;
  std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
  CapturedLog() {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(stream);
    auto logger = std::make_shared<spdlog::logger>("capture", sink);
    logger->set_pattern("%v");
    logger->set_level(spdlog::level::info);
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous); }
};
}  // namespace

TEST(Progress, NonTerminalLogsEveryNthUpdate) {
  CapturedLog log;
  {
    report::ProgressOptions options;
    options.terminal = false;
    options.log_every = 3;
    report::ProgressBar bar("epoch 1/2", 10, options);
    for (int done = 1; done <= 10; ++done) bar.update(done, {2.5, 12345.0, 5e-4});
    EXPECT_EQ(split_lines(log.stream.str()).size(), 3u);
    bar.finish();
    bar.finish();  // idempotent
  }
  std::vector<std::string> lines = split_lines(log.stream.str());
  ASSERT_EQ(lines.size(), 4u);  // updates 3, 6, 9 and the final state
  EXPECT_NE(lines[0].find("epoch 1/2"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("3/10"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("loss 2.500"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("12.3k tok/s"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("lr 5.00e-04"), std::string::npos) << lines[0];
  EXPECT_NE(lines[3].find("10/10"), std::string::npos) << lines[3];
  EXPECT_EQ(log.stream.str().find('\r'), std::string::npos);
}

TEST(Progress, NonTerminalFinishDoesNotRepeatTheLastLine) {
  CapturedLog log;
  report::ProgressBar bar("valid", 9, 3);
  if (bar.terminal()) GTEST_SKIP() << "stderr is a terminal here";
  for (int done = 1; done <= 9; ++done) bar.update(done);
  bar.finish();
  EXPECT_EQ(split_lines(log.stream.str()).size(), 3u);
}

TEST(Progress, TerminalRedrawsInPlaceAtMostTenTimesASecond) {
  CapturedLog log;
  std::ostringstream out;
  double t = 0;
  report::ProgressOptions options;
  options.terminal = true;
  options.out = &out;
  options.clock = [&] { return t; };
  options.width = 90;
  report::ProgressBar bar("epoch 1/1", 100, options);
  for (auto [time, done] : std::vector<std::pair<double, int>>{{0.0, 1}, {0.05, 2}, {0.09, 3}, {0.15, 4}, {0.2, 5}}) {
    t = time;
    bar.update(done, {1.0, NAN, NAN});
  }
  EXPECT_EQ(count(out.str(), "\r"), 2u);  // at 0.0 and 0.15
  t = 0.21;
  bar.update(100);  // the last batch is always drawn
  EXPECT_EQ(count(out.str(), "\r"), 3u);
  bar.finish();
  std::string text = out.str();
  EXPECT_EQ(count(text, "\r"), 4u);
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(count(text, "\n"), 1u);
  EXPECT_TRUE(log.stream.str().empty());  // nothing logged in terminal mode
  std::string last = text.substr(text.rfind('\r') + 1);
  EXPECT_NE(last.find("100/100"), std::string::npos) << last;
  EXPECT_NE(last.find("[██████████"), std::string::npos) << last;
  EXPECT_EQ(last.find("░"), std::string::npos) << last;
}

TEST(Progress, EtaAndWidth) {
  double t = 100;
  report::ProgressOptions options;
  options.terminal = false;
  options.clock = [&] { return t; };
  options.width = 100;
  report::ProgressBar bar("epoch 2/5", 100, options);
  t = 110;
  bar.update(25, {3.14159, 800, 1e-3});
  std::string line = bar.line();
  EXPECT_NE(line.find("ETA 00:30"), std::string::npos) << line;  // 10 s for 25 batches, 75 to go
  EXPECT_NE(line.find(" 25%"), std::string::npos) << line;
  EXPECT_NE(line.find("loss 3.142"), std::string::npos) << line;
  EXPECT_NE(line.find("800 tok/s"), std::string::npos) << line;
  EXPECT_LE(seq2seq::display_width(line), 99u);
  // A narrow terminal drops the bar, then cuts the line: it never wraps (which would break "\r").
  for (int width : {70, 40}) {
    options.width = width;
    report::ProgressBar narrow("epoch 2/5", 100, options);
    narrow.update(25, {3.14159, 800, 1e-3});
    EXPECT_LE(seq2seq::display_width(narrow.line()), static_cast<std::size_t>(width - 1)) << narrow.line();
    EXPECT_EQ(narrow.line().find("░"), std::string::npos) << narrow.line();
  }
  EXPECT_EQ(report::format_duration(3725), "1:02:05");
  EXPECT_EQ(report::format_duration(65), "01:05");
  EXPECT_EQ(report::format_duration(NAN), "--:--");
}
