// Tracker across fork(): a child forked after the tracker was created (a DataLoader worker, a
// C program's fork()) must neither deadlock on a lock a parent thread held at fork time nor
// write anything (no report, none of the parent's buffered log lines). Every call there is a
// no-op with one warning on stderr; the parent carries on untouched.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <thread>

#include "tracker_test_support.hpp"

namespace carbontracker {
namespace {

using testing::TrackerRig;

using carbontracker::testing::count_of;

std::string logs_in(const std::filesystem::path& dir) {
  std::string all;
  for (const auto& e : std::filesystem::directory_iterator(dir)) all += testing::read_text(e.path());
  return all;
}

// Waits for the child; its exit code (a bit mask of failed checks), or -signal.
int wait_child(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1000;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

TEST(TrackerFork, EveryCallInAForkedChildIsANoOpWithOneWarningAndNothingWritten) {
  TrackerRig rig;
  Config c;
  c.epochs = 3;
  c.log_dir = rig.dir / "logs";
  auto tracker = std::make_unique<Tracker>(c, rig.env());
  tracker->epoch_start();
  rig.spend(10, 1, 20, 1);
  tracker->discard_epoch();  // logged, not flushed: in the stdio buffer at fork time
  tracker->epoch_start();
  rig.spend(10, 1, 20, 1);
  const auto child_err = rig.dir / "child_stderr.txt";

  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::alarm(30);  // a deadlock ends as SIGALRM, not as a hung test
    const int fd = ::open(child_err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ::dup2(fd, STDERR_FILENO) < 0) std::_Exit(100);
    int bad = 0;
    try {
      if (tracker->epoch_end().index != 0) bad |= 1;
      tracker->discard_epoch();
      tracker->epoch_start();
      tracker->check_budget_now();
      if (tracker->take_decision()) bad |= 2;
      tracker->stop();
      if (!tracker->finished()) bad |= 4;
      if (tracker->snapshot().finished) bad |= 8;
      tracker.reset();  // the destructor neither joins threads that are not here nor writes
    } catch (...) {
      bad |= 16;
    }
    // What exit() does to stdio (flush every open stream), without the leak check a sanitizer
    // build runs at exit (the tracker is leaked here on purpose).
    std::fflush(nullptr);
    std::_Exit(bad);
  }
  EXPECT_EQ(wait_child(pid), 0) << "bit mask of the failed checks, or -signal";

  const std::string err = testing::read_text(child_err);
  EXPECT_EQ(count_of(err, "fork() child"), 1u) << err;
  EXPECT_EQ(count_of(err, "fix: create a tracker in the child"), 1u) << err;

  // The parent goes on as if nothing had happened.
  const EpochRecord rec = tracker->epoch_end();
  EXPECT_EQ(rec.index, 1);
  tracker->stop();
  EXPECT_TRUE(tracker->finished());
  const std::string logs = logs_in(rig.dir / "logs");
  EXPECT_EQ(count_of(logs, "Epoch 1 discarded"), 1u) << logs;
  EXPECT_EQ(count_of(logs, "Monitoring thread started."), 1u) << logs;
  EXPECT_EQ(count_of(logs, "Actual consumption for 1 epoch(s):"), 1u) << logs;
  EXPECT_EQ(count_of(logs, "\"type\":\"run_end\""), 1u) << logs;
}

// The tracker's mutex is taken by snapshot() on another thread, over and over, while the main
// thread forks: some children start with it held by a thread that does not exist there.
TEST(TrackerFork, ChildrenForkedWhileAnotherThreadHoldsTheLockDoNotDeadlock) {
  TrackerRig rig;
  Config c;
  c.epochs = 3;
  c.log_dir = rig.dir / "logs";
  Tracker tracker(c, rig.env());
  tracker.epoch_start();
  rig.spend(10, 1, 20, 1);
  std::atomic<bool> done{false};
  std::atomic<long> snapshots{0};
  std::thread reader([&] {
    while (!done.load()) {
      (void)tracker.snapshot();
      snapshots.fetch_add(1);
    }
  });
  while (snapshots.load() == 0) std::this_thread::yield();
  for (int i = 0; i < 20; ++i) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::alarm(20);
      const int devnull = ::open("/dev/null", O_WRONLY);
      if (devnull >= 0) ::dup2(devnull, STDERR_FILENO);
      (void)tracker.epoch_end();
      (void)tracker.snapshot();
      tracker.stop();
      std::_Exit(tracker.finished() ? 0 : 1);
    }
    EXPECT_EQ(wait_child(pid), 0) << "child " << i << " (-14: deadlocked, killed by its SIGALRM)";
  }
  done = true;
  reader.join();
  EXPECT_EQ(tracker.epoch_end().index, 1);
  tracker.stop();
  EXPECT_EQ(count_of(logs_in(rig.dir / "logs"), "Actual consumption for 1 epoch(s):"), 1u);
}

}  // namespace
}  // namespace carbontracker
