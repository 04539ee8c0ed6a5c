// `seq2seq bench`: training and decoding speed, side by side with the PyTorch reference harness.
#include "commands.h"

#include "seq2seq/bench/bench.h"
#include "seq2seq/config/config.h"
#include "seq2seq/system/doctor.h"
#include "seq2seq/util/errors.h"
#ifdef SEQ2SEQ_HAVE_HTTPLIB
#include "seq2seq/serve/server.h"
#endif

#include <iostream>
#include <map>

namespace seq2seq::cli {

namespace {

struct BenchArgs {
  std::string config_file;
  std::vector<std::string> overrides;
  bench::BenchOptions options;
  int threads = 0;
  bool no_gemm = false;
  bool json = false;
  bool serve = false;  // --serve: latency and throughput of seq2seq serve over the --run runs
  std::vector<std::string> runs;
  int serve_requests = 40;
};

// The --serve measurement as JSON, or why there is none ({"skipped": reason}).
nlohmann::json serve_bench(const BenchArgs& args) {
  if (args.runs.empty()) return {{"skipped", "no --run given (seq2seq bench --serve --run RUN [--run RUN ...])"}};
#ifdef SEQ2SEQ_HAVE_HTTPLIB
  serve::ServeBenchOptions options;
  options.runs = args.runs;
  options.device = args.options.device;
  options.requests = args.serve_requests;
  return serve::run_serve_bench(options);
#else
  return {{"skipped", "this seq2seq was built without cpp-httplib"}};
#endif
}

std::string render_serve(const nlohmann::json& result) {
  if (result.contains("skipped")) return "serve: skipped: " + result["skipped"].get<std::string>() + "\n";
#ifdef SEQ2SEQ_HAVE_HTTPLIB
  return serve::render_serve_bench(result);
#else
  return "";
#endif
}

}  // namespace

Command add_bench(CLI::App& root) {
  auto* app = root.add_subcommand(
      "bench", "Training and greedy-decoding speed, measured as the PyTorch reference harness measures it");
  auto args = std::make_shared<BenchArgs>();
  auto& o = args->options;
  app->add_option("--config", args->config_file,
                  "Config file (configs/bench/*.json: the canonical sizes); optional with --serve")
      ->check(CLI::ExistingFile);
  add_set_option(*app, args->overrides);
  app->add_option("--mode", o.mode,
                  "fixed: random ids, B x 14 -> B x 15; corpus: the reference's Multi30k batches "
                  "(multi30k is accepted as a synonym)")
      ->transform(CLI::Transformer(std::map<std::string, std::string>{{"multi30k", "corpus"}}))
      ->check(CLI::IsMember({"fixed", "corpus"}))
      ->capture_default_str();
  app->add_option("--steps", o.steps, "Timed training steps (0: no training)")
      ->check(at_least(0))
      ->capture_default_str();
  app->add_option("--warmup", o.warmup, "Untimed training steps first")->check(at_least(0))->capture_default_str();
  app->add_flag("--decode", o.decode, "Also time greedy decoding of the first validation sentences at batch 1 and 64");
  app->add_option("--decode-sentences", o.decode_sentences, "Validation sentences to decode")
      ->check(at_least(1))
      ->capture_default_str();
  auto* batch = app->add_option("--batch", o.batch_size, "Sentences per training batch (default: train.batch_size)")
                    ->check(at_least(1));
  app->add_option("--threads", args->threads, "CPU threads (default: the global --threads, i.e. all cores)")
      ->check(at_least(1));
  auto* seed = app->add_option("--seed", o.seed, "Seed of batches and initialisation (default: train.seed)");
  app->add_option("--data-dir", o.data_dir, "Folder with the Multi30k .gz files (default: the config's data paths)");
  app->add_option("--device", o.device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}))->capture_default_str();
  app->add_option("--src-vocab", o.src_vocab, "Mode fixed: source vocabulary size without reading the corpus")
      ->check(at_least(1));
  app->add_option("--tgt-vocab", o.tgt_vocab, "Mode fixed: target vocabulary size without reading the corpus")
      ->check(at_least(1));
  app->add_option("--precision", o.precision,
                  "fp32, bf16 (mixed precision), auto (what train.precision auto picks here) or both: fp32 fills "
                  "train and decode, bf16 train_bf16 and decode_bf16")
      ->check(CLI::IsMember({"fp32", "bf16", "auto", "both"}))
      ->capture_default_str();
  app->add_flag("--no-gemm", args->no_gemm, "Skip measuring the GEMM rate (no % of GEMM peak)");
  app->add_flag("--json", args->json, "Print one JSON object (fields as the reference's bench.py output)");
  app->add_flag("--serve", args->serve,
                "Also (or, without --config, only) time seq2seq serve: one 15-word sentence through every --run "
                "(beam 5) over HTTP and in-process (p50/p95 ms), and requests/s with 1 and 8 clients; skipped "
                "without --run");
  app->add_option("--run", args->runs, "Run directory for --serve (repeat it: one model per run)");
  app->add_option("--serve-requests", args->serve_requests, "Requests per --serve measurement")
      ->check(at_least(1))
      ->capture_default_str();
  app->footer(
      "Examples:\n  seq2seq bench --config configs/bench/transformer.json --decode\n"
      "  seq2seq bench --serve --run runs/quick/rnn --run runs/quick/bahdanau --run runs/quick/transformer");

  return {
      app, [=] {
        if (args->config_file.empty() && !args->serve)
          throw UsageError("bench: give --config (training and decoding speed), --serve --run RUN (serving), or both");
        if (!args->runs.empty() && !args->serve) throw UsageError("bench: --run is for --serve; add --serve");
        if (args->threads > 0) set_threads(args->threads);
        if (args->config_file.empty()) {
          const nlohmann::json serve = serve_bench(*args);
          std::cout << (args->json ? serve.dump() + "\n" : render_serve(serve));
          return 0;
        }
        Config config = load_config(args->config_file, args->overrides);
        bench::BenchOptions options = args->options;
        if (batch->count() == 0) options.batch_size = config.train.batch_size;
        if (seed->count() == 0) options.seed = static_cast<uint64_t>(config.train.seed);
        if ((options.src_vocab > 0) != (options.tgt_vocab > 0))
          throw UsageError("bench: give both --src-vocab and --tgt-vocab, or neither");
        options.measure_gemm = !args->no_gemm;
        nlohmann::json result = bench::run_bench(config, options);
        if (args->serve) result["serve"] = serve_bench(*args);
        if (args->json)
          std::cout << result.dump() << "\n";
        else
          std::cout << bench::render_bench_text(result) << (args->serve ? render_serve(result["serve"]) : "");
        return 0;
      }};
}

}  // namespace seq2seq::cli
