#include "intensity/providers/watttime.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
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
using carbontracker::testing::utc;
using namespace std::chrono_literals;

constexpr const char* kUser = "wt-user";
constexpr const char* kPassword = "WT-PASSWORD-s3cret";
// "Basic " + base64("wt-user:WT-PASSWORD-s3cret")
constexpr const char* kBasic = "Basic d3QtdXNlcjpXVC1QQVNTV09SRC1zM2NyZXQ=";

// A WattTime double: /login hands out tok-1, tok-2, ...; data endpoints accept only the
// tokens in `accepted` (by default the latest one) and answer with the given bodies.
class WattTimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.get("/login", [this](const httplib::Request& req, httplib::Response& res) {
      if (req.get_header_value("Authorization") != kBasic) {
        res.status = 401;
        return;
      }
      const int n = ++logins;
      res.set_content(R"({"token":"tok-)" + std::to_string(n) + R"("})", "application/json");
    });
    const auto data = [this](const std::string& body_name) {
      return [this, body_name](const httplib::Request& req, httplib::Response& res) {
        const std::string auth = req.get_header_value("Authorization");
        const bool ok = reject_tokens_below == 0 ? auth == "Bearer tok-" + std::to_string(logins.load())
                                                 : auth.rfind("Bearer tok-", 0) == 0 &&
                                                       std::stoi(auth.substr(11)) >= reject_tokens_below;
        if (!ok) {
          res.status = 401;
          return;
        }
        res.set_content(bodies.count(body_name) ? bodies.at(body_name) : fixture(body_name), "application/json");
      };
    };
    server.get("/v3/forecast", data("watttime_forecast.json"));
    server.get("/v3/historical", data("watttime_historical.json"));
    server.get("/v3/region-from-loc", [data](const httplib::Request& req, httplib::Response& res) {
      data("watttime_region.json")(req, res);
    });
  }
  WattTimeProvider provider(std::string password = kPassword) {
    server.start();
    return WattTimeProvider(*http, {.username = kUser, .password = std::move(password), .base_url = server.base_url()},
                            clock);
  }
  // A query parameter of the latest data request (from the server's request log).
  std::string param(const std::string& name) {
    const auto log = server.requests();
    for (auto it = log.rbegin(); it != log.rend(); ++it) {
      if (it->path.rfind("/v3/", 0) != 0) continue;
      return it->params.count(name) ? it->param(name) : std::string("<absent>");
    }
    return "<no data request>";
  }
  std::size_t data_calls() const { return server.request_count("/v3/.*"); }

  std::unique_ptr<io::HttpClient> http = io::make_curl_http_client();
  FakeClock clock{mono_for("2026-05-03T10:07:00Z")};
  std::atomic<int> logins{0};
  int reject_tokens_below = 0;  // 0: accept only the newest token
  std::map<std::string, std::string> bodies;
  LocalHttpServer server;  // after what its handlers touch (tests/support/local_http_server.hpp)
  Location caiso = Loc().zone("CAISO_NORTH");
};

TEST_F(WattTimeTest, LogsInOnceAndReusesTheToken) {
  auto p = provider();
  ASSERT_TRUE(p.forecast(caiso, 1));
  ASSERT_TRUE(p.forecast(caiso, 1));
  ASSERT_TRUE(p.latest(caiso));
  EXPECT_EQ(logins.load(), 1);
  EXPECT_EQ(data_calls(), 3u);
}

TEST_F(WattTimeTest, TokenIsRenewedAfterThirtyMinutes) {
  auto p = provider();
  ASSERT_TRUE(p.forecast(caiso, 1));
  clock.advance(std::chrono::minutes{31});
  ASSERT_TRUE(p.forecast(caiso, 1));
  EXPECT_EQ(logins.load(), 2);
}

TEST_F(WattTimeTest, RejectedTokenIsRenewedOnceThenTheCallSucceeds) {
  auto p = provider();
  ASSERT_TRUE(p.forecast(caiso, 1));
  EXPECT_EQ(logins.load(), 1);
  reject_tokens_below = 2;  // the server revokes tok-1
  auto s = p.forecast(caiso, 1);
  ASSERT_TRUE(s) << s.status().to_string();
  EXPECT_EQ(logins.load(), 2);
  EXPECT_EQ(data_calls(), 3u);  // ok, 401, ok
}

TEST_F(WattTimeTest, ForecastIsMarginalAndConvertedFromPoundsPerMegawattHour) {
  auto p = provider();
  auto s = p.forecast(caiso, 2);
  ASSERT_TRUE(s) << s.status().to_string();
  ASSERT_EQ(s->size(), 24u);  // 2 h of 5-minute points
  EXPECT_DOUBLE_EQ(s->front().g_per_kwh, 1000.0 * 0.45359237);
  EXPECT_DOUBLE_EQ((*s)[1].g_per_kwh, 899.0 * 0.45359237);
  for (const auto& q : *s) {
    EXPECT_EQ(q.signal, Signal::marginal);
    EXPECT_EQ(q.kind, QuoteKind::forecast);
    EXPECT_EQ(q.end - q.start, 5min);
    EXPECT_EQ(q.zone, "CAISO_NORTH");
    EXPECT_NE(q.source.find("marginal"), std::string::npos);
  }
  EXPECT_EQ(param("region"), "CAISO_NORTH");
  EXPECT_EQ(param("signal_type"), "co2_moer");
  EXPECT_EQ(param("horizon_hours"), "2");
}

