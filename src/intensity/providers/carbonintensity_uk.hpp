// NESO Carbon Intensity API for Great Britain (https://api.carbonintensity.org.uk, no key).
//
// Contract
//  - National (country GB or zone GB): /intensity (current half hour),
//    /intensity/{from}/fw48h (forecast), /intensity/{from}/{to} (history, <= 14 days).
//  - Regional (Location.gb_postcode outward code, else gb_region_id 1..17):
//    /regional/postcode/{pc} or /regional/regionid/{id} (current), and
//    /regional/intensity/{from}/fw48h|{to}/postcode/{pc}|regionid/{id}. Regional answers
//    carry forecasts only, so every regional quote is kind forecast (history included).
//  - Half-hour slots [from, to) in UTC (`YYYY-MM-DDThh:mmZ`). `intensity.actual` (estimated
//    outturn) is preferred -> kind measured; else `intensity.forecast` -> kind forecast.
//  - Values gCO2/kWh of generation (NESO's own factors; basis "" as the API does not say),
//    signal average. GB only: Northern Ireland (zone GB-NIR) is not covered.
//  - Thread-safe (no mutable state); blocking network I/O; never throws; errors name
//    "NESO Carbon Intensity API".
#pragma once

#include <string>
#include <string_view>

#include "carbontracker/clock.hpp"
#include "intensity/provider.hpp"
#include "intensity/providers/provider_util.hpp"
#include "io/http_client.hpp"

namespace carbontracker::intensity {

inline constexpr std::string_view kCarbonIntensityUkBaseUrl = "https://api.carbonintensity.org.uk";

struct CarbonIntensityUkConfig {
  std::string base_url = std::string(kCarbonIntensityUkBaseUrl);
  HttpOptions http{};
};

class CarbonIntensityUkProvider final : public IntensityProvider {
 public:
  // `http` and `clock` must outlive the provider.
  CarbonIntensityUkProvider(io::HttpClient& http, CarbonIntensityUkConfig config = {},
                            const Clock& clock = real_clock());

  [[nodiscard]] std::string_view id() const noexcept override { return "carbonintensity_uk"; }
  [[nodiscard]] std::string_view display_name() const noexcept override { return "NESO Carbon Intensity API"; }
  [[nodiscard]] Status suitable(const Location& where) const override;
  Result<IntensityQuote> latest(const Location& where) noexcept override;
  Result<IntensitySeries> forecast(const Location& where, int hours) noexcept override;
  Result<IntensitySeries> history(const Location& where, TimePoint from, TimePoint to) noexcept override;

 private:
  Result<IntensitySeries> get(const std::string& path) const;

  io::HttpClient& http_;
  CarbonIntensityUkConfig config_;
  const Clock& clock_;
};

// Pure parser for every shape used above: national `{"data":[slot...]}`, regional
// `{"data":[{"regionid",..,"data":[slot...]}]}` and `{"data":{"regionid",..,"data":[...]}}`.
// Slots with neither actual nor forecast are skipped; sorted by start.
Result<IntensitySeries> parse_carbonintensity_uk(std::string_view json);

}  // namespace carbontracker::intensity
