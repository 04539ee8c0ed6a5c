// The commands of an interactive translate session (":beam 5", ":help", ...), parsed from a line.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace seq2seq::session {

struct ReplCommand {
  enum class Kind { kHelp, kBeam, kNbest, kAttention, kSvg, kRuns, kQuit, kInvalid };
  Kind kind = Kind::kInvalid;
  int number = 0;    // kBeam, kNbest: 1..kMaxBeam
  bool on = false;   // kAttention
  std::string dir;   // kSvg: the directory; empty = stop writing heatmaps (":svg off")
  std::string hint;  // kInvalid: one line saying what is wrong and what to type instead
};

inline constexpr int kMaxBeam = 64;

// What :help prints: one usage and what it does, per command.
struct ReplCommandHelp {
  std::string usage, description;
};
const std::vector<ReplCommandHelp>& repl_commands();
std::string repl_help();  // every entry of repl_commands(), one per line

// A line is a command when its first non-space character is ':'.
bool is_repl_command(std::string_view line);

// Parses a command line (is_repl_command). Anything unknown or malformed gives kInvalid with a
// hint; an unknown name suggests the closest command.
ReplCommand parse_repl_command(std::string_view line);

}  // namespace seq2seq::session
