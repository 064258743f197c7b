#include "runner/signal_relay.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <mutex>
#include <stdexcept>
#include <system_error>

namespace carbontracker::runner {
namespace {

// The handler needs a process-wide place to find the pipe; this is the only global state of the
// runner, and it is inherent to signal handling.
std::atomic<int> g_write_fd{-1};
std::atomic<bool> g_active{false};
int g_read_fd = -1;
std::once_flag g_pipe_once;

static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs a lock-free atomic");

extern "C" void relay_handler(int signo, siginfo_t* info, void*) {
  const int saved_errno = errno;
  ReceivedSignal r;
  r.signo = signo;
  if (info != nullptr) {
    r.code = info->si_code;
    r.sender = info->si_pid;
  }
  const int fd = g_write_fd.load(std::memory_order_relaxed);
  // sizeof r < PIPE_BUF, so the record is written whole or not at all (pipe full: dropped).
  if (fd >= 0) {
    const ssize_t n = ::write(fd, &r, sizeof r);
    static_cast<void>(n);
  }
  errno = saved_errno;
}

void make_pipe_once() {
  std::call_once(g_pipe_once, [] {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return;
    g_read_fd = fds[0];
    g_write_fd.store(fds[1]);
  });
  if (g_read_fd < 0) throw std::system_error(errno, std::generic_category(), "cannot create the signal pipe");
}

}  // namespace

SignalRelay::SignalRelay() {
  if (g_active.exchange(true)) {
    throw std::runtime_error("another carbontracker run is already supervising a child in this process");
  }
  try {
    make_pipe_once();
  } catch (...) {
    g_active = false;
    throw;
  }
  drain();  // records left by a handler that ran while the previous relay was restoring

  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  ::sigemptyset(&ignore.sa_mask);
  ::sigaction(SIGPIPE, &ignore, &old_pipe_);

  struct sigaction act {};
  act.sa_sigaction = relay_handler;
  act.sa_flags = SA_SIGINFO | SA_RESTART;
  ::sigemptyset(&act.sa_mask);
  sigset_t unblock;
  ::sigemptyset(&unblock);
  for (std::size_t i = 0; i < kForwarded.size(); ++i) {
    ::sigaction(kForwarded[i], nullptr, &old_[i]);
    if (old_[i].sa_handler == SIG_IGN) continue;  // nohup & co: leave it ignored
    installed_[i] = ::sigaction(kForwarded[i], &act, nullptr) == 0;
    ::sigaddset(&unblock, kForwarded[i]);
  }
  ::pthread_sigmask(SIG_UNBLOCK, &unblock, &old_mask_);
}

SignalRelay::~SignalRelay() {
  for (std::size_t i = 0; i < kForwarded.size(); ++i) {
    if (installed_[i]) ::sigaction(kForwarded[i], &old_[i], nullptr);
  }
  ::sigaction(SIGPIPE, &old_pipe_, nullptr);
  ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  g_active = false;
}

int SignalRelay::fd() const noexcept { return g_read_fd; }

std::vector<ReceivedSignal> SignalRelay::drain() {
  std::vector<ReceivedSignal> out;
  ReceivedSignal r;
  for (;;) {
    const ssize_t n = ::read(g_read_fd, &r, sizeof r);
    if (n == static_cast<ssize_t>(sizeof r)) {
      out.push_back(r);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;
    }
  }
  return out;
}

bool SignalRelay::ignored_at_entry(int signo) const noexcept {
  for (std::size_t i = 0; i < kForwarded.size(); ++i) {
    if (kForwarded[i] == signo) return old_[i].sa_handler == SIG_IGN;
  }
  return false;
}

}  // namespace carbontracker::runner
