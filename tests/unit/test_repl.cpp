// The translate session's helpers without a model: edit-distance hints, REPL command parsing,
// the history location and the plain line reader.
#include "seq2seq/session/line_reader.h"
#include "seq2seq/session/repl_commands.h"
#include "seq2seq/session/word_hints.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

using namespace seq2seq::session;
using Kind = ReplCommand::Kind;

TEST(WordHints, EditDistanceCountsCodePoints) {
  EXPECT_EQ(edit_distance("hund", "hund"), 0u);
  EXPECT_EQ(edit_distance("hundd", "hund"), 1u);
  EXPECT_EQ(edit_distance("hund", "mund"), 1u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  // ü is two bytes but one code point: one substitution, not two.
  EXPECT_EQ(edit_distance("hünd", "hund"), 1u);
  EXPECT_EQ(edit_distance("größe", "grosse"), 3u);  // ö -> o, ß -> s, one s inserted
  EXPECT_EQ(edit_distance("ä", "a"), 1u);
}

TEST(WordHints, ClosestWordsNearestFirstThenVocabularyOrder) {
  const std::vector<std::string> vocab = {"<pad>", "<unk>", "<bos>", "<eos>", "der", "hund",
                                          "mann",  "hunde", "mund",  "katze", "hand"};
  // hund and hunde at distance 1 (vocabulary order), then mund and hand at 2: k = 3 keeps mund.
  EXPECT_EQ(closest_words("hundd", vocab), (std::vector<std::string>{"hund", "hunde", "mund"}));
  EXPECT_EQ(closest_words("hundd", vocab, 1), (std::vector<std::string>{"hund"}));
  EXPECT_TRUE(closest_words("zauberer", vocab).empty());
  // A short word allows one edit only, and specials are never suggested.
  EXPECT_EQ(max_hint_distance("unk"), 1u);
  EXPECT_TRUE(closest_words("<unk", vocab).empty());
  EXPECT_EQ(closest_words("hünd", vocab, 1), (std::vector<std::string>{"hund"}));
}

TEST(WordHints, HintText) {
  EXPECT_EQ(unknown_word_hint("hundd", {"hund", "hunde", "mund"}),
            "unknown word 'hundd' (did you mean: hund, hunde, mund?)");
  EXPECT_EQ(unknown_word_hint("xyz", {}), "unknown word 'xyz' (no close word in the vocabulary)");
}

TEST(ReplCommands, ParsesEveryCommand) {
  EXPECT_EQ(parse_repl_command(":help").kind, Kind::kHelp);
  EXPECT_EQ(parse_repl_command(":quit").kind, Kind::kQuit);
  EXPECT_EQ(parse_repl_command(":q").kind, Kind::kQuit);
  EXPECT_EQ(parse_repl_command("  :runs  ").kind, Kind::kRuns);
  auto beam = parse_repl_command(":beam 5");
  EXPECT_EQ(beam.kind, Kind::kBeam);
  EXPECT_EQ(beam.number, 5);
  auto nbest = parse_repl_command(":nbest   3");
  EXPECT_EQ(nbest.kind, Kind::kNbest);
  EXPECT_EQ(nbest.number, 3);
  EXPECT_TRUE(parse_repl_command(":attention on").on);
  EXPECT_EQ(parse_repl_command(":attention off").kind, Kind::kAttention);
  EXPECT_FALSE(parse_repl_command(":attention off").on);
  auto svg = parse_repl_command(":svg my maps/att ");
  EXPECT_EQ(svg.kind, Kind::kSvg);
  EXPECT_EQ(svg.dir, "my maps/att");
  EXPECT_EQ(parse_repl_command(":svg s").dir, "s");  // not the 's' inside ":svg"
  EXPECT_EQ(parse_repl_command(":svg off").kind, Kind::kSvg);
  EXPECT_EQ(parse_repl_command(":svg off").dir, "");
}

TEST(ReplCommands, BadInputGivesAHint) {
  for (const char* line : {":beam", ":beam 0", ":beam -2", ":beam 3x", ":beam 1000", ":beam 2 3", ":nbest x",
                           ":attention", ":attention maybe", ":svg", ":runs now", ":quit please", ":", ":bogus"}) {
    const auto command = parse_repl_command(line);
    EXPECT_EQ(command.kind, Kind::kInvalid) << line;
    EXPECT_FALSE(command.hint.empty()) << line;
    EXPECT_EQ(command.hint.find('\n'), std::string::npos) << line;  // one line
  }
  EXPECT_NE(parse_repl_command(":beam x").hint.find(":beam N"), std::string::npos);
  EXPECT_NE(parse_repl_command(":bema 3").hint.find("did you mean :beam?"), std::string::npos);
  EXPECT_NE(parse_repl_command(":bogus").hint.find(":help"), std::string::npos);
}

TEST(ReplCommands, HelpListsEveryCommand) {
  const std::string help = repl_help();
  for (const char* name : {":beam N", ":nbest K", ":attention on|off", ":svg DIR", ":runs", ":help", ":quit", ":q"})
    EXPECT_NE(help.find(name), std::string::npos) << name;
  EXPECT_EQ(std::count(help.begin(), help.end(), '\n'), static_cast<long>(repl_commands().size()));
}

TEST(ReplCommands, OnlyColonLinesAreCommands) {
  EXPECT_TRUE(is_repl_command(":beam 3"));
  EXPECT_TRUE(is_repl_command("   :q"));
  EXPECT_FALSE(is_repl_command("Der Hund: er bellt."));
  EXPECT_FALSE(is_repl_command(""));
}

TEST(LineReader, HistoryFileFollowsXdgStateHome) {
  const char* old_state = std::getenv("XDG_STATE_HOME");
  const char* old_home = std::getenv("HOME");
  const std::string saved_state = old_state ? old_state : "", saved_home = old_home ? old_home : "";
  setenv("XDG_STATE_HOME", "/tmp/state", 1);
  EXPECT_EQ(history_file(), "/tmp/state/seq2seq/history");
  setenv("XDG_STATE_HOME", "relative/ignored", 1);  // the XDG spec: relative paths are invalid
  setenv("HOME", "/home/someone", 1);
  EXPECT_EQ(history_file(), "/home/someone/.seq2seq_history");
  unsetenv("XDG_STATE_HOME");
  EXPECT_EQ(history_file(), "/home/someone/.seq2seq_history");
  if (old_state) setenv("XDG_STATE_HOME", saved_state.c_str(), 1);
  if (old_home) setenv("HOME", saved_home.c_str(), 1);
}

TEST(LineReader, PlainReaderOnAStream) {
  std::istringstream in("Der Hund.\r\n\nzwei\n");
  std::ostringstream out;
  auto reader = make_line_reader(in, out, /*terminal=*/false);
  std::vector<std::string> lines;
  for (std::string line; reader->read_line("de> ", line);) lines.push_back(line);
  EXPECT_EQ(lines, (std::vector<std::string>{"Der Hund.", "", "zwei"}));
  EXPECT_EQ(out.str(), "");  // no prompt off a terminal
}
