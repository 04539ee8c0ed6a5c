// `seq2seq eval`: translate a held-out split with a trained run and score it.
#include "commands.h"

#include "seq2seq/session/eval_session.h"

#include <iostream>
#include <memory>

namespace seq2seq::cli {

Command add_eval(CLI::App& root) {
  auto* app = root.add_subcommand(
      "eval", "Evaluate a run: BLEU, chrF, perplexity, BLEU and teacher-forced accuracy by length and position");
  auto o = std::make_shared<session::EvalOptions>();
  add_run_options(*app, o->run);
  add_precision_option(*app, o->run.precision);
  app->add_option("--split", o->split, "valid|test (from the run's config)");
  app->add_option("--src", o->src, "Source file to translate instead of a split (needs --ref)");
  app->add_option("--ref", o->ref, "Reference file, line-aligned with --src");
  app->add_option("--beam", o->beam, "Beam size (default: decode.beam of the run; 1 = greedy)")
      ->check(decode_range("beam"));
  app->add_option("--length-penalty", o->length_penalty,
                  "Length penalty alpha, 0 or more (default: decode.length_penalty)")
      ->check(decode_range("length_penalty"));
  app->add_option("--batch", o->batch, "Sentences decoded together (default: decode.batch_size)")
      ->check(decode_range("batch_size"));
  app->add_option("--out", o->out,
                 "Name of the results in RUN/eval (NAME.json, NAME.hyp); default: the split, or for --src/--ref "
                 "files-STEM-HASH");
  app->add_flag("--json", o->json, "Print only the JSON report");
  app->footer(
      "Example: seq2seq eval --run runs/bahdanau --split test --beam 5\n"
      "Writes RUN/eval/<split>.hyp and RUN/eval/<split>.json; with --src/--ref, RUN/eval/files-STEM-HASH.* "
      "(or --out NAME), never a split's results.");
  return {app, [o] { return session::evaluate(*o, std::cout); }};
}

}  // namespace seq2seq::cli
