// Found with fuzz_text_log's input shape (a header at the int boundary, then epochs without
// headers): the text-log parser numbers an epoch that has no "Epoch N:" header as one more than
// the previous epoch, so "Epoch 2147483647:" followed by two "Duration:" lines computed
// INT_MAX + 1 in Parser::next_index() (src/report/text_logs.cpp; signed overflow, undefined
// behaviour: UBSan aborts, a normal build numbers the epoch INT_MIN). Fix: saturate (see fuzz/README.md).
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "report/text_logs.hpp"

namespace carbontracker::report {
namespace {

TEST(FuzzRegressionTextLog, EpochAfterIntMaxHeaderDoesNotOverflow) {
  const std::string text =
      "2025-11-18 15:53:54 - Epoch 2147483647:\n"
      "2025-11-18 15:53:55 - Duration: 0:00:01.00\n"
      "2025-11-18 15:53:56 - Duration: 0:00:02.00\n";
  std::vector<ReadIssue> issues;
  const TextLog log = parse_text_log(text, "fuzz.log", &issues);
  ASSERT_EQ(log.epochs.size(), 2u);
  EXPECT_EQ(log.epochs[0].index, std::numeric_limits<int>::max());
  EXPECT_GT(log.epochs[1].index, 0);  // never a wrapped, negative epoch number
  EXPECT_EQ(log.durations_s, (std::vector<double>{1.0, 2.0}));
  // The run built from it must not overflow either.
  std::vector<ReadIssue> run_issues;
  (void)run_from_text_logs(&log, nullptr, "fuzz.log", &run_issues);
}

TEST(FuzzRegressionTextLog, LargeEpochHeaderAloneIsRead) {
  const std::string text =
      "2025-11-18 15:53:54 - Epoch 2147483647:\n"
      "2025-11-18 15:53:55 - Duration: 0:00:01.00\n";
  std::vector<ReadIssue> issues;
  const TextLog log = parse_text_log(text, "fuzz.log", &issues);
  ASSERT_EQ(log.epochs.size(), 1u);
  EXPECT_EQ(log.epochs[0].index, std::numeric_limits<int>::max());
  ASSERT_TRUE(log.epochs[0].duration_s.has_value());
  EXPECT_DOUBLE_EQ(*log.epochs[0].duration_s, 1.0);
}

}  // namespace
}  // namespace carbontracker::report
