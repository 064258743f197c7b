// Carbon-intensity values as every part of the intensity module exchanges them.
//
// Units: gCO2eq/kWh; times UTC; intervals half-open [start, end). A quote always says what it
// is (kind), what it measures (signal, basis) and where it came from (source), so a report can
// never pass an assumed or marginal value off as a measured average.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "carbontracker/results.hpp"

namespace carbontracker::intensity {

using TimePoint = std::chrono::system_clock::time_point;

enum class QuoteKind {
  measured,        // realised/estimated outturn for a past or current interval
  forecast,        // a provider's forecast
  yearly_average,  // an offline yearly table (country, cloud region)
  assumed,         // a fallback (world average) used because nothing better was known
  fixed,           // set by the user
};
enum class Signal { average, marginal };

std::string to_string(QuoteKind k);
// The IntensityKind a report shows for a quote of this kind (a marginal signal aside).
IntensityKind intensity_kind(QuoteKind k) noexcept;
std::string to_string(Signal s);

struct IntensityQuote {
  double g_per_kwh = 0;
  TimePoint start{};  // interval the value covers; equal start/end = an instant
  TimePoint end{};
  QuoteKind kind = QuoteKind::assumed;
  Signal signal = Signal::average;
  std::string basis;   // "lifecycle", "direct", or "" when the source does not say
  std::string source;  // human-readable: "Energi Data Service CO2Emis DK2", "NESO Carbon Intensity API (national)"
  std::string zone;    // the area it is for: "DK-DK2", "GB", "DEU", "gcp:europe-west1"
};

// The physical range of a carbon intensity: no grid emits less than nothing, and the dirtiest
// generation (lignite, oil peakers, marginal signals included) stays near 1,200 g/kWh; 2,500
// leaves room for every real value. Outside it a value is a broken answer, never used.
inline constexpr double kMinIntensityGPerKwh = 0.0;
inline constexpr double kMaxIntensityGPerKwh = 2500.0;
inline bool intensity_in_range(double g_per_kwh) noexcept {
  // Written so that NaN is out of range.
  return g_per_kwh >= kMinIntensityGPerKwh && g_per_kwh <= kMaxIntensityGPerKwh;
}

// A forecast or history: quotes sorted by start, non-overlapping.
using IntensitySeries = std::vector<IntensityQuote>;

}  // namespace carbontracker::intensity
