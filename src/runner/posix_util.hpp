// Small POSIX helpers for the child runner: an owning file descriptor and a write loop.
//
// Contract: no exceptions (errors come back as errno values); nothing here blocks except
// write_all, which blocks like a plain write(2) would (and waits for POLLOUT on a descriptor
// that somebody made non-blocking, so the caller gets the same back-pressure either way).
#pragma once

#include <string_view>
#include <utility>

namespace carbontracker::runner {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) reset(std::exchange(o.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  [[nodiscard]] int get() const noexcept { return fd_; }
  [[nodiscard]] explicit operator bool() const noexcept { return fd_ >= 0; }
  int release() noexcept { return std::exchange(fd_, -1); }
  void reset(int fd = -1) noexcept;

 private:
  int fd_ = -1;
};

// Writes every byte, retrying on EINTR and short writes. Returns 0, or the errno that stopped it
// (EPIPE when the reader went away: SIGPIPE must be ignored by the caller for that to arrive).
int write_all(int fd, std::string_view data) noexcept;

// Sets O_NONBLOCK; returns false on failure.
bool set_nonblocking(int fd) noexcept;

}  // namespace carbontracker::runner
