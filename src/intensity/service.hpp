// The intensity service: which carbon intensity is in force now, kept up to date by a background
// thread, and what to assume for the future.
//
// Contract
//  - Construction and every accessor are non-blocking and do no network I/O: the tracker calls
//    them on the training thread. All fetching (IP geolocation, latest values, forecasts) runs
//    on the service's own thread, first right after start(), then every refresh_s.
//  - Until a live value arrives (or when none can), the offline chain's value is in force: a
//    user setting, a cloud-region or country table, or the world average, each labelled.
//  - Which value is in force at a time: a live value covering that time > the forecast slot
//    covering it > the last live value while younger than 2 x refresh_s > the offline value.
//    Every change is recorded, with its source, so a report can name every source used.
//  - Failures never stop anything: they become events (take_events()) naming the provider, the
//    cause and the fallback in use. No secret ever appears in them. A fetch that stop() cuts
//    short is no failure: when the run ends before the provider's first answer, info() says so
//    (the offline value was in force throughout) and no event is raised.
//  - current() is an atomic the emissions meter reads at every counted energy increment
//    (emissions/emissions_meter.hpp: energy-weighted CO2eq).
//  - Range: a provider answer outside 0..2500 g/kWh (quote.hpp) is a failed answer naming the
//    provider; no value outside that range (NaN included) is ever in force: the world average
//    replaces it, labelled, with an event.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "carbontracker/clock.hpp"
#include "carbontracker/results.hpp"
#include "core/status.hpp"
#include "intensity/location.hpp"
#include "intensity/provider.hpp"
#include "intensity/quote.hpp"

namespace carbontracker::intensity {

// What to use for a location: built by the caller from the tables and the provider choice,
// without I/O (providers are constructed, not called).
struct Plan {
  std::unique_ptr<IntensityProvider> provider;  // null: offline only
  std::string provider_why;                     // "Energi Data Service: Denmark, no key needed" / why none
  IntensityQuote offline;                       // the offline chain's value
  std::string offline_why;                      // "country DK from --country: Ember 2024 table"
};

// The why of a live value: "<provider reason>; location <how>" (the provider's reason alone is
// absent when empty). `carbontracker intensity` says the same as the service.
std::string live_why(const std::string& provider_why, const std::string& location_why);

struct ServiceConfig {
  Location location;                              // resolved without network (may be empty)
  std::function<Result<Location>()> geolocate;    // null: geolocation disabled
  std::function<Plan(const Location&)> plan;      // required
  std::function<void()> cancel;                   // aborts network calls in flight (stop() calls it)
  double refresh_s = 900;                         // clamped to [1 s, 1 day]; NaN: 900
  int forecast_hours = 24;
  std::size_t max_changes = 1024;                 // bound on the recorded history of values in force
};

class IntensityService {
 public:
  IntensityService(ServiceConfig config, Clock& clock);
  ~IntensityService();
  IntensityService(const IntensityService&) = delete;
  IntensityService& operator=(const IntensityService&) = delete;

  // Starts the background thread when there is anything to fetch (a provider or geolocation).
  void start();
  void stop();

  [[nodiscard]] const std::atomic<double>& current() const noexcept { return current_; }
  // The value in force now, with its source, kind and why.
  [[nodiscard]] IntensityInfo info() const;
  // Time-weighted mean over [from, to): forecast slots where known, else the value in force now.
  [[nodiscard]] IntensityInfo mean_over(TimePoint from, TimePoint to) const;
  // Warnings since the last call (fallbacks, failures).
  std::vector<std::string> take_events();
  // Every value that was in force, in order (bounded; the oldest are dropped first).
  [[nodiscard]] std::vector<IntensityQuote> history() const;
  // Distinct sources that were in force, in order of first use.
  [[nodiscard]] std::vector<std::string> sources_used() const;
  // The provider's history for the day before the run (fetched once; empty when none).
  [[nodiscard]] IntensitySeries day_history() const;

  // The plan's inputs changed (new api_keys): the next fetch round rebuilds the plan for the
  // current location first. With no thread running (nothing was fetchable before), the plan is
  // rebuilt now (no I/O) and the thread started if there is now a provider. A no-op after stop().
  void replan();
  // One fetch round, synchronously (the thread's body; tests call it directly).
  void refresh();
  // Re-evaluates which value is in force at `now` (slot boundaries between fetches).
  void update(TimePoint now);

 private:
  void run(std::stop_token stop);
  [[nodiscard]] double refresh_period_s() const noexcept;
  void apply_plan(Plan plan, std::string location_why);
  // The plan for the location in force now (after new keys): replan() and the service's thread.
  void replan_at_current_location();
  void set_in_force(const IntensityQuote& q, const std::string& why);
  void event(std::string message);

  ServiceConfig config_;
  Clock& clock_;
  std::atomic<double> current_{0};

  mutable std::mutex mutex_;
  Location location_;
  std::string location_why_;
  std::unique_ptr<IntensityProvider> provider_;
  std::string provider_why_;
  IntensityQuote offline_;
  std::string offline_why_;
  std::optional<IntensityQuote> live_;          // latest successful live value
  TimePoint live_fetched_{};
  IntensitySeries forecast_;
  IntensityQuote in_force_;
  std::string in_force_why_;
  std::vector<IntensityQuote> history_;
  std::vector<std::string> sources_;
  std::vector<std::string> events_;
  bool geolocated_ = false;
  bool forecast_failure_reported_ = false;
  bool history_fetched_ = false;
  IntensitySeries day_history_;
  // Set by stop() before it cancels the fetch in flight: a fetch cut short by the end of the run
  // is not a provider failure.
  std::atomic<bool> stopping_{false};
  std::atomic<bool> replan_{false};  // replan() asked the thread to rebuild the plan
  bool answered_ = false;  // a fetch round completed (successful or not); the thread's, read after join
  std::jthread thread_;
};

}  // namespace carbontracker::intensity
