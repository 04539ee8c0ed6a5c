// `seq2seq translate`: interactive or line-by-line translation with a trained run.
#include "commands.h"

#include "seq2seq/session/translate_session.h"

#include <iostream>
#include <memory>

#include <unistd.h>

namespace seq2seq::cli {

Command add_translate(CLI::App& root) {
  auto* app = root.add_subcommand("translate", "Translate German sentences with a trained run (interactive or piped)");
  auto o = std::make_shared<session::TranslateOptions>();
  app->add_option("--run", o->runs, "Run directory; repeat it to translate with several runs at once")
      ->required()
      ->allow_extra_args(false);
  add_weights_options(*app, o->checkpoint, o->device);
  app->add_flag("--unverified", o->unverified,
                "Load runs that have lost their state.json, without checking their weights, config.json and vocabularies");
  add_precision_option(*app, o->precision);
  app->add_option("--input", o->input, "File to translate line by line (default: stdin)");
  app->add_option("--beam", o->beam, "Beam size (default: decode.beam of the run; 1 = greedy)")
      ->check(decode_range("beam"));
  app->add_option("--nbest", o->nbest,
                  "Print the K best translations as 'k ||| text ||| score' (a narrower beam is widened to K)")
      ->check(decode_range("nbest"));
  app->add_flag("--show-attention", o->show_attention,
                "Draw the attention matrix under each translation (stderr on a pipe)");
  app->add_option("--attention-svg", o->svg, "Write the attention matrix as an SVG heatmap");
  app->add_flag("--unk-brackets", o->unk_brackets,
                "Mark a source word copied in place of <unk> as [word] (attention models; the RNN drops <unk>)");
  app->footer(
      "On a terminal, :help lists the commands (:beam N, :nbest K, :attention on|off, :svg DIR, :runs, :quit).\n"
      "Examples:\n  seq2seq translate --run runs/bahdanau --show-attention\n"
      "  seq2seq translate --run runs/quick/rnn --run runs/quick/bahdanau --run runs/quick/transformer\n"
      "  echo 'Ein Mann fährt Fahrrad.' | seq2seq translate --run runs/bahdanau --beam 5");
  return {app, [o] { return session::translate(*o, std::cin, std::cout, isatty(STDIN_FILENO) != 0); }};
}

}  // namespace seq2seq::cli
