// Found by fuzz_intensity_json: provider_detail::parse_utc_time accepted any four-digit year and
// converted it to TimePoint (int64 nanoseconds, which spans only 1677-09-21 .. 2262-04-11), so a
// provider answer with "from": "6705-05-04T09:30Z" overflowed a signed multiplication in
// std::chrono::time_point_cast (undefined behaviour; UBSan aborts, a normal build gets a wrapped,
// meaningless time). Fix: reject years outside a range TimePoint can hold (see fuzz/README.md).
#include <gtest/gtest.h>

#include <string>

#include "intensity/providers/carbonintensity_uk.hpp"
#include "intensity/providers/provider_util.hpp"

namespace carbontracker::intensity {
namespace {

using provider_detail::parse_utc_time;

TEST(FuzzRegressionProviderTime, YearsOutsideTimePointRangeAreRefused) {
  EXPECT_FALSE(parse_utc_time("6705-05-04T09:30Z").has_value());   // the fuzzer's input
  EXPECT_FALSE(parse_utc_time("2263-01-01T00:00Z").has_value());   // just past 2262-04-11
  EXPECT_FALSE(parse_utc_time("1012-05-04T09:30Z").has_value());   // before 1677
  EXPECT_FALSE(parse_utc_time("0000-01-01T00:00:00+00:00").has_value());
  EXPECT_FALSE(parse_utc_time("9999-12-31T23:59:59Z").has_value());
}

TEST(FuzzRegressionProviderTime, OrdinaryTimesStillParse) {
  const auto t = parse_utc_time("2026-05-04T09:30Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(format_utc(*t, provider_detail::TimeFormat::minutes_z), "2026-05-04T09:30Z");
  EXPECT_TRUE(parse_utc_time("2199-12-31T23:59:59Z").has_value());
  EXPECT_TRUE(parse_utc_time("1970-01-01T00:00Z").has_value());
}

// The minimized answer: one NESO regional slot with a far-future "from". The slot is unusable,
// so it must not become a quote (an error for the whole answer would do too).
TEST(FuzzRegressionProviderTime, NesoSlotWithFarFutureStartIsNotAQuote) {
  const std::string json = R"({"data":[{"regionid":12,"data":[{"from":"6705-05-04T09:30Z","to":"2026-05-04T10:00Z",)"
                           R"("intensity":{"forecast":188,"index":"moderate"}}]}]})";
  const auto r = parse_carbonintensity_uk(json);
  if (r) {
    EXPECT_TRUE(r->empty());
  }
}

}  // namespace
}  // namespace carbontracker::intensity
