#include "intensity/providers/energidataservice.hpp"

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

class EnergiDataServiceTest : public ::testing::Test {
 protected:
  void serve(const std::string& dataset, std::string body, std::string content_type = "application/json",
             int status = 200) {
    server.get("/dataset/" + dataset, [=](const httplib::Request&, httplib::Response& res) {
      res.status = status;
      res.set_content(body, content_type);
    });
  }
  EnergiDataServiceProvider provider() {
    server.start();
    return EnergiDataServiceProvider(*http, {.base_url = server.base_url()}, clock);
  }
  // A query parameter of the latest request (from the server's request log).
  std::string param(const std::string& name) const {
    const auto log = server.requests();
    if (log.empty() || !log.back().params.count(name)) return "<absent>";
    return log.back().param(name);
  }

  std::unique_ptr<io::HttpClient> http = io::make_curl_http_client();
  FakeClock clock{mono_for("2026-05-04T09:41:00Z")};
  LocalHttpServer server;
  Location dk2 = Loc().zone("DK-DK2");
};

TEST_F(EnergiDataServiceTest, LatestIsTheNewestFiveMinutesOfThePriceArea) {
  serve("CO2Emis", fixture("energidataservice_co2emis_dk2.json"));
  auto p = provider();
  auto q = p.latest(dk2);
  ASSERT_TRUE(q) << q.status().to_string();
  EXPECT_DOUBLE_EQ(q->g_per_kwh, 100.0);
  EXPECT_EQ(q->start, utc("2026-05-04T09:35Z"));
  EXPECT_EQ(q->end, utc("2026-05-04T09:40Z"));
  EXPECT_EQ(q->kind, QuoteKind::measured);
  EXPECT_EQ(q->signal, Signal::average);
  EXPECT_EQ(q->zone, "DK-DK2");
  EXPECT_EQ(q->source, "Energi Data Service CO2Emis DK2");
  // The query as documented: UTC, area filter, newest first.
  EXPECT_EQ(param("filter"), R"({"PriceArea":["DK2"]})");
  EXPECT_EQ(param("sort"), "Minutes5UTC desc");
  EXPECT_EQ(param("timezone"), "UTC");
  EXPECT_EQ(param("start"), "2026-05-04T08:40");
  EXPECT_EQ(param("end"), "2026-05-04T09:45");
}

TEST_F(EnergiDataServiceTest, DenmarkWithoutAreaIsTheLabelledMeanOfBoth) {
  serve("CO2Emis", fixture("energidataservice_co2emis.json"));
  auto p = provider();
  auto q = p.latest(Loc().country("DK"));
  ASSERT_TRUE(q) << q.status().to_string();
  EXPECT_DOUBLE_EQ(q->g_per_kwh, (160.0 + 100.0) / 2);
  EXPECT_EQ(q->zone, "DK");
  EXPECT_NE(q->source.find("mean of DK1 and DK2"), std::string::npos) << q->source;
  EXPECT_EQ(param("filter"), R"({"PriceArea":["DK1","DK2"]})");
}

TEST_F(EnergiDataServiceTest, PriceAreaFromZoneOrLongitude) {
  EXPECT_EQ(dk_price_area(Loc().zone("DK-DK1"))->area, "DK1");
  EXPECT_EQ(dk_price_area(Loc().zone("DK-BHM"))->area, "DK2");
  EXPECT_EQ(dk_price_area(Loc().country("DK").coords(56.15, 10.21))->area, "DK1");  // Aarhus
  EXPECT_EQ(dk_price_area(Loc().country("DK").coords(55.68, 12.57))->area, "DK2");  // Copenhagen
  EXPECT_EQ(dk_price_area(Loc().country("DK"))->area, "DK");
  EXPECT_FALSE(dk_price_area(Loc().country("DE")));
  EXPECT_FALSE(dk_price_area(Loc().zone("SE-SE4").country("DK")));
}

TEST_F(EnergiDataServiceTest, SuitableForDenmarkOnly) {
  auto p = provider();
  EXPECT_TRUE(p.suitable(dk2));
  EXPECT_TRUE(p.suitable(Loc().country("DK")));
  const Status de = p.suitable(Loc().country("DE"));
  EXPECT_FALSE(de);
  EXPECT_NE(de.message().find("Denmark only"), std::string::npos);
  EXPECT_FALSE(p.suitable(Location{}));
}

TEST_F(EnergiDataServiceTest, ForecastComesFromThePrognosisAscending) {
  serve("CO2EmisProg", fixture("energidataservice_co2emisprog_dk2.json"));
  auto p = provider();
  auto s = p.forecast(dk2, 2);
  ASSERT_TRUE(s) << s.status().to_string();
  ASSERT_EQ(s->size(), 24u);  // 2 h of 5-minute points
  EXPECT_EQ(s->front().start, utc("2026-05-04T09:40Z"));
  for (const auto& q : *s) {
    EXPECT_EQ(q.kind, QuoteKind::forecast);
    EXPECT_EQ(q.end - q.start, 5min);
    EXPECT_EQ(q.source, "Energi Data Service CO2EmisProg DK2");
  }
  EXPECT_EQ(param("sort"), "Minutes5UTC asc");
  EXPECT_EQ(param("start"), "2026-05-04T09:40");
  EXPECT_EQ(param("end"), "2026-05-04T11:40");
}

