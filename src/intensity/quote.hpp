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

// A forecast or history: quotes sorted by start, non-overlapping.
using IntensitySeries = std::vector<IntensityQuote>;

}  // namespace carbontracker::intensity
