#include "intensity/service.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "test_support.hpp"

namespace carbontracker::intensity {
namespace {

using namespace std::chrono_literals;
using carbontracker::testing::FakeClock;

// A provider test double: scripted answers (the real providers have HTTP tests of their own).
class ScriptedProvider final : public IntensityProvider {
 public:
  std::string_view id() const noexcept override { return "scripted"; }
  std::string_view display_name() const noexcept override { return "Scripted grid"; }
  Status suitable(const Location&) const override { return Status::ok(); }
  Result<IntensityQuote> latest(const Location&) noexcept override {
    ++calls;
    if (latest_fails) return Status(StatusCode::transient, "HTTP 503 from scripted");
    return latest_value;
  }
  Result<IntensitySeries> forecast(const Location&, int) noexcept override {
    if (forecast_fails) return Status(StatusCode::not_found, "no forecast");
    return forecast_value;
  }
  Result<IntensitySeries> history(const Location&, TimePoint, TimePoint) noexcept override { return IntensitySeries{}; }

  std::atomic<int> calls{0};
  bool latest_fails = false;
  bool forecast_fails = false;
  IntensityQuote latest_value;
  IntensitySeries forecast_value;
};

IntensityQuote quote(double g, TimePoint start, std::chrono::minutes len, QuoteKind kind, std::string source) {
  IntensityQuote q;
  q.g_per_kwh = g;
  q.start = start;
  q.end = start + len;
  q.kind = kind;
  q.source = std::move(source);
  return q;
}

IntensityQuote offline() {
  IntensityQuote q;
  q.g_per_kwh = 143.3;
  q.kind = QuoteKind::yearly_average;
  q.source = "Ember 2024 table (DNK)";
  return q;
}

struct Rig {
  FakeClock clock;
  ScriptedProvider* provider = nullptr;
  std::unique_ptr<IntensityService> service;

