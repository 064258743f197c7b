// Provider intensities outside the physical range (0..2500 g/kWh) are rejected with the provider
// named, and the fallback stays in force: over real HTTP on 127.0.0.1 through the real
// Electricity Maps provider and the intensity service.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "intensity/providers/electricitymaps.hpp"
#include "intensity/service.hpp"
#include "local_http_server.hpp"
#include "provider_test_util.hpp"

namespace carbontracker::intensity {
namespace {

using carbontracker::testing::FakeClock;
using carbontracker::testing::LocalHttpServer;
using carbontracker::testing::Loc;
using carbontracker::testing::mono_for;

IntensityQuote offline_dk() {
  IntensityQuote q;
  q.g_per_kwh = 143.3;
  q.kind = QuoteKind::yearly_average;
  q.source = "Ember yearly table DK";
  q.zone = "DNK";
  return q;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + "\n";
  return s;
}

class IntensityRangeTest : public ::testing::Test {
 protected:
  // The service over a real Electricity Maps provider whose server answers `latest_value`.
  std::unique_ptr<IntensityService> service_answering(const std::string& latest_value) {
    const std::string latest = R"({"zone":"DK-DK2","carbonIntensity":)" + latest_value +
                               R"(,"datetime":"2026-05-04T09:00:00.000Z","temporalGranularity":"hourly"})";
    server.get("/v3/carbon-intensity/latest", [latest](const httplib::Request&, httplib::Response& res) {
      res.set_content(latest, "application/json");
    });
    server.get("/v3/carbon-intensity/forecast", [](const httplib::Request&, httplib::Response& res) {
      res.status = 404;
    });
    server.start();
    ServiceConfig c;
    c.location = Loc().zone("DK-DK2");
    c.plan = [this](const Location&) {
      Plan p;
      p.provider = std::make_unique<ElectricityMapsProvider>(
          *http, ElectricityMapsConfig{.token = "t", .base_url = server.base_url() + "/v3"}, clock);
      p.provider_why = "Electricity Maps: token given";
      p.offline = offline_dk();
      p.offline_why = "zone DK-DK2: yearly table for DK";
      return p;
    };
    return std::make_unique<IntensityService>(std::move(c), clock);
  }

  std::unique_ptr<io::HttpClient> http = io::make_curl_http_client();
  FakeClock clock{mono_for("2026-05-04T09:41:00Z")};
  LocalHttpServer server;
};

TEST_F(IntensityRangeTest, AboveTheRangeIsRejectedWithTheProviderNamedAndTheFallbackUsed) {
  auto service = service_answering("3000");
  service->refresh();
  service->update(clock.wall());
  EXPECT_DOUBLE_EQ(service->current().load(), 143.3);
  EXPECT_EQ(service->info().source, "Ember yearly table DK");
  const std::string events = joined(service->take_events());
  EXPECT_NE(events.find("Electricity Maps"), std::string::npos) << events;
  EXPECT_NE(events.find("3000"), std::string::npos) << events;
  EXPECT_NE(events.find("outside the physical range 0..2500 g/kWh"), std::string::npos) << events;
  EXPECT_NE(events.find("the offline value"), std::string::npos) << events;
}

TEST_F(IntensityRangeTest, NegativeIsRejectedToo) {
  auto service = service_answering("-12.5");
  service->refresh();
  service->update(clock.wall());
  EXPECT_DOUBLE_EQ(service->current().load(), 143.3);
  const std::string events = joined(service->take_events());
  EXPECT_NE(events.find("-12.5"), std::string::npos) << events;
  EXPECT_NE(events.find("Electricity Maps"), std::string::npos) << events;
}

TEST_F(IntensityRangeTest, ValuesInsideTheRangeAreUsed) {
  for (const char* v : {"0", "2500"}) {
    SCOPED_TRACE(v);
    EXPECT_TRUE(provider_detail::check_intensity("X", std::stod(v), ""));
  }
  auto service = service_answering("1180");  // lignite-heavy hour: real, if rare
  service->refresh();
  service->update(clock.wall());
  EXPECT_DOUBLE_EQ(service->current().load(), 1180.0);
}

TEST(IntensityRange, CheckNamesTheRange) {
  EXPECT_FALSE(provider_detail::check_intensity("X", 2500.5, ""));
  const Status s = provider_detail::check_intensity("WattTime", 1e6, "2026-05-04T09:00Z");
  EXPECT_NE(s.message().find("WattTime"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("0..2500 g/kWh"), std::string::npos) << s.message();
  EXPECT_FALSE(intensity_in_range(std::numeric_limits<double>::quiet_NaN()));
  EXPECT_FALSE(intensity_in_range(std::numeric_limits<double>::infinity()));
}

// Whatever a provider's parser lets through, the service itself refuses it (a second guard), and
// an out-of-range offline value never reaches current(): the world average replaces it, labelled.
class RawProvider final : public IntensityProvider {
 public:
  explicit RawProvider(double v) : v_(v) {}
  std::string_view id() const noexcept override { return "raw"; }
  std::string_view display_name() const noexcept override { return "Raw Grid"; }
  Status suitable(const Location&) const override { return Status::ok(); }
  Result<IntensityQuote> latest(const Location&) noexcept override {
    IntensityQuote q;
    q.g_per_kwh = v_;
    q.start = TimePoint{};
    q.end = TimePoint::max();
    q.kind = QuoteKind::measured;
    q.source = "Raw Grid";
    return q;
  }
  Result<IntensitySeries> forecast(const Location&, int) noexcept override {
    return Status(StatusCode::not_found, "none");
  }
  Result<IntensitySeries> history(const Location&, TimePoint, TimePoint) noexcept override {
    return Status(StatusCode::not_found, "none");
  }

 private:
  double v_;
};

TEST(IntensityRange, TheServiceRefusesNaNFromAnyProviderAndAnyOfflineValue) {
  FakeClock clock;
  ServiceConfig c;
  c.location = Loc().country("DK");
  c.plan = [](const Location&) {
    Plan p;
    p.provider = std::make_unique<RawProvider>(std::numeric_limits<double>::quiet_NaN());
    p.offline = offline_dk();
    p.offline.g_per_kwh = -1;  // a broken offline value
    p.offline_why = "country DK";
    return p;
  };
  IntensityService service(std::move(c), clock);
  EXPECT_TRUE(std::isfinite(service.current().load()));
  EXPECT_DOUBLE_EQ(service.current().load(), 473.0);  // world average, labelled
  EXPECT_NE(service.info().source.find("world average"), std::string::npos);
  service.refresh();
  service.update(clock.wall());
  EXPECT_TRUE(std::isfinite(service.current().load()));
  const std::string events = joined(service.take_events());
  EXPECT_NE(events.find("Raw Grid sent nan g/kWh"), std::string::npos) << events;
  EXPECT_NE(events.find("outside the physical range"), std::string::npos) << events;
}

}  // namespace
}  // namespace carbontracker::intensity
