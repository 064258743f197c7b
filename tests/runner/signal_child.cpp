// Test child: records the signals it receives with their si_code and sender, then reports them.
// Prints "ready" once its handlers are in place; after the first signal it waits 300 ms for
// duplicates, prints one "signal <n> code <c> pid <p>" line per signal, and exits 0.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <initializer_list>

namespace {

constexpr int kMax = 16;
volatile sig_atomic_t g_count = 0;
int g_signo[kMax];
int g_code[kMax];
int g_pid[kMax];

extern "C" void record(int signo, siginfo_t* info, void*) {
  const int i = g_count;
  if (i >= kMax) return;
  g_signo[i] = signo;
  g_code[i] = info->si_code;
  g_pid[i] = info->si_pid;
  g_count = i + 1;
}

}  // namespace

int main() {
  ::alarm(20);  // never outlive a broken test
  struct sigaction act {};
  act.sa_sigaction = record;
  act.sa_flags = SA_SIGINFO;
  ::sigemptyset(&act.sa_mask);
  sigset_t block, old;
  ::sigemptyset(&block);
  for (const int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) {
    ::sigaction(sig, &act, nullptr);
    ::sigaddset(&block, sig);
  }
  ::sigprocmask(SIG_BLOCK, &block, &old);
  std::printf("ready\n");
  std::fflush(stdout);
  while (g_count == 0) ::sigsuspend(&old);
  ::sigprocmask(SIG_SETMASK, &old, nullptr);
  timespec left{0, 300'000'000};
  while (::nanosleep(&left, &left) != 0) {
  }
  for (int i = 0; i < g_count; ++i) std::printf("signal %d code %d pid %d\n", g_signo[i], g_code[i], g_pid[i]);
  std::fflush(stdout);
  return 0;
}
