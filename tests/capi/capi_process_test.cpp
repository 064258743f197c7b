// The C API in a real C program driven as a person would: prompts answered on a pipe, and a
// signal the program catches itself (handler without SA_RESTART) arriving while the tracker
// waits for the answer. The signal is not an answer: the prompt keeps waiting, and stdin stays
// usable for the next prompt.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "capi_test_support.hpp"

namespace carbontracker {
namespace {

using testing::FixedMachine;

// A child with its three standard streams on pipes, driven step by step.
class Interactive {
 public:
  Interactive(const std::vector<std::string>& argv, const std::vector<std::string>& env_overrides) {
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) return;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    std::vector<std::string> env = testing::environment_with(env_overrides);
    std::vector<char*> cargv, cenv;
    for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
    for (const auto& e : env) cenv.push_back(const_cast<char*>(e.c_str()));
    cargv.push_back(nullptr);
    cenv.push_back(nullptr);
    if (::posix_spawn(&pid_, cargv[0], &fa, nullptr, cargv.data(), cenv.data()) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    in_ = in[1];
    out_ = out[0];
    err_ = err[0];
  }
  ~Interactive() {
    close_stdin();
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      (void)wait();
    }
    for (int fd : {out_, err_}) {
      if (fd >= 0) ::close(fd);
    }
  }
  Interactive(const Interactive&) = delete;
  Interactive& operator=(const Interactive&) = delete;

  [[nodiscard]] pid_t pid() const { return pid_; }
  const std::string& out() const { return out_text_; }
  const std::string& err() const { return err_text_; }

  // Reads the child's output until `done` holds; false when the child closed both streams or
  // 60 s passed first (a guard against a hung test, not a timing check).
  bool pump_until(const std::function<bool()>& done) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!done()) {
      if (std::chrono::steady_clock::now() > give_up || (out_ < 0 && err_ < 0)) return false;
      pollfd fds[2] = {{out_, POLLIN, 0}, {err_, POLLIN, 0}};
      if (::poll(fds, 2, 100) < 0) continue;
      read_from(out_, fds[0], out_text_);
      read_from(err_, fds[1], err_text_);
    }
    return true;
  }
  void send(const std::string& text) { (void)!::write(in_, text.data(), text.size()); }
  void close_stdin() {
    if (in_ >= 0) ::close(in_);
    in_ = -1;
  }
  int wait() {
    int status = 0;
    if (pid_ <= 0 || ::waitpid(pid_, &status, 0) != pid_) return -1000;
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }

  // True once the child's main thread sits in read() on fd 0 (from /proc/<pid>/syscall): a
  // signal sent now interrupts that read.
  bool blocked_reading_stdin() const {
    const std::string s = testing::read_text("/proc/" + std::to_string(pid_) + "/syscall");
    return s.rfind(std::to_string(SYS_read) + " 0x0 ", 0) == 0;
  }

 private:
  static void read_from(int& fd, const pollfd& p, std::string& into) {
    if (fd < 0 || !(p.revents & (POLLIN | POLLHUP | POLLERR))) return;
    char buf[4096];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      into.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0) {
      ::close(fd);
      fd = -1;
    }
  }

  pid_t pid_ = -1;
  int in_ = -1, out_ = -1, err_ = -1;
  std::string out_text_, err_text_;
};

using carbontracker::testing::count_of;

TEST(CApiProcess, ASignalCaughtWithoutSaRestartDuringAPromptIsNotAnAnswer) {
  FixedMachine machine;
  // Two prompts after epoch 1: stop_and_confirm after the prediction, then the `ask` budget.
  const std::string config = nlohmann::json{{"epochs", 2},
                                            {"stop_and_confirm", true},
                                            {"max_energy_kwh", 1e-12},
                                            {"budget_action", "ask"},
                                            {"sim_gpu", "Sim GPU"},
                                            {"sim_gpu_watts", 100},
                                            {"intensity_g_per_kwh", 100}}
                                 .dump();
  Interactive child({PROMPT_SIGNAL_CHILD, config}, machine.child_env());
  ASSERT_GT(child.pid(), 0);

  std::size_t answered = 0;
  const auto prompts = [&] { return count_of(child.out(), "(y/n)?"); };
  // First prompt: interrupt the blocked read with the program's own signal, then answer.
  ASSERT_TRUE(child.pump_until([&] { return prompts() >= 1; })) << child.out() << child.err();
  ASSERT_TRUE(child.pump_until([&] { return child.blocked_reading_stdin(); })) << child.out();
  ASSERT_EQ(::kill(child.pid(), SIGALRM), 0);
  ASSERT_TRUE(child.pump_until([&] { return child.err().find("caught SIGALRM") != std::string::npos; }))
      << child.out() << child.err();
  // Still waiting for the answer, on stdin: the interrupted read was retried.
  ASSERT_TRUE(child.pump_until([&] { return child.blocked_reading_stdin(); })) << child.out();
  EXPECT_EQ(child.out().find("No answer"), std::string::npos) << child.out();
  child.send("y\n");
  ++answered;
  // Every later prompt is answered too; none may answer itself.
  ASSERT_TRUE(child.pump_until([&] {
    if (prompts() > answered) {
      child.send("y\n");
      ++answered;
    }
    return child.out().find("signals caught:") != std::string::npos;
  })) << child.out() << child.err();
  child.close_stdin();
  EXPECT_EQ(child.wait(), 0) << child.err();

  const std::string& out = child.out();
  EXPECT_GE(answered, 2u) << out;
  EXPECT_EQ(count_of(out, "Continuing..."), answered) << out;
  EXPECT_EQ(out.find("No answer"), std::string::npos) << out;
  EXPECT_NE(out.find("epoch 1: CT_OK"), std::string::npos) << out;
  EXPECT_NE(out.find("epoch 2: CT_OK"), std::string::npos) << out;
  EXPECT_NE(out.find("signals caught: 1"), std::string::npos) << out;
}

// A name lookup of the intensity provider's host hangs (the nameserver receives the queries and
// never answers; glibc would wait 2 x 30 s). ct_stop must not wait for it: the run ends when the
// training does. The bound below is a quarter of the lookup's own time limit, not a benchmark.
TEST(CApiProcess, StopDoesNotWaitForAHangingNameLookup) {
  FixedMachine machine;
  const auto resolv = machine.dir() / "resolv.conf";
  const auto r = testing::run_process({DNS_HANG_CHILD, resolv.string()}, machine.child_env());
  if (r.exit_code == 77) GTEST_SKIP() << r.err;  // not root, or no namespaces here
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("stop_rc=0"), std::string::npos) << r.out;
  // The lookup was in progress when ct_stop was called.
  EXPECT_EQ(r.out.find("dns_queries_seen=0"), std::string::npos) << r.out;
  const auto at = r.out.find("stop_s=");
  ASSERT_NE(at, std::string::npos) << r.out;
  EXPECT_LT(std::stod(r.out.substr(at + 7)), 15.0) << r.out;
}

}  // namespace
}  // namespace carbontracker
