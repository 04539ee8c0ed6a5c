// The eval command: translate held-out sentences with a run, score them, save and print.
#include "seq2seq/session/eval_session.h"

#include "seq2seq/eval/evaluate.h"
#include "seq2seq/report/eval_summary.h"
#include "seq2seq/run/run.h"
#include "seq2seq/system/precision.h"
#include "seq2seq/util/errors.h"
#include "seq2seq/util/text_input.h"

#include <spdlog/spdlog.h>

#include <ostream>

namespace seq2seq::session {

int evaluate(const EvalOptions& o, std::ostream& out) {
  if (o.src.empty() != o.ref.empty()) throw UsageError("eval: --src and --ref go together");
  if (!o.out.empty()) eval::check_result_name(o.out, o.src.empty() ? o.split : "");
  if (!o.src.empty()) {  // before the model is loaded
    require_input_file(o.src, "--src");
    require_input_file(o.ref, "--ref");
  }
  auto run = load_run(o.run);
  auto input = o.src.empty() ? eval::load_split(run, o.split) : eval::load_files(o.src, o.ref, o.out);
  if (o.src.empty() && !o.out.empty()) input.name = o.out;
  auto options = decode::SearchOptions::from(run.config.decode);
  if (o.beam > 0) options.beam = o.beam;
  if (o.length_penalty >= 0) options.length_penalty = o.length_penalty;
  const int batch = o.batch > 0 ? o.batch : run.config.decode.batch_size;
  options.precision = run.precision;
  // The guard covers the perplexity pass too (the search opens its own as well).
  AutocastGuard autocast(run.precision);
  auto output = eval::evaluate_run(run, input, options, batch);
  eval::save_eval(run, output);
  spdlog::info("wrote {}/{}.json and .hyp", run.paths.eval_dir(), input.name);
  if (o.json)
    out << output.report.dump(2) << "\n";
  else
    out << report::render_eval_summary(output.report);
  return 0;
}

}  // namespace seq2seq::session
