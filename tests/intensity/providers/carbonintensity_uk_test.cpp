#include "intensity/providers/carbonintensity_uk.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "local_http_server.hpp"
#include "provider_test_util.hpp"

namespace carbontracker::intensity {
namespace {

using carbontracker::testing::FakeClock;
using carbontracker::testing::fixture;
using carbontracker::testing::LocalHttpServer;
using carbontracker::testing::Loc;
using carbontracker::testing::mono_for;
using carbontracker::testing::utc;
using namespace std::chrono_literals;

class CarbonIntensityUkTest : public ::testing::Test {
 protected:
  void serve(const std::string& path, std::string body, std::string content_type = "application/json",
             int status = 200) {
    server.get(path, [=](const httplib::Request&, httplib::Response& res) {
      res.status = status;
      res.set_content(body, content_type);
    });
  }
  CarbonIntensityUkProvider provider() {
    server.start();
    return CarbonIntensityUkProvider(*http, {.base_url = server.base_url()}, clock);
  }

  std::unique_ptr<io::HttpClient> http = io::make_curl_http_client();
  FakeClock clock{mono_for("2026-05-04T09:41:00Z")};
  LocalHttpServer server;
  Location gb = Loc().country("GB");
};

TEST_F(CarbonIntensityUkTest, NationalLatestPrefersTheActualValue) {
  serve("/intensity", fixture("neso_intensity.json"));
  auto p = provider();
  auto q = p.latest(gb);
  ASSERT_TRUE(q) << q.status().to_string();
  EXPECT_DOUBLE_EQ(q->g_per_kwh, 263);  // actual, not the forecast 266
  EXPECT_EQ(q->kind, QuoteKind::measured);
  EXPECT_EQ(q->start, utc("2026-05-04T09:30Z"));
  EXPECT_EQ(q->end, utc("2026-05-04T10:00Z"));
  EXPECT_EQ(q->zone, "GB");
  EXPECT_NE(q->source.find("national"), std::string::npos) << q->source;
}

TEST_F(CarbonIntensityUkTest, ForecastValueWhenNoActualYet) {
  serve("/intensity", R"({"data":[{"from":"2026-05-04T09:30Z","to":"2026-05-04T10:00Z",
                         "intensity":{"forecast":266,"actual":null,"index":"moderate"}}]})");
  auto p = provider();
  auto q = p.latest(gb);
  ASSERT_TRUE(q) << q.status().to_string();
  EXPECT_DOUBLE_EQ(q->g_per_kwh, 266);
  EXPECT_EQ(q->kind, QuoteKind::forecast);
}

TEST_F(CarbonIntensityUkTest, RegionalByPostcodeIsAForecast) {
  serve("/regional/postcode/RG10", fixture("neso_regional_postcode.json"));
  auto p = provider();
  auto q = p.latest(Loc().country("GB").postcode("RG10"));
  ASSERT_TRUE(q) << q.status().to_string();
  EXPECT_DOUBLE_EQ(q->g_per_kwh, 188);
  EXPECT_EQ(q->kind, QuoteKind::forecast);
  EXPECT_EQ(q->zone, "GB region 12");
  EXPECT_NE(q->source.find("RG10"), std::string::npos) << q->source;
  EXPECT_NE(q->source.find("South England"), std::string::npos) << q->source;
}

TEST_F(CarbonIntensityUkTest, RegionalByRegionId) {
  serve("/regional/regionid/12", fixture("neso_regional_postcode.json"));
  auto p = provider();
  auto q = p.latest(Loc().region_id(12));
  ASSERT_TRUE(q) << q.status().to_string();
  EXPECT_DOUBLE_EQ(q->g_per_kwh, 188);
}

TEST_F(CarbonIntensityUkTest, NationalForecastFromNowIsCutToTheHoursAsked) {
  serve("/intensity/2026-05-04T09:41Z/fw48h", fixture("neso_fw48h.json"));
  auto p = provider();
  auto s = p.forecast(gb, 3);
  ASSERT_TRUE(s) << s.status().to_string();
  ASSERT_EQ(s->size(), 6u);  // half-hour slots
  for (const auto& q : *s) {
    EXPECT_EQ(q.kind, QuoteKind::forecast);
    EXPECT_EQ(q.end - q.start, 30min);
  }
}

TEST_F(CarbonIntensityUkTest, RegionalForecastAcceptsTheObjectShapedAnswer) {
  serve("/regional/intensity/2026-05-04T09:41Z/fw48h/postcode/RG10", fixture("neso_regional_fw48h_postcode.json"));
  auto p = provider();
  auto s = p.forecast(Loc().postcode("RG10"), 48);
  ASSERT_TRUE(s) << s.status().to_string();
  EXPECT_EQ(s->size(), 96u);
  EXPECT_DOUBLE_EQ(s->front().g_per_kwh, 120);
  EXPECT_EQ(s->front().zone, "GB region 12");
}

