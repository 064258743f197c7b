// What the tests of the `carbontracker` binary share: its path (CARBONTRACKER_CLI, from the
// build) and small text helpers.
#pragma once

#include <chrono>
#include <cstddef>
#include <ctime>
#include <string>

namespace carbontracker::testing {

inline const std::string kCli = CARBONTRACKER_CLI;

// Non-overlapping occurrences of `what` in `text`.
inline std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

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
