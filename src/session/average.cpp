// The average command: the mean of a run's last N snapshots, written as RUN/averaged.pt.
#include "seq2seq/session/average.h"

#include "seq2seq/run/run.h"

#include <ostream>

namespace seq2seq::session {

int average(const AverageOptions& o, std::ostream& out) {
  const auto names = average_run(o.run, o.last);
  out << RunPaths{o.run}.averaged() << ": the mean of " << names.size() << " snapshot(s):";
  for (const auto& name : names) out << " " << name;
  out << "\n";
  return 0;
}

}  // namespace seq2seq::session
