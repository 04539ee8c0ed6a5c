// `seq2seq compare`: runs side by side (table, BLEU by length, config diff, charts), or configs.
#include "commands.h"

#include "seq2seq/session/compare_session.h"

#include <iostream>
#include <memory>

namespace seq2seq::cli {

Command add_compare(CLI::App& root) {
  auto* app = root.add_subcommand("compare", "Compare runs (scores, BLEU by length, config diff, charts) or configs");
  auto o = std::make_shared<session::CompareOptions>();
  app->add_option("runs", o->runs, "Run directories");
  app->add_option("--configs", o->configs, "Config files to diff (and with --train, to train and compare)");
  add_set_option(*app, o->overrides);
  app->add_flag("--train", o->train, "With --configs: train each into --runs-dir/<name> (complete runs are skipped)");
  app->add_option("--runs-dir", o->runs_dir, "Where --train puts runs (default: runs)");
  app->add_option("--seeds", o->seeds,
                  "With --train: train each config N times, into NAME.s1 ... NAME.sN with train.seed, "
                  "train.seed + 1, ...; the tables add mean ± sd over seeds")
      ->check(in_range(1, 1000));
  app->add_option("--jobs", o->jobs,
                  "With --train: runs trained at once, each in its own process with threads/jobs threads (default 1)")
      ->check(at_least(1));
  app->add_flag("--no-eval", o->no_eval, "Do not evaluate runs that have no eval results");
  app->add_flag("--unverified", o->unverified,
                "Evaluate runs that have lost their state.json, without checking their weights and files");
  app->add_option("--split", o->split, "Eval split to compare (default: test)");
  app->add_option("--beam", o->beam, "Beam size for evaluations run by compare (default: the run's decode.beam)")
      ->check(decode_range("beam"));
  app->add_option("--format", o->format, "table|markdown|json|csv")
      ->check(CLI::IsMember({"table", "markdown", "json", "csv"}));
  app->add_option("--out", o->out, "Write compare.json, compare.md and the SVG charts into this directory");
  app->add_option("--device", o->device, "auto|cpu|cuda");
  app->footer(
      "Examples:\n  seq2seq compare runs/rnn runs/bahdanau runs/transformer --out runs/compare\n"
      "  seq2seq compare --configs configs/rnn.json configs/bahdanau.json\n"
      "  seq2seq compare --configs configs/quick/*.json --train --seeds 3 --runs-dir runs/quick\n"
      "p: paired bootstrap resampling of BLEU (1,000 resamples) of each run against the first (with --seeds: each\n"
      "seed against the first config's same seed; the mean ± sd tables show the largest p over the seeds).");
  return {app, [o] { return session::compare(*o, std::cout); }};
}

}  // namespace seq2seq::cli
