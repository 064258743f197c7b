// The intensity thread's refresh period is always a sane, positive duration: a refresh_s of
// 1e10 (once converted to a negative period, so the thread refetched in a tight loop), NaN, 0
// or a negative value never reaches the clock as such (core/duration.hpp; the configuration
// refuses them earlier, docs/configuration.md#bounds).
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "intensity/service.hpp"

namespace carbontracker::intensity {
namespace {

using namespace std::chrono_literals;

// Time stands still; wait_until records the deadline the service asks for and blocks until stop.
class RecordingClock final : public Clock {
 public:
  MonoTime monotonic() const noexcept override { return MonoTime(1'000'000'000'000); }
  std::chrono::system_clock::time_point wall() const noexcept override {
    return std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  }
  bool wait_until(MonoTime deadline, std::stop_token stop) noexcept override {
    waits.fetch_add(1);
    first_deadline.store(deadline.count());
    std::mutex m;
    std::condition_variable_any cv;
    std::unique_lock lock(m);
    cv.wait(lock, stop, [] { return false; });
    return false;
  }
  std::atomic<int> waits{0};
  std::atomic<MonoTime::rep> first_deadline{0};
};

class OneValueProvider final : public IntensityProvider {
 public:
  std::string_view id() const noexcept override { return "one"; }
  std::string_view display_name() const noexcept override { return "One value"; }
  Status suitable(const Location&) const override { return Status::ok(); }
  Result<IntensityQuote> latest(const Location&) noexcept override {
    ++*fetches;
    return Status(StatusCode::transient, "HTTP 503");
  }
  Result<IntensitySeries> forecast(const Location&, int) noexcept override {
    return Status(StatusCode::not_found, "no forecast");
  }
  Result<IntensitySeries> history(const Location&, TimePoint, TimePoint) noexcept override { return IntensitySeries{}; }
  std::atomic<int>* fetches = nullptr;
};

// The period the thread waits after its first fetch, for a given refresh_s.
std::chrono::nanoseconds period_for(double refresh_s, int* fetches_out) {
  RecordingClock clock;
  std::atomic<int> fetches{0};
  ServiceConfig c;
  c.location.country = "DK";
  c.refresh_s = refresh_s;
  c.plan = [&](const Location&) {
    Plan p;
    auto provider = std::make_unique<OneValueProvider>();
    provider->fetches = &fetches;
    p.provider = std::move(provider);
    p.offline.g_per_kwh = 143.3;
    p.offline.kind = QuoteKind::yearly_average;
    p.offline.source = "table";
    return p;
  };
  IntensityService s(std::move(c), clock);
  s.start();
  // Waits for the thread to reach its first wait (not a timing assertion: the bound only
  // keeps a broken build from hanging).
  for (int i = 0; i < 5000 && clock.waits.load() == 0; ++i) std::this_thread::sleep_for(1ms);
  s.stop();
  *fetches_out = fetches.load();
  return MonoTime(clock.first_deadline.load()) - clock.monotonic();
}

TEST(IntensityRefreshPeriod, IsClampedToOneSecondToOneDayAndNeverNegative) {
  const std::pair<double, std::chrono::nanoseconds> cases[] = {
      {60, 60s},
      {1e10, 86400s},  // once a negative period: a refetch loop
      {1e300, 86400s},
      {std::numeric_limits<double>::infinity(), 86400s},
      {std::nan(""), 900s},
      {0, 1s},
      {-5, 1s},
  };
  for (const auto& [refresh_s, expected] : cases) {
    int fetches = 0;
    EXPECT_EQ(period_for(refresh_s, &fetches), expected) << "refresh_s=" << refresh_s;
    // Time stood still: exactly one fetch, not a loop of them.
    EXPECT_EQ(fetches, 1) << "refresh_s=" << refresh_s;
  }
}

}  // namespace
}  // namespace carbontracker::intensity
