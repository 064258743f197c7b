// Running a program as a child process and reading what it cost from wait4(): the helpers the
// process-level benchmarks (monitor_overhead, run_overhead) share. Header-only; errors throw
// std::runtime_error (the benchmark's main prints them and exits 1).
//
// CPU time: only ru_utime + ru_stime together are exact; the kernel splits the total between
// the two by sampling at timer ticks, which is meaningless for a process that runs for
// microseconds at a time. wait4() reports the child plus every descendant it waited for.
#pragma once

#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

extern char** environ;

namespace carbontracker::bench {

struct Usage {
  double user_s = 0;
  double sys_s = 0;
  double wall_s = 0;  // fork() to wait4() returning
  long maxrss_kib = 0;
  [[nodiscard]] double cpu_s() const { return user_s + sys_s; }
};

inline double seconds(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6;
}

inline Usage usage_of(const rusage& ru, std::chrono::steady_clock::duration wall) {
  return {seconds(ru.ru_utime), seconds(ru.ru_stime), std::chrono::duration<double>(wall).count(), ru.ru_maxrss};
}

// Settings that would change what carbontracker probes or where a child's GPUs are: removed
// from a child's environment so that the machine's own setup cannot leak into a measurement.
inline bool is_probe_setting(std::string_view kv) {
  return kv.starts_with("CARBONTRACKER_") || kv.starts_with("CUDA_VISIBLE_DEVICES=") ||
         kv.starts_with("CUDA_DEVICE_ORDER=");
}

// Our environment without probe settings, plus `extra` ("NAME=value" each).
inline std::vector<std::string> clean_environment(const std::vector<std::string>& extra = {}) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    if (!is_probe_setting(*e)) env.emplace_back(*e);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

// The fake node: a sysfs fixture tree and the fake libnvidia-ml with its configuration file.
inline std::vector<std::string> fixture_settings(const std::string& sysfs_root, const std::string& nvml_library,
                                                 const std::string& nvml_config) {
  return {"CARBONTRACKER_SYSFS_ROOT=" + sysfs_root, "CARBONTRACKER_NVML_LIBRARY=" + nvml_library,
          "CARBONTRACKER_FAKE_NVML_CONFIG=" + nvml_config};
}

inline std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// fork + execve (not posix_spawn: a vfork-style child shares our address space, and Linux
// records the old address space's peak RSS at exec, so our own peak would show up in the
// child's ru_maxrss; a forked child starts with only our anonymous pages, a few hundred KiB).
// The child's stdout goes to stdout_fd, its stderr to stderr_fd (-1: ours). Throws when the
// child does not exit with 0.
inline Usage run_child(std::vector<std::string> args, std::vector<std::string> env, int stdout_fd,
                       int stderr_fd = -1) {
  auto argv = c_strings(args);
  auto envp = c_strings(env);
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    if (::dup2(stdout_fd, STDOUT_FILENO) < 0) ::_exit(126);
    if (stderr_fd >= 0 && ::dup2(stderr_fd, STDERR_FILENO) < 0) ::_exit(126);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  int status = 0;
  rusage ru{};
  pid_t w = 0;
  do {
    w = ::wait4(pid, &status, 0, &ru);
  } while (w < 0 && errno == EINTR);
  const auto t1 = std::chrono::steady_clock::now();
  if (w < 0) throw std::runtime_error(std::string("wait4: ") + std::strerror(errno));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error(fmt::format("{} exited abnormally (status {:#x}; 127 = cannot exec)", args[0], status));
  }
  return usage_of(ru, t1 - t0);
}

}  // namespace carbontracker::bench
