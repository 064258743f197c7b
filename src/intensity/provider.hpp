// A live carbon-intensity provider (Electricity Maps, Energi Data Service, NESO, WattTime).
//
// Contract
//  - Providers talk HTTP through an io::HttpClient owned by the caller, with the base URL
//    given at construction (production default, or an override such as
//    CARBONTRACKER_ELECTRICITYMAPS_URL=http://127.0.0.1:PORT in tests).
//  - Calls block (they do network I/O): only the intensity background thread and the
//    `carbontracker intensity` command call them, never the training thread.
//  - Nothing throws; a failure is a Status whose message names the provider and the cause
//    (HTTP status, timeout, malformed JSON, empty records) and never contains a secret.
//  - suitable() says, without I/O, whether the provider can answer for a location (and why not).
#pragma once

#include <string>
#include <string_view>

#include "core/status.hpp"
#include "intensity/location.hpp"
#include "intensity/quote.hpp"

namespace carbontracker::intensity {

class IntensityProvider {
 public:
  virtual ~IntensityProvider() = default;
  // "electricitymaps", "energidataservice", "carbonintensity_uk", "watttime"
  [[nodiscard]] virtual std::string_view id() const noexcept = 0;
  [[nodiscard]] virtual std::string_view display_name() const noexcept = 0;
  // ok, or why not (e.g. "Energi Data Service covers Denmark only (DK1/DK2)").
  [[nodiscard]] virtual Status suitable(const Location& where) const = 0;
  // The value for the current interval.
  virtual Result<IntensityQuote> latest(const Location& where) noexcept = 0;
  // Forecast from now for up to `hours` (may be shorter than asked; empty is an error).
  virtual Result<IntensitySeries> forecast(const Location& where, int hours) noexcept = 0;
  // Measured values over [from, to) (null values in a provider's history are skipped).
  virtual Result<IntensitySeries> history(const Location& where, TimePoint from, TimePoint to) noexcept = 0;
};

}  // namespace carbontracker::intensity
