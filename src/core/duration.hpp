// Seconds (a double, as every configuration value and forecast carries them) to std::chrono
// durations without undefined behaviour.
//
// Why: duration_cast of a double that does not fit the target's integer count is undefined
// behaviour; on x86 it gave INT64_MIN, so an intensity_refresh_s of 1e10 became a negative
// period and the intensity thread refetched in a tight loop.
//
// Contract
//  - kMaxDurationS (1e9 s, about 31.7 years) is the documented upper bound of every duration
//    setting (docs/configuration.md): a value above it is refused at configuration. It leaves
//    room to add such a duration to any monotonic time point and double it without overflow.
//  - saturating_seconds<D>(s) is total: NaN gives zero, values beyond D's range give D::max()
//    or D::min(), everything else the nearest representable duration (truncated toward zero).
#pragma once

#include <chrono>
#include <cmath>

namespace carbontracker {

inline constexpr double kMaxDurationS = 1e9;

template <class Duration>
constexpr Duration saturating_seconds(double seconds) noexcept {
  if (std::isnan(seconds)) return Duration::zero();
  using Rep = typename Duration::rep;
  using Period = typename Duration::period;
  // Counts of Duration in one second, as a double; limits of the count, as doubles. The upper
  // limit is a power of two for int64 (2^63), so `>=` catches everything that does not fit.
  const double per_second = static_cast<double>(Period::den) / static_cast<double>(Period::num);
  const double count = seconds * per_second;
  const double hi = static_cast<double>(Duration::max().count());
  const double lo = static_cast<double>(Duration::min().count());
  if (count >= hi) return Duration::max();
  if (count <= lo) return Duration::min();
  return Duration(static_cast<Rep>(count));
}

}  // namespace carbontracker
