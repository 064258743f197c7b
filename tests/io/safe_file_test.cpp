// io/safe_file: real symbolic links, real FIFOs (mkfifo), a real RLIMIT_FSIZE in a forked child,
// real closed descriptors, and concurrent writers on one path.
#include "io/safe_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace carbontracker::io {
namespace {

namespace fs = std::filesystem;
using testing::read_text;
using testing::TempDir;
using testing::write_file;

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

// Runs fn in a forked child with SIGXFSZ at its default (terminate); returns the wait status.
template <class F>
int in_child(F fn) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_DFL);
    ::_exit(fn());
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

TEST(OpenNewLog, NeverWritesThroughASymlink) {
  TempDir d;
  write_file(d / "victim", "precious\n");
  fs::create_symlink(d / "victim", d / "run.log");
  int err = 0;
  auto f = open_new_log(d / "run.log", &err);
  ASSERT_FALSE(f);
  EXPECT_EQ(err, EEXIST);
  EXPECT_TRUE(contains(f.status().message(), "EEXIST")) << f.status().message();
  EXPECT_EQ(read_text(d / "victim"), "precious\n");
  // A dangling link is not created through either.
  fs::create_symlink(d / "nowhere", d / "dangling.log");
  EXPECT_FALSE(open_new_log(d / "dangling.log"));
  EXPECT_FALSE(fs::exists(d / "nowhere"));
}

TEST(OpenNewLog, ReturnsAtOnceOnAFifoWithoutAReader) {
  TempDir d;
  ASSERT_EQ(::mkfifo((d / "run.log").c_str(), 0600), 0);
  int err = 0;
  auto f = open_new_log(d / "run.log", &err);  // a blocking open would hang here forever
  ASSERT_FALSE(f);
  EXPECT_EQ(err, EEXIST);
}

TEST(OpenNewLog, NeverTruncatesAnExistingFileAndCreatesANewOneOtherwise) {
  TempDir d;
  write_file(d / "old.log", "old run\n");
  EXPECT_FALSE(open_new_log(d / "old.log"));
  EXPECT_EQ(read_text(d / "old.log"), "old run\n");
  auto f = open_new_log(d / "new.log");
  ASSERT_TRUE(f) << f.status().to_string();
  std::fputs("line\n", f->get());
  f->reset();
  EXPECT_EQ(read_text(d / "new.log"), "line\n");
}

TEST(OpenNewLog, AMissingDirectoryNamesENOENTAndItsFix) {
  TempDir d;
  auto f = open_new_log(d / "missing" / "run.log");
  ASSERT_FALSE(f);
  EXPECT_TRUE(contains(f.status().message(), "(ENOENT)")) << f.status().message();
  EXPECT_TRUE(contains(f.status().fix(), "create the directory")) << f.status().fix();
}

TEST(WriteAtomically, ReplacesARegularFileAndLeavesNoTemporary) {
  TempDir d;
  write_file(d / "s.json", "old");
  ASSERT_TRUE(write_atomically(d / "s.json", "new content\n"));
  EXPECT_EQ(read_text(d / "s.json"), "new content\n");
  EXPECT_EQ(names_in(d.path()), std::vector<std::string>{"s.json"});
  // Same permissions as a file this user creates: not mkstemp's 0600.
  struct stat st {};
  ASSERT_EQ(::stat((d / "s.json").c_str(), &st), 0);
  const mode_t mask = ::umask(022);
  ::umask(mask);
  EXPECT_EQ(st.st_mode & 0777, 0666 & ~mask);
}

TEST(WriteAtomically, RefusesSymlinksFifosAndDirectoriesAndTouchesNothing) {
  TempDir d;
  write_file(d / "victim", "precious\n");
  fs::create_symlink(d / "victim", d / "link.json");
  Status st = write_atomically(d / "link.json", "x");
  ASSERT_FALSE(st);
  EXPECT_TRUE(contains(st.message(), "symbolic link")) << st.to_string();
  EXPECT_EQ(read_text(d / "victim"), "precious\n");
  EXPECT_TRUE(fs::is_symlink(d / "link.json"));

  ASSERT_EQ(::mkfifo((d / "fifo.json").c_str(), 0600), 0);
  st = write_atomically(d / "fifo.json", "x");  // no reader: an open for writing would block
  ASSERT_FALSE(st);
  EXPECT_TRUE(contains(st.message(), "FIFO")) << st.to_string();

  fs::create_directory(d / "dir.json");
  st = write_atomically(d / "dir.json", "x");
  ASSERT_FALSE(st);
  EXPECT_TRUE(contains(st.message(), "(EISDIR)")) << st.to_string();
  EXPECT_TRUE(contains(st.fix(), "give the path of a file")) << st.fix();

  st = write_atomically(d.path() / "", "x");  // "dir/": a directory by its spelling
  EXPECT_FALSE(st);
  EXPECT_EQ(names_in(d.path()), (std::vector<std::string>{"dir.json", "fifo.json", "link.json", "victim"}));
}

