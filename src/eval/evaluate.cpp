// Evaluation: translate a split with the run's model, then score it every way eval reports.
#include "seq2seq/eval/evaluate.h"

#include "seq2seq/data/batcher.h"
#include "seq2seq/data/corpus.h"
#include "seq2seq/decode/corpus_translation.h"
#include "seq2seq/util/errors.h"
#include "seq2seq/eval/bleu.h"
#include "seq2seq/eval/chrf.h"
#include "seq2seq/eval/length_buckets.h"
#include "seq2seq/eval/perplexity.h"
#include "seq2seq/eval/teacher_forced.h"
#include "seq2seq/util/io.h"
#include "seq2seq/util/sha256.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <chrono>
#include <map>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

namespace seq2seq::eval {

EvalInput load_split(const LoadedRun& run, const std::string& split) {
  const SplitPaths* paths = nullptr;
  if (split == "valid") paths = &run.config.data.valid;
  if (split == "test") paths = &run.config.data.test;
  if (!paths) throw UsageError("--split " + split + ": unknown split (use valid or test, or --src/--ref)");
  if (paths->src.empty())
    throw UsageError(run.paths.config() + ": data." + split + ".src is empty; give --src FILE --ref FILE instead");
  auto corpus = data::read_corpus(*paths, split);
  data::require_usable_pairs(corpus, run.paths.config() + ": data." + split);
  return {split, paths->src, paths->tgt, corpus.src, corpus.tgt};
}

std::string files_result_name(const std::string& src_path, const std::string& ref_path) {
  namespace fs = std::filesystem;
  const std::string both = fs::absolute(src_path).lexically_normal().string() + "\n" +
                           fs::absolute(ref_path).lexically_normal().string();
  std::string stem = fs::path(src_path).stem().string();
  for (char& c : stem)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  return "files-" + stem.substr(0, 40) + "-" + sha256_hex(both).substr(0, 8);
}

void check_result_name(const std::string& name, const std::string& split_evaluated) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos || name.front() == '.')
    throw UsageError("--out " + name + ": give a plain name for RUN/eval/NAME.json (no '/', not starting with '.')");
  if ((name == "valid" || name == "test") && name != split_evaluated)
    throw UsageError("--out " + name + ": the name of the run's " + name +
                     " split, whose results compare reports; give another name");
}

EvalInput load_files(const std::string& src_path, const std::string& ref_path, const std::string& name) {
  auto corpus = data::read_corpus(SplitPaths{src_path, ref_path}, "eval");
  data::require_usable_pairs(corpus, "--src/--ref");
  return {name.empty() ? files_result_name(src_path, ref_path) : name, src_path, ref_path, corpus.src, corpus.tgt};
}

EvalOutput evaluate_run(LoadedRun& run, const EvalInput& input, const decode::SearchOptions& options, int batch_size) {
  const auto start = std::chrono::steady_clock::now();
  // Translate every source line (the corpus-translation pipeline validation also uses).
  decode::CorpusTranslationOptions translation;
  translation.search = options;
  translation.batch_size = batch_size;
  const decode::TextCodec codec{run.tokenizers, run.src_vocab, run.tgt_vocab};
  EvalOutput output;
  const auto translated = decode::translate_corpus(*run.model, codec, input.src, translation, run.device);
  output.hyps = translated.texts;
  const double decode_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // The pairs with both sides non-empty, for perplexity; the source's <unk> rate; the lengths
  // of the length bands.
  std::vector<data::Example> examples;
  std::vector<int> lengths;
  int64_t src_tokens = 0, src_unk = 0;
  for (size_t i = 0; i < input.src.size(); ++i) {
    auto src_ids = run.src_vocab.encode(translated.src_tokens[i]);  // tokenized once, by the pipeline
    auto tgt_ids = run.tgt_vocab.encode(run.tokenizers.tgt->tokenize(input.ref[i]));
    src_tokens += static_cast<int64_t>(src_ids.size()) - 2;
    src_unk += std::count(src_ids.begin(), src_ids.end(), data::Vocab::kUnk);
    if (src_ids.size() > 2 && tgt_ids.size() > 2)
      examples.push_back({std::move(src_ids), std::move(tgt_ids), static_cast<int64_t>(i)});
    lengths.push_back(source_words(input.src[i]));
  }
  auto loss = corpus_loss(*run.model, examples, batch_size, run.device);
  // Where in the sentence the model's reference tokens go wrong, on the same pairs and bands.
  std::vector<int> example_words;
  for (const auto& example : examples) example_words.push_back(lengths[example.index]);
  const auto forced = teacher_forced(*run.model, examples, example_words, batch_size, run.device);
  const double total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const bool lowercase = run.config.data.lowercase;  // the model writes lower case: score case-insensitively
  auto bleu = corpus_bleu(output.hyps, input.ref, lowercase);
  auto chrf = corpus_chrf(output.hyps, input.ref, lowercase);
  auto bands = bleu_by_length(lengths, output.hyps, input.ref, lowercase);
  // Both conventions, each with its sacreBLEU signature: cased (sacreBLEU's default) and
  // lowercased (case:lc, as JoeyNMT and the PyTorch tutorials report Multi30k).
  nlohmann::json both;
  for (const bool lc : {false, true}) {
    const auto b = corpus_bleu(output.hyps, input.ref, lc);
    const auto c = corpus_chrf(output.hyps, input.ref, lc);
    both[lc ? "lowercased" : "cased"] = {{"bleu", {{"score", b.score}, {"signature", b.signature}}},
                                         {"chrf", {{"score", c.score}, {"signature", c.signature}}}};
  }

  nlohmann::json report;
  report["run"] = run.paths.dir;
  report["split"] = input.name;
  const std::string weights = std::filesystem::path(run.checkpoint).filename().string();
  report["checkpoint"] = weights;
  const auto recorded = run.state ? run.state->checksums.find(weights) : std::map<std::string, std::string>::const_iterator{};
  report["checkpoint_sha256"] =
      run.state && recorded != run.state->checksums.end() ? recorded->second : sha256_file(run.checkpoint);
  report["src"] = input.src_path;
  report["ref"] = input.ref_path;
  report["model"] = run.config.model.type;
  report["sentences"] = input.src.size();
  report["bleu"] = bleu;
  report["chrf"] = chrf;
  report["scores"] = both;
  report["loss"] = loss.mean();
  report["ppl"] = loss.perplexity();
  report["bands"] = bands;
  report["teacher_forced"] = forced;
  report["src_unk_rate"] = src_tokens ? static_cast<double>(src_unk) / src_tokens : 0.0;
  report["decode"] = {{"beam", options.beam},
                      {"length_penalty", options.length_penalty},
                      {"max_len_ratio", options.max_len_ratio},
                      {"max_len", options.max_len},
                      {"batch_size", batch_size},
                      {"device", run.device.str()}};
  report["decode_s"] = decode_s;
  report["time_s"] = total_s;
  report["sent_per_s"] = decode_s > 0 ? input.src.size() / decode_s : 0.0;
  output.report = std::move(report);
  return output;
}

void save_eval(const LoadedRun& run, const EvalOutput& output) {
  const std::string name = output.report.at("split").get<std::string>();
  const std::string dir = run.paths.eval_dir();
  std::string hyp_text;
  for (const auto& line : output.hyps) hyp_text += line + "\n";
  write_file_atomic(dir + "/" + name + ".hyp", hyp_text);
  write_file_atomic(dir + "/" + name + ".json", output.report.dump(2) + "\n");
}

}  // namespace seq2seq::eval
