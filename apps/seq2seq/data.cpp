// `seq2seq data stats|fetch|synth`: look at corpora and get them onto disk.
#include "commands.h"

#include "seq2seq/config.h"
#include "seq2seq/data/corpus.h"
#include "seq2seq/data/fetch.h"
#include "seq2seq/data/stats.h"
#include "seq2seq/data/tokenizer.h"
#include "seq2seq/errors.h"

#include <iostream>

namespace seq2seq::cli {

namespace {

struct StatsArgs {
  std::string config_file, src, tgt;
  std::vector<std::string> overrides;
  bool json = false;
  int bin_width = 0;
};

int run_stats(const StatsArgs& args) {
  if (args.config_file.empty() == args.src.empty())
    throw UsageError("data stats: give either --config FILE or --src FILE [--tgt FILE]");
  if (!args.tgt.empty() && args.src.empty()) throw UsageError("data stats: --tgt needs --src");
  Config config = args.config_file.empty() ? Config{} : load_config(args.config_file);
  apply_overrides(config, args.overrides);
  std::vector<data::ParallelCorpus> splits;
  if (!args.src.empty()) {
    splits.push_back(data::read_corpus({args.src, args.tgt}, "corpus"));
  } else {
    // Every split the config names; valid and test may be left empty.
    const std::vector<std::pair<std::string, SplitPaths>> named{
        {"train", config.data.train}, {"valid", config.data.valid}, {"test", config.data.test}};
    for (const auto& [name, paths] : named)
      if (!paths.src.empty()) splits.push_back(data::read_corpus(paths, name));
  }
  const auto tokenizer = data::make_tokenizer(config.data);
  data::StatsOptions options;
  options.min_freq = config.data.min_freq;
  options.max_size = config.data.max_size;
  options.max_len = config.data.max_len;
  options.bin_width = args.bin_width;
  options.src_lang = config.data.src_lang;
  options.tgt_lang = config.data.tgt_lang;
  const nlohmann::json stats = data::corpus_stats(splits, *tokenizer, options);
  if (args.json)
    std::cout << stats.dump(2) << "\n";
  else
    std::cout << data::render_stats(stats);
  return 0;
}

}  // namespace

Command add_data(CLI::App& root) {
  auto* app = root.add_subcommand("data", "Corpus statistics, fetching Multi30k, synthetic corpora");
  app->require_subcommand(1);

  auto* stats =
      app->add_subcommand("stats", "Pairs, tokens, vocabulary sizes, OOV rates and length histograms of a corpus");
  auto stats_args = std::make_shared<StatsArgs>();
  stats->add_option("--config", stats_args->config_file, "Config file: every split it names (vocab from train)");
  add_set_option(*stats, stats_args->overrides);
  stats->add_option("--src", stats_args->src, "Source file (or a source<TAB>target .tsv file without --tgt)");
  stats->add_option("--tgt", stats_args->tgt, "Target file aligned with --src");
  stats->add_option("--bin-width", stats_args->bin_width, "Histogram bin in tokens (default: 5, or 10 for long text)")
      ->check(CLI::NonNegativeNumber);
  stats->add_flag("--json", stats_args->json, "Print one JSON object");

  auto* fetch = app->add_subcommand("fetch", "Download Multi30k (or copy it with --from) and check it");
  auto corpus = std::make_shared<std::string>();
  auto fetch_options = std::make_shared<data::FetchOptions>();
  fetch->add_option("corpus", *corpus, "Corpus name (multi30k)")->required()->check(CLI::IsMember({"multi30k"}));
  fetch->add_option("--from", fetch_options->from, "Copy the six .gz files from this folder instead of downloading");
  fetch->add_option("--out", fetch_options->out, "Destination folder")->capture_default_str();

  Command synth = add_data_synth(*app);

  return {app, [=] {
            if (stats->parsed()) return run_stats(*stats_args);
            if (fetch->parsed()) {
              std::cout << data::fetch_multi30k(*fetch_options) << "\n";
              return 0;
            }
            if (synth.app->parsed()) return synth.run();
            return 2;
          }};
}

}  // namespace seq2seq::cli
