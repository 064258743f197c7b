// The files `carbontracker` writes, end to end with the real binary: concurrent runs sharing one
// --summary-json, summary paths refused before the child starts, a CLI started with fds 0/1/2
// really closed, `report --output` under a real RLIMIT_FSIZE, into a real FIFO or symlink, and
// error messages that say their cause once.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <functional>
#include <nlohmann/json.hpp>

#include "cli_test_util.hpp"
#include "test_support.hpp"

namespace carbontracker {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::read_text;
using testing::TempDir;
using testing::write_file;

using testing::kCli;
using testing::count_of;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// A CLI process whose stdout and stderr go to files (so several can run at once), with an
// optional step in the child before exec: closing descriptors, setting a resource limit.
struct Child {
  pid_t pid = -1;
  fs::path out;
  fs::path err;

  int wait() const {  // the exit code; 128 + signal when killed
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  std::string stdout_text() const { return fs::exists(out) ? read_text(out) : ""; }
  std::string stderr_text() const { return fs::exists(err) ? read_text(err) : ""; }
};

// What the child needs is prepared before fork (no allocation after it).
Child spawn(const std::vector<std::string>& argv, const fs::path& io_dir, const std::string& name,
            const std::function<void()>& before_exec = {}) {
  Child c{-1, io_dir / (name + ".out"), io_dir / (name + ".err")};
  std::vector<std::string> env_strings = testing::environment_with(
      {"CARBONTRACKER_SYSFS_ROOT=" + (testing::fixtures_dir() / "sysfs/intel-2socket").string(),
       "CARBONTRACKER_PROCFS_ROOT=" + (testing::fixtures_dir() / "procfs/xeon-gold-6248-2s").string(),
       "CARBONTRACKER_NVML_LIBRARY=/nonexistent/libnvidia-ml.so.1", "CARBONTRACKER_CONFIG", "CARBONTRACKER_COUNTRY",
       "CARBONTRACKER_ZONE", "CUDA_VISIBLE_DEVICES"});
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  c.pid = ::fork();
  if (c.pid == 0) {
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = ::open(c.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(c.err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0) ::_exit(120);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    for (int fd : {in, out, err}) {
      if (fd > 2) ::close(fd);
    }
    if (before_exec) before_exec();
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  return c;
}

std::vector<std::string> run_args(const fs::path& logs, const fs::path& summary, const std::string& script) {
  return {kCli,      "run", "--components", "cpu", "--intensity", "100", "--update-interval", "0.2", "--log-dir",
          logs.string(), "--summary-json", summary.string(), "--", "/bin/sh", "-c", script};
}

// No console report and no child output landed in a log: no line starts with the console's
// "CarbonTracker:" (in a log it follows a timestamp), the final block is in the output log once,
// and the child's lines are nowhere.
void expect_only_log_lines(const fs::path& logs) {
  int files = 0;
  std::size_t actual_blocks = 0;
  for (const auto& e : fs::directory_iterator(logs)) {
    ++files;
    const std::string text = read_text(e.path());
    EXPECT_FALSE(contains(text, "child-says")) << e.path() << ":\n" << text;
    EXPECT_FALSE(text.rfind("CarbonTracker:", 0) == 0 || contains(text, "\nCarbonTracker:")) << e.path() << ":\n" << text;
    if (e.path().extension() == ".log") actual_blocks += count_of(text, "Actual consumption for");
  }
  EXPECT_GE(files, 3);  // standard, output and event logs
  EXPECT_EQ(actual_blocks, 1u);
}

// Regression: both runs wrote `<summary>.tmp`; one truncated the other's, and the slower run's
// rename failed (ENOENT), after which it removed the summary the faster one had written.
TEST(CliFiles, RunsSharingOneSummaryPathAllFinishAndOneCompleteFileRemains) {
  TempDir d;
  constexpr int kRuns = 4;
  std::vector<Child> runs;
  for (int i = 0; i < kRuns; ++i) {
    runs.push_back(spawn(run_args(d / "logs", d / "same.json", "sleep 0.5"), d.path(), fmt::format("run{}", i)));
  }
  for (const auto& r : runs) {
    EXPECT_EQ(r.wait(), 0) << r.stderr_text();
    EXPECT_FALSE(contains(r.stderr_text(), "summary")) << r.stderr_text();
  }
  json s;
  ASSERT_NO_THROW(s = json::parse(read_text(d / "same.json")));
  EXPECT_TRUE(s.contains("whole_run")) << s.dump();
  // No temporary left behind: the directory holds the summary, the logs and our capture files.
  for (const auto& e : fs::directory_iterator(d.path())) {
    const std::string n = e.path().filename().string();
    EXPECT_TRUE(n == "same.json" || n == "logs" || e.path().extension() == ".out" || e.path().extension() == ".err") << n;
  }
  // Each run has its own logs (12 = 4 runs x standard, output, events).
  EXPECT_EQ(std::distance(fs::directory_iterator(d / "logs"), fs::directory_iterator()), 3 * kRuns);
}

TEST(CliFiles, AnUnusableSummaryPathIsRefusedBeforeTheChildStarts) {
  TempDir d;
  fs::create_directory(d / "adir");
  write_file(d / "victim", "precious\n");
  fs::create_symlink(d / "victim", d / "link.json");
  ASSERT_EQ(::mkfifo((d / "fifo.json").c_str(), 0600), 0);
  struct Case {
    std::string summary;
    std::string cause;
  };
  const std::vector<Case> cases{{"", "empty"},
                                {(d / "adir").string(), "(EISDIR)"},
                                {(d / "missing" / "s.json").string(), "(ENOENT)"},
                                {(d / "link.json").string(), "symbolic link"},
                                {(d / "fifo.json").string(), "FIFO"},
                                {(d / std::string(300, 'n')).string(), "(ENAMETOOLONG)"}};
  int i = 0;
  for (const auto& c : cases) {
    const fs::path marker = d / fmt::format("ran{}", i);
    auto argv = run_args(d / "logs", "PLACEHOLDER", "touch " + marker.string());
    argv[11] = c.summary;
    const Child r = spawn(argv, d.path(), fmt::format("case{}", i++));
    const int code = r.wait();
    const std::string err = r.stderr_text();
    EXPECT_EQ(code, 2) << c.summary << ": " << err;
    EXPECT_TRUE(contains(err, "summary_json")) << err;
    EXPECT_TRUE(contains(err, c.cause)) << c.summary << ": " << err;
    EXPECT_TRUE(contains(err, "fix:")) << err;
    EXPECT_EQ(count_of(err, "carbontracker:"), 1u) << err;
    EXPECT_FALSE(fs::exists(marker)) << "the child ran although the summary could not be written: " << c.summary;
  }
  EXPECT_EQ(read_text(d / "victim"), "precious\n");
}

// Closed standard descriptors: the first files the tracker opened (its logs) used to become
// fd 1 or 2, so the child's output and the console report were written into the logs.
TEST(CliFiles, StartedWithStandardDescriptorsClosedNothingLandsInALog) {
  for (const std::vector<int>& closed : {std::vector<int>{1}, {2}, {0, 1, 2}, {0}}) {
    TempDir d;
    // The logs record the command line, so the words the child prints are spelled differently
    // there (\055 is '-'): only the child's output itself can put "child-says" into a log.
    const std::string script = "printf 'child\\055says-out\\n'; printf 'child\\055says-err\\n' >&2";
    const Child r = spawn(run_args(d / "logs", d / "s.json", script), d.path(), "run", [&] {
      for (int fd : closed) ::close(fd);
    });
    SCOPED_TRACE(fmt::format("closed: {} fds from {}", closed.size(), closed.front()));
    EXPECT_EQ(r.wait(), 0) << r.stderr_text();
    expect_only_log_lines(d / "logs");
    EXPECT_TRUE(json::accept(read_text(d / "s.json")));
    const bool out_open = std::find(closed.begin(), closed.end(), 1) == closed.end();
    const bool err_open = std::find(closed.begin(), closed.end(), 2) == closed.end();
    if (out_open) {
      EXPECT_EQ(r.stdout_text(), "child-says-out\n");
    }
    if (err_open) {
      EXPECT_TRUE(contains(r.stderr_text(), "child-says-err")) << r.stderr_text();
      EXPECT_TRUE(contains(r.stderr_text(), "Actual consumption")) << r.stderr_text();
    }
  }
}

// A summary that cannot be written at the end (its directory removed by the child): said once,
// with its cause and fix, without "carbontracker: carbontracker:".
TEST(CliFiles, ASummaryLostAtTheEndIsReportedOnceWithItsCause) {
  TempDir d;
  fs::create_directory(d / "out");
  const Child r =
      spawn(run_args(d / "logs", d / "out" / "s.json", "rm -rf " + (d / "out").string()), d.path(), "run");
  EXPECT_EQ(r.wait(), 0);
  const std::string err = r.stderr_text();
  EXPECT_EQ(count_of(err, "could not write the summary"), 1u) << err;
  EXPECT_TRUE(contains(err, "(ENOENT)")) << err;
  EXPECT_TRUE(contains(err, "fix: create the directory")) << err;
  EXPECT_FALSE(contains(err, "carbontracker: carbontracker:")) << err;
}

struct Report {
  TempDir d;
  std::vector<std::string> argv(const fs::path& output) const {
    return {kCli, "report", (testing::fixtures_dir() / "logs" / "ours").string(), "--format", "html", "--output",
            output.string()};
  }
};

// A full disk, simulated with RLIMIT_FSIZE in the child (SIGXFSZ at its default: terminate):
// the report is not killed, says EFBIG and its fix, and the previous output file is intact.
TEST(CliFiles, ReportOutputPastAFileSizeLimitLeavesNoTornFileAndIsNotKilled) {
  Report t;
  write_file(t.d / "report.html", "previous report\n");
  const Child r = spawn(t.argv(t.d / "report.html"), t.d.path(), "report", [] {
    ::signal(SIGXFSZ, SIG_DFL);
    const rlimit lim{2048, 2048};
    ::setrlimit(RLIMIT_FSIZE, &lim);
  });
  const int code = r.wait();
  EXPECT_LT(code, 128) << "killed by signal " << code - 128;
  EXPECT_EQ(code, 1);
  const std::string err = r.stderr_text();
  EXPECT_EQ(count_of(err, "carbontracker:"), 1u) << err;
  EXPECT_FALSE(contains(err, "--help")) << "a full disk is not a usage error: " << err;
  EXPECT_TRUE(contains(err, "(EFBIG)")) << err;
  EXPECT_TRUE(contains(err, "ulimit -f")) << err;
  EXPECT_EQ(read_text(t.d / "report.html"), "previous report\n");
  for (const auto& e : fs::directory_iterator(t.d.path())) {
    const std::string n = e.path().filename().string();
    EXPECT_TRUE(n == "report.html" || n == "report.out" || n == "report.err") << "left behind: " << n;
  }
  // Without the limit the same command writes the whole report.
  const Child ok = spawn(t.argv(t.d / "report.html"), t.d.path(), "report");
  EXPECT_EQ(ok.wait(), 0) << ok.stderr_text();
  EXPECT_TRUE(contains(read_text(t.d / "report.html"), "</html>"));
}

TEST(CliFiles, ReportOutputNeverHangsOnAFifoNorWritesThroughASymlink) {
  Report t;
  ASSERT_EQ(::mkfifo((t.d / "fifo.html").c_str(), 0600), 0);
  const Child f = spawn(t.argv(t.d / "fifo.html"), t.d.path(), "fifo");  // no reader: a plain open blocks
  EXPECT_NE(f.wait(), 0);
  EXPECT_TRUE(contains(f.stderr_text(), "FIFO")) << f.stderr_text();

  write_file(t.d / "victim", "precious\n");
  fs::create_symlink(t.d / "victim", t.d / "link.html");
  const Child l = spawn(t.argv(t.d / "link.html"), t.d.path(), "link");
  EXPECT_NE(l.wait(), 0);
  EXPECT_TRUE(contains(l.stderr_text(), "symbolic link")) << l.stderr_text();
  EXPECT_EQ(read_text(t.d / "victim"), "precious\n");
}

}  // namespace
}  // namespace carbontracker