  explicit Rig(bool with_provider = true) {
    ServiceConfig c;
    c.location.country = "DK";
    c.location.how = "from --country";
    c.plan = [this, with_provider](const Location&) {
      Plan p;
      if (with_provider) {
        auto sp = std::make_unique<ScriptedProvider>();
        provider = sp.get();
        p.provider = std::move(sp);
        p.provider_why = "Scripted grid: Denmark";
      }
      p.offline = offline();
      p.offline_why = "country DK: yearly table";
      return p;
    };
    service = std::make_unique<IntensityService>(std::move(c), clock);
  }
  TimePoint now() const { return clock.wall(); }
};

TEST(IntensityService, TheOfflineValueIsInForceUntilALiveOneArrives) {
  Rig rig;
  EXPECT_DOUBLE_EQ(rig.service->current().load(), 143.3);
  EXPECT_EQ(rig.service->info().kind, IntensityKind::yearly_average);
  EXPECT_EQ(rig.provider->calls.load(), 0) << "no network call before the thread runs";
}

TEST(IntensityService, ALiveValueCoveringNowIsUsed) {
  Rig rig;
  rig.provider->latest_value = quote(98.0, rig.now() - 2min, 5min, QuoteKind::measured, "EDS CO2Emis DK2");
  rig.service->refresh();
  rig.service->update(rig.now());
  EXPECT_DOUBLE_EQ(rig.service->current().load(), 98.0);
  const auto info = rig.service->info();
  EXPECT_EQ(info.source, "EDS CO2Emis DK2");
  EXPECT_EQ(info.kind, IntensityKind::measured);
  EXPECT_NE(info.why.find("from --country"), std::string::npos) << info.why;
}

TEST(IntensityService, AFailedFetchFallsBackToTheForecastThenTheTableAndSaysSo) {
  Rig rig;
  rig.provider->latest_fails = true;
  rig.provider->forecast_value = {quote(120.0, rig.now() - 1min, 60min, QuoteKind::forecast, "EDS CO2EmisProg DK2")};
  rig.service->refresh();
  rig.service->update(rig.now());
  EXPECT_DOUBLE_EQ(rig.service->current().load(), 120.0);
  auto events = rig.service->take_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NE(events[0].find("HTTP 503"), std::string::npos) << events[0];
  EXPECT_NE(events[0].find("its forecast"), std::string::npos);

  rig.provider->forecast_fails = true;
  rig.service->refresh();  // the old forecast is kept; past its slot the table takes over
  rig.clock.advance(std::chrono::hours(2));
  rig.service->update(rig.now());
  EXPECT_DOUBLE_EQ(rig.service->current().load(), 143.3);
  const auto sources = rig.service->sources_used();
  EXPECT_EQ(sources, (std::vector<std::string>{"Ember 2024 table (DNK)", "EDS CO2EmisProg DK2"}));
}

TEST(IntensityService, ForecastSlotsTakeOverAsTimePasses) {
  Rig rig;
  const auto t0 = rig.now();
  rig.provider->latest_value = quote(100, t0, 30min, QuoteKind::measured, "NESO actual");
  rig.provider->forecast_value = {quote(100, t0, 30min, QuoteKind::forecast, "NESO forecast"),
                                  quote(200, t0 + 30min, 30min, QuoteKind::forecast, "NESO forecast")};
  rig.service->refresh();
  rig.service->update(t0 + 10min);
  EXPECT_DOUBLE_EQ(rig.service->current().load(), 100.0);
  rig.service->update(t0 + 40min);
  EXPECT_DOUBLE_EQ(rig.service->current().load(), 200.0);
  EXPECT_EQ(rig.service->info().kind, IntensityKind::forecast);
}

TEST(IntensityService, MeanOverAWindowWeighsForecastSlotsByTime) {
  Rig rig;
  const auto t0 = rig.now();
  rig.provider->latest_value = quote(100, t0, 30min, QuoteKind::measured, "live");
  rig.provider->forecast_value = {quote(100, t0, 30min, QuoteKind::forecast, "fc"),
                                  quote(300, t0 + 30min, 30min, QuoteKind::forecast, "fc")};
  rig.service->refresh();
  rig.service->update(t0);
  EXPECT_DOUBLE_EQ(rig.service->mean_over(t0, t0 + 60min).g_per_kwh, 200.0);
  // 60 min of forecast, 60 min past the horizon at the value in force now (100).
  EXPECT_DOUBLE_EQ(rig.service->mean_over(t0, t0 + 120min).g_per_kwh, (100 * 30 + 300 * 30 + 100 * 60) / 120.0);
  EXPECT_EQ(rig.service->mean_over(t0, t0 + 60min).kind, IntensityKind::forecast);
}

TEST(IntensityService, GeolocationRunsOnTheServiceThreadAndPicksThePlan) {
  FakeClock clock;
  std::atomic<int> plans{0};
  std::atomic<bool> geolocated{false};
  ServiceConfig c;
  c.location.how = "none configured";
  c.geolocate = [&]() -> Result<Location> {
    geolocated = true;
    Location l;
    l.country = "DK";
    l.how = "IP geolocation (ipinfo.io)";
    return l;
  };
  c.plan = [&](const Location& where) {
    ++plans;
    Plan p;
    p.offline.g_per_kwh = where.country ? 143.3 : 473.0;
    p.offline.source = where.country ? "DK table" : "world average";
    p.offline.kind = where.country ? QuoteKind::yearly_average : QuoteKind::assumed;
    return p;
  };
  IntensityService s(std::move(c), clock);
  EXPECT_DOUBLE_EQ(s.current().load(), 473.0);
  EXPECT_FALSE(geolocated.load()) << "construction does no network I/O";
  s.start();
  for (int i = 0; i < 500 && s.current().load() != 143.3; ++i) std::this_thread::sleep_for(2ms);
  s.stop();
  EXPECT_TRUE(geolocated.load());
  EXPECT_DOUBLE_EQ(s.current().load(), 143.3);
  EXPECT_EQ(plans.load(), 2);
}

TEST(IntensityService, NoProviderNoThread) {
  Rig rig(false);
  rig.service->start();
  rig.service->stop();
  EXPECT_DOUBLE_EQ(rig.service->current().load(), 143.3);
}

}  // namespace
}  // namespace carbontracker::intensity
