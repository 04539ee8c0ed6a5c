// `seq2seq translate`: interactive or line-by-line translation with a trained run.
#include "commands.h"

#include "seq2seq/data/vocab.h"
#include "seq2seq/decode/search.h"
#include "seq2seq/errors.h"
#include "seq2seq/io.h"
#include "seq2seq/report/heatmap.h"
#include "seq2seq/train/checkpoint.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include <unistd.h>

namespace seq2seq::cli {

namespace {

struct TranslateOptions {
  std::string run, input, svg, checkpoint = "best", device = "auto";
  int beam = 0, nbest = 1;
  bool show_attention = false;
};

// SVG path for the n-th translated sentence: FILE for the first, FILE-stem-N.svg after that.
std::string svg_path(const std::string& file, int64_t n) {
  if (n == 1) return file;
  std::filesystem::path p(file);
  return (p.parent_path() / (p.stem().string() + "-" + std::to_string(n) + p.extension().string())).string();
}

class Translator {
 public:
  Translator(train::LoadedRun& run, const TranslateOptions& options) : run_(run), options_(options) {
    search_ = decode::SearchOptions::from(run.config.decode);
    if (options.beam > 0) search_.beam = options.beam;
    search_.nbest = std::max(1, options.nbest);
    if (search_.nbest > search_.beam) search_.beam = search_.nbest;
    search_.attention = options.show_attention || !options.svg.empty();
    max_tokens_ = run.config.data.max_len;
    if (run.config.model.type == ModelType::transformer) max_tokens_ = std::min(max_tokens_, run.config.model.max_positions - 2);
  }

  // Translates one line and writes the output line(s) to `out`.
  void translate(const std::string& line, std::ostream& out) {
    ++count_;
    auto tokens = run_.tokenizer->tokenize(line);
    if (tokens.empty()) {
      out << "\n" << std::flush;
      return;
    }
    std::vector<std::string> unknown;
    for (const auto& token : tokens)
      if (!run_.src_vocab.contains(token)) unknown.push_back(token);
    if (!unknown.empty()) spdlog::warn("line {}: unknown word(s) shown as <unk> to the model: {}", count_, fmt::join(unknown, ", "));
    if (static_cast<int>(tokens.size()) > max_tokens_) {
      spdlog::warn("line {}: {} tokens, more than the {} this model was trained on; translating the first {}", count_,
                   tokens.size(), max_tokens_, max_tokens_);
      tokens.resize(max_tokens_);
    }
    auto ids = run_.src_vocab.encode(tokens);
    auto src = torch::tensor(ids, torch::kLong).unsqueeze(0).to(run_.device);  // (1, S)
    auto src_len = torch::tensor({static_cast<int64_t>(ids.size())}, torch::kLong);
    torch::InferenceMode inference;
    auto hyps = decode::search(*run_.model, src, src_len, search_).front();
    for (size_t k = 0; k < hyps.size(); ++k) {
      auto words = output_words(hyps[k], tokens);
      std::string text = run_.tokenizer->detokenize(words);
      if (options_.nbest > 1)
        out << k << " ||| " << text << " ||| " << fmt::format("{:.4f}", hyps[k].score) << "\n";
      else
        out << text << "\n";
    }
    out << std::flush;
    const auto& best = hyps.front();
    if (!search_.attention) return;
    if (!run_.model->has_attention()) {
      if (!warned_no_attention_)
        spdlog::info("the {} model has no attention: its decoder sees the source only through the encoder's final "
                     "state, so there is no attention matrix to draw",
                     to_string(run_.config.model.type));
      warned_no_attention_ = true;
      return;
    }
    std::vector<std::string> src_words = {"<bos>"};
    src_words.insert(src_words.end(), tokens.begin(), tokens.end());
    src_words.push_back("<eos>");
    auto tgt_words = run_.tgt_vocab.decode(best.tokens);
    std::vector<std::string> rows;
    for (const auto id : best.tokens) rows.push_back(run_.tgt_vocab.token(id));
    if (best.finished) rows.push_back("<eos>");
    std::vector<std::vector<float>> weights(best.attention.begin(), best.attention.begin() + std::min(best.attention.size(), rows.size()));
    if (options_.show_attention)
      std::cerr << report::render_attention_text(src_words, rows, weights, isatty(STDERR_FILENO) != 0) << std::flush;
    if (!options_.svg.empty()) {
      const std::string path = svg_path(options_.svg, count_);
      write_file_atomic(path, report::render_attention_svg(src_words, rows, weights, "attention: " + line));
      spdlog::info("attention heatmap written to {}", path);
    }
  }

