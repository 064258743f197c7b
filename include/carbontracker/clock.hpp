// Time, injected. Durations come from the monotonic clock only (a wall-clock jump must not
// change a measured duration); wall time is for labels and log timestamps.
//
// Contract: monotonic() and wall() are thread-safe and cheap. wait_until() blocks the calling
// thread until monotonic() >= deadline or `stop` is requested, and returns false when stopped.
#pragma once

#include <chrono>
#include <stop_token>

#include "carbontracker/export.h"

namespace carbontracker {

using MonoTime = std::chrono::nanoseconds;  // since an arbitrary monotonic origin

class CARBONTRACKER_API Clock {
 public:
  virtual ~Clock() = default;
  [[nodiscard]] virtual MonoTime monotonic() const noexcept = 0;
  [[nodiscard]] virtual std::chrono::system_clock::time_point wall() const noexcept = 0;
  virtual bool wait_until(MonoTime deadline, std::stop_token stop) noexcept = 0;
};

// The real clocks (CLOCK_MONOTONIC, CLOCK_REALTIME). Stateless, so one shared instance.
CARBONTRACKER_API Clock& real_clock() noexcept;

constexpr double to_seconds(MonoTime t) noexcept { return std::chrono::duration<double>(t).count(); }
// Saturating: NaN gives 0, and beyond about +-292 years the extreme duration, never an
// overflowed (negative) one.
constexpr MonoTime from_seconds(double s) noexcept {
  if (s != s) return MonoTime::zero();
  if (s >= 9.2e9) return MonoTime::max();
  if (s <= -9.2e9) return MonoTime::min();
  return std::chrono::duration_cast<MonoTime>(std::chrono::duration<double>(s));
}

}  // namespace carbontracker
