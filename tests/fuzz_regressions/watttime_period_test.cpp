// Found by reading what fuzz_intensity_json reaches (then confirmed with the fuzzer binary):
// parse_watttime_series (src/intensity/providers/watttime.cpp) took meta.data_point_period_seconds
// as any positive integer and computed `start + seconds{period}` in TimePoint's nanoseconds, so a
// period of 1e11 s overflowed a signed multiplication (undefined behaviour; UBSan aborts, a normal
// build gets an interval ending before it starts). Fix: accept 1..86400 s, else the 300 s default
// (see fuzz/README.md).
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "intensity/providers/watttime.hpp"

namespace carbontracker::intensity {
namespace {

std::string answer(const std::string& period) {
  return R"({"data":[{"point_time":"2026-05-04T09:00:00+00:00","value":800}],)"
         R"("meta":{"units":"lbs_co2_per_mwh","data_point_period_seconds":)" +
         period + "}}";
}

TEST(FuzzRegressionWattTime, HugePointPeriodDoesNotOverflow) {
  for (const std::string period : {"100000000000", "9223372036854775807"}) {
    const auto r = parse_watttime_series(answer(period), QuoteKind::measured);
    if (!r) continue;  // refusing the answer is fine too
    ASSERT_EQ(r->size(), 1u) << period;
    EXPECT_GT((*r)[0].end, (*r)[0].start) << period;
    EXPECT_LE((*r)[0].end - (*r)[0].start, std::chrono::hours{24}) << period;
  }
}

TEST(FuzzRegressionWattTime, OrdinaryPointPeriodIsKept) {
  const auto r = parse_watttime_series(answer("300"), QuoteKind::measured);
  ASSERT_TRUE(r) << r.status().message();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].end - (*r)[0].start, std::chrono::minutes{5});
}

}  // namespace
}  // namespace carbontracker::intensity
