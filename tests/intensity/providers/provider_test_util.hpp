// Helpers for the provider tests: fixtures, UTC times, a FakeClock set to a wall time. The local
// server (routes, request log, hang mode) is tests/support/local_http_server.hpp.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <string>
#include <string_view>
#include <thread>

#include "core/status.hpp"
#include "intensity/location.hpp"
#include "intensity/providers/provider_util.hpp"
#include "local_http_server.hpp"
#include "test_support.hpp"

namespace carbontracker::testing {

// Builds a Location field by field (designated initialisers warn about the rest under -Wextra).
struct Loc {
  intensity::Location l;
  Loc& zone(std::string z) { l.zone = std::move(z); return *this; }
  Loc& country(std::string c) { l.country = std::move(c); return *this; }
  Loc& postcode(std::string p) { l.gb_postcode = std::move(p); return *this; }
  Loc& region_id(int id) { l.gb_region_id = id; return *this; }
  Loc& coords(double lat, double lon) { l.latitude = lat; l.longitude = lon; return *this; }
  operator intensity::Location() const { return l; }  // NOLINT(google-explicit-constructor)
};

inline std::string fixture(const std::string& name) { return read_text(fixtures_dir() / "intensity" / name); }

inline intensity::TimePoint utc(std::string_view iso) {
  const auto t = intensity::provider_detail::parse_utc_time(iso);
  EXPECT_TRUE(t.has_value()) << iso;
  return t.value_or(intensity::TimePoint{});
}

// FakeClock's wall() is 1'700'000'000 s + monotonic(): the monotonic start that gives `iso`.
inline MonoTime mono_for(std::string_view iso) {
  return std::chrono::duration_cast<MonoTime>(utc(iso).time_since_epoch()) - std::chrono::seconds{1'700'000'000};
}

inline void expect_secret_absent(const Status& s, std::string_view secret) {
  EXPECT_EQ(s.message().find(secret), std::string::npos) << s.to_string();
  EXPECT_EQ(s.fix().find(secret), std::string::npos) << s.to_string();
}

inline void serve_json(httplib::Response& res, const std::string& body) {
  res.set_content(body, "application/json; charset=utf-8");
}

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace carbontracker::testing