TEST(WriteAtomically, ConcurrentWritersLeaveOneCompleteFile) {
  TempDir d;
  constexpr int kWriters = 8;
  std::vector<std::string> contents;
  for (int i = 0; i < kWriters; ++i) contents.push_back(std::string(200'000 + i, static_cast<char>('a' + i)));
  std::vector<std::thread> threads;
  std::vector<Status> results(kWriters);
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([&, i] {
      for (int round = 0; round < 5; ++round) {
        Status st = write_atomically(d / "same.json", contents[static_cast<std::size_t>(i)]);
        if (!st) results[static_cast<std::size_t>(i)] = st;
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& st : results) EXPECT_TRUE(st) << st.to_string();
  const std::string final_text = read_text(d / "same.json");
  EXPECT_NE(std::find(contents.begin(), contents.end(), final_text), contents.end()) << "a mixed or torn file";
  EXPECT_EQ(names_in(d.path()), std::vector<std::string>{"same.json"});
}

// RLIMIT_FSIZE below the content: EFBIG, the old file intact, no temporary, and the process
// (SIGXFSZ at its default action, terminate) is not killed.
TEST(WriteAtomically, AFileSizeLimitIsEFBIGNotADeathAndLeavesTheOldFile) {
  TempDir d;
  write_file(d / "out.html", "previous report\n");
  const fs::path msg_file = d.path().parent_path() / (d.path().filename().string() + ".msg");
  const int status = in_child([&] {
    const rlimit lim{4096, 4096};
    if (::setrlimit(RLIMIT_FSIZE, &lim) != 0) return 3;
    const Status st = write_atomically(d / "out.html", std::string(100'000, 'x'));
    if (st) return 4;
    FILE* f = std::fopen(msg_file.c_str(), "w");
    if (f) {
      std::fputs(st.to_string().c_str(), f);
      std::fclose(f);
    }
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  ASSERT_EQ(WEXITSTATUS(status), 0);
  const std::string msg = read_text(msg_file);
  fs::remove(msg_file);
  EXPECT_TRUE(contains(msg, "(EFBIG)")) << msg;
  EXPECT_TRUE(contains(msg, "ulimit -f")) << msg;
  EXPECT_EQ(read_text(d / "out.html"), "previous report\n");
  EXPECT_EQ(names_in(d.path()), std::vector<std::string>{"out.html"});
}

TEST(CheckReplaceable, NamesEachCauseAndItsFix) {
  TempDir d;
  write_file(d / "file", "x");
  fs::create_directory(d / "dir");
  write_file(d / "victim", "x");
  fs::create_symlink(d / "victim", d / "link.json");
  ASSERT_EQ(::mkfifo((d / "fifo.json").c_str(), 0600), 0);
  struct Case {
    fs::path path;
    std::string in_message;
    std::string in_fix;
  };
  const std::vector<Case> cases{
      {"", "empty", "summary.json"},
      {fs::path(std::string("a\0b.json", 8)), "NUL", "without NUL"},
      {d / "dir", "(EISDIR)", "give the path of a file"},
      {d.path() / "dir" / "", "(EISDIR)", ""},
      {d / "link.json", "symbolic link", "never writes through"},
      {d / "fifo.json", "FIFO", "regular file"},
      {d / "missing" / "s.json", "does not exist", "create the directory"},
      {d / "file" / "s.json", "(ENOTDIR)", "not a directory"},
      {d / std::string(300, 'n'), "(ENAMETOOLONG)", "shorter path"},
  };
  for (const auto& c : cases) {
    const Status st = check_replaceable(c.path);
    ASSERT_FALSE(st) << c.path;
    EXPECT_TRUE(contains(st.message(), c.in_message)) << c.path << ": " << st.to_string();
    EXPECT_TRUE(contains(st.fix(), c.in_fix)) << c.path << ": " << st.to_string();
  }
  EXPECT_TRUE(check_replaceable(d / "new.json"));
  EXPECT_TRUE(check_replaceable(d / "file"));  // an existing regular file is replaced
}

TEST(CheckReplaceable, AnUnwritableDirectoryIsEACCES) {
  TempDir d;
  fs::create_directory(d / "ro");
  fs::permissions(d / "ro", fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                                fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
  const std::string msg = testing::run_unprivileged([&] { return check_replaceable(d / "ro" / "s.json").to_string(); });
  EXPECT_TRUE(contains(msg, "is not writable")) << msg;
  EXPECT_TRUE(contains(msg, "(EACCES)")) << msg;
}

TEST(FileError, FullDiskAndOtherCausesSayWhatToDo) {
  EXPECT_TRUE(contains(file_error(ENOSPC, "/d/s.json", "cannot write", "").to_string(),
                       "No space left on device (ENOSPC); fix: free space on the file system that holds /d"));
  EXPECT_TRUE(contains(file_error(EROFS, "/d/s.json", "cannot write", "").fix(), "read-only"));
  EXPECT_EQ(file_error(EXDEV, "/d/s.json", "cannot write", "try X").fix(), "try X");
}

// fds 0, 1 and 2 really closed in a child: each is then /dev/null, and the next file opened
// gets a descriptor above 2, not one of them.
TEST(StdFds, ClosedStandardDescriptorsBecomeDevNull) {
  struct stat null_st {};
  ASSERT_EQ(::stat("/dev/null", &null_st), 0);
  for (const std::vector<int>& closed : {std::vector<int>{0}, {1}, {2}, {0, 1, 2}, {1, 2}}) {
    const int status = in_child([&] {
      for (int fd : closed) ::close(fd);
      if (!open_dev_null_on_closed_std_fds()) return 10;
      for (int fd = 0; fd <= 2; ++fd) {
        struct stat st {};
        if (::fstat(fd, &st) != 0) return 20 + fd;
        const bool is_null = S_ISCHR(st.st_mode) && st.st_rdev == null_st.st_rdev;
        const bool was_closed = std::find(closed.begin(), closed.end(), fd) != closed.end();
        if (was_closed && !is_null) return 30 + fd;
      }
      const int next = ::open("/dev/null", O_RDONLY);
      return next > 2 ? 0 : 40;
    });
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "closed: " << closed.size() << " first " << closed.front();
  }
}

}  // namespace
}  // namespace carbontracker::io
