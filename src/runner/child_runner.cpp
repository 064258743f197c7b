#include "runner/child_runner.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <set>
#include <stdexcept>
#include <system_error>

#include "runner/control_channel.hpp"
#include "runner/epoch_markers.hpp"
#include "runner/output_stream.hpp"
#include "runner/posix_util.hpp"
#include "runner/questions.hpp"
#include "runner/signal_relay.hpp"
#include "runner/spawn.hpp"

extern char** environ;

namespace carbontracker::runner {
namespace {

// The loop runs on the real monotonic clock: its timeouts are ppoll()'s, which cannot follow an
// injected clock, and nothing here is a measurement.
using Clock = std::chrono::steady_clock;

constexpr std::size_t kReadChunk = std::size_t{64} * 1024;
// After the child exits, a process it left behind may still hold its stdout/stderr open; we keep
// reading while output flows, but not forever.
constexpr auto kDrainIdle = std::chrono::seconds(1);
constexpr auto kDrainMax = std::chrono::seconds(5);
// Without a pidfd (kernel < 5.3, or a seccomp filter), the exit is noticed by polling waitpid.
constexpr auto kWaitpidPoll = std::chrono::milliseconds(50);
constexpr std::size_t kMaxUnknownCommandWarnings = 10;

Clock::duration to_duration(double s) {
  constexpr double kMaxSeconds = 1e9;  // ~31 years; beyond it the nanosecond count would overflow
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(std::min(s, kMaxSeconds)));
}

timespec to_timespec(Clock::duration d) {
  if (d < Clock::duration::zero()) d = Clock::duration::zero();
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(d);
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(secs.count());
  ts.tv_nsec = static_cast<long>(std::chrono::duration_cast<std::chrono::nanoseconds>(d - secs).count());
  return ts;
}

}  // namespace

const char* to_string(EpochSource source) noexcept {
  switch (source) {
    case EpochSource::start: return "start";
    case EpochSource::pattern: return "pattern";
    case EpochSource::control: return "control";
  }
  return "unknown";
}

struct ChildRunner::Impl {
  explicit Impl(RunOptions o) : options(std::move(o)), questions(options.input_fd, options.error_fd) {}

  RunOptions options;
  std::optional<EpochMarkers> markers;
  std::optional<long> planned_total;
  Questions questions;
  std::array<char, kReadChunk> buffer{};

  // State of the current run.
  RunObserver* observer = nullptr;
  RunResult result;
  bool in_run = false;
  pid_t pid = -1;
  bool child_exited = false;
  bool kill_sent = false;
  Clock::time_point kill_deadline;
  bool epoch_open = false;
  bool implicit_epoch = false;  // the open epoch is the one opened at start, before any boundary
  bool boundary = false;        // inside one marker's end (or discard) + start
  std::set<std::string> warned;
  std::size_t unknown_command_warnings = 0;

  RunResult run(RunObserver& obs);
  void supervise();

  void warn_once(const std::string& key, std::string text) {
    if (warned.insert(key).second) result.warnings.push_back(std::move(text));
  }

  // An observer throws when the measuring side says the training must stop (the tracker's
  // BudgetExceeded, or its errors with ignore_errors=false): stop the child as request_stop does.
  template <class F>
  void guarded(const char* what, F&& f) {
    std::string failure;
    try {
      f();
      return;
    } catch (const std::exception& e) {
      failure = fmt::format("{} failed: {}", what, e.what());
    } catch (...) {
      failure = fmt::format("{} failed", what);
    }
    warn_once(std::string("observer:") + what, failure + "; the command is being stopped");
    stop(std::move(failure));
  }

  void stop(std::string reason) {
    if (!in_run || pid <= 0 || child_exited || result.stopped) return;
    result.stopped = true;
    result.stop_reason = std::move(reason);
    ::kill(pid, SIGTERM);
    kill_deadline = Clock::now() + to_duration(options.grace_period_s);
  }

  void epoch_boundary(EpochSource source) {
    implicit_epoch = false;
    if (epoch_open) {
      epoch_open = false;
      boundary = true;
      guarded("on_epoch_end", [&] { observer->on_epoch_end(source); });
    }
    epoch_open = true;
    guarded("on_epoch_start", [&] { observer->on_epoch_start(source); });
    boundary = false;
  }

