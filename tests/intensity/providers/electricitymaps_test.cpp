#include "intensity/providers/electricitymaps.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>

#include "local_http_server.hpp"
#include "provider_test_util.hpp"

namespace carbontracker::intensity {
namespace {

using carbontracker::testing::expect_secret_absent;
using carbontracker::testing::FakeClock;
using carbontracker::testing::fixture;
using carbontracker::testing::LocalHttpServer;
using carbontracker::testing::Loc;
using carbontracker::testing::mono_for;
using carbontracker::testing::serve_json;
using carbontracker::testing::utc;
using namespace std::chrono_literals;

constexpr const char* kToken = "EM-TOKEN-SECRET-31337";

class ElectricityMapsTest : public ::testing::Test {
 protected:
  // Answers `body` with `content_type` on every endpoint, after checking the token.
  void serve(const std::string& path, std::string body, std::string content_type = "application/json") {
    server.get(path, [body, content_type](const httplib::Request& req, httplib::Response& res) {
      if (req.get_header_value("auth-token") != kToken) {
        res.status = 401;
        return;
      }
      res.set_content(body, content_type);
    });
  }
  ElectricityMapsProvider provider(std::string token = kToken) {
    server.start();
    return ElectricityMapsProvider(*http, {.token = std::move(token), .base_url = server.base_url() + "/v3"}, clock);
  }

  // The query of the latest request (from the server's request log).
  httplib::Params last_query() const {
    const auto log = server.requests();
    return log.empty() ? httplib::Params{} : log.back().params;
  }

