// The translate session: read lines, translate each with every loaded run, print translations,
// hints and attention maps; on a terminal, also the commands of repl_commands.h.
#include "seq2seq/session/translate_session.h"

#include "seq2seq/decode/sentence_translator.h"
#include "seq2seq/util/errors.h"
#include "seq2seq/util/io.h"
#include "seq2seq/report/heatmap.h"
#include "seq2seq/run/run.h"
#include "seq2seq/session/line_reader.h"
#include "seq2seq/session/repl_commands.h"
#include "seq2seq/session/word_hints.h"
#include "seq2seq/util/text_input.h"
#include "seq2seq/util/utf8.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>

#include <unistd.h>

namespace seq2seq::session {

namespace fs = std::filesystem;

std::string svg_path(const std::string& file, int64_t n, const std::string& label) {
  if (n == 1 && label.empty()) return file;
  fs::path p(file);
  std::string stem = p.stem().string();
  if (!label.empty()) stem += "-" + label;
  if (n > 1) stem += "-" + std::to_string(n);
  return (p.parent_path() / (stem + p.extension().string())).string();
}

std::vector<std::string> run_labels(const std::vector<std::string>& dirs) {
  std::vector<std::string> labels;
  for (const auto& dir : dirs) {
    fs::path p = fs::path(dir).lexically_normal();
    if (!p.has_filename()) p = p.parent_path();  // "runs/rnn/" -> "runs/rnn"
    std::string name = p.filename().string();
    labels.push_back(name.empty() || name == "." || name == ".." ? dir : name);
  }
  std::vector<std::string> unique = labels;
  for (size_t i = 0; i < labels.size(); ++i)
    if (std::count(labels.begin(), labels.end(), labels[i]) > 1) unique[i] = dirs[i];
  return unique;
}

namespace {

// One loaded run and its translator; LoadedRun stays at one address (the translator holds it).
struct Slot {
  std::string label;
  std::unique_ptr<LoadedRun> run;
  std::unique_ptr<decode::Translator> translator;
  int64_t parameters = 0;
  bool told_no_attention = false;
};

// What the commands change (starting from the command line's options).
struct Settings {
  int beam = 0;  // 0 = each run's decode.beam
  int nbest = 1;
  bool show_attention = false;
  bool unk_brackets = false;
  std::string svg_file;  // --attention-svg FILE
  std::string svg_dir;   // :svg DIR