 private:
  // Target words, with each <unk> replaced by "[source word]" the model attended to most.
  std::vector<std::string> output_words(const decode::Hypothesis& hyp, const std::vector<std::string>& src_tokens) {
    std::vector<std::string> words;
    for (size_t t = 0; t < hyp.tokens.size(); ++t) {
      std::string word = run_.tgt_vocab.token(hyp.tokens[t]);
      if (hyp.tokens[t] == data::Vocab::kUnk && t < hyp.attention.size()) {
        const auto& row = hyp.attention[t];
        // Source positions: 0 = <bos>, 1..n = tokens, n+1 = <eos>.
        size_t best = 1;
        for (size_t j = 1; j + 1 < row.size(); ++j)
          if (row[j] > row[best]) best = j;
        if (best - 1 < src_tokens.size()) word = "[" + src_tokens[best - 1] + "]";
      }
      words.push_back(word);
    }
    return words;
  }

  train::LoadedRun& run_;
  const TranslateOptions& options_;
  decode::SearchOptions search_;
  int max_tokens_ = 0;
  int64_t count_ = 0;
  bool warned_no_attention_ = false;
};

}  // namespace

Command add_translate(CLI::App& root) {
  auto* app = root.add_subcommand("translate", "Translate German sentences with a trained run (interactive or piped)");
  auto o = std::make_shared<TranslateOptions>();
  app->add_option("--run", o->run, "Run directory")->required();
  app->add_option("--input", o->input, "File to translate line by line (default: stdin)");
  app->add_option("--beam", o->beam, "Beam size (default: decode.beam of the run; 1 = greedy)");
  app->add_option("--nbest", o->nbest, "Print the K best translations as 'k ||| text ||| score'");
  app->add_flag("--show-attention", o->show_attention, "Draw the attention matrix in the terminal (stderr)");
  app->add_option("--attention-svg", o->svg, "Write the attention matrix as an SVG heatmap");
  app->add_option("--checkpoint", o->checkpoint, "best|last");
  app->add_option("--device", o->device, "auto|cpu|cuda");
  app->footer("Examples:\n  seq2seq translate --run runs/bahdanau --show-attention\n"
              "  echo 'Ein Mann fährt Fahrrad.' | seq2seq translate --run runs/bahdanau --beam 5");
  return {app, [o] {
            auto run = train::load_run(o->run, o->checkpoint, o->device);
            Translator translator(run, *o);
            std::ifstream file;
            if (!o->input.empty()) {
              file.open(o->input);
              if (!file) throw UsageError("--input " + o->input + ": cannot open file (check the path)");
            }
            std::istream& in = o->input.empty() ? std::cin : file;
            const bool interactive = o->input.empty() && isatty(STDIN_FILENO);
            if (interactive)
              std::cout << "seq2seq translate: " << to_string(run.config.model.type) << " model from " << o->run
                        << ". One German sentence per line; :quit or Ctrl-D to leave.\n";
            std::string line;
            while (true) {
              if (interactive) std::cout << "de> " << std::flush;
              if (!std::getline(in, line)) break;
              if (!line.empty() && line.back() == '\r') line.pop_back();
              if (interactive && (line == ":quit" || line == ":q")) break;
              if (interactive) std::cout << "en> ";
              translator.translate(line, std::cout);
            }
            if (interactive) std::cout << "\n";
            return 0;
          }};
}

}  // namespace seq2seq::cli
