// Catches the signals `carbontracker run` forwards to its child (SIGINT, SIGTERM, SIGHUP,
// SIGQUIT) and hands them to the poll loop through a pipe, and ignores SIGPIPE, for as long as
// the object lives.
//
// Why a handler and not signalfd: signalfd only sees a signal that every thread blocks, and the
// tracker's sampler thread (started before run()) does not; a process-directed SIGINT would go
// to that thread and kill the process. A handler runs on whichever thread gets the signal, and
// all it does is write() {signo, si_code, si_pid} to a pipe (async-signal-safe, no logic).
//
// Contract
//  - Construction saves the dispositions and the calling thread's signal mask, installs the
//    handlers (SA_RESTART), ignores SIGPIPE and unblocks the four signals on the calling thread;
//    destruction restores all of it. A signal that was ignored at entry (nohup) stays ignored
//    and is not forwarded.
//  - One SignalRelay per process at a time (dispositions are process-wide): a second one throws
//    std::runtime_error. Construction throws std::system_error when the pipe cannot be made.
//  - The pipe is created once per process and never closed, so a handler still running on
//    another thread while we restore can never write into a recycled descriptor.
#pragma once

#include <csignal>
#include <sys/types.h>

#include <array>
#include <vector>

namespace carbontracker::runner {

struct ReceivedSignal {
  int signo = 0;
  int code = 0;      // si_code: SI_USER (kill), SI_KERNEL (terminal), ...
  pid_t sender = 0;  // si_pid for SI_USER/SI_QUEUE
};

class SignalRelay {
 public:
  static constexpr std::array<int, 4> kForwarded{SIGINT, SIGTERM, SIGHUP, SIGQUIT};

  SignalRelay();
  ~SignalRelay();
  SignalRelay(const SignalRelay&) = delete;
  SignalRelay& operator=(const SignalRelay&) = delete;

  // Readable (POLLIN) when a signal has arrived.
  [[nodiscard]] int fd() const noexcept;
  // The signals received since the last call, in arrival order. Never blocks.
  std::vector<ReceivedSignal> drain();
  // Whether `signo` was SIG_IGN when the relay was created (such signals are not caught).
  [[nodiscard]] bool ignored_at_entry(int signo) const noexcept;

 private:
  std::array<struct sigaction, kForwarded.size()> old_{};
  std::array<bool, kForwarded.size()> installed_{};
  struct sigaction old_pipe_ {};
  sigset_t old_mask_{};
};

}  // namespace carbontracker::runner