TEST_F(CarbonIntensityUkTest, HistoryMixesActualsAndForecasts) {
  serve("/intensity/2026-05-03T09:00Z/2026-05-03T13:00Z", fixture("neso_history.json"));
  auto p = provider();
  auto s = p.history(gb, utc("2026-05-03T09:00Z"), utc("2026-05-03T13:00Z"));
  ASSERT_TRUE(s) << s.status().to_string();
  ASSERT_EQ(s->size(), 8u);
  EXPECT_EQ(s->front().kind, QuoteKind::measured);
  EXPECT_DOUBLE_EQ(s->front().g_per_kwh, 170);
  EXPECT_EQ(s->back().kind, QuoteKind::forecast);  // its actual is still null
  EXPECT_DOUBLE_EQ(s->back().g_per_kwh, 187);
}

TEST_F(CarbonIntensityUkTest, HistoryLongerThanTheApiAllowsIsRefused) {
  auto p = provider();
  auto s = p.history(gb, utc("2026-04-01T00:00Z"), utc("2026-05-01T00:00Z"));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.status().code(), StatusCode::invalid_argument);
}

TEST_F(CarbonIntensityUkTest, EmptyDataIsNotFound) {
  serve("/intensity", R"({"data":[]})");
  auto p = provider();
  auto q = p.latest(gb);
  ASSERT_FALSE(q);
  EXPECT_EQ(q.status().code(), StatusCode::not_found);
  EXPECT_NE(q.status().message().find("NESO"), std::string::npos);
}

TEST_F(CarbonIntensityUkTest, MalformedJsonIsNamed) {
  serve("/intensity", R"({"data":[{"from":"2026-05-04T09:30Z",)");
  auto p = provider();
  auto q = p.latest(gb);
  ASSERT_FALSE(q);
  EXPECT_NE(q.status().message().find("NESO Carbon Intensity API"), std::string::npos);
  EXPECT_NE(q.status().message().find("malformed JSON"), std::string::npos) << q.status().message();
}

TEST_F(CarbonIntensityUkTest, MissingFieldsAndBadValuesAreRefused) {
  EXPECT_FALSE(parse_carbonintensity_uk(R"({"nodata":[]})"));
  EXPECT_FALSE(parse_carbonintensity_uk(R"({"data":[{"from":"2026-05-04T09:30Z","intensity":{"forecast":1}}]})"));
  auto neg = parse_carbonintensity_uk(
      R"({"data":[{"from":"2026-05-04T09:30Z","to":"2026-05-04T10:00Z","intensity":{"forecast":-1,"actual":null}}]})");
  ASSERT_FALSE(neg);
  EXPECT_NE(neg.status().message().find("invalid intensity"), std::string::npos);
}

TEST_F(CarbonIntensityUkTest, HtmlAnswerIsNamedAsNotJson) {
  serve("/intensity", "<html>maintenance</html>", "text/html");
  auto p = provider();
  auto q = p.latest(gb);
  ASSERT_FALSE(q);
  EXPECT_NE(q.status().message().find("not JSON"), std::string::npos) << q.status().message();
}

TEST_F(CarbonIntensityUkTest, RefusedAccessSaysNoKeyIsNeeded) {
  serve("/intensity", "{}", "application/json", 403);
  auto p = provider();
  auto q = p.latest(gb);
  ASSERT_FALSE(q);
  EXPECT_EQ(q.status().code(), StatusCode::permission_denied);
  EXPECT_NE(q.status().message().find("403"), std::string::npos);
  EXPECT_NE(q.status().fix().find("needs no key"), std::string::npos);
}

TEST_F(CarbonIntensityUkTest, SuitableForGreatBritainOnly) {
  auto p = provider();
  EXPECT_TRUE(p.suitable(gb));
  EXPECT_TRUE(p.suitable(Loc().zone("GB")));
  EXPECT_TRUE(p.suitable(Loc().postcode("SW1A")));
  EXPECT_FALSE(p.suitable(Loc().zone("GB-NIR").country("GB")));
  EXPECT_FALSE(p.suitable(Loc().country("FR")));
  const Status bad = p.suitable(Loc().postcode("RG10/../x"));
  EXPECT_EQ(bad.code(), StatusCode::invalid_argument);
  EXPECT_EQ(p.suitable(Loc().region_id(42)).code(), StatusCode::invalid_argument);
}

}  // namespace
}  // namespace carbontracker::intensity
