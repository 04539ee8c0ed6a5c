// `seq2seq bench`: training and decoding speed, side by side with the PyTorch reference harness.
#include "commands.h"

#include "seq2seq/bench/bench.h"
#include "seq2seq/config/config.h"
#include "seq2seq/system/doctor.h"
#include "seq2seq/util/errors.h"

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
};

}  // namespace

Command add_bench(CLI::App& root) {
  auto* app = root.add_subcommand(
      "bench", "Training and greedy-decoding speed, measured as the PyTorch reference harness measures it");
  auto args = std::make_shared<BenchArgs>();
  auto& o = args->options;
  app->add_option("--config", args->config_file, "Config file (configs/bench/*.json: the canonical sizes)")
      ->required()
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
  app->add_flag("--no-gemm", args->no_gemm, "Skip measuring the GEMM rate (no % of GEMM peak)");
  app->add_flag("--json", args->json, "Print one JSON object (fields as the reference's bench.py output)");

  return {app, [=] {
            Config config = load_config(args->config_file, args->overrides);
            bench::BenchOptions options = args->options;
            if (batch->count() == 0) options.batch_size = config.train.batch_size;
            if (seed->count() == 0) options.seed = static_cast<uint64_t>(config.train.seed);
            if ((options.src_vocab > 0) != (options.tgt_vocab > 0))
              throw UsageError("bench: give both --src-vocab and --tgt-vocab, or neither");
            options.measure_gemm = !args->no_gemm;
            if (args->threads > 0) set_threads(args->threads);
            const nlohmann::json result = bench::run_bench(config, options);
            if (args->json)
              std::cout << result.dump() << "\n";
            else
              std::cout << bench::render_bench_text(result);
            return 0;
          }};
}

}  // namespace seq2seq::cli
