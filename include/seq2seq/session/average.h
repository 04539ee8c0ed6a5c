// `seq2seq average` as a library call: averaged.pt from a run's last N snapshots.
#pragma once
#include <iosfwd>
#include <string>

namespace seq2seq::session {

struct AverageOptions {
  std::string run;  // run directory (trained with train.average_last >= last)
  int last = 5;     // how many of the newest snapshots to average
};

// Writes RUN/averaged.pt and prints what it averaged; returns the exit code.
int average(const AverageOptions& options, std::ostream& out);

}  // namespace seq2seq::session
