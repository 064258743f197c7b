// Shared test helpers: temporary directories with real files, a controllable clock, and
// running a function as an unprivileged user (so "permission denied" is real even as root).
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <mutex>
#include <string>
#include <vector>

#include "carbontracker/clock.hpp"

namespace carbontracker::testing {

// A fresh directory under $TMPDIR (world-traversable, so an unprivileged child can read it),
// removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  std::filesystem::path operator/(const std::string& rel) const { return path_ / rel; }

 private:
  std::filesystem::path path_;
};

// Creates parent directories; overwrites.
void write_file(const std::filesystem::path& path, const std::string& content);
std::string read_text(const std::filesystem::path& path);
// Recursive copy (files, directories, symlinks as links).
void copy_tree(const std::filesystem::path& from, const std::filesystem::path& to);
// The source tree's tests/fixtures directory.
std::filesystem::path fixtures_dir();

// Runs fn in a forked child. When the test runs as root, the child first drops to uid/gid
// 65534 (nobody), so files with mode 0400 owned by root are really unreadable there. The
// child's stdout-bound result is the string fn returns; exit code 0 on success.
// Returns the string, or throws std::runtime_error if the child failed.
std::string run_unprivileged(const std::function<std::string()>& fn);

// This process's environment with `overrides` applied: "NAME=value" adds or replaces NAME, a
// bare "NAME" removes it. For execve() in tests that start children themselves.
std::vector<std::string> environment_with(const std::vector<std::string>& overrides);

// Non-overlapping occurrences of `what` in `text`.
std::size_t count_of(const std::string& text, const std::string& what);

// A fixed environment for the injected getenv seams (SensorContext, the intensity resolver, the
// tracker's intensity plan): `vars` and nothing else.
std::function<std::optional<std::string>(const std::string&)> fixed_env(std::map<std::string, std::string> vars);

// Runs a real child process (argv[0] is a path) and waits for it. `env` entries "NAME=value"
// add to or replace this process's environment; a bare "NAME" removes that variable. stdin
// is `input` (empty by default); stdout and stderr are captured.
struct ProcessResult {
  int exit_code = -1;   // -1 when killed by a signal
  int signal = 0;
  std::string out;
  std::string err;
};
ProcessResult run_process(const std::vector<std::string>& argv, const std::vector<std::string>& env = {},
                          const std::string& input = {});

// A monotonic clock the test moves by hand. wait_until() blocks until advance() passes the
// deadline (or stop). In auto_advance mode wait_until() jumps straight to the deadline,
// so a sampler thread runs at full speed with exact timestamps.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(MonoTime start = std::chrono::seconds(1000), bool auto_advance = false)
      : now_(start.count()), auto_advance_(auto_advance) {}

  MonoTime monotonic() const noexcept override { return MonoTime(now_.load()); }
  std::chrono::system_clock::time_point wall() const noexcept override {
    return std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
               std::chrono::seconds(1'700'000'000))) +
           std::chrono::duration_cast<std::chrono::system_clock::duration>(MonoTime(now_.load()));
  }
  bool wait_until(MonoTime deadline, std::stop_token stop) noexcept override;

  void advance(MonoTime d);
  void set(MonoTime t);
  // Number of threads currently blocked in wait_until (lets tests sync with a sampler thread).
  [[nodiscard]] int waiters() const noexcept { return waiters_.load(); }
  // Blocks until `n` threads are waiting (or ~5 s elapse). Returns whether it happened.
  bool wait_for_waiters(int n);

 private:
  std::atomic<std::int64_t> now_;
  bool auto_advance_;
  std::atomic<int> waiters_{0};
  mutable std::mutex m_;
  std::condition_variable_any cv_;
};

}  // namespace carbontracker::testing
