// `seq2seq bench`: training and decoding speed, side by side with the PyTorch reference harness.
#include "commands.h"

#include "seq2seq/bench/bench.h"
#include "seq2seq/config.h"
#include "seq2seq/doctor.h"
#include "seq2seq/errors.h"

#include <fmt/format.h>

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

void print_text(const nlohmann::json& r) {
  auto num = [](const nlohmann::json& j, const char* key, const char* format) {
    return j.contains(key) ? fmt::format(fmt::runtime(format), j[key].get<double>()) : std::string("-");
  };
  std::cout << fmt::format("model {}  mode {}  batch {}  threads {}  device {}  vocab {}/{}  params {} ({} embedding)\n",
                           r["model"].get<std::string>(), r["mode"].get<std::string>(), r["batch"].get<int>(),
                           r["threads"].get<int>(), r["device"].get<std::string>(), r["src_vocab"].get<int64_t>(),
                           r["tgt_vocab"].get<int64_t>(), r["params"]["total"].get<int64_t>(),
                           r["params"]["embedding"].get<int64_t>());
  if (r.contains("train")) {
    const auto& t = r["train"];
    std::cout << "train   " << num(t, "tokens_per_s", "{:.0f}") << " tgt tokens/s   ms/step mean "
              << num(t, "ms_per_step_mean", "{:.1f}") << " median " << num(t, "ms_per_step_median", "{:.1f}")
              << " min " << num(t, "ms_per_step_min", "{:.1f}") << " max " << num(t, "ms_per_step_max", "{:.1f}")
              << "   cpu util " << num(t, "cpu_util", "{:.2f}") << "\n"
              << "        pad frac src " << num(t, "pad_frac_src", "{:.3f}") << " tgt "
              << num(t, "pad_frac_tgt", "{:.3f}") << " all " << num(t, "pad_frac_all", "{:.3f}") << "   loss "
              << num(t, "loss_first", "{:.3f}") << " -> " << num(t, "loss_last", "{:.3f}") << "\n";
    if (t.contains("achieved_gflops_analytic"))
      std::cout << "        " << num(t, "achieved_gflops_analytic", "{:.1f}") << " GFLOP/s ("
                << num(r, "train_flops_per_tgt_token_analytic_fixed", "{:.0f}") << " FLOP/token)"
                << (t.contains("fraction_of_gemm_peak")
                        ? fmt::format(" = {:.0f}% of the {:.1f} GFLOP/s GEMM rate",
                                      100 * t["fraction_of_gemm_peak"].get<double>(), r["gemm"]["gflops"].get<double>())
                        : std::string())
                << "\n";
    std::cout << "        peak RSS after training " << num(r, "peak_rss_mb_after_train", "{:.0f}") << " MB\n";
  }
  if (r.contains("decode")) {
    for (const char* b : {"b1", "b64"}) {
      const auto& d = r["decode"][b];
      std::cout << "decode  " << b << ": " << num(d, "sent_per_s", "{:.2f}") << " sent/s   "
                << d["gen_tokens"].get<int64_t>() << " tokens, " << num(d, "gen_tokens_per_s", "{:.0f}")
                << " tokens/s   " << d["decoder_steps"].get<int64_t>() << " decoder steps, "
                << num(d, "ms_per_decoder_step", "{:.2f}") << " ms/step   cpu util " << num(d, "cpu_util", "{:.2f}")
                << "\n";
    }
  }
  std::cout << "peak RSS " << num(r, "peak_rss_mb", "{:.0f}") << " MB\n";
}

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
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app->add_option("--warmup", o.warmup, "Untimed training steps first")->check(CLI::NonNegativeNumber)->capture_default_str();
  app->add_flag("--decode", o.decode, "Also time greedy decoding of the first validation sentences at batch 1 and 64");
  app->add_option("--decode-sentences", o.decode_sentences, "Validation sentences to decode")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  auto* batch = app->add_option("--batch", o.batch_size, "Sentences per training batch (default: train.batch_size)")
                    ->check(CLI::PositiveNumber);
  app->add_option("--threads", args->threads, "CPU threads (default: the global --threads, i.e. all cores)")
      ->check(CLI::PositiveNumber);
  auto* seed = app->add_option("--seed", o.seed, "Seed of batches and initialisation (default: train.seed)");
  app->add_option("--data-dir", o.data_dir, "Folder with the Multi30k .gz files (default: the config's data paths)");
  app->add_option("--device", o.device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}))->capture_default_str();
  app->add_option("--src-vocab", o.src_vocab, "Mode fixed: source vocabulary size without reading the corpus")
      ->check(CLI::PositiveNumber);
  app->add_option("--tgt-vocab", o.tgt_vocab, "Mode fixed: target vocabulary size without reading the corpus")
      ->check(CLI::PositiveNumber);
  app->add_flag("--no-gemm", args->no_gemm, "Skip measuring the GEMM rate (no % of GEMM peak)");
  app->add_flag("--json", args->json, "Print one JSON object (fields as the reference's bench.py output)");

  return {app, [=] {
            Config config = load_config(args->config_file);
            apply_overrides(config, args->overrides);
            validate(config, args->config_file);
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
              print_text(result);
            return 0;
          }};
}

}  // namespace seq2seq::cli
