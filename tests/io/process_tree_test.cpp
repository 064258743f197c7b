#include "io/process_tree.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "test_support.hpp"

namespace carbontracker::io {
namespace {

using carbontracker::testing::TempDir;
using carbontracker::testing::write_file;

TEST(ProcessTree, FollowsParentLinksThroughAFakeProcfs) {
  TempDir proc;
  write_file(proc / "1/stat", "1 (systemd) S 0 1 1 0\n");
  write_file(proc / "100/stat", "100 (python) S 1 100 100 0\n");
  write_file(proc / "101/stat", "101 (pt_main thread) R 100 100 100 0\n");  // comm with a space
  write_file(proc / "102/stat", "102 (a) b) S 101 100 100 0\n");            // comm with ')'
  write_file(proc / "200/stat", "200 (other) S 1 200 200 0\n");
  write_file(proc / "self/stat", "x");                                    // not a pid: skipped
  EXPECT_EQ(process_tree(proc.path(), 100), (std::vector<int>{100, 101, 102}));
  EXPECT_EQ(process_tree(proc.path(), 200), (std::vector<int>{200}));
}

TEST(ProcessTree, RealProcfsContainsAChild) {
  const pid_t child = ::fork();
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  auto tree = process_tree("/proc", ::getpid());
  ::kill(child, SIGKILL);
  int st;
  ::waitpid(child, &st, 0);
  EXPECT_NE(std::find(tree.begin(), tree.end(), child), tree.end());
}

}  // namespace
}  // namespace carbontracker::io
