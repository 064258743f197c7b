#include "test_support.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#ifndef CARBONTRACKER_FIXTURES_DIR
#error "CARBONTRACKER_FIXTURES_DIR must be defined by the build"
#endif

extern char** environ;

namespace carbontracker::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/carbontracker-test-XXXXXX";
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed for " + tmpl);
  path_ = tmpl;
  ::chmod(path_.c_str(), 0755);
}

TempDir::~TempDir() {
  std::error_code ec;
  // Restore permissions first so removal works whatever the test did.
  for (auto it = std::filesystem::recursive_directory_iterator(path_, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) ::chmod(it->path().c_str(), 0755);
  }
  std::filesystem::remove_all(path_, ec);
}

void write_file(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path.string());
  out << content;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void copy_tree(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::filesystem::create_directories(to);
  std::filesystem::copy(from, to,
                        std::filesystem::copy_options::recursive | std::filesystem::copy_options::copy_symlinks |
                            std::filesystem::copy_options::overwrite_existing);
}

std::filesystem::path fixtures_dir() { return CARBONTRACKER_FIXTURES_DIR; }

std::string run_unprivileged(const std::function<std::string()>& fn) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::close(fds[0]);
    if (::geteuid() == 0) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
    }
    std::string out;
    try {
      out = fn();
    } catch (...) {
      ::_exit(4);
    }
    const char* p = out.data();
    std::size_t left = out.size();
    while (left > 0) {
      const ssize_t n = ::write(fds[1], p, left);
      if (n <= 0) ::_exit(5);
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    ::close(fds[1]);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string result;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) result.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("unprivileged child failed with status " + std::to_string(status));
  }
  return result;
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

std::function<std::optional<std::string>(const std::string&)> fixed_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::vector<std::string> environment_with(const std::vector<std::string>& overrides) {
  std::vector<std::string> envs;
  for (char** e = environ; *e; ++e) envs.emplace_back(*e);
  for (const auto& kv : overrides) {
    const auto eq = kv.find('=');
    const std::string key = kv.substr(0, eq) + "=";
    std::erase_if(envs, [&](const std::string& x) { return x.rfind(key, 0) == 0; });
    if (eq != std::string::npos) envs.push_back(kv);
  }
  return envs;
}

ProcessResult run_process(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                          const std::string& input) {
  std::vector<std::string> envs = environment_with(env);
  TempDir io;
  const auto in_path = io / "stdin";
  write_file(in_path, input);
  const auto out_path = io / "stdout";
  const auto err_path = io / "stderr";
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int in = ::open(in_path.c_str(), O_RDONLY);
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<char*> ev;
    for (auto& e : envs) ev.push_back(e.data());
    ev.push_back(nullptr);
    ::execve(args[0], args.data(), ev.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  ProcessResult r;
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  r.out = read_text(out_path);
  r.err = read_text(err_path);
  return r;
}

bool FakeClock::wait_until(MonoTime deadline, std::stop_token stop) noexcept {
  if (auto_advance_) {
    if (stop.stop_requested()) return false;
    std::int64_t cur = now_.load();
    while (cur < deadline.count() && !now_.compare_exchange_weak(cur, deadline.count())) {
    }
    std::this_thread::yield();
    return !stop.stop_requested();
  }
  std::unique_lock lock(m_);
  ++waiters_;
  cv_.notify_all();
  cv_.wait(lock, stop, [&] { return now_.load() >= deadline.count(); });
  --waiters_;
  return !stop.stop_requested();
}

void FakeClock::advance(MonoTime d) {
  {
    std::lock_guard lock(m_);
    now_ += d.count();
  }
  cv_.notify_all();
}

void FakeClock::set(MonoTime t) {
  {
    std::lock_guard lock(m_);
    now_ = t.count();
  }
  cv_.notify_all();
}

bool FakeClock::wait_for_waiters(int n) {
  std::unique_lock lock(m_);
  return cv_.wait_for(lock, std::chrono::seconds(5), [&] { return waiters_.load() >= n; });
}

}  // namespace carbontracker::testing
