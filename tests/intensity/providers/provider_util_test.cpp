#include "intensity/providers/provider_util.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <clocale>

#include "provider_test_util.hpp"

namespace carbontracker::intensity::provider_detail {
namespace {

using carbontracker::testing::utc;
using std::chrono::sys_days;
using namespace std::chrono_literals;

TEST(ProviderUtil, ParsesEveryTimeShapeTheProvidersSend) {
  const TimePoint nine = sys_days{std::chrono::year{2026} / 5 / 4} + 9h;
  EXPECT_EQ(parse_utc_time("2026-05-04T09:00:00.000Z"), nine);  // Electricity Maps
  EXPECT_EQ(parse_utc_time("2026-05-04T09:00Z"), nine);          // NESO
  EXPECT_EQ(parse_utc_time("2026-05-04T09:00:00"), nine);        // Energi Data Service (UTC asked)
  EXPECT_EQ(parse_utc_time("2026-05-04T09:00:00+00:00"), nine);  // WattTime
  EXPECT_EQ(parse_utc_time("2026-05-04T11:00:00+02:00"), nine);
  EXPECT_EQ(parse_utc_time("2026-05-04T04:30:00-0430"), nine);
}

TEST(ProviderUtil, RejectsMalformedTimes) {
  for (const char* bad : {"", "2026-05-04", "2026-13-01T00:00Z", "2026-02-30T00:00Z", "2026-05-04T25:00Z",
                          "2026-05-04T09:00Q", "2026-05-04T09:00:00+1", "yesterday"}) {
    EXPECT_FALSE(parse_utc_time(bad).has_value()) << bad;
  }
}

TEST(ProviderUtil, FormatsUtcForEachProvider) {
  const TimePoint t = utc("2026-05-04T09:05:07Z");
  EXPECT_EQ(format_utc(t, TimeFormat::minutes_z), "2026-05-04T09:05Z");
  EXPECT_EQ(format_utc(t, TimeFormat::minutes), "2026-05-04T09:05");
  EXPECT_EQ(format_utc(t, TimeFormat::seconds_z), "2026-05-04T09:05:07Z");
  EXPECT_EQ(format_utc(t, TimeFormat::seconds_offset), "2026-05-04T09:05:07+00:00");
}

TEST(ProviderUtil, UrlEncodesQueryValues) {
  EXPECT_EQ(url_encode(R"({"PriceArea":["DK1"]})"), "%7B%22PriceArea%22%3A%5B%22DK1%22%5D%7D");
  EXPECT_EQ(url_encode("Minutes5UTC desc"), "Minutes5UTC%20desc");
  EXPECT_EQ(url_encode("a-b_c.d~e"), "a-b_c.d~e");
}

TEST(ProviderUtil, NumbersAreLocaleIndependent) {
  const char* old = std::setlocale(LC_ALL, nullptr);
  const std::string saved = old ? old : "C";
  if (std::setlocale(LC_ALL, "de_DE.UTF-8") == nullptr) std::setlocale(LC_ALL, "C");
  EXPECT_EQ(number_text(55.6759), "55.6759");
  std::setlocale(LC_ALL, saved.c_str());
}

TEST(ProviderUtil, JsonContentTypes) {
  EXPECT_TRUE(is_json_content_type("application/json"));
  EXPECT_TRUE(is_json_content_type("application/json; charset=utf-8"));
  EXPECT_TRUE(is_json_content_type("application/problem+json"));
  EXPECT_FALSE(is_json_content_type("text/html; charset=utf-8"));
  EXPECT_FALSE(is_json_content_type("text/plain"));
}

TEST(ProviderUtil, IntensityChecksRejectNegativeAndNaN) {
  EXPECT_TRUE(check_intensity("X", 0.0, ""));
  EXPECT_TRUE(check_intensity("X", 143.3, ""));
  EXPECT_FALSE(check_intensity("X", -1.0, ""));
  EXPECT_FALSE(check_intensity("X", std::nan(""), ""));
  EXPECT_FALSE(check_intensity("X", HUGE_VAL, ""));
}

}  // namespace
}  // namespace carbontracker::intensity::provider_detail
