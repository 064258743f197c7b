// Helpers for the fault-injection tests: a fixture machine in a temp dir (powercap copy, fake
// GPUs whose counters are files), `carbontracker run` started as a real process that the test
// can signal or limit, and the run's logs read back with the report code.
//
// Threading: none of this is thread-safe; one test uses one Machine.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/log_reader.hpp"
#include "fake_machine.hpp"
#include "test_support.hpp"

namespace carbontracker::faults {

using nlohmann::json;
using testing::TempDir;
using testing::write_file;

inline const std::string kCli = CARBONTRACKER_CLI;
inline const std::string kFakeNvml = FAKE_NVML_LIBRARY;

// Writes `content` to a temp file next to `path` and renames it over `path`: a reader that
// opens the file for each read (the fake NVML's energy_file) never sees it half-written.
inline void replace_file(const std::filesystem::path& path, const std::string& content) {
  const auto tmp = path.string() + ".tmp";
  write_file(tmp, content);
  std::filesystem::rename(tmp, path);
}

// The fake host (tests/support/fake_machine.hpp: the intel-2socket powercap fixture, two fake
// GPUs whose counters are files that the test or the child rewrites) and a log and summary
// location.
struct Machine : testing::FakeMachine {
  std::filesystem::path logs = dir / "logs";
  std::filesystem::path summary = dir / "summary.json";

  // `gpu1_extra`: more keys for the second GPU's config line (e.g. "lost_after=6").
  explicit Machine(const std::string& gpu1_extra = "") : FakeMachine(2, true, gpu1_extra) {}
  [[nodiscard]] std::filesystem::path zone(const std::string& z) const { return zone_file(z); }
  [[nodiscard]] std::vector<std::string> env(std::vector<std::string> extra = {}) const {
    std::vector<std::string> e = FakeMachine::env();
    e.insert(e.end(), {"CARBONTRACKER_COUNTRY", "CARBONTRACKER_ZONE", "CARBONTRACKER_ELECTRICITYMAPS_TOKEN",
                       "CARBONTRACKER_CONFIG"});
    e.insert(e.end(), extra.begin(), extra.end());
    return e;
  }
  [[nodiscard]] std::vector<std::string> run_args(std::vector<std::string> opts, const std::string& script) const {
    std::vector<std::string> a{kCli, "run", "--log-dir", logs.string(), "--summary-json", summary.string()};
    a.insert(a.end(), opts.begin(), opts.end());
    a.insert(a.end(), {"--", "/bin/sh", "-c", script});
    return a;
  }
  [[nodiscard]] json summary_json() const { return json::parse(testing::read_text(summary)); }
  // The file in `logs` whose name ends with `suffix` (empty path when there is none).
  [[nodiscard]] std::filesystem::path log_file(const std::string& suffix) const {
    if (!std::filesystem::exists(logs)) return {};
    for (const auto& e : std::filesystem::directory_iterator(logs)) {
      if (e.path().filename().string().ends_with(suffix)) return e.path();
    }
    return {};
  }
};

// The shell side of the control channel: `mark epoch_end` waits for the ack, so when it
// returns the tracker has recorded (and flushed) the boundary. A dead tracker closes the ack
// FIFO and `read` sees end-of-file instead of "ok": the script then stops, so it never counts
// an epoch that was not acknowledged.
inline const std::string kShellMark =
    R"(mark() { echo "$1 sync" > "$CARBONTRACKER_CONTROL"; read a < "$CARBONTRACKER_CONTROL_ACK"; [ "$a" = ok ] || exit 3; }
)";

// A started `carbontracker run` (or any command): its own process group, stdout+stderr to a file.
struct Started {
  pid_t pid = -1;
  std::filesystem::path out;
};

struct StartOptions {
  std::optional<rlim_t> fsize_limit_bytes;  // RLIMIT_FSIZE set in the child before exec
};

inline Started start(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                     const std::filesystem::path& out, StartOptions opts = {}) {
  Started s;
  s.out = out;
  std::vector<std::string> envs = testing::environment_with(env);
  std::vector<char*> a, e;
  for (const auto& x : argv) a.push_back(const_cast<char*>(x.c_str()));
  a.push_back(nullptr);
  for (auto& x : envs) e.push_back(x.data());
  e.push_back(nullptr);
  s.pid = ::fork();
  if (s.pid == 0) {
    const int fd = ::open(s.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::setpgid(0, 0);  // its own group: the test can kill the tracker and its child together
    if (opts.fsize_limit_bytes) {
      const rlimit lim{*opts.fsize_limit_bytes, *opts.fsize_limit_bytes};
      ::setrlimit(RLIMIT_FSIZE, &lim);
    }
    ::execve(a[0], a.data(), e.data());
    ::_exit(127);
  }
  return s;
}

// SIGKILLs a started process group when the scope ends, so a failed assertion never leaves a
// tracker or its child running.
struct KillGroupOnExit {
  pid_t pgid;
  ~KillGroupOnExit() {
    if (pgid > 0) ::kill(-pgid, SIGKILL);
  }
};

// Exit status as a shell reports it (128 + N for signal N).
inline int wait_exit(pid_t pid) {
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

// Waits up to `timeout` for `file` to exist and hold `text`. Returns whether it did.
inline bool wait_for_text(const std::filesystem::path& file, const std::string& text,
                          std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    std::ifstream in(file);
    const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (all.find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

// Lines of a text file (none when it does not exist).
inline std::vector<std::string> lines_of(const std::filesystem::path& file) {
  std::vector<std::string> out;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The logs of the one run in `dir`, read by `carbontracker report`'s reader: from the event log,
// and separately from the text pair alone (as the Python tool's parser would see them).
struct ReadBack {
  std::vector<report::LogFiles> files;
  std::optional<report::RunData> events;  // from the event log
  std::optional<report::RunData> text;    // from the standard + output logs only
  std::vector<report::ReadIssue> issues;
};

inline ReadBack read_back(const std::filesystem::path& dir) {
  ReadBack r;
  if (!std::filesystem::exists(dir)) return r;
  r.files = report::find_logs({dir}, &r.issues);
  if (r.files.size() != 1) return r;
  report::LogFiles f = r.files[0];
  if (!f.events.empty()) r.events = report::read_run(f, &r.issues);
  f.events.clear();
  if (!f.std_log.empty() || !f.output_log.empty()) r.text = report::read_run(f, &r.issues);
  return r;
}

}  // namespace carbontracker::faults
