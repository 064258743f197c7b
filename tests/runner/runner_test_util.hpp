// Helpers for the runner tests: an observer that records what it is told, and a run with the
// child's output captured in files.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "runner/child_runner.hpp"
#include "test_support.hpp"

namespace carbontracker::runner::test {

inline std::vector<std::string> sh(const std::string& script) { return {"/bin/sh", "-c", script}; }

class Recorder : public RunObserver {
 public:
  std::vector<std::string> events;
  int ticks = 0;
  int pid = 0;
  std::function<void(EpochSource)> on_start;
  std::function<void(EpochSource)> on_end;
  std::function<void()> on_tick_hook;

  void on_started(int p) override {
    pid = p;
    events.emplace_back("started");
  }
  void on_epoch_start(EpochSource s) override {
    events.push_back(std::string("start:") + to_string(s));
    if (on_start) on_start(s);
  }
  void on_epoch_end(EpochSource s) override {
    events.push_back(std::string("end:") + to_string(s));
    if (on_end) on_end(s);
  }
  void on_epoch_discard() override { events.emplace_back("discard"); }
  void on_tick() override {
    ++ticks;
    if (on_tick_hook) on_tick_hook();
  }
  [[nodiscard]] long count(const std::string& e) const { return std::count(events.begin(), events.end(), e); }
};

struct Captured {
  RunResult result;
  std::string out;
  std::string err;
  double elapsed_s = 0;
};

// Runs `runner` with its output_fd/error_fd pointing at files (the options must have been made
// with capture_options so the descriptors match).
class Capture {
 public:
  Capture()
      : out_(::open((dir_ / "out").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)),
        err_(::open((dir_ / "err").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) {}
  ~Capture() {
    ::close(out_);
    ::close(err_);
  }
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;

  RunOptions options(std::vector<std::string> argv) const {
    RunOptions o;
    o.argv = std::move(argv);
    o.output_fd = out_;
    o.error_fd = err_;
    o.tick_interval_s = 0.05;
    o.grace_period_s = 2;
    return o;
  }
  Captured run(ChildRunner& runner, RunObserver& observer) const {
    Captured c;
    const auto t0 = std::chrono::steady_clock::now();
    c.result = runner.run(observer);
    c.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    c.out = carbontracker::testing::read_text(dir_ / "out");
    c.err = carbontracker::testing::read_text(dir_ / "err");
    return c;
  }
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_.path(); }

 private:
  carbontracker::testing::TempDir dir_;
  int out_;
  int err_;
};

inline bool any_contains(const std::vector<std::string>& v, const std::string& needle) {
  return std::any_of(v.begin(), v.end(), [&](const std::string& s) { return s.find(needle) != std::string::npos; });
}

}  // namespace carbontracker::runner::test
