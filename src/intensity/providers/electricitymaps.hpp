// Electricity Maps API v3 (https://api.electricitymaps.com/v3), header `auth-token`.
//
// Contract
//  - latest: GET /carbon-intensity/latest -> kind measured, the interval starting at
//    `datetime` (hourly unless `temporalGranularity` says otherwise).
//  - forecast: GET /carbon-intensity/forecast -> kind forecast (paid plans only).
//  - history: GET /carbon-intensity/history (last 24 h) or /carbon-intensity/past-range for
//    older windows -> kind measured; `carbonIntensity: null` points are skipped.
//  - The area is `zone=` (Location.zone), else `lat=&lon=`, else the country used as a zone.
//  - Values gCO2eq/kWh, signal average, basis from `emissionFactorType` (the API's default is
//    lifecycle); `isEstimated` is named in the quote's source.
//  - Thread-safe (no mutable state); blocking network I/O; never throws; errors name
//    "Electricity Maps" and never contain the token.
#pragma once

#include <string>
#include <string_view>

#include "carbontracker/clock.hpp"
#include "intensity/provider.hpp"
#include "intensity/providers/provider_util.hpp"
#include "io/http_client.hpp"

namespace carbontracker::intensity {

inline constexpr std::string_view kElectricityMapsBaseUrl = "https://api.electricitymaps.com/v3";

struct ElectricityMapsConfig {
  std::string token;
  std::string base_url = std::string(kElectricityMapsBaseUrl);
  HttpOptions http{};
};

class ElectricityMapsProvider final : public IntensityProvider {
 public:
  // `http` and `clock` must outlive the provider.
  ElectricityMapsProvider(io::HttpClient& http, ElectricityMapsConfig config, const Clock& clock = real_clock());

  [[nodiscard]] std::string_view id() const noexcept override { return "electricitymaps"; }
  [[nodiscard]] std::string_view display_name() const noexcept override { return "Electricity Maps"; }
  [[nodiscard]] Status suitable(const Location& where) const override;
  Result<IntensityQuote> latest(const Location& where) noexcept override;
  Result<IntensitySeries> forecast(const Location& where, int hours) noexcept override;
  Result<IntensitySeries> history(const Location& where, TimePoint from, TimePoint to) noexcept override;

 private:
  Result<std::string> get(const std::string& path, const std::string& query) const;

  io::HttpClient& http_;
  ElectricityMapsConfig config_;
  const Clock& clock_;
};

// Pure parsers (JSON text in the documented shapes -> quotes). `zone` labels the quotes when
// the answer does not name its zone.
Result<IntensityQuote> parse_electricitymaps_latest(std::string_view json, std::string_view zone = {});
// The array under "forecast", "history" or "data" (past-range); null values skipped; sorted.
Result<IntensitySeries> parse_electricitymaps_series(std::string_view json, QuoteKind kind,
                                                     std::string_view zone = {});

}  // namespace carbontracker::intensity