TEST_F(EnergiDataServiceTest, HistoryKeepsTheWindow) {
  serve("CO2Emis", fixture("energidataservice_co2emis_dk2.json"));
  auto p = provider();
  auto s = p.history(dk2, utc("2026-05-04T09:00Z"), utc("2026-05-04T09:30Z"));
  ASSERT_TRUE(s) << s.status().to_string();
  ASSERT_EQ(s->size(), 6u);
  EXPECT_EQ(s->front().start, utc("2026-05-04T09:00Z"));
  EXPECT_EQ(s->back().end, utc("2026-05-04T09:30Z"));
  EXPECT_EQ(param("start"), "2026-05-04T09:00");
  EXPECT_EQ(param("end"), "2026-05-04T09:30");
}

TEST_F(EnergiDataServiceTest, EmptyRecordsSayWhichAreaAndWhen) {
  serve("CO2Emis", fixture("energidataservice_empty.json"));
  auto p = provider();
  auto q = p.latest(dk2);
  ASSERT_FALSE(q);
  EXPECT_EQ(q.status().code(), StatusCode::not_found);
  EXPECT_NE(q.status().message().find("no data for DK2 in the last hour"), std::string::npos) << q.status().message();
}

TEST_F(EnergiDataServiceTest, MalformedJsonIsNamed) {
  serve("CO2Emis", R"({"records":[{"Minutes5UTC":)");
  auto p = provider();
  auto q = p.latest(dk2);
  ASSERT_FALSE(q);
  EXPECT_NE(q.status().message().find("Energi Data Service"), std::string::npos);
  EXPECT_NE(q.status().message().find("malformed JSON"), std::string::npos) << q.status().message();
}

TEST_F(EnergiDataServiceTest, MissingFieldsAndBadValuesAreRefused) {
  EXPECT_FALSE(parse_energidataservice(R"({"total":0})", QuoteKind::measured, "DK1"));
  EXPECT_FALSE(
      parse_energidataservice(R"({"records":[{"PriceArea":"DK1","CO2Emission":1}]})", QuoteKind::measured, "DK1"));
  auto neg = parse_energidataservice(
      R"({"records":[{"Minutes5UTC":"2026-05-04T09:00:00","PriceArea":"DK1","CO2Emission":-3.5}]})",
      QuoteKind::measured, "DK1");
  ASSERT_FALSE(neg);
  EXPECT_NE(neg.status().message().find("invalid intensity"), std::string::npos);
  auto nulls = parse_energidataservice(
      R"({"records":[{"Minutes5UTC":"2026-05-04T09:00:00","PriceArea":"DK1","CO2Emission":null}]})",
      QuoteKind::measured, "DK1");
  ASSERT_TRUE(nulls);
  EXPECT_TRUE(nulls->empty());
}

TEST_F(EnergiDataServiceTest, MeanNeedsBothAreasAtAnInterval) {
  auto s = parse_energidataservice(
      R"({"records":[{"Minutes5UTC":"2026-05-04T09:00:00","PriceArea":"DK1","CO2Emission":100},
                     {"Minutes5UTC":"2026-05-04T09:05:00","PriceArea":"DK1","CO2Emission":120},
                     {"Minutes5UTC":"2026-05-04T09:05:00","PriceArea":"DK2","CO2Emission":60}]})",
      QuoteKind::measured, "DK");
  ASSERT_TRUE(s);
  ASSERT_EQ(s->size(), 1u);
  EXPECT_DOUBLE_EQ(s->front().g_per_kwh, 90);
}

TEST_F(EnergiDataServiceTest, HtmlAnswerIsNamedAsNotJson) {
  serve("CO2Emis", "<!DOCTYPE html><html><body>Service Unavailable</body></html>", "text/html");
  auto p = provider();
  auto q = p.latest(dk2);
  ASSERT_FALSE(q);
  EXPECT_NE(q.status().message().find("not JSON"), std::string::npos) << q.status().message();
}

TEST_F(EnergiDataServiceTest, RefusedAccessSaysNoKeyIsNeeded) {
  serve("CO2Emis", "{}", "application/json", 401);
  auto p = provider();
  auto q = p.latest(dk2);
  ASSERT_FALSE(q);
  EXPECT_EQ(q.status().code(), StatusCode::permission_denied);
  EXPECT_NE(q.status().message().find("Energi Data Service"), std::string::npos);
  EXPECT_NE(q.status().message().find("401"), std::string::npos);
  EXPECT_NE(q.status().fix().find("needs no key"), std::string::npos);
}

}  // namespace
}  // namespace carbontracker::intensity
