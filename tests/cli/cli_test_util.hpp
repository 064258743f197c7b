// What the tests of the `carbontracker` binary share: its path (CARBONTRACKER_CLI, from the
// build) and Energi Data Service's time format for the answers they serve.
#pragma once

#include <chrono>
#include <ctime>
#include <string>

namespace carbontracker::testing {

inline const std::string kCli = CARBONTRACKER_CLI;

// `t` as Energi Data Service writes its minutes: "2026-12-07T21:05:00" (UTC).
inline std::string iso_minutes(std::chrono::system_clock::time_point t) {
  const std::time_t s = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:00", &tm);
  return buf;
}

}  // namespace carbontracker::testing
