// `seq2seq translate`: interactive or line-by-line translation with a trained run.
#include "commands.h"

#include "seq2seq/session/translate.h"

#include <iostream>
#include <memory>

#include <unistd.h>

namespace seq2seq::cli {

Command add_translate(CLI::App& root) {
  auto* app = root.add_subcommand("translate", "Translate German sentences with a trained run (interactive or piped)");
  auto o = std::make_shared<session::TranslateOptions>();
  add_run_options(*app, o->run);
  app->add_option("--input", o->input, "File to translate line by line (default: stdin)");
  app->add_option("--beam", o->beam, "Beam size (default: decode.beam of the run; 1 = greedy)");
  app->add_option("--nbest", o->nbest, "Print the K best translations as 'k ||| text ||| score'");
  app->add_flag("--show-attention", o->show_attention, "Draw the attention matrix in the terminal (stderr)");
  app->add_option("--attention-svg", o->svg, "Write the attention matrix as an SVG heatmap");
  app->footer(
      "Examples:\n  seq2seq translate --run runs/bahdanau --show-attention\n"
      "  echo 'Ein Mann fährt Fahrrad.' | seq2seq translate --run runs/bahdanau --beam 5");
  return {app, [o] { return session::translate(*o, std::cin, std::cout, isatty(STDIN_FILENO) != 0); }};
}

}  // namespace seq2seq::cli
