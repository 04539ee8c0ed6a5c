// Training progress on stderr: a live line on a terminal, periodic log lines otherwise.
#pragma once
#include <cmath>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

namespace seq2seq::report {

// What the line shows besides the count; NaN fields are left out.
struct ProgressFields {
  double loss = NAN;
  double tokens_per_s = NAN;
  double lr = NAN;
};

struct ProgressOptions {
  int log_every = 100;            // not a terminal: one info log line every this many updates
  std::optional<bool> terminal;   // unset: isatty(2)
  std::ostream* out = nullptr;    // where the live line goes; nullptr: std::cerr
  double min_redraw_s = 0.1;      // at most ~10 redraws a second
  std::function<double()> clock;  // seconds, monotonic; unset: std::chrono::steady_clock
  int width = 0;                  // line width; 0: the terminal's (TIOCGWINSZ), else 100
};

class ProgressBar {
 public:
  // `label` such as "epoch 3/10"; `total` batches (0 or less: unknown, no bar and no ETA).
  ProgressBar(std::string label, int64_t total, ProgressOptions options = {});
  ProgressBar(std::string label, int64_t total, int log_every);
  ~ProgressBar();  // finishes a live line that is still open
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // `done` batches so far.
  void update(int64_t done, const ProgressFields& fields = {});
  // Terminal: a last redraw and a newline. Otherwise: one log line with the final state.
  // Calling it again does nothing.
  void finish();

  bool terminal() const { return terminal_; }
  int64_t updates() const { return updates_; }
  // The status line for the current state, without "\r" or colours (what both modes print).
  std::string line() const;

 private:
  double now() const;
  void redraw();

  std::string label_;
  int64_t total_;
  ProgressOptions options_;
  bool terminal_;
  double start_s_;
  double last_draw_s_ = -1e300;
  int64_t done_ = 0;
  int64_t updates_ = 0;
  int64_t logged_at_ = -1;  // updates_ at the last log line
  ProgressFields fields_;
  bool finished_ = false;
};

// "1:02:03", "02:03"; "--:--" when unknown (NaN, negative or infinite).
std::string format_duration(double seconds);

}  // namespace seq2seq::report
