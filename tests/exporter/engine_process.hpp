// A real engine (prometheus, prometheus-pushgateway, `carbontracker monitor`) started by a test in
// the background and always stopped by it: SIGTERM, then SIGKILL after a bound, then reaped, in
// the destructor too, so a failed assertion leaves no process and no port behind (and a test
// that crashes takes its engines with it: PR_SET_PDEATHSIG).
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace carbontracker::testing {

// A port that was free a moment ago (bound on 0, read back, closed).
inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("bind");
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// Polls `pred` every 50 ms until it holds or `timeout` passes; returns whether it held.
inline bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

class EngineProcess {
 public:
  // stdout and stderr go to files in `dir` named after `name`.
  EngineProcess(const std::string& name, const std::vector<std::string>& argv, const std::vector<std::string>& env,
                const std::filesystem::path& dir)
      : out_(dir / (name + ".out")), err_(dir / (name + ".err")) {
    std::vector<std::string> envs = environment_with(env);
    std::vector<char*> args, envp;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    for (const auto& e : envs) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      // Killed with the test too, should it crash before its destructors run.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      const int o = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int e = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(o, 1);
      ::dup2(e, 2);
      const int null = ::open("/dev/null", O_RDONLY);
      ::dup2(null, 0);
      ::execve(args[0], args.data(), envp.data());
      ::_exit(127);
    }
  }
  ~EngineProcess() { stop(); }
  EngineProcess(const EngineProcess&) = delete;
  EngineProcess& operator=(const EngineProcess&) = delete;

  // SIGTERM, SIGKILL after 5 s; returns the exit status (waitpid's) or -1 if already reaped.
  int stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() >= until) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
    return status;
  }
  [[nodiscard]] bool running() const { return pid_ > 0 && ::kill(pid_, 0) == 0; }
  [[nodiscard]] std::string out() const { return std::filesystem::exists(out_) ? read_text(out_) : ""; }
  [[nodiscard]] std::string err() const { return std::filesystem::exists(err_) ? read_text(err_) : ""; }

 private:
  std::filesystem::path out_, err_;
  pid_t pid_ = -1;
};

}  // namespace carbontracker::testing
