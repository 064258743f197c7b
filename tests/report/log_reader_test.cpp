#include "report/log_reader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "test_support.hpp"
#include "report_test_logs.hpp"

namespace carbontracker::report {
namespace {

using namespace carbontracker::report::test_logs;

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::TempDir;
using testing::write_file;


bool has_issue(const std::vector<ReadIssue>& issues, const std::string& file_part, const std::string& text) {
  for (const auto& i : issues) {
    if (i.file.find(file_part) != std::string::npos && i.message.find(text) != std::string::npos) return true;
  }
  return false;
}

const std::string kStd =
    "2025-01-01 00:00:00 - carbontracker version 2.4.3\n"
    "2025-01-01 00:00:10 - Epoch 1:\n"
    "2025-01-01 00:00:10 - Duration: 0:00:10.00\n"
    "2025-01-01 00:00:10 - Average power usage (W) for gpu: 100.0\n";
const std::string kOut =
    "2025-01-01 00:00:10 - CarbonTracker: \n"
    "Actual consumption for 1 epoch(s):\n"
    "\tTime:\t0:00:10\n"
    "\tEnergy:\t0.000438888889 kWh\n"
    "\tCO2eq:\t0.1 g\n";

TEST(LogReader, AnEventLogIsTheRunsOnlySourceNotCountedTwice) {
  const ReadResult r = read_logs({kLogs / "ours"});
  ASSERT_EQ(r.runs.size(), 1u) << issues_text(r.issues);
  EXPECT_EQ(r.runs[0].format, "carbontracker-cpp-events-v1");
  EXPECT_THAT(r.runs[0].file, HasSubstr("_carbontracker_events.jsonl"));
  EXPECT_EQ(r.runs[0].stem, "25977.673503_2026-11-27T184247Z");
  EXPECT_TRUE(r.issues.empty()) << issues_text(r.issues);
}

TEST(LogReader, PairsAreMatchedByStemAndHalfPairsAreStillRead) {
  const ReadResult r = read_logs({kLogs / "mismatched"});
  ASSERT_EQ(r.runs.size(), 3u);
  EXPECT_EQ(r.runs[0].stem, "1111.1_2025-05-01T100000Z");
  EXPECT_THAT(r.runs[0].std_file, HasSubstr("1111.1_"));
  EXPECT_EQ(r.runs[1].stem, "2222.2_2025-05-01T110000Z");
  EXPECT_TRUE(r.runs[1].std_file.empty());
  EXPECT_TRUE(r.runs[1].actual);
  EXPECT_TRUE(r.runs[1].epochs.empty());
  EXPECT_EQ(r.runs[2].stem, "3333.3_2025-05-01T120000Z");
  EXPECT_FALSE(r.runs[2].actual);
  EXPECT_EQ(r.runs[2].epochs.size(), 2u);
  EXPECT_TRUE(has_issue(r.issues, "2222.2_2025-05-01T110000Z_carbontracker_output.log", "no standard log"));
  EXPECT_TRUE(has_issue(r.issues, "3333.3_2025-05-01T120000Z_carbontracker.log", "no output log"));
  // And the Python 2.x note on cpu:0 + dram:0 for the two runs that have a standard log.
  EXPECT_EQ(r.issues.size(), 4u) << issues_text(r.issues);
}

TEST(LogReader, SeveralRunsAndRanksInOneDirectoryAreSeparateAndSorted) {
  TempDir dir;
  write_file(dir / "b_2.2_t_carbontracker.log", kStd);
  write_file(dir / "b_2.2_t_carbontracker_output.log", kOut);
  write_file(dir / "a_1.1_t_carbontracker.log", kStd);
  write_file(dir / "a_1.1_t_carbontracker_output.log", kOut);
  write_file(dir / "notes.txt", "not a log");
  write_file(dir / "sub" / "c_3.3_t_carbontracker.log", kStd);  // not read: not recursive
  const ReadResult r = read_logs({dir.path()});
  ASSERT_EQ(r.runs.size(), 2u);
  EXPECT_EQ(r.runs[0].stem, "a_1.1_t");
  EXPECT_EQ(r.runs[1].stem, "b_2.2_t");
  EXPECT_TRUE(r.issues.empty()) << issues_text(r.issues);
}

TEST(LogReader, ANoteRepeatedOnManyRunsIsCountedNotRepeated) {
  TempDir dir;
  const std::string two_gpus =
      kStd + "2025-01-01 00:00:00 - The following components were found: GPU with device(s) A, B.\n";
  for (int i = 0; i < 8; ++i) write_file(dir / ("r" + std::to_string(i) + "_carbontracker.log"), two_gpus);
  const ReadResult r = read_logs({dir.path()});
  EXPECT_EQ(r.runs.size(), 8u);
  int note = 0;
  for (const auto& i : r.issues) note += i.message.find("mean over the 2 devices") != std::string::npos ? 1 : 0;
  EXPECT_EQ(note, 6);  // 5 kept, 1 summary
  EXPECT_TRUE(has_issue(r.issues, "", "the same in 3 more file(s): Python carbontracker 2.4.3 logs the mean"));
  EXPECT_TRUE(has_issue(r.issues, "", "the same in 3 more file(s): no output log"));
}

TEST(LogReader, AFileReachedTwiceIsReadOnceAndFilesCanBeGivenAlone) {
  TempDir dir;
  write_file(dir / "a_carbontracker.log", kStd);
  write_file(dir / "a_carbontracker_output.log", kOut);
  const ReadResult both = read_logs({dir.path(), dir / "a_carbontracker.log", dir.path() / "." / "a_carbontracker.log"});
  ASSERT_EQ(both.runs.size(), 1u);
  EXPECT_EQ(both.runs[0].stem, "a");
  const ReadResult one = read_logs({dir / "a_carbontracker_output.log"});
  ASSERT_EQ(one.runs.size(), 1u);
  EXPECT_TRUE(one.runs[0].actual);
}

TEST(LogReader, AFileNamedAloneBringsItsRunsOtherFiles) {
  // `carbontracker --report x_carbontracker.log` (the Python tool's form names the standard log):
  // the output log beside it holds the run's actual consumption, and is read too.
  TempDir dir;
  write_file(dir / "a_carbontracker.log", kStd);
  write_file(dir / "a_carbontracker_output.log", kOut);
  write_file(dir / "b_carbontracker.log", kStd);  // another run: not brought in
  const ReadResult r = read_logs({dir / "a_carbontracker.log"});
  ASSERT_EQ(r.runs.size(), 1u) << issues_text(r.issues);
  EXPECT_EQ(r.runs[0].stem, "a");
  EXPECT_TRUE(r.runs[0].actual);
  EXPECT_THAT(r.runs[0].std_file, HasSubstr("a_carbontracker.log"));
  EXPECT_EQ(r.runs[0].epochs.size(), 1u);
  EXPECT_FALSE(has_issue(r.issues, "a_carbontracker.log", "no output log")) << issues_text(r.issues);
  // Without a sibling the run is still read, and the missing half is named.
  const ReadResult alone = read_logs({dir / "b_carbontracker.log"});
  ASSERT_EQ(alone.runs.size(), 1u);
  EXPECT_FALSE(alone.runs[0].actual);
  EXPECT_TRUE(has_issue(alone.issues, "b_carbontracker.log", "no output log")) << issues_text(alone.issues);
}

TEST(LogReader, ARenamedLogIsRecognisedByItsContent) {
  TempDir dir;
  write_file(dir / "run.txt", kStd);
  write_file(dir / "events.json", R"({"type":"run_start","v":1,"carbontracker_version":"0.1.0"})" "\n");
  write_file(dir / "random.bin", "hello\n");
  const ReadResult r = read_logs({dir / "run.txt", dir / "events.json", dir / "random.bin"});
  ASSERT_EQ(r.runs.size(), 2u) << issues_text(r.issues);
  EXPECT_EQ(r.runs[0].format, "carbontracker-cpp-events-v1");
  EXPECT_EQ(r.runs[1].epochs.size(), 1u);
  EXPECT_TRUE(has_issue(r.issues, "random.bin", "not a carbontracker log"));
}

TEST(LogReader, MissingEmptyAndUnreadableFilesAreIssuesNotFailures) {
  TempDir dir;
  write_file(dir / "e_carbontracker.log", "");
  write_file(dir / "e_carbontracker_output.log", "");
  write_file(dir / "u_carbontracker.log", kStd);
  write_file(dir / "u_carbontracker_output.log", kOut);
  write_file(dir / "w_carbontracker_err.log", "2025-01-01 00:00:00,000 - MainThread - WARNING - x\n");
  ::chmod((dir / "u_carbontracker.log").c_str(), 0);
  const std::string report = testing::run_unprivileged([&] {
    const ReadResult r = read_logs({dir.path(), dir / "missing"});
    std::string out = std::to_string(r.runs.size()) + "\n";
    for (const auto& run : r.runs) out += run.stem + (run.actual ? " actual" : "") + "\n";
    return out + issues_text(r.issues);
  });
  EXPECT_THAT(report, ::testing::StartsWith("1\nu actual\n"));
  EXPECT_THAT(report, HasSubstr("missing:0: no such file or directory"));
  EXPECT_THAT(report, HasSubstr("e_carbontracker.log:0: empty file; ignored"));
  EXPECT_THAT(report, HasSubstr("u_carbontracker.log:0: cannot open: Permission denied"));
  EXPECT_THAT(report, HasSubstr("w_carbontracker_err.log:0: an error log without"));
}

TEST(LogReader, AnUnusableEventLogFallsBackToTheTextLogs) {
  const ReadResult r = read_logs({kLogs / "event-damaged"});
  ASSERT_EQ(r.runs.size(), 2u) << issues_text(r.issues);
  EXPECT_EQ(r.runs[0].format, "carbontracker-cpp-events-v1");
  EXPECT_EQ(r.runs[1].format, "carbontracker-text");
  EXPECT_TRUE(r.runs[1].actual);
  EXPECT_TRUE(has_issue(r.issues, "6666.2_2026-01-01T000000Z_carbontracker_events.jsonl", "read from its text logs"));
}

}  // namespace
}  // namespace carbontracker::report
