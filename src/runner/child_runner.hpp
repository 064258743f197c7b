// ChildRunner: runs the training command of `carbontracker run -- CMD ARGS...` as a child and
// supervises it. It knows nothing about energy: it reports epoch boundaries, ticks and the exit
// to a RunObserver (the tracker glue), which does the measuring. See docs/run-mode.md.
//
// Contract
//  - Threading: run() blocks the calling thread in one poll() loop until the child has exited
//    and its output is drained. Every observer callback runs on that thread, one at a time.
//    request_stop() and ask() are meant for those callbacks; they never block. One run() at a
//    time per process (signal dispositions are process-wide): a second concurrent one returns
//    exit_code 1 with a warning.
//  - Epochs: on_epoch_start / on_epoch_end strictly alternate, starting with
//    on_epoch_start(start) right after the command started. A pattern match, or a control
//    `epoch_start` while an epoch is open, is a boundary (end + start); a control `epoch_end`
//    closes the open epoch. Exception: a control `epoch_start` while the epoch opened at start
//    is still the only one gives on_epoch_discard() + on_epoch_start(control): a child that marks
//    its epochs explicitly did setup work before, not an epoch. The epoch open when the child exits is left open: the caller ends it.
//    At most one boundary per output line. A start-pattern match acts as a control `epoch_start`;
//    with a start pattern, an end-pattern match acts as a control `epoch_end` (ignored when no
//    epoch is open). Markers are matched by EpochMarkers (named groups, repeats dropped); a
//    `total` group reports the planned count through on_planned_epochs() before the boundary.
//  - Output: the child's stdout/stderr are pipes; every byte goes to output_fd/error_fd unchanged
//    as soon as it is read (blocking writes: a stalled reader of our output stalls the child, as
//    with tee). If a write fails (EPIPE), that stream is still read and matched, and discarded.
//  - Signals: while run() runs, SIGINT/SIGTERM/SIGHUP/SIGQUIT are caught (a handler that only
//    writes to a pipe) and forwarded to the child, except a terminal's SIGINT/SIGQUIT (si_code
//    SI_KERNEL) when the child shares our process group: it already got it. SIGPIPE is ignored.
//  - Wake-ups: the loop has no periodic wake-up of its own except on_tick (when tick_interval_s
//    is set); without a pidfd (kernel < 5.3, or a seccomp filter) it also polls waitpid every 50 ms.
//    Dispositions and the calling thread's mask are restored before run() returns.
//  - Errors: the constructor throws std::invalid_argument for a bad option (naming the CLI
//    option). run() throws nothing: a command that cannot be started gives exit_code 127 (not
//    found) or 126 (not executable) and the reason in warnings, with no observer call; a failure
//    of ours (pipe, fork) gives exit_code 1 and the reason. An exception from an observer
//    callback is caught, becomes a warning, and stops the child as request_stop() would, with
//    the exception's message as the reason: the tracker throws exactly when training must stop
//    (BudgetExceeded, or an error with ignore_errors=false).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace carbontracker::runner {

struct RunOptions {
  std::vector<std::string> argv;             // argv[0] resolved through PATH like execvp; no shell
  std::optional<std::string> epoch_pattern;  // RE2; each match on an output line ends an epoch and starts the next
  std::optional<std::string> epoch_start_pattern;  // RE2; each match starts an epoch (the first: ends set-up)
  bool control_channel = true;               // create the FIFOs and export CARBONTRACKER_CONTROL(_ACK)
  // RunObserver::on_tick cadence (> 0); nullopt: no ticks, and the loop then sleeps in poll()
  // with no timeout while the child runs quietly (it wakes for output, control commands,
  // signals, answers, the child's exit, or a stop's grace deadline only).
  std::optional<double> tick_interval_s = 1.0;
  double grace_period_s = 10.0;              // SIGTERM -> wait -> SIGKILL when stopping (>= 0)
  std::vector<std::pair<std::string, std::string>> extra_env;  // added to the child's environment
  int input_fd = 0;                          // where ask() answers are read from (default stdin)
  int output_fd = 1, error_fd = 2;           // where the child's stdout/stderr are passed through
};

enum class EpochSource { start, pattern, control };
const char* to_string(EpochSource source) noexcept;

class RunObserver {  // called on the thread that called run()
 public:
  virtual ~RunObserver() = default;
  // Just before the command is spawned: the instant its first epoch starts (on_epoch_start(start)
  // follows on_started, once the command runs). Nothing else follows if the spawn fails.
  virtual void on_spawning() {}
  virtual void on_started(int /*pid*/) {}
  virtual void on_epoch_start(EpochSource) {}
  virtual void on_epoch_end(EpochSource) {}
  virtual void on_epoch_discard() {}  // the open epoch (the implicit first one) is not an epoch
  virtual void on_tick() {}  // every tick_interval_s while the child runs (never when unset)
  virtual void on_planned_epochs(long /*total*/) {}  // a marker's (?P<total>) group, when it changes
};

struct RunResult {
  int exit_code = 0;                  // the child's exit status, or 128 + signal if a signal killed it
  int signal = 0;                     // the signal that killed it, if any
  bool stopped = false;               // request_stop() was used while the child ran
  std::string stop_reason;
  bool killed_after_grace = false;    // SIGKILL was needed
  std::vector<std::string> warnings;  // e.g. "a line longer than 1 MiB was cut for pattern matching"
  std::vector<int> received_signals;  // signals the runner received (forwarded or not), in order
  bool started = false;               // the command was started (else exit_code 126/127/1 says why)
  std::size_t markers = 0;            // pattern matches that were markers
  std::size_t repeated_markers = 0;   // matches dropped as repeats of the same epoch number
  std::size_t lines_read = 0;         // output lines searched for a pattern
};

class ChildRunner {
 public:
  static constexpr std::size_t kMaxMatchedLineBytes = 1 << 20;

  // Validates the options: throws std::invalid_argument, e.g. naming --epoch-pattern and the
  // RE2 error, or for a pattern that matches an empty line (every line would be an epoch).
  explicit ChildRunner(RunOptions options);
  ~ChildRunner();
  ChildRunner(const ChildRunner&) = delete;
  ChildRunner& operator=(const ChildRunner&) = delete;

  // Blocks until the child has exited and output is drained. Never throws.
  RunResult run(RunObserver& observer);
  // From observer callbacks (same thread): SIGTERM the child now, SIGKILL after grace_period_s.
  // Later calls keep the first reason and deadline. No effect once the child has exited.
  void request_stop(std::string reason);
  // From observer callbacks: print `prompt` to error_fd and read one line from input_fd without
  // blocking the loop (the child's output keeps flowing); `answer(true)` for y/yes,
  // `answer(false)` for n/no or end of input; anything else re-prompts
  // "Input not recognized. Try again (y/n): ". Questions are asked one at a time, in order; those
  // still unanswered when the child exits are dropped without a call.
  void ask(std::string prompt, std::function<void(bool)> answer);
  // From on_epoch_start: true when one marker both ended (or discarded) the previous epoch and
  // starts this one, so the new epoch begins where the last one ended, with nothing between.
  [[nodiscard]] bool at_boundary() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace carbontracker::runner
