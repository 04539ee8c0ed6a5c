// `seq2seq eval`: translate a held-out split with a trained run and score it.
#include "commands.h"

#include "seq2seq/errors.h"
#include "seq2seq/eval/evaluate.h"
#include "seq2seq/train/checkpoint.h"

#include <iostream>

namespace seq2seq::cli {

Command add_eval(CLI::App& root) {
  auto* app = root.add_subcommand("eval", "Evaluate a run: BLEU, chrF, perplexity and BLEU by source length");
  struct Options {
    std::string run, split = "test", src, ref, checkpoint = "best", device = "auto";
    int beam = 0, batch = 0;
    double length_penalty = -1;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  app->add_option("--run", o->run, "Run directory")->required();
  app->add_option("--split", o->split, "valid|test (from the run's config)");
  app->add_option("--src", o->src, "Source file to translate instead of a split (needs --ref)");
  app->add_option("--ref", o->ref, "Reference file, line-aligned with --src");
  app->add_option("--beam", o->beam, "Beam size (default: decode.beam of the run; 1 = greedy)");
  app->add_option("--length-penalty", o->length_penalty, "Length penalty alpha (default: decode.length_penalty)");
  app->add_option("--batch", o->batch, "Sentences decoded together (default: decode.batch_size)");
  app->add_option("--checkpoint", o->checkpoint, "best|last");
  app->add_option("--device", o->device, "auto|cpu|cuda");
  app->add_flag("--json", o->json, "Print only the JSON report");
  app->footer("Example: seq2seq eval --run runs/bahdanau --split test --beam 5\n"
              "Writes RUN/eval/<split>.hyp and RUN/eval/<split>.json.");
  return {app, [o] {
            if (o->src.empty() != o->ref.empty()) throw UsageError("eval: --src and --ref go together");
            auto run = train::load_run(o->run, o->checkpoint, o->device);
            auto input = o->src.empty() ? eval::load_split(run, o->split) : eval::load_files(o->src, o->ref);
            auto options = decode::SearchOptions::from(run.config.decode);
            if (o->beam > 0) options.beam = o->beam;
            if (o->length_penalty >= 0) options.length_penalty = o->length_penalty;
            const int batch = o->batch > 0 ? o->batch : run.config.decode.batch_size;
            auto output = eval::evaluate_run(run, input, options, batch);
            eval::save_eval(run, output);
            if (o->json)
              std::cout << output.report.dump(2) << "\n";
            else
              std::cout << eval::render_eval_summary(output.report);
            return 0;
          }};
}

}  // namespace seq2seq::cli