TEST_F(WattTimeTest, LatestIsTheNewestHistoricalPoint) {
  auto p = provider();
  auto q = p.latest(caiso);
  ASSERT_TRUE(q) << q.status().to_string();
  EXPECT_DOUBLE_EQ(q->g_per_kwh, 811.0 * 0.45359237);
  EXPECT_EQ(q->start, utc("2026-05-03T10:00Z"));
  EXPECT_EQ(q->kind, QuoteKind::measured);
  EXPECT_EQ(q->signal, Signal::marginal);
  EXPECT_EQ(param("start"), "2026-05-03T09:07:00+00:00");
  EXPECT_EQ(param("end"), "2026-05-03T10:07:00+00:00");
}

TEST_F(WattTimeTest, HistoryIsMarginalEveryPoint) {
  auto p = provider();
  auto s = p.history(caiso, utc("2026-05-03T09:00Z"), utc("2026-05-03T10:05Z"));
  ASSERT_TRUE(s) << s.status().to_string();
  EXPECT_EQ(s->size(), 12u);
  for (const auto& q : *s) EXPECT_EQ(q.signal, Signal::marginal);
}

TEST_F(WattTimeTest, RegionFromCoordinatesIsLookedUpOnce) {
  auto p = provider();
  const Location here = Loc().coords(38.58, -121.49);
  ASSERT_TRUE(p.forecast(here, 1));
  ASSERT_TRUE(p.forecast(here, 1));
  EXPECT_EQ(server.request_count("/v3/region-from-loc"), 1u);
  EXPECT_EQ(param("region"), "CAISO_NORTH");
}

TEST_F(WattTimeTest, UnknownUnitsAreRefused) {
  bodies["watttime_forecast.json"] = fixture("watttime_signal_index.json");
  auto p = provider();
  auto s = p.forecast(caiso, 1);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.status().code(), StatusCode::unavailable);
  EXPECT_NE(s.status().message().find("unknown units 'percentile'"), std::string::npos) << s.status().message();
  EXPECT_FALSE(parse_watttime_series(R"({"data":[],"meta":{}})", QuoteKind::forecast));
}

TEST_F(WattTimeTest, RejectedLoginSaysWhereToSetTheCredentialsWithoutShowingThem) {
  auto p = provider("WRONG-PASSWORD-zzz");
  auto s = p.forecast(caiso, 1);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.status().code(), StatusCode::permission_denied);
  EXPECT_NE(s.status().message().find("WattTime"), std::string::npos);
  EXPECT_NE(s.status().message().find("rejected at login"), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().fix().find("CARBONTRACKER_WATTTIME_USER"), std::string::npos);
  EXPECT_NE(s.status().fix().find("CARBONTRACKER_WATTTIME_PASSWORD"), std::string::npos);
  expect_secret_absent(s.status(), "WRONG-PASSWORD-zzz");
}

TEST_F(WattTimeTest, EmptyDataIsNotFound) {
  bodies["watttime_forecast.json"] =
      R"({"data":[],"meta":{"region":"CAISO_NORTH","signal_type":"co2_moer","units":"lbs_co2_per_mwh"}})";
  auto p = provider();
  auto s = p.forecast(caiso, 1);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.status().code(), StatusCode::not_found);
  EXPECT_NE(s.status().message().find("CAISO_NORTH"), std::string::npos);
}

TEST_F(WattTimeTest, MalformedJsonIsNamed) {
  bodies["watttime_forecast.json"] = R"({"data":[{"point_time":)";
  auto p = provider();
  auto s = p.forecast(caiso, 1);
  ASSERT_FALSE(s);
  EXPECT_NE(s.status().message().find("WattTime"), std::string::npos);
  EXPECT_NE(s.status().message().find("malformed JSON"), std::string::npos) << s.status().message();
}

TEST_F(WattTimeTest, HtmlLoginAnswerIsNamedAsNotJson) {
  LocalHttpServer html;
  html.get("/login", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("<html>login page</html>", "text/html");
  });
  html.start();
  WattTimeProvider p(*http, {.username = kUser, .password = kPassword, .base_url = html.base_url()}, clock);
  auto s = p.forecast(caiso, 1);
  ASSERT_FALSE(s);
  EXPECT_NE(s.status().message().find("not JSON"), std::string::npos) << s.status().message();
}

TEST_F(WattTimeTest, SuitableNeedsCredentialsAndARegionOrCoordinates) {
  auto p = provider();
  EXPECT_TRUE(p.suitable(caiso));
  EXPECT_TRUE(p.suitable(Loc().coords(38.58, -121.49)));
  EXPECT_FALSE(p.suitable(Loc().country("US")));
  WattTimeProvider nobody(*http, {}, clock);
  const Status st = nobody.suitable(caiso);
  EXPECT_FALSE(st);
  EXPECT_NE(st.fix().find("CARBONTRACKER_WATTTIME_USER"), std::string::npos);
}

}  // namespace
}  // namespace carbontracker::intensity
