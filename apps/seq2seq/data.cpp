// `seq2seq data stats|fetch|synth|spm|concat`: look at corpora, get them onto disk, train subword
// models, join lines into long test sentences.
#include "commands.h"

#include "seq2seq/config/config.h"
#include "seq2seq/data/concat.h"
#include "seq2seq/data/corpus.h"
#include "seq2seq/data/fetch.h"
#include "seq2seq/data/stats.h"
#include "seq2seq/data/tokenizer.h"
#include "seq2seq/util/errors.h"
#include "seq2seq/util/io.h"

#include <iostream>
#include <map>

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
  Config config;
  if (args.config_file.empty())
    apply_overrides(config, args.overrides);
  else
    config = load_config(args.config_file, args.overrides);
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
  // SentencePiece: the models train would use (data.spm_dir, or trained here on the first split).
  const auto tokenizers = data::make_tokenizers(
      config.data, data::spm_models_for_training(config.data, splits.front().src, splits.front().tgt));
  data::StatsOptions options;
  options.min_freq = config.data.min_freq;
  options.max_size = config.data.max_size;
  options.max_len = config.data.max_len;
  options.bin_width = args.bin_width;
  options.src_lang = config.data.src_lang;
  options.tgt_lang = config.data.tgt_lang;
  const nlohmann::json stats = data::corpus_stats(splits, tokenizers, options);
  if (args.json)
    std::cout << stats.dump(2) << "\n";
  else
    std::cout << data::render_stats(stats);
  return 0;
}

struct SpmArgs {
  std::string config_file, out;
  std::vector<std::string> overrides;
};

// Trains the config's SentencePiece model(s) on its training split, ahead of `train` (which then
// copies them from data.spm_dir), and reports the pieces per sentence.
int run_spm(const SpmArgs& args) {
  Config config = load_config(args.config_file, args.overrides);
  if (config.data.tokenizer != "spm")
    throw ConfigError(args.config_file + ": data.tokenizer is \"" + config.data.tokenizer +
                      "\"; data spm needs \"spm\" (or --set data.tokenizer=spm)");
  const std::string out = args.out.empty() ? config.data.spm_dir : args.out;
  if (out.empty()) throw UsageError("data spm: give --out DIR (or set data.spm_dir in " + args.config_file + ")");
  const auto train = data::read_corpus(config.data.train, "train");
  DataConfig fresh = config.data;
  fresh.spm_dir.clear();  // train them, even when data.spm_dir names the destination
  const auto models = data::train_spm(fresh, train.src, train.tgt);
  create_directories(out);
  const auto names = data::spm_model_files(config.data);
  for (size_t i = 0; i < names.size(); ++i) write_file_atomic(out + "/" + names[i], models[i]);
  const auto tokenizers = data::make_tokenizers(config.data, models);
  auto mean_pieces = [](const data::Tokenizer& tokenizer, const std::vector<std::string>& lines) {
    size_t pieces = 0;
    for (const auto& line : lines) pieces += tokenizer.tokenize(line).size();
    return lines.empty() ? 0.0 : static_cast<double>(pieces) / static_cast<double>(lines.size());
  };
  for (size_t i = 0; i < names.size(); ++i) {
    const auto& tokenizer = i == 0 ? *tokenizers.src : *tokenizers.tgt;
    std::cout << out << "/" << names[i] << ": " << tokenizer.name() << " (" << config.data.spm_type << ")\n";
  }
  std::cout << fmt::format("train: {} pairs, {:.1f} {} / {:.1f} {} pieces per sentence\n", train.size(),
                           mean_pieces(*tokenizers.src, train.src), config.data.src_lang,
                           mean_pieces(*tokenizers.tgt, train.tgt), config.data.tgt_lang);
  return 0;
}