  void on_output_line(std::string_view line) {
    ++result.lines_read;
    const auto m = markers->match(line);
    if (!m) return;
    if (m->total && m->total != planned_total) {
      planned_total = m->total;
      guarded("on_planned_epochs", [&] { observer->on_planned_epochs(*m->total); });
    }
    if (m->kind == EpochMarker::Kind::start) {
      start_marker(EpochSource::pattern);
    } else if (markers->has_start()) {
      if (epoch_open) {
        implicit_epoch = false;
        epoch_open = false;
        guarded("on_epoch_end", [&] { observer->on_epoch_end(EpochSource::pattern); });
      }
    } else {
      epoch_boundary(EpochSource::pattern);
    }
  }

  // An epoch starts: the first one ends the set-up (the implicit epoch opened at start).
  void start_marker(EpochSource source) {
    if (epoch_open && implicit_epoch) {
      implicit_epoch = false;
      boundary = true;
      guarded("on_epoch_discard", [&] { observer->on_epoch_discard(); });
      guarded("on_epoch_start", [&] { observer->on_epoch_start(source); });
      boundary = false;
    } else {
      epoch_boundary(source);
    }
  }

  void on_control(const ControlCommand& cmd, ControlChannel& channel) {
    switch (cmd.kind) {
      case ControlCommand::Kind::epoch_start:
        // The child marks its epochs explicitly: what ran before its first epoch_start was
        // setup, not an epoch.
        start_marker(EpochSource::control);
        break;
      case ControlCommand::Kind::epoch_end:
        implicit_epoch = false;
        if (epoch_open) {
          epoch_open = false;
          guarded("on_epoch_end", [&] { observer->on_epoch_end(EpochSource::control); });
        } else {
          warn_once("control:unmatched-end", "control command 'epoch_end' with no epoch open: ignored");
        }
        break;
      case ControlCommand::Kind::unknown: {
        const std::string word = cmd.text.substr(0, cmd.text.find_first_of(" \t"));
        if (!warned.contains("control:" + word) && unknown_command_warnings++ < kMaxUnknownCommandWarnings) {
          warn_once("control:" + word,
                    fmt::format("unknown control command '{}' ignored (known: epoch_start, epoch_end, each "
                                "optionally followed by ' sync')",
                                cmd.text.substr(0, 200)));
        }
        break;
      }
    }
    if (cmd.sync && !channel.ack()) {
      warn_once("control:ack", "the control ack FIFO is full (acks are not being read); an ack was dropped");
    }
  }

  void forward(const ReceivedSignal& s) {
    result.received_signals.push_back(s.signo);
    if (child_exited) return;
    // The terminal sends ^C / ^\ to the whole foreground process group; a second copy from us
    // would make a Python child raise KeyboardInterrupt inside its own cleanup.
    const bool from_terminal = (s.signo == SIGINT || s.signo == SIGQUIT) && s.code == SI_KERNEL;
    if (from_terminal && ::getpgid(pid) == ::getpgrp()) return;
    ::kill(pid, s.signo);
  }

  void record_exit(int status) {
    child_exited = true;
    questions.clear();
    if (WIFEXITED(status)) {
      result.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
      result.signal = WTERMSIG(status);
      result.exit_code = 128 + result.signal;
    }
  }

  // Returns true once the child has been reaped.
  bool try_reap() {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      record_exit(status);
    } else if (r < 0 && errno == ECHILD) {
      // Someone else reaped it (SIGCHLD set to SIG_IGN, or a waitpid(-1) elsewhere).
      child_exited = true;
      questions.clear();
      result.exit_code = 1;
      result.warnings.push_back("the command's exit status was lost: it was reaped outside the runner");
    }
    return child_exited;
  }

  void deliver(Questions::Decided& d) {
    guarded("the ask() answer callback", [&] { d.answer(d.yes); });
  }
};

ChildRunner::ChildRunner(RunOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  const RunOptions& o = impl_->options;
  if (o.argv.empty()) {
    throw std::invalid_argument("no command to run: give it after '--', e.g. carbontracker run -- python train.py");
  }
  if (o.tick_interval_s && (!std::isfinite(*o.tick_interval_s) || *o.tick_interval_s <= 0)) {
    throw std::invalid_argument(
        fmt::format("the tick interval must be a positive number of seconds, not {}", *o.tick_interval_s));
  }
  if (!std::isfinite(o.grace_period_s) || o.grace_period_s < 0) {
    throw std::invalid_argument(fmt::format("the grace period must be >= 0 seconds, not {}", o.grace_period_s));
  }
  if (o.epoch_pattern || o.epoch_start_pattern) impl_->markers.emplace(o.epoch_pattern, o.epoch_start_pattern);
}