  std::unique_ptr<io::HttpClient> http = io::make_curl_http_client();
  FakeClock clock{mono_for("2026-05-04T09:41:00Z")};
  LocalHttpServer server;
  Location dk2 = Loc().zone("DK-DK2");
};

TEST_F(ElectricityMapsTest, LatestIsAMeasuredHourStartingAtDatetime) {
  serve("/v3/carbon-intensity/latest", fixture("electricitymaps_latest.json"));
  auto p = provider();
  auto q = p.latest(dk2);
  ASSERT_TRUE(q) << q.status().to_string();
  EXPECT_DOUBLE_EQ(q->g_per_kwh, 143);
  EXPECT_EQ(q->kind, QuoteKind::measured);
  EXPECT_EQ(q->signal, Signal::average);
  EXPECT_EQ(q->start, utc("2026-05-04T09:00Z"));
  EXPECT_EQ(q->end, utc("2026-05-04T10:00Z"));
  EXPECT_EQ(q->basis, "lifecycle");
  EXPECT_EQ(q->zone, "DK-DK2");
  EXPECT_NE(q->source.find("Electricity Maps"), std::string::npos);
  EXPECT_NE(q->source.find("estimated"), std::string::npos) << q->source;
  ASSERT_EQ(last_query().count("zone"), 1u);
  EXPECT_EQ(last_query().find("zone")->second, "DK-DK2");
}

TEST_F(ElectricityMapsTest, CoordinatesThenCountrySelectTheArea) {
  serve("/v3/carbon-intensity/latest", fixture("electricitymaps_latest.json"));
  auto p = provider();
  ASSERT_TRUE(p.latest(Loc().country("DK").coords(55.6759, 12.5655)));
  EXPECT_EQ(last_query().find("lat")->second, "55.6759");
  EXPECT_EQ(last_query().find("lon")->second, "12.5655");
  EXPECT_EQ(last_query().count("zone"), 0u);
  ASSERT_TRUE(p.latest(Loc().country("FR")));
  EXPECT_EQ(last_query().find("zone")->second, "FR");
}

TEST_F(ElectricityMapsTest, ForecastIsCutToTheHoursAsked) {
  serve("/v3/carbon-intensity/forecast", fixture("electricitymaps_forecast.json"));
  auto p = provider();
  auto s = p.forecast(Loc().zone("DE"), 6);
  ASSERT_TRUE(s) << s.status().to_string();
  ASSERT_EQ(s->size(), 6u);
  for (std::size_t i = 0; i < s->size(); ++i) {
    const auto& q = (*s)[i];
    EXPECT_EQ(q.kind, QuoteKind::forecast);
    EXPECT_DOUBLE_EQ(q.g_per_kwh, 300.0 + static_cast<double>(i));
    EXPECT_EQ(q.end - q.start, 1h);
    EXPECT_EQ(q.zone, "DE");
    if (i > 0) {
      EXPECT_EQ(q.start, (*s)[i - 1].end);
    }
  }
  EXPECT_EQ(s->front().start, utc("2026-05-04T10:00Z"));
}

TEST_F(ElectricityMapsTest, HistorySkipsNullValuesAndKeepsTheWindow) {
  serve("/v3/carbon-intensity/history", fixture("electricitymaps_history.json"));
  auto p = provider();
  auto all = p.history(Loc().zone("NL"), utc("2026-05-03T10:00Z"), utc("2026-05-04T10:00Z"));
  ASSERT_TRUE(all) << all.status().to_string();
  EXPECT_EQ(all->size(), 22u);  // 24 points, two of them null
  for (const auto& q : *all) {
    EXPECT_EQ(q.kind, QuoteKind::measured);
    EXPECT_NE(q.g_per_kwh, 205.0);
    EXPECT_NE(q.g_per_kwh, 217.0);
  }
  auto part = p.history(Loc().zone("NL"), utc("2026-05-03T12:00Z"), utc("2026-05-03T14:00Z"));
  ASSERT_TRUE(part);
  ASSERT_EQ(part->size(), 2u);
  EXPECT_DOUBLE_EQ(part->front().g_per_kwh, 202);
}

TEST_F(ElectricityMapsTest, OlderHistoryUsesPastRange) {
  std::string start, end;
  server.get("/v3/carbon-intensity/past-range", [&](const httplib::Request& req, httplib::Response& res) {
    start = req.get_param_value("start");
    end = req.get_param_value("end");
    std::string body = fixture("electricitymaps_history.json");
    body.replace(body.find("\"history\""), 9, "\"data\"");
    serve_json(res, body);
  });
  auto p = provider();
  auto s = p.history(Loc().zone("NL"), utc("2026-05-03T10:00Z"), utc("2026-05-03T12:00Z"));
  clock.advance(std::chrono::hours{48});
  auto old = p.history(Loc().zone("NL"), utc("2026-05-03T10:00Z"), utc("2026-05-03T12:00Z"));
  ASSERT_TRUE(old) << old.status().to_string();
  EXPECT_EQ(old->size(), 2u);
  EXPECT_EQ(start, "2026-05-03T10:00:00Z");
  EXPECT_EQ(end, "2026-05-03T12:00:00Z");
  EXPECT_FALSE(s);  // /history is not served here: the recent window went there
}

TEST_F(ElectricityMapsTest, EmptyHistoryIsNotFound) {
  serve("/v3/carbon-intensity/history", R"({"zone":"NL","history":[]})");
  auto p = provider();
  auto s = p.history(Loc().zone("NL"), utc("2026-05-04T08:00Z"), utc("2026-05-04T09:00Z"));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.status().code(), StatusCode::not_found);
  EXPECT_NE(s.status().message().find("no data for NL"), std::string::npos) << s.status().message();
}

TEST_F(ElectricityMapsTest, MalformedJsonIsNamed) {
  serve("/v3/carbon-intensity/latest", R"({"zone":"DK-DK2","carbonIntensity":14)");
  auto p = provider();
  auto q = p.latest(dk2);
  ASSERT_FALSE(q);
  EXPECT_EQ(q.status().code(), StatusCode::unavailable);
  EXPECT_NE(q.status().message().find("Electricity Maps"), std::string::npos);
  EXPECT_NE(q.status().message().find("malformed JSON"), std::string::npos) << q.status().message();
}

TEST_F(ElectricityMapsTest, MissingFieldsAndBadValuesAreRefused) {
  EXPECT_FALSE(parse_electricitymaps_latest(R"({"zone":"DE","carbonIntensity":120})"));
  EXPECT_FALSE(parse_electricitymaps_latest(R"({"zone":"DE","datetime":"2026-05-04T09:00:00.000Z"})"));
  auto neg = parse_electricitymaps_latest(R"({"zone":"DE","carbonIntensity":-5,"datetime":"2026-05-04T09:00:00Z"})");
  ASSERT_FALSE(neg);
  EXPECT_NE(neg.status().message().find("invalid intensity"), std::string::npos);
  auto null_now =
      parse_electricitymaps_latest(R"({"zone":"DE","carbonIntensity":null,"datetime":"2026-05-04T09:00:00Z"})");
  ASSERT_FALSE(null_now);
  EXPECT_EQ(null_now.status().code(), StatusCode::not_found);
  EXPECT_FALSE(parse_electricitymaps_series(R"({"zone":"DE"})", QuoteKind::forecast));
}

TEST_F(ElectricityMapsTest, HtmlAnswerIsNamedAsNotJson) {
  serve("/v3/carbon-intensity/latest", "<html><body>502 Bad Gateway</body></html>", "text/html; charset=utf-8");
  auto p = provider();
  auto q = p.latest(dk2);
  ASSERT_FALSE(q);
  EXPECT_NE(q.status().message().find("not JSON"), std::string::npos) << q.status().message();
  EXPECT_NE(q.status().message().find("text/html"), std::string::npos);
}

TEST_F(ElectricityMapsTest, RejectedTokenSaysWhereToSetTheKeyWithoutShowingIt) {
  serve("/v3/carbon-intensity/latest", fixture("electricitymaps_latest.json"));
  auto p = provider("WRONG-TOKEN-abcdef");
  auto q = p.latest(dk2);
  ASSERT_FALSE(q);
  EXPECT_EQ(q.status().code(), StatusCode::permission_denied);
  EXPECT_NE(q.status().message().find("the token was rejected"), std::string::npos) << q.status().message();
  EXPECT_NE(q.status().fix().find("CARBONTRACKER_ELECTRICITYMAPS_TOKEN"), std::string::npos);
  EXPECT_NE(q.status().fix().find("api_keys"), std::string::npos);
  expect_secret_absent(q.status(), "WRONG-TOKEN-abcdef");
}

TEST_F(ElectricityMapsTest, SuitableNeedsATokenAndAnArea) {
  auto with = provider();
  EXPECT_TRUE(with.suitable(dk2));
  EXPECT_TRUE(with.suitable(Loc().country("DE")));
  EXPECT_FALSE(with.suitable(Location{}));
  ElectricityMapsProvider without(*http, {.token = ""}, clock);
  const Status st = without.suitable(dk2);
  EXPECT_FALSE(st);
  EXPECT_NE(st.fix().find("CARBONTRACKER_ELECTRICITYMAPS_TOKEN"), std::string::npos);
  EXPECT_FALSE(without.latest(dk2));  // no request made without a token
}

}  // namespace
}  // namespace carbontracker::intensity
