// `seq2seq data synth`: write a seeded synthetic German->English corpus with long sentences.
#include "commands.h"

#include "seq2seq/data/synth.h"
#include "seq2seq/data/synth_subset.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>

namespace seq2seq::cli {

namespace {
struct SynthArgs {
  std::string out;
  std::string band_weights;  // --train-band-weights as given
  data::SynthOptions options;
};

// The command with every option spelled out, for synth.json.
std::string command_line(const SynthArgs& a) {
  const auto& o = a.options;
  return "seq2seq data synth --out " + a.out + " --train " + std::to_string(o.train) + " --valid " +
         std::to_string(o.valid) + " --test " + std::to_string(o.test) + " --min-words " + std::to_string(o.min_words) +
         " --max-words " + std::to_string(o.max_words) + " --seed " + std::to_string(o.seed) +
         (o.lemmas ? " --lemmas " + std::to_string(o.lemmas) : "") +
         (a.options.train_band_weights.empty() ? "" : " --train-band-weights " + a.band_weights);
}
}  // namespace

Command add_data_synth(CLI::App& data_app) {
  auto* app = data_app.add_subcommand(
      "synth", "Write a synthetic German->English corpus (train/valid/test .de/.en) with lengths spread to 60 tokens");
  auto args = std::make_shared<SynthArgs>();
  auto& o = args->options;
  app->add_option("--out", args->out, "Output folder (created if missing)")->required();
  app->add_option("--train", o.train, "Training pairs")->capture_default_str()->check(at_least(0));
  app->add_option("--valid", o.valid, "Validation pairs")->capture_default_str()->check(at_least(0));
  app->add_option("--test", o.test, "Test pairs")->capture_default_str()->check(at_least(0));
  app->add_option("--min-words", o.min_words, "Fewest words in a German sentence")->capture_default_str();
  app->add_option("--max-words", o.max_words, "Most tokens (words and punctuation) in a German sentence")
      ->capture_default_str();
  app->add_option("--seed", o.seed, "Random seed: the same seed gives the same files")->capture_default_str();
  auto* lemmas =
      app->add_option("--lemmas", o.lemmas,
                      "Keep a seeded subset of about N content lemmas (nouns, adjectives, verbs, adverbs), each class "
                      "its share, plus what they need; default: the whole lexicon");
  auto* band_weights =
      app->add_option("--train-band-weights", args->band_weights,
                      "Length mix of the train split: one weight per band, e.g. 0,0,1,1,2 (valid and test stay even)");
  return {app, [args, lemmas, band_weights] {
            // 0 stands for "the whole lexicon" inside; given on the command line it is out of range.
            if (lemmas->count() > 0 && args->options.lemmas == 0)
              data::synth::require_subset_size(data::synth::lexicon(), 0);
            if (band_weights->count() > 0)
              args->options.train_band_weights = data::parse_band_weights(args->band_weights);
            const auto& o = args->options;
            auto start = std::chrono::steady_clock::now();
            data::SynthCorpus corpus = data::generate_synth(o);
            double generate_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            data::write_synth(corpus, o, args->out, command_line(*args));
            double total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

            auto bands = data::synth_bands(o);
            std::string header = "split  ";
            for (const auto& b : bands) header += fmt::format("{:>8}", b.label());
            spdlog::info("source length bands (German tokens, punctuation counted):");
            spdlog::info("{}", header);
            const std::vector<std::pair<const char*, const std::vector<data::SynthPair>*>> splits = {
                {"train", &corpus.train}, {"valid", &corpus.valid}, {"test", &corpus.test}};
            for (const auto& [name, pairs] : splits) {
              std::string row = fmt::format("{:<7}", name);
              for (int64_t n : data::synth_band_counts(*pairs, bands)) row += fmt::format("{:>8}", n);
              spdlog::info("{}", row);
            }
            const auto& lexicon = corpus.lexicon;
            std::string kept;
            for (size_t c = 0; c < lexicon.kept.size(); ++c)
              kept += fmt::format("{}{} {}s", c ? ", " : "", lexicon.kept[c], lexicon.word_classes[c]);
            spdlog::info("content lemmas: {} kept ({}){}", lexicon.content_lemmas(), kept,
                         lexicon.requested ? fmt::format(", {} asked for with --lemmas", lexicon.requested) : "");
            spdlog::info("generated in {:.2f} s, written in {:.2f} s", generate_s, total_s - generate_s);

            std::cout << "wrote " << corpus.train.size() << " train, " << corpus.valid.size() << " valid, "
                      << corpus.test.size() << " test pairs to " << args->out << " (seed " << o.seed << ", "
                      << corpus.lexicon.lemmas << " lemmas, " << fmt::format("{:.2f}", total_s) << " s); "
                      << fmt::format("a content lemma occurs {:.1f} times in train on average ({} kept)",
                                     data::synth_train_occurrences_per_lemma(corpus), corpus.lexicon.content_lemmas())
                      << "\n";
            return 0;
          }};
}

}  // namespace seq2seq::cli
