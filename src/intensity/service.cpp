#include "intensity/service.hpp"

#include "intensity/provider_choice.hpp"

#include <algorithm>
#include <cmath>

#include "intensity/defaults.hpp"

#include <fmt/format.h>

#include "core/duration.hpp"

namespace carbontracker::intensity {
namespace {

bool covers(const IntensityQuote& q, TimePoint t) { return q.start <= t && t < q.end; }

IntensityInfo to_info(const IntensityQuote& q, const std::string& why) { return to_intensity_info(q, why); }

constexpr std::string_view kEndedBeforeAnswer = "the run ended before";
std::string range_text() {
  return fmt::format("{:g}..{:g} g/kWh", kMinIntensityGPerKwh, kMaxIntensityGPerKwh);
}

// A provider's answer with a value outside the physical range is a failed answer, whatever the
// provider's own parser let through: the provider is named and the fallback stays in use.
Result<IntensityQuote> checked(Result<IntensityQuote> q, std::string_view provider) {
  if (!q || intensity_in_range(q->g_per_kwh)) return q;
  return Status(StatusCode::unavailable, fmt::format("{} sent {:g} g/kWh, outside the physical range {}; not used",
                                                     provider, q->g_per_kwh, range_text()));
}

Result<IntensitySeries> checked(Result<IntensitySeries> s, std::string_view provider) {
  if (!s) return s;
  for (const auto& q : *s) {
    if (!intensity_in_range(q.g_per_kwh)) {
      return Status(StatusCode::unavailable,
                    fmt::format("{} sent {:g} g/kWh in its series, outside the physical range {}; not used", provider,
                                q.g_per_kwh, range_text()));
    }
  }
  return s;
}

}  // namespace

std::string live_why(const std::string& provider_why, const std::string& location_why) {
  return provider_why.empty() ? location_why : fmt::format("{}; location {}", provider_why, location_why);
}

IntensityService::IntensityService(ServiceConfig config, Clock& clock) : config_(std::move(config)), clock_(clock) {
  location_ = config_.location;
  apply_plan(config_.plan(location_), location_.how);
}

IntensityService::~IntensityService() { stop(); }

void IntensityService::apply_plan(Plan plan, std::string location_why) {
  std::lock_guard lock(mutex_);
  provider_ = std::move(plan.provider);
  provider_why_ = std::move(plan.provider_why);
  offline_ = std::move(plan.offline);
  offline_why_ = std::move(plan.offline_why);
  location_why_ = std::move(location_why);
  live_.reset();
  forecast_.clear();
  set_in_force(offline_, offline_why_);
}

void IntensityService::replan_at_current_location() {
  Location where;
  std::string why;
  {
    std::lock_guard lock(mutex_);
    where = location_;
    why = location_why_;
  }
  apply_plan(config_.plan(where), std::move(why));
}

void IntensityService::set_in_force(const IntensityQuote& given, const std::string& given_why) {
  // Caller holds mutex_. Last guard: nothing outside the physical range (NaN included) is ever
  // in force; such a value is replaced by the world average, labelled, and said once.
  IntensityQuote q = given;
  std::string why = given_why;
  if (!intensity_in_range(q.g_per_kwh)) {
    if (events_.size() < 256) {
      events_.push_back(fmt::format("carbon intensity {:g} g/kWh from {} is outside the physical range {}; the world "
                                    "average is used instead",
                                    q.g_per_kwh, q.source.empty() ? std::string("an unnamed source") : q.source,
                                    range_text()));
    }
    q.g_per_kwh = kWorldAverage2024GPerKwh;
    q.kind = QuoteKind::assumed;
    q.signal = Signal::average;
    q.source = "world average (Ember 2024), replacing an out-of-range value";
    why = "world average: " + why + " gave an out-of-range value";
  }
  const bool changed = history_.empty() || in_force_.source != q.source || in_force_.g_per_kwh != q.g_per_kwh ||
                       in_force_.start != q.start;
  in_force_ = q;
  in_force_why_ = why;
  current_.store(q.g_per_kwh, std::memory_order_relaxed);
  if (!changed) return;
  if (history_.size() >= config_.max_changes) history_.erase(history_.begin());
  history_.push_back(q);
  if (std::find(sources_.begin(), sources_.end(), q.source) == sources_.end()) sources_.push_back(q.source);
}

void IntensityService::event(std::string message) {
  std::lock_guard lock(mutex_);
  if (events_.size() < 256) events_.push_back(std::move(message));
}

void IntensityService::start() {
  bool needed;
  {
    std::lock_guard lock(mutex_);
    needed = provider_ != nullptr || (config_.geolocate && location_.empty());
  }
  if (!needed || thread_.joinable()) return;
  try {
    thread_ = std::jthread([this](std::stop_token st) { run(st); });
  } catch (const std::system_error& e) {
    event(std::string("live carbon intensity disabled: cannot start its thread: ") + e.what());
  }
}

void IntensityService::stop() {
  if (thread_.joinable()) {
    stopping_.store(true);
    thread_.request_stop();
    if (config_.cancel) config_.cancel();  // a hanging provider must not hold up the end of a run
    thread_.join();
    std::lock_guard lock(mutex_);
    if (provider_ && !answered_ && !live_ && forecast_.empty() && in_force_why_.find(kEndedBeforeAnswer) == std::string::npos) {
      in_force_why_ += fmt::format("; {} {} had answered", kEndedBeforeAnswer, provider_->display_name());
    }
  }
}

void IntensityService::replan() {
  if (stopping_.load()) return;
  if (thread_.joinable()) {
    replan_.store(true);
    return;
  }
  replan_at_current_location();
  start();
}

double IntensityService::refresh_period_s() const noexcept {
  // Configuration refuses values outside [1 s, 1 day]; a ServiceConfig built directly is
  // clamped the same way, so a huge or NaN value can never become a negative period and a
  // refetch loop (NaN: the default).
  const double s = config_.refresh_s;
  if (std::isnan(s)) return 900;
  return std::clamp(s, 1.0, 86400.0);
}

void IntensityService::run(std::stop_token stop) {
  const MonoTime period = saturating_seconds<MonoTime>(refresh_period_s());
  MonoTime next_fetch = clock_.monotonic();
  while (!stop.stop_requested()) {
    if (clock_.monotonic() >= next_fetch) {
      refresh();
      next_fetch = clock_.monotonic() + period;
    }
    update(clock_.wall());
    // Wake at the next fetch, or earlier at the next forecast slot boundary.
    MonoTime wake = next_fetch;
    {
      std::lock_guard lock(mutex_);
      const TimePoint now = clock_.wall();
      for (const auto& q : forecast_) {
        if (q.start > now) {
          const auto in = std::chrono::duration_cast<MonoTime>(q.start - now);
          // A slot beyond the next fetch does not matter (and a far one would overflow).
          if (in < period) wake = std::min(wake, clock_.monotonic() + in + std::chrono::milliseconds(10));
          break;
        }
      }
    }
    if (!clock_.wait_until(wake, stop)) break;
  }
}

void IntensityService::refresh() {
  // Geolocation first, once, when nothing was configured.
  if (config_.geolocate && !geolocated_) {
    bool empty;
    {
      std::lock_guard lock(mutex_);
      empty = location_.empty();
    }
    geolocated_ = true;
    if (empty) {
      auto where = config_.geolocate();
      if (where && !where->empty()) {
        {
          std::lock_guard lock(mutex_);
          location_ = *where;
        }
        apply_plan(config_.plan(*where), where->how);
      } else if (!stopping_.load()) {
        event(fmt::format("IP geolocation failed ({}); the world average stays in use",
                          where ? std::string("no location in the answer") : where.status().message()));
      }
    }
  }

  if (replan_.exchange(false)) replan_at_current_location();

  IntensityProvider* provider;
  Location where;
  {
    std::lock_guard lock(mutex_);
    provider = provider_.get();
    where = location_;
  }
  if (!provider) return;

  // Network calls run without the lock: accessors never wait for them.
  auto latest = checked(provider->latest(where), provider->display_name());
  auto forecast = checked(provider->forecast(where, config_.forecast_hours), provider->display_name());
  const TimePoint now = clock_.wall();
  if (!history_fetched_ && latest) {
    // Once per run: the day before, for the report's "other hours of the day". Best effort.
    history_fetched_ = true;
    if (auto h = checked(provider->history(where, now - std::chrono::hours(24), now), provider->display_name())) {
      std::lock_guard lock(mutex_);
      day_history_ = std::move(*h);
    }
  }
  const bool have_forecast = forecast && !forecast->empty();
  // Cut short by stop(): whatever did not arrive was cancelled, not refused by the provider.
  const bool cut_short = stopping_.load();
  {
    std::lock_guard lock(mutex_);
    if (latest) {
      live_ = *latest;
      live_fetched_ = now;
    }
    if (forecast) {
      forecast_ = std::move(*forecast);
      std::sort(forecast_.begin(), forecast_.end(),
                [](const IntensityQuote& a, const IntensityQuote& b) { return a.start < b.start; });
    }
  }
  if (!cut_short) answered_ = true;
  if (!latest && !cut_short) {
    event(fmt::format("live carbon intensity from {} failed: {}; using {} instead", provider->display_name(),
                      latest.status().to_string(), have_forecast ? "its forecast" : "the offline value"));
  }
  if (!forecast && !cut_short && !forecast_failure_reported_) {
    forecast_failure_reported_ = true;
    event(fmt::format("no carbon-intensity forecast from {} ({}); predictions use the latest value",
                      provider->display_name(), forecast.status().message()));
  }
}

void IntensityService::update(TimePoint now) {
  std::lock_guard lock(mutex_);
  const auto stale_after = saturating_seconds<std::chrono::system_clock::duration>(2 * refresh_period_s());
  const std::string live_why = intensity::live_why(provider_why_, location_why_);
  if (live_ && covers(*live_, now)) return set_in_force(*live_, live_why);
  for (const auto& q : forecast_) {
    if (covers(q, now)) return set_in_force(q, live_why);
  }
  if (live_ && now - live_fetched_ < stale_after) return set_in_force(*live_, live_why + " (latest value, still recent)");
  set_in_force(offline_, offline_why_);
}

IntensityInfo IntensityService::info() const {
  std::lock_guard lock(mutex_);
  return to_info(in_force_, in_force_why_);
}

IntensityInfo IntensityService::mean_over(TimePoint from, TimePoint to) const {
  std::lock_guard lock(mutex_);
  if (to <= from || forecast_.empty()) return to_info(in_force_, in_force_why_);
  double weighted = 0;
  double covered_s = 0;
  for (const auto& q : forecast_) {
    const TimePoint a = std::max(from, q.start);
    const TimePoint b = std::min(to, q.end);
    if (b <= a) continue;
    const double s = std::chrono::duration<double>(b - a).count();
    weighted += q.g_per_kwh * s;
    covered_s += s;
  }
  const double total_s = std::chrono::duration<double>(to - from).count();
  if (covered_s <= 0) return to_info(in_force_, in_force_why_);
  // Time past the forecast's horizon is assumed at the value in force now.
  weighted += in_force_.g_per_kwh * (total_s - covered_s);
  IntensityInfo info{weighted / total_s, forecast_.front().source, IntensityKind::forecast,
                     fmt::format("time-weighted mean of the forecast over the predicted window ({:.0f} % of it "
                                 "covered; the rest at the value in force now)",
                                 100.0 * covered_s / total_s)};
  return info;
}

std::vector<std::string> IntensityService::take_events() {
  std::lock_guard lock(mutex_);
  return std::exchange(events_, {});
}

std::vector<IntensityQuote> IntensityService::history() const {
  std::lock_guard lock(mutex_);
  return history_;
}

IntensitySeries IntensityService::day_history() const {
  std::lock_guard lock(mutex_);
  return day_history_;
}

std::vector<std::string> IntensityService::sources_used() const {
  std::lock_guard lock(mutex_);
  return sources_;
}

}  // namespace carbontracker::intensity
