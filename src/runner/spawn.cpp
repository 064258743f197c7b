#include "runner/spawn.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <thread>

#include "runner/posix_util.hpp"
#include "runner/signal_relay.hpp"

namespace carbontracker::runner {
namespace {

struct ExecFailure {
  int error = 0;
  int candidate = -1;  // index into the candidate list, -1: before exec
};

bool env_name_matches(const std::string& entry, const std::string& name) {
  return entry.size() > name.size() && entry.compare(0, name.size(), name) == 0 && entry[name.size()] == '=';
}

int move_above_stdio(int fd) noexcept {
  if (fd < 0 || fd > 2) return fd;
  const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  ::close(fd);
  return moved;
}

// Child side: async-signal-safe calls only.
[[noreturn]] void exec_in_child(const SpawnSpec& spec, char* const* argv, char* const* envp,
                                const std::vector<std::string>& candidates, char** sh_argv, int report_fd) {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  ::sigemptyset(&dfl.sa_mask);
  struct sigaction ign = dfl;
  ign.sa_handler = SIG_IGN;
  for (const int sig : SignalRelay::kForwarded) {
    bool keep = false;
    for (const int k : spec.keep_ignored) keep = keep || k == sig;
    ::sigaction(sig, keep ? &ign : &dfl, nullptr);
  }
  ::sigaction(SIGPIPE, &dfl, nullptr);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);

  ExecFailure failure;
  if (::dup2(spec.stdout_fd, 1) < 0 || ::dup2(spec.stderr_fd, 2) < 0) {
    failure.error = errno;
  } else {
    bool saw_eacces = false;
    failure.error = ENOENT;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      ::execve(candidates[i].c_str(), argv, envp);
      int e = errno;
      if (e == ENOEXEC) {  // execvp runs a script without #! through the shell
        sh_argv[1] = const_cast<char*>(candidates[i].c_str());
        ::execve("/bin/sh", sh_argv, envp);
        e = ENOEXEC;
      }
      if (e == EACCES) {
        if (!saw_eacces) failure.candidate = static_cast<int>(i);
        saw_eacces = true;
        continue;
      }
      if (e == ENOENT || e == ENOTDIR || e == ESTALE || e == ENODEV || e == ETIMEDOUT) continue;
      failure = {e, static_cast<int>(i)};
      break;
    }
    if (saw_eacces && failure.error == ENOENT) failure.error = EACCES;
  }
  [[maybe_unused]] const ssize_t n = ::write(report_fd, &failure, sizeof failure);
  ::_exit(failure.error == ENOENT || failure.error == ENOTDIR ? 127 : 126);
}

std::string describe_failure(const std::string& file, const std::vector<std::string>& candidates,
                             const ExecFailure& f) {
  const bool searched = file.find('/') == std::string::npos;
  std::string where;
  if (searched && f.candidate >= 0 && static_cast<std::size_t>(f.candidate) < candidates.size()) {
    where = " (" + candidates[static_cast<std::size_t>(f.candidate)] + ")";
  }
  const std::string head = "cannot run '" + file + "'" + where + ": ";
  if (f.error == ENOENT && searched) {
    // As in a shell, a name without '/' is only looked up in PATH, never in the current directory.
    const bool here = ::access(file.c_str(), F_OK) == 0;
    return head + "command not found (searched PATH)" + (here ? "; to run the file here, say ./" + file : "");
  }
  if (f.error == ENOENT) return head + "no such file";
  if (f.error == EACCES) return head + "permission denied (is it an executable file? try chmod +x)";
  if (f.error == ENOEXEC) return head + "not an executable format, and /bin/sh could not run it";
  return head + std::generic_category().message(f.error);
}

}  // namespace

std::vector<std::string> exec_candidates(const std::string& file, const char* path_env) {
  if (file.empty()) return {};
  if (file.find('/') != std::string::npos) return {file};
  const std::string path = path_env != nullptr ? path_env : "/bin:/usr/bin";
  std::vector<std::string> out;
  std::size_t begin = 0;
  for (;;) {
    const std::size_t end = path.find(':', begin);
    const std::string dir = path.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    out.push_back(dir.empty() ? file : dir + "/" + file);
    if (end == std::string::npos) break;
    begin = end + 1;
  }
  return out;
}

std::vector<std::string> build_child_env(char** base,
                                         const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::string> env;
  for (char** e = base; e != nullptr && *e != nullptr; ++e) env.emplace_back(*e);
  auto set = [&env](const std::string& name, const std::string& value) {
    for (auto& entry : env) {
      if (env_name_matches(entry, name)) {
        entry = name + "=" + value;
        return;
      }
    }
    env.push_back(name + "=" + value);
  };
  for (const auto& [name, value] : overrides) set(name, value);
  bool has_unbuffered = false;
  for (const auto& entry : env) has_unbuffered = has_unbuffered || env_name_matches(entry, "PYTHONUNBUFFERED");
  if (!has_unbuffered) env.emplace_back("PYTHONUNBUFFERED=1");
  return env;
}

bool make_pipe(int (&fds)[2]) noexcept {
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  fds[0] = move_above_stdio(fds[0]);
  fds[1] = move_above_stdio(fds[1]);
  if (fds[0] >= 0 && fds[1] >= 0) return true;
  if (fds[0] >= 0) ::close(fds[0]);
  if (fds[1] >= 0) ::close(fds[1]);
  return false;
}

SpawnResult spawn_child(const SpawnSpec& spec) {
  SpawnResult result;
  const std::string file = spec.argv.empty() ? std::string() : spec.argv.front();
  // Everything the child needs is allocated here, before fork.
  const std::vector<std::string> candidates = exec_candidates(file, ::getenv("PATH"));
  std::vector<std::string> env = spec.env;
  std::vector<char*> argv;
  std::vector<char*> sh_argv{const_cast<char*>("/bin/sh"), nullptr};
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  for (std::size_t i = 1; i < spec.argv.size(); ++i) sh_argv.push_back(const_cast<char*>(spec.argv[i].c_str()));
  argv.push_back(nullptr);
  sh_argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  int report[2];
  if (!make_pipe(report)) {
    result.exit_code = 1;
    result.error = "cannot start the command: pipe failed: " + std::generic_category().message(errno);
    return result;
  }
  UniqueFd report_read(report[0]);
  UniqueFd report_write(report[1]);

  const pid_t pid = ::fork();
  if (pid < 0) {
    result.exit_code = 1;
    result.error = "cannot start the command: fork failed: " + std::generic_category().message(errno);
    return result;
  }
  if (pid == 0) exec_in_child(spec, argv.data(), envp.data(), candidates, sh_argv.data(), report_write.get());

  report_write.reset();
  // The report pipe is close-on-exec: EOF with no bytes means exec succeeded.
  ExecFailure failure;
  ssize_t n;
  while ((n = ::read(report_read.get(), &failure, sizeof failure)) < 0 && errno == EINTR) {
  }
  if (n != static_cast<ssize_t>(sizeof failure)) {
    result.pid = pid;
    return result;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = failure.error == ENOENT || failure.error == ENOTDIR ? 127 : 126;
  result.error = describe_failure(file, candidates, failure);
  return result;
}

int open_pidfd(pid_t pid) noexcept {
#ifdef SYS_pidfd_open
  const long fd = ::syscall(SYS_pidfd_open, pid, 0);  // close-on-exec by definition
  if (fd >= 0) return static_cast<int>(fd);
#endif
  static_cast<void>(pid);
  return -1;
}

void terminate_and_reap(pid_t pid, std::chrono::nanoseconds grace) noexcept {
  ::kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid, &status, WNOHANG) != 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace carbontracker::runner
