// The log files (outputs/carbontracker_log, outputs/event_log) against what may already sit at
// their names: real symbolic links, real FIFOs, old logs; and a real RLIMIT_FSIZE in a child.
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <sstream>

#include "outputs/carbontracker_log.hpp"
#include "outputs/event_log.hpp"
#include "test_support.hpp"

namespace carbontracker::outputs {
namespace {

namespace fs = std::filesystem;
using testing::read_text;
using testing::TempDir;
using testing::write_file;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

LogNaming naming_in(const fs::path& dir) {
  return LogNaming{dir, "", 4242, 17, std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000))};
}

std::size_t entries(const fs::path& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

TEST(LogFiles, ALinkAtTheLogNameIsNeverWrittenThroughTheNextIdIsUsed) {
  TempDir d;
  const LogNaming n = naming_in(d.path());
  write_file(d / "victim", "precious\n");
  fs::create_symlink(d / "victim", d / (n.stem() + "_carbontracker.log"));
  auto log = CarbontrackerLog::open(n, nullptr, 0);
  ASSERT_TRUE(log) << log.status().to_string();
  EXPECT_EQ((*log)->naming()->id, 18);
  (*log)->info(std::chrono::system_clock::now(), "hello");
  (*log)->flush();
  EXPECT_EQ(read_text(d / "victim"), "precious\n");
  EXPECT_TRUE(contains(read_text(*(*log)->std_path()), "hello"));
}

TEST(LogFiles, AFifoAtTheOutputLogNameNeitherHangsNorLeavesAHalfCreatedRun) {
  TempDir d;
  const LogNaming n = naming_in(d.path());
  ASSERT_EQ(::mkfifo((d / (n.stem() + "_carbontracker_output.log")).c_str(), 0600), 0);
  auto log = CarbontrackerLog::open(n, nullptr, 0);  // a blocking open for writing would hang
  ASSERT_TRUE(log) << log.status().to_string();
  EXPECT_EQ((*log)->naming()->id, 18);
  // The standard log created for id 17 before its output log was found taken is gone again.
  EXPECT_FALSE(fs::exists(d / (n.stem() + "_carbontracker.log")));
  EXPECT_EQ(entries(d.path()), 3u);  // the FIFO and the two logs of id 18
}

TEST(LogFiles, AnOldLogIsNeverTruncated) {
  TempDir d;
  const LogNaming n = naming_in(d.path());
  write_file(d / (n.stem() + "_carbontracker.log"), "an earlier run\n");
  auto log = CarbontrackerLog::open(n, nullptr, 0);
  ASSERT_TRUE(log);
  EXPECT_EQ(read_text(d / (n.stem() + "_carbontracker.log")), "an earlier run\n");
}

TEST(LogFiles, ALinkPlantedAtTheErrorLogStopsFileLoggingAndSaysWhy) {
  TempDir d;
  const LogNaming n = naming_in(d.path());
  std::ostringstream console;
  auto log = CarbontrackerLog::open(n, &console, 1);
  ASSERT_TRUE(log);
  write_file(d / "victim", "precious\n");
  fs::create_symlink(d / "victim", *(*log)->err_path());  // the error log is created lazily
  (*log)->warning(std::chrono::system_clock::now(), "something to say");
  EXPECT_EQ(read_text(d / "victim"), "precious\n");
  EXPECT_TRUE(contains((*log)->status().message(), "(EEXIST)")) << (*log)->status().to_string();
  EXPECT_TRUE(contains(console.str(), "something to say"));  // the console still has it
}

TEST(LogFiles, TheEventLogIsCreatedNew) {
  TempDir d;
  write_file(d / "victim", "precious\n");
  fs::create_symlink(d / "victim", d / "run_carbontracker_events.jsonl");
  auto ev = EventLog::open(d / "run_carbontracker_events.jsonl");
  ASSERT_FALSE(ev);
  EXPECT_TRUE(contains(ev.status().message(), "(EEXIST)")) << ev.status().to_string();
  EXPECT_EQ(read_text(d / "victim"), "precious\n");
}

TEST(LogFiles, ALogDirWithANulIsRefusedAndNothingIsCreated) {
  TempDir d;
  LogNaming n = naming_in(fs::path((d / "logs").string() + std::string("\0x", 2)));
  auto log = CarbontrackerLog::open(n, nullptr, 0);
  ASSERT_FALSE(log);
  EXPECT_TRUE(contains(log.status().message(), "NUL")) << log.status().to_string();
  EXPECT_EQ(entries(d.path()), 0u);
}

// The file size limit reached while logging: the status names EFBIG and the fix (the tracker
// ignores SIGXFSZ, as here, so the write fails instead of killing the process).
TEST(LogFiles, AFileSizeLimitIsNamedWithItsFix) {
  TempDir d;
  const fs::path msg = d / "message";
  const pid_t pid = ::fork();
  if (pid == 0) {
    auto log = CarbontrackerLog::open(naming_in(d / "logs"), nullptr, 0);
    auto ev = EventLog::open(d / "logs" / "events.jsonl");
    if (!log || !ev) ::_exit(2);
    ::signal(SIGXFSZ, SIG_IGN);
    rlimit lim{};
    ::getrlimit(RLIMIT_FSIZE, &lim);
    const rlim_t hard = lim.rlim_max;
    lim.rlim_cur = 4096;
    ::setrlimit(RLIMIT_FSIZE, &lim);
    for (int i = 0; i < 2000 && (*log)->status() && (*ev)->status(); ++i) {
      (*log)->info(std::chrono::system_clock::now(), std::string(100, 'x'));
      (*log)->flush();
      (*ev)->append(WarningEvent{std::string(100, 'y')});
      (*ev)->flush();
    }
    lim.rlim_cur = hard;
    ::setrlimit(RLIMIT_FSIZE, &lim);
    write_file(msg, (*log)->status().to_string() + "\n" + (*ev)->status().to_string());
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  const std::string text = read_text(msg);
  EXPECT_TRUE(contains(text, "(EFBIG)")) << text;
  EXPECT_TRUE(contains(text, "ulimit -f")) << text;
}

}  // namespace
}  // namespace carbontracker::outputs