// Joins K aligned lines per output line (data/concat.h).
int run_concat(const data::ConcatOptions& options) {
  const std::string command =
      "seq2seq data concat --src " + options.src + " --tgt " + options.tgt + " --join " + std::to_string(options.join) +
      " --out " + options.out + " --seed " + std::to_string(options.seed) + " --order " +
      (options.order == data::JoinOrder::Random ? "random" : "consecutive") + (options.force ? " --force" : "");
  const auto result = data::write_concat(options, command);
  std::cout << "wrote " << result.lines_out << " lines of " << options.join << " joined sentences to " << result.src_out
            << " and " << result.tgt_out << " (" << result.lines_in << " lines in, " << result.dropped
            << " left over)\n";
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
      ->check(at_least(0));
  stats->add_flag("--json", stats_args->json, "Print one JSON object");

  auto* fetch = app->add_subcommand("fetch", "Download Multi30k (or copy it with --from) and check it");
  auto corpus = std::make_shared<std::string>();
  auto fetch_options = std::make_shared<data::FetchOptions>();
  fetch->add_option("corpus", *corpus, "Corpus name (multi30k)")->required()->check(CLI::IsMember({"multi30k"}));
  fetch->add_option("--from", fetch_options->from, "Copy the six .gz files from this folder instead of downloading");
  fetch->add_option("--out", fetch_options->out, "Destination folder")->capture_default_str();

  Command synth = add_data_synth(*app);

  auto* spm = app->add_subcommand("spm", "Train a config's SentencePiece model(s) on its training split");
  auto spm_args = std::make_shared<SpmArgs>();
  spm->add_option("--config", spm_args->config_file, "Config file (data.tokenizer \"spm\")")->required();
  add_set_option(*spm, spm_args->overrides);
  spm->add_option("--out", spm_args->out,
                  "Directory for spm.model or spm.src.model + spm.tgt.model (default: data.spm_dir)");
  spm->footer(
      "Example:\n  seq2seq data spm --config configs/transformer_spm.json --out data/multi30k/spm8k\n"
      "then train with --set data.spm_dir=data/multi30k/spm8k (train copies the models into the run)");

  auto* concat =
      app->add_subcommand("concat", "Join K aligned lines of a parallel corpus per line: a test set of long sentences");
  auto concat_options = std::make_shared<data::ConcatOptions>();
  concat->add_option("--src", concat_options->src, "Source file (plain or .gz)")->required();
  concat->add_option("--tgt", concat_options->tgt, "Target file aligned with --src")->required();
  concat->add_option("--join", concat_options->join, "Lines joined into one (K)")->required();
  concat->add_option("--out", concat_options->out, "Output folder: <name>.join<K>.<ext> per side, concat.json")
      ->required();
  concat->add_option("--seed", concat_options->seed, "Random seed for --order random")->capture_default_str();
  const std::map<std::string, data::JoinOrder> orders = {{"consecutive", data::JoinOrder::Consecutive},
                                                         {"random", data::JoinOrder::Random}};
  concat
      ->add_option("--order", concat_options->order,
                   "consecutive (default): lines i..i+K-1; random: a seeded shuffle, then groups of K (each line "
                   "once)")
      ->transform(CLI::CheckedTransformer(orders, CLI::ignore_case));
  concat->add_flag("--force", concat_options->force, "Overwrite existing output files");
  concat->footer(
      "Example:\n  seq2seq data concat --src data/multi30k/test_2016_flickr.de --tgt data/multi30k/test_2016_flickr.en "
      "--join 3 --out data/multi30k/long");

  return {app, [=] {
            if (stats->parsed()) return run_stats(*stats_args);
            if (concat->parsed()) return run_concat(*concat_options);
            if (fetch->parsed()) {
              std::cout << data::fetch_multi30k(*fetch_options) << "\n";
              return 0;
            }
            if (synth.app->parsed()) return synth.run();
            if (spm->parsed()) return run_spm(*spm_args);
            return 2;
          }};
}

}  // namespace seq2seq::cli
