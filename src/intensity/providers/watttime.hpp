// WattTime API v3 (https://api.watttime.org): marginal operating emissions rate (MOER).
//
// Contract
//  - Login: GET /login with HTTP Basic -> {"token": ...}; the token is reused for 30 minutes
//    (refreshed a minute early), and once more after a 401/403 on a data call.
//  - Region: Location.zone when it is a WattTime region (contains '_', e.g. CAISO_NORTH), else
//    GET /v3/region-from-loc?latitude=&longitude=&signal_type=co2_moer (cached per location).
//  - latest: /v3/historical over the last hour, newest point -> kind measured; forecast:
//    /v3/forecast?horizon_hours=N (N <= 72) -> kind forecast; history: /v3/historical in
//    chunks of <= 30 days -> kind measured. 5-minute points (meta.data_point_period_seconds).
//  - Every quote has Signal::marginal: a MOER is not an average intensity and must never be
//    mixed with one silently. meta.units lbs_co2_per_mwh is converted (x 0.45359237 ->
//    g/kWh); unknown or missing units are refused, as are percentiles (signal-index).
//  - Thread-safe (token and region cache behind a mutex); blocking network I/O; never throws;
//    errors name "WattTime" and never contain the password or the token.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "carbontracker/clock.hpp"
#include "intensity/provider.hpp"
#include "intensity/providers/provider_util.hpp"
#include "io/http_client.hpp"

namespace carbontracker::intensity {

inline constexpr std::string_view kWattTimeBaseUrl = "https://api.watttime.org";
inline constexpr double kGPerKwhPerLbPerMwh = 0.45359237;  // 453.59237 g / 1000 kWh

struct WattTimeConfig {
  std::string username;
  std::string password;
  std::string base_url = std::string(kWattTimeBaseUrl);
  HttpOptions http{};
};

class WattTimeProvider final : public IntensityProvider {
 public:
  // `http` and `clock` must outlive the provider.
  WattTimeProvider(io::HttpClient& http, WattTimeConfig config, const Clock& clock = real_clock());

  [[nodiscard]] std::string_view id() const noexcept override { return "watttime"; }
  [[nodiscard]] std::string_view display_name() const noexcept override { return "WattTime"; }
  [[nodiscard]] Status suitable(const Location& where) const override;
  Result<IntensityQuote> latest(const Location& where) noexcept override;
  Result<IntensitySeries> forecast(const Location& where, int hours) noexcept override;
  Result<IntensitySeries> history(const Location& where, TimePoint from, TimePoint to) noexcept override;

 private:
  Result<std::string> token(bool force_login);
  Result<std::string> authed_get(const std::string& path_and_query);
  Result<std::string> region(const Location& where);
  Result<IntensitySeries> historical(const std::string& region, TimePoint from, TimePoint to);

  io::HttpClient& http_;
  WattTimeConfig config_;
  const Clock& clock_;
  std::mutex mutex_;  // guards the members below; held during login so threads log in once
  std::string token_;
  MonoTime token_at_{};
  std::map<std::pair<double, double>, std::string> regions_;
};

// Pure parsers.
Result<std::string> parse_watttime_token(std::string_view json);
Result<std::string> parse_watttime_region(std::string_view json);
// The {"data":[{"point_time","value"}],"meta":{"units",...}} envelope -> marginal quotes in
// g/kWh, sorted by start.
Result<IntensitySeries> parse_watttime_series(std::string_view json, QuoteKind kind);

}  // namespace carbontracker::intensity
