// Progress bar: redrawn in place with "\r" on a terminal (throttled), spdlog lines in logs and pipes.
#include "seq2seq/report/progress.h"

#include "seq2seq/util/utf8.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>

#include <sys/ioctl.h>
#include <unistd.h>

namespace seq2seq::report {

namespace {

int terminal_width() {
  struct winsize size {};
  if (::ioctl(2, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 100;
}

std::string format_rate(double tokens_per_s) {
  char buffer[32];
  if (tokens_per_s >= 1e6)
    std::snprintf(buffer, sizeof buffer, "%.2fM", tokens_per_s / 1e6);
  else if (tokens_per_s >= 1e3)
    std::snprintf(buffer, sizeof buffer, "%.1fk", tokens_per_s / 1e3);
  else
    std::snprintf(buffer, sizeof buffer, "%.0f", tokens_per_s);
  return buffer;
}

// The first `width` code points of `text`.
std::string cut(const std::string& text, std::size_t width) {
  if (display_width(text) <= width) return text;
  std::vector<std::string> chars = utf8_chars(text);
  chars.resize(width);
  std::string out;
  for (const auto& c : chars) out += c;
  return out;
}

}  // namespace

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  long total = std::lround(seconds);
  char buffer[32];
  if (total >= 3600)
    std::snprintf(buffer, sizeof buffer, "%ld:%02ld:%02ld", total / 3600, (total / 60) % 60, total % 60);
  else
    std::snprintf(buffer, sizeof buffer, "%02ld:%02ld", total / 60, total % 60);
  return buffer;
}

ProgressBar::ProgressBar(std::string label, int64_t total, ProgressOptions options)
    : label_(std::move(label)), total_(total), options_(std::move(options)) {
  terminal_ = options_.terminal ? *options_.terminal : ::isatty(2) == 1;
  if (options_.log_every < 1) options_.log_every = 1;
  if (options_.width <= 0) options_.width = terminal_ ? terminal_width() : 100;
  start_s_ = now();
}

namespace {
ProgressOptions with_log_every(int log_every) {
  ProgressOptions options;
  options.log_every = log_every;
  return options;
}
}  // namespace

ProgressBar::ProgressBar(std::string label, int64_t total, int log_every)
    : ProgressBar(std::move(label), total, with_log_every(log_every)) {}

ProgressBar::~ProgressBar() {
  if (terminal_ && updates_ > 0 && !finished_) {
    try {
      finish();
    } catch (...) {  // never throw from a destructor
    }
  }
}

double ProgressBar::now() const {
  if (options_.clock) return options_.clock();
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string ProgressBar::line() const {
  const double elapsed = now() - start_s_;
  std::string head = label_.empty() ? "" : label_ + "  ";
  std::string tail;
  char buffer[64];
  if (total_ > 0) {
    head += std::to_string(done_) + "/" + std::to_string(total_) + " ";
    std::snprintf(buffer, sizeof buffer, " %3.0f%%", 100.0 * std::clamp<double>(done_, 0, total_) / total_);
    tail += buffer;
  } else {
    head += std::to_string(done_) + " batches";
  }
  if (std::isfinite(fields_.loss)) {
    std::snprintf(buffer, sizeof buffer, "  loss %.3f", fields_.loss);
    tail += buffer;
  }
  if (std::isfinite(fields_.tokens_per_s)) tail += "  " + format_rate(fields_.tokens_per_s) + " tok/s";
  if (std::isfinite(fields_.lr)) {
    std::snprintf(buffer, sizeof buffer, "  lr %.2e", fields_.lr);
    tail += buffer;
  }
  if (total_ > 0 && !finished_) {
    double eta = done_ > 0 && elapsed > 0 ? elapsed / done_ * static_cast<double>(total_ - done_) : NAN;
    tail += "  ETA " + format_duration(eta);
  } else {
    tail += "  " + format_duration(elapsed);
  }
  if (total_ <= 0) return cut(head + tail, options_.width - 1);

  // The bar takes what room is left, up to 30 cells; with less than 10 it is left out.
  int room = options_.width - 1 - static_cast<int>(display_width(head) + display_width(tail)) - 2;
  if (room < 10) return cut(head + tail.substr(1), options_.width - 1);
  int cells = std::min(room, 30);
  int filled = static_cast<int>(cells * std::clamp<double>(done_, 0, total_) / total_);
  std::string bar = "[";
  for (int i = 0; i < cells; ++i) bar += i < filled ? "█" : "░";
  bar += "]";
  return cut(head + bar + tail, options_.width - 1);
}

void ProgressBar::redraw() {
  std::ostream& out = options_.out ? *options_.out : std::cerr;
  out << '\r' << line() << "\x1b[K" << std::flush;  // clear what a longer previous line left
  last_draw_s_ = now();
}

void ProgressBar::update(int64_t done, const ProgressFields& fields) {
  done_ = done;
  fields_ = fields;
  ++updates_;
  if (terminal_) {
    if (now() - last_draw_s_ >= options_.min_redraw_s || (total_ > 0 && done_ >= total_)) redraw();
    return;
  }
  if (updates_ % options_.log_every == 0) {
    spdlog::info(line());
    logged_at_ = updates_;
  }
}

void ProgressBar::finish() {
  if (finished_) return;
  finished_ = true;
  if (terminal_) {
    if (updates_ == 0) return;
    redraw();
    std::ostream& out = options_.out ? *options_.out : std::cerr;
    out << '\n' << std::flush;
    return;
  }
  if (updates_ > 0 && logged_at_ != updates_) spdlog::info(line());
}

}  // namespace seq2seq::report