ChildRunner::~ChildRunner() = default;

RunResult ChildRunner::run(RunObserver& observer) { return impl_->run(observer); }

bool ChildRunner::at_boundary() const noexcept { return impl_->boundary; }

void ChildRunner::request_stop(std::string reason) { impl_->stop(std::move(reason)); }

void ChildRunner::ask(std::string prompt, std::function<void(bool)> answer) {
  impl_->questions.ask(std::move(prompt), std::move(answer));
}

RunResult ChildRunner::Impl::run(RunObserver& obs) {
  if (in_run) {  // called again from one of its own callbacks
    RunResult nested;
    nested.exit_code = 1;
    nested.warnings.emplace_back("ChildRunner::run() called while it is already running");
    return nested;
  }
  result = RunResult{};
  observer = &obs;
  in_run = true;
  pid = -1;
  child_exited = false;
  kill_sent = false;
  epoch_open = false;
  planned_total.reset();
  if (markers) markers.emplace(options.epoch_pattern, options.epoch_start_pattern);  // fresh repeat state
  warned.clear();
  unknown_command_warnings = 0;
  try {
    supervise();
  } catch (const std::exception& e) {
    if (pid > 0 && !child_exited) terminate_and_reap(pid, to_duration(options.grace_period_s));
    result.exit_code = 1;
    result.warnings.push_back(fmt::format("the runner failed: {}", e.what()));
  } catch (...) {
    if (pid > 0 && !child_exited) terminate_and_reap(pid, to_duration(options.grace_period_s));
    result.exit_code = 1;
    result.warnings.emplace_back("the runner failed with an unknown error");
  }
  questions.clear();
  in_run = false;
  observer = nullptr;
  pid = -1;
  return std::move(result);
}

