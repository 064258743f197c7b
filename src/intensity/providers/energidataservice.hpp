// Energi Data Service (Energinet, Denmark; https://api.energidataservice.dk, no key).
//
// Contract
//  - latest: /dataset/CO2Emis (realised), newest 5-minute record of the last hour -> kind
//    measured; forecast: /dataset/CO2EmisProg (prognosis, >= 9 h ahead) -> kind forecast;
//    history: /dataset/CO2Emis over [from, to) -> kind measured. Records `Minutes5UTC`,
//    `PriceArea`, `CO2Emission` (g/kWh), 5-minute intervals, times requested in UTC.
//  - Price area: zone DK-DK1 -> DK1; DK-DK2 or DK-BHM (Bornholm) -> DK2; Denmark without a
//    zone but with coordinates -> by longitude (DK1 west of the Great Belt, < 11.0 E);
//    Denmark without either -> the unweighted mean of DK1 and DK2 per 5-minute interval,
//    labelled as such (zone "DK"), so a user who sets no zone still gets a live value.
//  - Signal average; basis "" (Energinet's 125 % CHP method; the dataset does not say
//    lifecycle or direct).
//  - Thread-safe (no mutable state); blocking network I/O; never throws; errors name
//    "Energi Data Service". Rate limit 40 requests / 10 s per IP (429 and a 5-minute ban).
#pragma once

#include <string>
#include <string_view>

#include "carbontracker/clock.hpp"
#include "intensity/provider.hpp"
#include "intensity/providers/provider_util.hpp"
#include "io/http_client.hpp"

namespace carbontracker::intensity {

inline constexpr std::string_view kEnergiDataServiceBaseUrl = "https://api.energidataservice.dk";

struct EnergiDataServiceConfig {
  std::string base_url = std::string(kEnergiDataServiceBaseUrl);
  HttpOptions http{};
};

// Which price area answers for a location: "DK1", "DK2" or "DK" (mean of both), and why.
struct DkPriceArea {
  std::string area;
  std::string why;  // "zone DK-DK2", "longitude 12.57 E is east of the Great Belt", ...
};
Result<DkPriceArea> dk_price_area(const Location& where);

class EnergiDataServiceProvider final : public IntensityProvider {
 public:
  // `http` and `clock` must outlive the provider.
  EnergiDataServiceProvider(io::HttpClient& http, EnergiDataServiceConfig config = {},
                            const Clock& clock = real_clock());

  [[nodiscard]] std::string_view id() const noexcept override { return "energidataservice"; }
  [[nodiscard]] std::string_view display_name() const noexcept override { return "Energi Data Service"; }
  [[nodiscard]] Status suitable(const Location& where) const override;
  Result<IntensityQuote> latest(const Location& where) noexcept override;
  Result<IntensitySeries> forecast(const Location& where, int hours) noexcept override;
  Result<IntensitySeries> history(const Location& where, TimePoint from, TimePoint to) noexcept override;

 private:
  Result<IntensitySeries> fetch(const DkPriceArea& area, bool prognosis, TimePoint start, TimePoint end,
                                bool newest_first) const;

  io::HttpClient& http_;
  EnergiDataServiceConfig config_;
  const Clock& clock_;
};

// Pure parser: `records` of CO2Emis / CO2EmisProg -> quotes for `area` ("DK1", "DK2", or "DK"
// for the mean of both), sorted by start, null values skipped. `kind` measured names the
// dataset CO2Emis in the source, forecast CO2EmisProg.
Result<IntensitySeries> parse_energidataservice(std::string_view json, QuoteKind kind, std::string_view area);

}  // namespace carbontracker::intensity
