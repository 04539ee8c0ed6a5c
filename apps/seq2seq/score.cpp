// `seq2seq score --hyp FILE --ref FILE`: sacreBLEU-compatible BLEU and chrF of two line-aligned files.
#include "commands.h"

#include "seq2seq/data/corpus.h"
#include "seq2seq/eval/bleu.h"
#include "seq2seq/eval/chrf.h"
#include "seq2seq/util/errors.h"
#include "seq2seq/util/text_input.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace seq2seq::cli {

namespace {

// One string per line, as Python's universal-newline reading gives them to sacreBLEU; the corpus
// readers' rules (a byte-order mark removed, UTF-8 and control characters checked).
std::vector<std::string> read_lines(const std::string& path, const char* option) {
  require_input_file(path, option);
  return data::read_lines(path);
}

std::string fixed(double value, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

}  // namespace

Command add_score(CLI::App& root) {
  struct Options {
    std::string hyp, ref;
    bool lowercase = false, json = false;
  };
  auto options = std::make_shared<Options>();
  auto* app = root.add_subcommand("score",
                                  "BLEU and chrF of a hypothesis file against a reference file "
                                  "(sacreBLEU's defaults)");
  app->add_option("--hyp", options->hyp, "Hypotheses, one sentence per line (detokenized)")->required();
  app->add_option("--ref", options->ref, "References, line-aligned with --hyp")->required();
  app->add_flag("--lowercase", options->lowercase, "Case-insensitive BLEU and chrF");
  app->add_flag("--json", options->json, "Print one JSON object");
  return {
      app, [=] {
        std::vector<std::string> hyps = read_lines(options->hyp, "--hyp");
        std::vector<std::string> refs = read_lines(options->ref, "--ref");
        if (hyps.size() != refs.size())
          throw UsageError("line counts differ: " + options->hyp + " has " + std::to_string(hyps.size()) + " lines, " +
                           options->ref + " has " + std::to_string(refs.size()) + " (the files must be line-aligned)");
        eval::BleuResult bleu = eval::corpus_bleu(hyps, refs, options->lowercase);
        eval::ChrfResult chrf = eval::corpus_chrf(hyps, refs, options->lowercase);
        if (options->json) {
          nlohmann::json report = {
              {"hyp", options->hyp}, {"ref", options->ref}, {"sentences", hyps.size()}, {"bleu", bleu}, {"chrf", chrf}};
          std::cout << report.dump(2) << "\n";
          return 0;
        }
        // sacreBLEU's own text format, so that the lines can be compared side by side.
        const eval::BleuStats& s = bleu.stats;
        std::string precisions;
        for (std::size_t n = 0; n < bleu.precisions.size(); ++n)
          precisions += (n ? "/" : "") + fixed(bleu.precisions[n], 1);
        std::cout << "BLEU|" << bleu.signature << " = " << fixed(bleu.score, 2) << " " << precisions
                  << " (BP = " << fixed(bleu.bp, 3)
                  << " ratio = " << fixed(s.ref_len ? static_cast<double>(s.sys_len) / s.ref_len : 0.0, 3)
                  << " hyp_len = " << s.sys_len << " ref_len = " << s.ref_len << ")\n"
                  << "chrF2|" << chrf.signature << " = " << fixed(chrf.score, 2) << "\n";
        return 0;
      }};
}

}  // namespace seq2seq::cli
