// The translate session: read lines, translate each, print translations and attention maps.
#include "seq2seq/session/translate.h"

#include "seq2seq/decode/translator.h"
#include "seq2seq/errors.h"
#include "seq2seq/io.h"
#include "seq2seq/report/heatmap.h"
#include "seq2seq/run.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include <unistd.h>

namespace seq2seq::session {

std::string svg_path(const std::string& file, int64_t n) {
  if (n == 1) return file;
  std::filesystem::path p(file);
  return (p.parent_path() / (p.stem().string() + "-" + std::to_string(n) + p.extension().string())).string();
}

namespace {

// Prints one line's translation(s), then its attention map where asked for.
void print_translation(const decode::Translation& t, const TranslateOptions& options, const LoadedRun& run,
                       const std::string& line, int64_t number, std::ostream& out, bool& told_no_attention) {
  if (t.texts.empty()) {
    out << "\n" << std::flush;
    return;
  }
  for (size_t k = 0; k < t.texts.size(); ++k) {
    if (options.nbest > 1)
      out << k << " ||| " << t.texts[k] << " ||| " << fmt::format("{:.4f}", t.scores[k]) << "\n";
    else
      out << t.texts[k] << "\n";
  }
  out << std::flush;
  if (!options.show_attention && options.svg.empty()) return;
  if (!run.model->has_attention()) {
    if (!told_no_attention)
      spdlog::info(
          "the {} model has no attention: its decoder sees the source only through the encoder's final "
          "state, so there is no attention matrix to draw",
          to_string(run.config.model.type));
    told_no_attention = true;
    return;
  }
  if (options.show_attention)
    std::cerr << report::render_attention_text(t.attention_columns, t.attention_rows, t.attention,
                                               isatty(STDERR_FILENO) != 0)
              << std::flush;
  if (!options.svg.empty()) {
    const std::string path = svg_path(options.svg, number);
    write_file_atomic(
        path, report::render_attention_svg(t.attention_columns, t.attention_rows, t.attention, "attention: " + line));
    spdlog::info("attention heatmap written to {}", path);
  }
}

}  // namespace

int translate(const TranslateOptions& options, std::istream& in_default, std::ostream& out, bool interactive) {
  auto run = load_run(options.run);
  decode::TranslatorOptions translator_options;
  translator_options.beam = options.beam;
  translator_options.nbest = options.nbest;
  translator_options.attention = options.show_attention || !options.svg.empty();
  decode::Translator translator(run, translator_options);
  std::ifstream file;
  if (!options.input.empty()) {
    file.open(options.input);
    if (!file) throw UsageError("--input " + options.input + ": cannot open file (check the path)");
    interactive = false;
  }
  std::istream& in = options.input.empty() ? in_default : file;
  if (interactive)
    out << "seq2seq translate: " << to_string(run.config.model.type) << " model from " << options.run.dir
        << ". One German sentence per line; :quit or Ctrl-D to leave.\n";
  std::string line;
  int64_t number = 0;
  bool told_no_attention = false;
  while (true) {
    if (interactive) out << "de> " << std::flush;
    if (!std::getline(in, line)) break;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (interactive && (line == ":quit" || line == ":q")) break;
    if (interactive) out << "en> ";
    ++number;
    print_translation(translator.translate(line, number), options, run, line, number, out, told_no_attention);
  }
  if (interactive) out << "\n";
  return 0;
}

}  // namespace seq2seq::session
