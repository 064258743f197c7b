// Signals: a runner in its own process (runner_driver) gets SIGTERM/SIGINT/SIGHUP from kill and
// SIGINT from its terminal; the child (runner_signal_child) reports what reached it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <regex>

#include "runner_test_util.hpp"

namespace carbontracker::runner::test {
namespace {

struct Driver {
  pid_t pid = -1;
  int fd = -1;  // its stdout+stderr (a pipe, or a pty master)
};

// Reads until `needle` appears (or EOF/EIO, or the timeout); returns everything read.
std::string read_until(int fd, const std::string& needle, double timeout_s = 10) {
  std::string text;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (needle.empty() || text.find(needle) == std::string::npos) {
    using std::chrono::milliseconds;
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;  // EOF, or EIO from a pty master whose slave side is gone
    text.append(buf, static_cast<std::size_t>(n));
  }
  return text;
}

[[noreturn]] void exec_driver() {
  const char* args[] = {RUNNER_DRIVER, "--", RUNNER_SIGNAL_CHILD, nullptr};
  ::execv(args[0], const_cast<char* const*>(args));
  ::_exit(127);
}

Driver start_driver_on_pipe() {
  int fds[2];
  EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  Driver d;
  d.pid = ::fork();
  if (d.pid == 0) {
    ::dup2(fds[1], 1);
    ::dup2(fds[1], 2);
    exec_driver();
  }
  ::close(fds[1]);
  d.fd = fds[0];
  return d;
}

int wait_exit_code(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
}

int count_matches(const std::string& text, const std::string& re) {
  const std::regex r(re);  // test-side only; the runner itself uses RE2
  return static_cast<int>(std::distance(std::sregex_iterator(text.begin(), text.end(), r), std::sregex_iterator()));
}

class ForwardsSignal : public ::testing::TestWithParam<int> {};

TEST_P(ForwardsSignal, SentToTheRunnerReachesTheChildOnceAndTheRunnerReturnsNormally) {
  const int sig = GetParam();
  Driver d = start_driver_on_pipe();
  const std::string before = read_until(d.fd, "ready\n");
  ASSERT_NE(before.find("ready"), std::string::npos) << before;
  ASSERT_EQ(::kill(d.pid, sig), 0);
  const std::string text = before + read_until(d.fd, "");
  ::close(d.fd);
  EXPECT_EQ(wait_exit_code(d.pid), 0) << "the runner must survive and return the child's exit code\n" << text;
  // Sent by the runner (si_code SI_USER = 0, si_pid = the runner), and only once.
  EXPECT_EQ(count_matches(text, "signal " + std::to_string(sig) + " code 0 pid " + std::to_string(d.pid) + "\n"), 1)
      << text;
  EXPECT_EQ(count_matches(text, "signal \\d+"), 1) << text;
  EXPECT_NE(text.find("runner: exit=0 signal=0 received=" + std::to_string(sig) + "\n"), std::string::npos) << text;
}

INSTANTIATE_TEST_SUITE_P(Runner, ForwardsSignal, ::testing::Values(SIGTERM, SIGINT, SIGHUP));

TEST(TerminalSignals, ATerminalSigintIsNotSentASecondTime) {
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) GTEST_SKIP() << "no pseudo-terminals here";
  const std::string slave_name = ::ptsname(master);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setsid();  // a new session whose controlling terminal is the pty, the driver in its foreground
    const int slave = ::open(slave_name.c_str(), O_RDWR);
    if (slave < 0) ::_exit(126);
    ::dup2(slave, 0);
    ::dup2(slave, 1);
    ::dup2(slave, 2);
    exec_driver();
  }
  std::string text = read_until(master, "ready");
  ASSERT_NE(text.find("ready"), std::string::npos) << text;
  ASSERT_EQ(::write(master, "\x03", 1), 1);  // ^C: the line discipline signals the foreground group
  text += read_until(master, "");
  ::close(master);
  EXPECT_EQ(wait_exit_code(pid), 0) << text;
  EXPECT_EQ(count_matches(text, "signal 2 code 128 "), 1) << text;  // SI_KERNEL, from the terminal
  EXPECT_EQ(count_matches(text, "signal \\d+"), 1) << "the runner forwarded a duplicate:\n" << text;
  EXPECT_NE(text.find("received=2\r\n"), std::string::npos) << text;
}

TEST(SignalState, TheChildStartsCleanAndTheCallersStateIsRestored) {
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction old_quit {};
  ASSERT_EQ(::sigaction(SIGQUIT, &ignore, &old_quit), 0);  // as under nohup-like launchers
  sigset_t hup, old_mask;
  ::sigemptyset(&hup);
  ::sigaddset(&hup, SIGHUP);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &hup, &old_mask), 0);

  Capture cap;
  ChildRunner runner(cap.options({"grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"}));
  Recorder rec;
  const auto c = cap.run(runner, rec);

  sigset_t mask_after;
  ::pthread_sigmask(SIG_SETMASK, nullptr, &mask_after);
  struct sigaction term_after {}, pipe_after {}, quit_after {};
  ::sigaction(SIGTERM, nullptr, &term_after);
  ::sigaction(SIGPIPE, nullptr, &pipe_after);
  ::sigaction(SIGQUIT, &old_quit, &quit_after);
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);

  EXPECT_EQ(c.result.exit_code, 0);
  EXPECT_NE(c.out.find("SigBlk:\t0000000000000000\n"), std::string::npos) << c.out;
  const auto ign_pos = c.out.find("SigIgn:\t");
  ASSERT_NE(ign_pos, std::string::npos) << c.out;
  const unsigned long long ignored = std::strtoull(c.out.c_str() + ign_pos + 8, nullptr, 16);
  EXPECT_NE(ignored & (1ULL << (SIGQUIT - 1)), 0ULL) << "an ignored signal stays ignored (nohup)";
  EXPECT_EQ(ignored & (1ULL << (SIGPIPE - 1)), 0ULL) << "SIGPIPE is at its default in the child";

  EXPECT_EQ(::sigismember(&mask_after, SIGHUP), 1) << "the caller's mask is restored";
  EXPECT_EQ(term_after.sa_handler, SIG_DFL);
  EXPECT_EQ(pipe_after.sa_handler, SIG_DFL);
  EXPECT_EQ(quit_after.sa_handler, SIG_IGN);
}

}  // namespace
}  // namespace carbontracker::runner::test
