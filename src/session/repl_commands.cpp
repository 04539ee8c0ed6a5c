// Parsing the translate session's commands; no state: the session applies them.
#include "seq2seq/session/repl_commands.h"

#include "seq2seq/session/word_hints.h"
#include "seq2seq/util/text_input.h"
#include "seq2seq/util/utf8.h"

#include <charconv>

namespace seq2seq::session {

const std::vector<ReplCommandHelp>& repl_commands() {
  static const std::vector<ReplCommandHelp> commands = {
      {":beam N", "beam search with N hypotheses for every run (1 = greedy)"},
      {":nbest K", "show the K best translations per run, 'k ||| text ||| score' (K > beam widens the beam)"},
      {":attention on|off", "draw each attention model's map under its translation"},
      {":svg DIR|off", "write each sentence's attention heatmap(s) into DIR as N-RUN.svg"},
      {":runs", "what is loaded: model type, parameters, weights, search settings, test BLEU"},
      {":help", "this list"},
      {":quit, :q", "leave (Ctrl-D too)"},
  };
  return commands;
}

std::string repl_help() {
  std::string text;
  for (const auto& command : repl_commands()) {
    text += "  " + command.usage;
    text += std::string(command.usage.size() < 20 ? 20 - command.usage.size() : 1, ' ');
    text += command.description + "\n";
  }
  return text;
}

bool is_repl_command(std::string_view line) {
  const auto words = split_whitespace(line);
  return !words.empty() && words.front().front() == ':';
}

namespace {

ReplCommand invalid(std::string hint) {
  ReplCommand command;
  command.hint = std::move(hint);
  return command;
}

// :beam N and :nbest K: one whole number in 1..kMaxBeam.
ReplCommand parse_count(ReplCommand::Kind kind, const std::string& name, const std::vector<std::string_view>& args) {
  const std::string usage = name + " N needs one whole number from 1 to " + std::to_string(kMaxBeam) + ", e.g. " +
                            name + (kind == ReplCommand::Kind::kBeam ? " 5" : " 3");
  if (args.size() != 1) return invalid(usage);
  int value = 0;
  const auto [end, error] = std::from_chars(args[0].data(), args[0].data() + args[0].size(), value);
  if (error != std::errc() || end != args[0].data() + args[0].size() || value < 1 || value > kMaxBeam)
    return invalid(usage + " (got '" + quote_input(args[0]) + "')");
  ReplCommand command;
  command.kind = kind;
  command.number = value;
  return command;
}

}  // namespace

ReplCommand parse_repl_command(std::string_view line) {
  const auto words = split_whitespace(line);
  if (words.empty() || words.front().front() != ':') return invalid("not a command: commands start with ':' (:help)");
  const std::string name(words.front());
  const std::vector<std::string_view> args(words.begin() + 1, words.end());
  using Kind = ReplCommand::Kind;
  ReplCommand command;
  const auto no_arguments = [&](Kind kind) {
    if (!args.empty()) return invalid(name + " takes no argument (got '" + quote_input(args[0]) + "')");
    command.kind = kind;
    return command;
  };
  if (name == ":help" || name == ":h" || name == ":?") return no_arguments(Kind::kHelp);
  if (name == ":quit" || name == ":q" || name == ":exit") return no_arguments(Kind::kQuit);
  if (name == ":runs") return no_arguments(Kind::kRuns);
  if (name == ":beam") return parse_count(Kind::kBeam, name, args);
  if (name == ":nbest") return parse_count(Kind::kNbest, name, args);
  if (name == ":attention") {
    if (args.size() == 1 && (args[0] == "on" || args[0] == "off")) {
      command.kind = Kind::kAttention;
      command.on = args[0] == "on";
      return command;
    }
    return invalid(":attention takes on or off, e.g. :attention on");
  }
  if (name == ":svg") {
    if (args.empty()) return invalid(":svg needs a directory (or off), e.g. :svg attention-maps");
    // The directory is the rest of the line, so that it may hold spaces (the words are views
    // into `line`).
    const std::string_view rest = rstrip(line.substr(static_cast<std::size_t>(args[0].data() - line.data())));
    command.kind = Kind::kSvg;
    command.dir = std::string(rest);
    if (command.dir == "off") command.dir.clear();
    return command;
  }
  std::vector<std::string> names;
  for (const auto& entry : repl_commands()) names.push_back(entry.usage.substr(0, entry.usage.find_first_of(" ,")));
  const auto near = closest_words(name, names, 1);
  return invalid("unknown command '" + quote_input(name) + "'" +
                 (near.empty() ? "" : "; did you mean " + near.front() + "?") + " (:help lists the commands)");
}

}  // namespace seq2seq::session
