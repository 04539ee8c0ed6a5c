// RunLock: flock(LOCK_EX | LOCK_NB) on RUN/.lock, then the pid written into it.
#include "seq2seq/run/run_lock.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace seq2seq {

RunLock::RunLock(const std::string& run_dir) {
  const std::string path = path_in(run_dir);
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error(path + ": cannot create the run's lock file (" + std::strerror(errno) + ")");
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    std::string holder;
    if (error == EWOULDBLOCK) {
      char buffer[32] = {};
      const ssize_t n = ::pread(fd_, buffer, sizeof buffer - 1, 0);
      if (n > 0) holder = std::string(buffer, static_cast<std::size_t>(n));
      while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    }
    ::close(fd_);
    fd_ = -1;
    if (error == EWOULDBLOCK)
      throw std::runtime_error(run_dir + ": is being trained by another process (pid " +
                               (holder.empty() ? std::string("unknown") : holder) + ", lock " + path +
                               "); wait for it to finish or stop it first");
    throw std::runtime_error(path + ": cannot lock (" + std::strerror(error) + ")");
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    // The lock holds without the pid; only the message a second trainer gets is poorer.
  }
}

RunLock::~RunLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

}  // namespace seq2seq