  decode::TranslatorOptions translator() const {
    decode::TranslatorOptions options;
    options.beam = beam;
    options.nbest = nbest;
    options.attention = show_attention || !svg_file.empty() || !svg_dir.empty();
    options.unk_brackets = unk_brackets;
    return options;
  }
};

std::string with_commas(int64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// Test BLEU from RUN/eval/test.json, when eval wrote one.
std::string test_bleu(const LoadedRun& run) {
  const std::string path = run.paths.eval_dir() + "/test.json";
  std::ifstream file(path);
  if (!file) return "test BLEU: not evaluated yet (seq2seq eval --run " + run.paths.dir + ")";
  try {
    const auto eval = nlohmann::json::parse(file);
    return fmt::format("test BLEU {:.2f}", eval.at("bleu").at("score").get<double>());
  } catch (const std::exception&) {
    return "test BLEU: " + path + " is unreadable (run seq2seq eval again)";
  }
}

class Session {
 public:
  Session(const TranslateOptions& options, std::ostream& out, bool interactive) : out_(out), interactive_(interactive) {
    settings_.beam = options.beam;
    settings_.nbest = options.nbest;
    settings_.show_attention = options.show_attention;
    settings_.unk_brackets = options.unk_brackets;
    settings_.svg_file = options.svg;
    if (options.runs.empty()) throw UsageError("--run: give at least one run directory");
    const auto labels = run_labels(options.runs);
    for (size_t i = 0; i < options.runs.size(); ++i) {
      Slot slot;
      slot.label = labels[i];
      RunOptions run_options;
      run_options.dir = options.runs[i];
      run_options.checkpoint = options.checkpoint;
      run_options.device = options.device;
      run_options.unverified = options.unverified;
      run_options.precision = options.precision;
      slot.run = std::make_unique<LoadedRun>(load_run(run_options));
      slot.translator = std::make_unique<decode::Translator>(*slot.run, settings_.translator());
      for (const auto& p : slot.run->model->parameters()) slot.parameters += p.numel();
      label_width_ = std::max(label_width_, display_width(slot.label));
      slots_.push_back(std::move(slot));
    }
  }

  void banner(const LineReader& reader) {
    if (slots_.size() == 1) {
      out_ << "seq2seq translate: " << to_string(slots_[0].run->config.model.type) << " model from "
           << slots_[0].run->paths.dir << ".\n";
    } else {
      out_ << "seq2seq translate: " << slots_.size() << " runs:";
      for (size_t i = 0; i < slots_.size(); ++i)
        out_ << (i ? ", " : " ") << slots_[i].label << " (" << to_string(slots_[i].run->config.model.type) << ")";
      out_ << ".\n";
    }
    out_ << "One German sentence per line; :help lists the commands, :quit or Ctrl-D leaves.\n"
         << "Input: " << reader.description() << ".\n";
    flush();
  }

  // Translates one input line with every run and prints the results.
  void translate_line(const std::string& line) {
    ++number_;
    std::vector<decode::Translation> results;
    for (auto& slot : slots_) results.push_back(slot.translator->translate(line));
    report_input(results);
    for (size_t i = 0; i < slots_.size(); ++i) {
      print(slots_[i], results[i]);
      attention(slots_[i], results[i], line);
    }
  }

  // Applies a command line; false for :quit.
  bool command(const std::string& line) {
    const ReplCommand command = parse_repl_command(line);
    using Kind = ReplCommand::Kind;
    switch (command.kind) {
      case Kind::kQuit:
        return false;
      case Kind::kHelp:
        out_ << "Commands:\n" << repl_help() << "Any other line is a German sentence to translate.\n";
        break;
      case Kind::kBeam:
        settings_.beam = command.number;
        apply();
        say(fmt::format("beam {} for every run{}{}", command.number, command.number == 1 ? " (greedy)" : "",
                        settings_.nbest > command.number
                            ? fmt::format(", widened to {} while :nbest is {}", settings_.nbest, settings_.nbest)
                            : ""));
        break;
      case Kind::kNbest:
        settings_.nbest = command.number;
        apply();
        say(command.number == 1 ? "1 translation per run"
                                : fmt::format("{} best translations per run (a narrower beam is widened to {})",
                                              command.number, command.number));
        break;
      case Kind::kAttention:
        settings_.show_attention = command.on;
        apply();
        say(command.on ? "attention maps on" : "attention maps off");
        if (command.on) tell_models_without_attention();
        break;
      case Kind::kSvg:
        set_svg_dir(command.dir);
        break;
      case Kind::kRuns:
        list_runs();
        break;
      case Kind::kInvalid:
        say(command.hint);
        break;
    }
    flush();
    return true;
  }

 private:
  bool several() const { return slots_.size() > 1; }

  // A message for the user: on a terminal an indented line on stdout, on a pipe a log line on
  // stderr naming the input line (stdout carries translations only).
  void say(const std::string& text, spdlog::level::level_enum level = spdlog::level::info) {
    if (interactive_)
      out_ << "  " << text << "\n";
    else
      spdlog::log(level, "line {}: {}", number_, text);
  }

  void apply() {
    for (auto& slot : slots_) slot.translator->set_options(settings_.translator());
  }

  // Unknown words once per line (not once per run), with suggestions from the first run that
  // lacks the word; cuts once per distinct limit.
  void report_input(const std::vector<decode::Translation>& results) {
    std::set<std::string> reported;
    for (size_t i = 0; i < slots_.size(); ++i)
      for (const auto& word : results[i].unknown)
        if (reported.insert(word).second)
          say(unknown_word_hint(word, closest_words(word, slots_[i].run->src_vocab.tokens())) +
                  (several() && !unknown_everywhere(word) ? " for " + unknown_in(word) : ""),
              spdlog::level::warn);
    std::map<int, std::vector<std::string>> cut_by_limit;  // limit -> labels
    int64_t tokens = 0;
    for (size_t i = 0; i < slots_.size(); ++i)
      if (results[i].cut_from > 0) {
        cut_by_limit[slots_[i].translator->max_tokens()].push_back(slots_[i].label);
        tokens = results[i].cut_from;
      }
    for (const auto& [limit, labels] : cut_by_limit) {
      std::string who = "this model was";
      if (several()) who = fmt::format("{} {}", fmt::join(labels, ", "), labels.size() == 1 ? "was" : "were");
      say(fmt::format("{} tokens, more than the {} {} trained on; translating the first {}", tokens, limit, who, limit),
          spdlog::level::warn);
    }
  }
  bool unknown_everywhere(const std::string& word) const {
    return std::none_of(slots_.begin(), slots_.end(), [&](const Slot& s) { return s.run->src_vocab.contains(word); });
  }
  std::string unknown_in(const std::string& word) const {
    std::vector<std::string> labels;
    for (const auto& slot : slots_)
      if (!slot.run->src_vocab.contains(word)) labels.push_back(slot.label);
    return fmt::format("{}", fmt::join(labels, ", "));
  }

  void print(const Slot& slot, const decode::Translation& t) {
    const bool nbest = settings_.nbest > 1;
    const auto body = [&](size_t k) {
      return nbest ? fmt::format("{} ||| {} ||| {:.4f}", k, t.texts[k], t.scores[k]) : t.texts[k];
    };
    if (!interactive_) {
      const std::string prefix = several() ? slot.label + "\t" : "";
      if (t.texts.empty()) out_ << prefix << "\n";
      for (size_t k = 0; k < t.texts.size(); ++k) out_ << prefix << body(k) << "\n";
    } else {
      std::string prefix = "en> ";
      if (several()) prefix = slot.label + std::string(label_width_ - display_width(slot.label), ' ') + " > ";
      const std::string indent(display_width(prefix), ' ');
      if (t.texts.empty()) out_ << prefix << "\n";
      for (size_t k = 0; k < t.texts.size(); ++k) out_ << (k == 0 ? prefix : indent) << body(k) << "\n";
    }
    flush();
  }

  // Each translation reaches the reader as it is made; a full disk or a closed terminal stops
  // the session at the first line it loses, not after translating the whole input.
  void flush() { check_output(out_, "standard output"); }

  void tell_models_without_attention() {
    for (auto& slot : slots_)
      if (!slot.run->model->has_attention() && !slot.told_no_attention) {
        say(
            fmt::format("{}the {} model has no attention: its decoder sees the source only through the encoder's "
                        "final state, so there is no attention matrix to draw",
                        several() ? slot.label + ": " : "", to_string(slot.run->config.model.type)));
        slot.told_no_attention = true;
      }
  }

  // The attention map under the run's line (stderr on a pipe) and its SVG file(s).
  void attention(Slot& slot, const decode::Translation& t, const std::string& line) {
    const bool svg = !settings_.svg_file.empty() || !settings_.svg_dir.empty();
    if (!settings_.show_attention && !svg) return;
    if (!slot.run->model->has_attention()) {
      tell_models_without_attention();
      return;
    }
    if (t.attention.empty()) return;
    if (settings_.show_attention) {
      std::ostream& map = interactive_ ? out_ : std::cerr;
      if (several()) map << "attention of " << slot.label << ":\n";
      map << report::render_attention_text(t.attention_columns, t.attention_rows, t.attention,
                                           isatty(interactive_ ? STDOUT_FILENO : STDERR_FILENO) != 0)
          << std::flush;
    }
    if (!svg) return;
    const std::string title = "attention" + (several() ? " of " + slot.label : std::string()) + ": " + line;
    const std::string path =
        !settings_.svg_dir.empty()
            ? (fs::path(settings_.svg_dir) / fmt::format("{}-{}.svg", number_, slot.label)).string()
            : svg_path(settings_.svg_file, number_, several() ? slot.label : "");
    write_file_atomic(path, report::render_attention_svg(t.attention_columns, t.attention_rows, t.attention, title));
    say("attention heatmap written to " + path);
  }

  void set_svg_dir(const std::string& dir) {
    if (dir.empty()) {
      settings_.svg_dir.clear();
      settings_.svg_file.clear();
      apply();
      say("no more attention heatmaps");
      return;
    }
    std::error_code error;
    fs::create_directories(dir, error);
    if (error) {
      say("cannot create " + dir + ": " + error.message() + " (give another directory)");
      return;
    }
    settings_.svg_dir = dir;
    settings_.svg_file.clear();
    apply();
    say("attention heatmaps go to " + (fs::path(dir) / "N-RUN.svg").string() + " (N = sentence number)");
    tell_models_without_attention();
  }

  void list_runs() {
    for (const auto& slot : slots_) {
      const auto& run = *slot.run;
      const auto& search = slot.translator->search_options();
      out_ << "  " << slot.label << std::string(label_width_ - display_width(slot.label), ' ') << "  "
           << to_string(run.config.model.type) << " model, " << with_commas(slot.parameters) << " parameters, "
           << fs::path(run.checkpoint).filename().string() << " of " << run.paths.dir << "; beam " << search.beam
           << ", nbest " << search.nbest << ", at most " << slot.translator->max_tokens() << " source tokens; "
           << test_bleu(run) << "\n";
    }
  }

  std::ostream& out_;
  bool interactive_;
  Settings settings_;
  std::vector<Slot> slots_;
  size_t label_width_ = 0;
  int64_t number_ = 0;  // sentences translated so far
};

}  // namespace

int translate(const TranslateOptions& options, std::istream& in_default, std::ostream& out, bool interactive) {
  std::ifstream file;
  if (!options.input.empty()) {
    require_input_file(options.input, "--input");
    file.open(options.input, std::ios::binary);
    if (!file) throw UsageError("--input " + options.input + ": cannot open file (check the path)");
    interactive = false;
  }
  std::istream& in = options.input.empty() ? in_default : file;
  const std::string source = options.input.empty() ? "<stdin>" : options.input;
  Session session(options, out, interactive);
  const auto reader = make_line_reader(in, out, interactive);
  if (interactive) session.banner(*reader);
  std::string line;
  for (std::size_t line_number = 1; reader->read_line("de> ", line); ++line_number) {
    if (line_number == 1) line = std::string(strip_bom(line));  // as every reader of text does
    try {
      require_no_control_chars(line, source, line_number);
    } catch (const std::runtime_error& e) {
      if (!interactive) throw;  // a corrupt input file stops, as corpora and eval inputs do
      out << "  " << e.what() << "\n";
      continue;
    }
    if (interactive) {
      if (split_whitespace(line).empty()) continue;  // nothing to translate: no output at all
      if (is_repl_command(line)) {
        if (!session.command(line)) break;
        continue;
      }
    }
    session.translate_line(line);
  }
  if (interactive) out << "\n";
  return 0;
}

}  // namespace seq2seq::session
