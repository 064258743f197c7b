// A log directory that fills up, end to end: `carbontracker run` started under a small
// RLIMIT_FSIZE (through util-linux's prlimit, which needs no privileges, unlike a tmpfs mount),
// so its log files hit the limit mid-run and each further write fails with EFBIG. The child
// (which writes no file of its own) must run to its end; stderr must say logging stopped; the
// exit code is the child's; the logs written before the limit still parse.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "faults_support.hpp"

namespace carbontracker::faults {
namespace {

const char* const kPrlimit = "/usr/bin/prlimit";

constexpr int kLogFullEpochs = 40;

// `carbontracker run` (40 pattern epochs, then "training done") under RLIMIT_FSIZE = limit.
testing::ProcessResult run_limited(const Machine& m, int limit_bytes) {
  std::vector<std::string> argv{kPrlimit, fmt::format("--fsize={}:{}", limit_bytes, limit_bytes), "--"};
  const auto run = m.run_args({"--epochs", std::to_string(kLogFullEpochs), "--epoch-pattern", "^Epoch", "--update-interval", "0.1"},
                              fmt::format("i=1; while [ $i -le {} ]; do echo \"Epoch $i\"; sleep 0.01; i=$((i + 1)); done; "
                                          "echo training done",
                                          kLogFullEpochs));
  argv.insert(argv.end(), run.begin(), run.end());
  return testing::run_process(argv, m.env());
}

TEST(FaultLogFull, TrainingCompletesAndStderrSaysLoggingStopped) {
  if (!std::filesystem::exists(kPrlimit)) GTEST_SKIP() << kPrlimit << " (util-linux) is not installed";
  // Past the headers (the event log's run_start record is ~9 kB); the event log (~1.7 kB per epoch)
  // hits it after a few epochs, the standard log (~0.8 kB per epoch) after about 20 of the 40.
  constexpr int kLimitBytes = 16 * 1024;
  Machine m;
  const auto r = run_limited(m, kLimitBytes);
  EXPECT_EQ(r.exit_code, 0) << r.err;  // not 128 + SIGXFSZ: the limit did not kill the tracker
  EXPECT_NE(r.out.find("Epoch 40\ntraining done\n"), std::string::npos) << "the child ran to its end: " << r.out;
  EXPECT_NE(r.err.find("event logging stopped"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("File too large"), std::string::npos) << r.err;
  // The console report still came, covering every epoch.
  EXPECT_NE(r.err.find(fmt::format("Actual consumption for {} epoch(s):", kLogFullEpochs)), std::string::npos) << r.err;

  // No log file grew past the limit, and what was written before it still reads.
  std::uintmax_t biggest = 0;
  for (const auto& e : std::filesystem::directory_iterator(m.logs)) biggest = std::max(biggest, e.file_size());
  EXPECT_LE(biggest, static_cast<std::uintmax_t>(kLimitBytes));
  RecordProperty("largest_log_bytes", static_cast<int>(biggest));
  const ReadBack logs = read_back(m.logs);
  ASSERT_TRUE(logs.events.has_value() || logs.text.has_value());
  if (logs.events) {
    EXPECT_FALSE(logs.events->finished) << "the run_end record did not fit";
    EXPECT_LT(logs.events->epochs.size(), static_cast<std::size_t>(kLogFullEpochs));
    for (std::size_t i = 0; i < logs.events->epochs.size(); ++i) EXPECT_EQ(logs.events->epochs[i].index, static_cast<int>(i) + 1);
  }
}

// Regression (found here): note_log_status() once reported only the first log failure (one flag
// for both logs). The event log fails first; the standard log fails ~15 epochs later (its last
// line cut at the limit) and must be reported too.
TEST(FaultLogFull, EveryLogThatStopsIsReported) {
  if (!std::filesystem::exists(kPrlimit)) GTEST_SKIP() << kPrlimit << " (util-linux) is not installed";
  Machine m;
  const auto r = run_limited(m, 16 * 1024);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("event logging stopped"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("logging to files stopped"), std::string::npos) << r.err;
}

// Regression (found here): the summary was written in place, so a write that failed part-way
// (EFBIG here, ENOSPC on a full disk) left a torn JSON file, and the warning gave no reason and
// no fix. It is now written to a mkstemp temporary beside it and renamed only when whole.
TEST(FaultLogFull, ASummaryThatCannotBeWrittenIsNeverLeftTorn) {
  if (!std::filesystem::exists(kPrlimit)) GTEST_SKIP() << kPrlimit << " (util-linux) is not installed";
  Machine m;
  const auto r = run_limited(m, 16 * 1024);  // the 40-epoch summary is ~68 kB
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (std::filesystem::exists(m.summary)) {
    EXPECT_NO_THROW((void)m.summary_json()) << "a torn summary was left behind";
  }
  EXPECT_NE(r.err.find("could not write the summary"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("File too large"), std::string::npos) << "the reason is given: " << r.err;
}

}  // namespace
}  // namespace carbontracker::faults
