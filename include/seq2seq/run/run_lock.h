// One trainer per run directory: an advisory lock on RUN/.lock (flock), with the holder's pid
// written inside for the message a second trainer gets. Torch-free.
#pragma once
#include <string>

namespace seq2seq {

// Holds the lock for its lifetime. The kernel releases a flock when its process dies, so a
// lock file left by a killed trainer never blocks the next one.
class RunLock {
 public:
  // Throws std::runtime_error at once (no waiting) naming the holder's pid when another
  // process holds the lock.
  explicit RunLock(const std::string& run_dir);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

  static std::string path_in(const std::string& run_dir) { return run_dir + "/.lock"; }

 private:
  int fd_ = -1;
};

}  // namespace seq2seq