void ChildRunner::Impl::supervise() {
  SignalRelay relay;  // before spawning, so no signal slips between fork and the loop

  std::optional<ControlChannel> control;
  auto env_overrides = options.extra_env;
  if (options.control_channel) {
    if (auto created = ControlChannel::create()) {
      control.emplace(std::move(created).value());
      env_overrides.emplace_back("CARBONTRACKER_CONTROL", control->control_path());
      env_overrides.emplace_back("CARBONTRACKER_CONTROL_ACK", control->ack_path());
    } else {
      result.warnings.push_back("no control channel (" + created.status().message() +
                                "); CARBONTRACKER_CONTROL is not set");
    }
  }

  int out_pipe[2];
  int err_pipe[2];
  if (!make_pipe(out_pipe)) throw std::system_error(errno, std::generic_category(), "cannot create a pipe");
  UniqueFd out_read(out_pipe[0]), out_write(out_pipe[1]);
  if (!make_pipe(err_pipe)) throw std::system_error(errno, std::generic_category(), "cannot create a pipe");
  UniqueFd err_read(err_pipe[0]), err_write(err_pipe[1]);

  SpawnSpec spec;
  spec.argv = options.argv;
  spec.env = build_child_env(environ, env_overrides);
  spec.stdout_fd = out_write.get();
  spec.stderr_fd = err_write.get();
  for (const int sig : SignalRelay::kForwarded) {
    if (relay.ignored_at_entry(sig)) spec.keep_ignored.push_back(sig);
  }
  guarded("on_spawning", [&] { observer->on_spawning(); });
  const SpawnResult spawned = spawn_child(spec);
  out_write.reset();
  err_write.reset();
  if (spawned.pid < 0) {
    result.exit_code = spawned.exit_code;
    result.warnings.push_back(spawned.error);
    return;
  }
  pid = spawned.pid;
  result.started = true;
  const UniqueFd pidfd(open_pidfd(pid));
  set_nonblocking(out_read.get());
  set_nonblocking(err_read.get());
  OutputStream::OnLine on_line;
  if (markers) on_line = [this](std::string_view line) { on_output_line(line); };
  std::array<OutputStream, 2> streams{OutputStream(std::move(out_read), options.output_fd, "stdout", on_line),
                                      OutputStream(std::move(err_read), options.error_fd, "stderr", on_line)};

  guarded("on_started", [&] { observer->on_started(pid); });
  epoch_open = true;
  implicit_epoch = true;
  guarded("on_epoch_start", [&] { observer->on_epoch_start(EpochSource::start); });

  const bool ticking = options.tick_interval_s.has_value();
  const auto tick = ticking ? to_duration(*options.tick_interval_s) : Clock::duration::zero();
  auto next_tick = Clock::now() + tick;
  Clock::time_point exited_at;
  Clock::time_point last_output;
  const auto on_command = [&](const ControlCommand& cmd) { on_control(cmd, *control); };

  for (;;) {
    while (!child_exited) {
      auto decided = questions.next_prompt();
      if (!decided) break;
      deliver(*decided);
    }
    auto now = Clock::now();
    if (child_exited) {
      if (!streams[0].is_open() && !streams[1].is_open()) break;
      if (now - last_output >= kDrainIdle || now - exited_at >= kDrainMax) {
        result.warnings.push_back(
            "the command exited, but a process it started still holds its stdout/stderr open; stopped reading it");
        break;
      }
    }

    std::array<pollfd, 6> fds{};
    fds[0] = {relay.fd(), POLLIN, 0};
    fds[1] = {streams[0].fd(), POLLIN, 0};
    fds[2] = {streams[1].fd(), POLLIN, 0};
    fds[3] = {control ? control->fd() : -1, POLLIN, 0};
    fds[4] = {child_exited ? -1 : pidfd.get(), POLLIN, 0};
    fds[5] = {child_exited ? -1 : questions.fd(), POLLIN, 0};

    // Only what is due sets a timeout: with no tick, no stop under way and a pidfd, the loop
    // sleeps until something happens.
    std::optional<Clock::time_point> deadline;
    const auto sooner = [&](Clock::time_point t) { deadline = deadline ? std::min(*deadline, t) : t; };
    if (child_exited) {
      sooner(std::min(last_output + kDrainIdle, exited_at + kDrainMax));
    } else {
      if (ticking) sooner(next_tick);
      if (result.stopped && !kill_sent) sooner(kill_deadline);
      if (!pidfd) sooner(now + kWaitpidPoll);
    }
    timespec timeout{};
    if (deadline) timeout = to_timespec(*deadline - now);
    if (::ppoll(fds.data(), fds.size(), deadline ? &timeout : nullptr, nullptr) < 0 && errno != EINTR) {
      throw std::system_error(errno, std::generic_category(), "poll failed");
    }

    // Output first, so a marker printed just before a control command or the exit counts first.
    for (std::size_t i = 0; i < streams.size(); ++i) {
      if (fds[1 + i].revents == 0) continue;
      std::string problem;
      if (streams[i].pump(buffer, problem) == OutputStream::Pumped::data) last_output = Clock::now();
      if (!problem.empty()) warn_once(problem, problem);
    }
    if (control && (fds[3].revents & POLLIN) != 0) control->read_available(on_command);
    if ((fds[0].revents & POLLIN) != 0) {
      for (const auto& s : relay.drain()) forward(s);
    }
    if (!child_exited && (!pidfd || fds[4].revents != 0) && try_reap()) {
      exited_at = Clock::now();
      last_output = exited_at;
    }
    if ((fds[5].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) != 0) {
      if (auto decided = questions.on_readable()) deliver(*decided);
    }

    now = Clock::now();
    if (!child_exited && result.stopped && !kill_sent && now >= kill_deadline) {
      ::kill(pid, SIGKILL);
      kill_sent = true;
      result.killed_after_grace = true;
    }
    if (ticking && !child_exited && now >= next_tick) {
      guarded("on_tick", [&] { observer->on_tick(); });
      next_tick += tick;
      if (next_tick <= now) next_tick = now + tick;  // a slow callback: skip, do not burst
    }
  }

  std::size_t cut_lines = 0;
  for (auto& s : streams) {
    s.close();  // after a drain timeout: a partial last line still counts
    cut_lines += s.cut_lines();
  }
  if (control) control->finish(on_command);  // commands sent just before the exit
  if (markers) {
    result.markers = markers->matched();
    result.repeated_markers = markers->repeats();
  }
  if (cut_lines > 0) {
    result.warnings.push_back(fmt::format(
        "a line longer than 1 MiB was cut for pattern matching: only its first 1 MiB was searched ({} such line{})",
        cut_lines, cut_lines == 1 ? "" : "s"));
  }
}

}  // namespace carbontracker::runner
