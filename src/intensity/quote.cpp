#include "intensity/quote.hpp"

namespace carbontracker::intensity {

// The words match IntensityInfo::kind ("yearly average"), so a report shows the same text
// whichever layer produced it.
std::string to_string(QuoteKind k) {
  switch (k) {
    case QuoteKind::measured: return "measured";
    case QuoteKind::forecast: return "forecast";
    case QuoteKind::yearly_average: return "yearly average";
    case QuoteKind::assumed: return "assumed";
    case QuoteKind::fixed: return "fixed";
  }
  return "unknown";
}

IntensityKind intensity_kind(QuoteKind k) noexcept {
  switch (k) {
    case QuoteKind::measured: return IntensityKind::measured;
    case QuoteKind::forecast: return IntensityKind::forecast;
    case QuoteKind::yearly_average: return IntensityKind::yearly_average;
    case QuoteKind::assumed: return IntensityKind::assumed;
    case QuoteKind::fixed: return IntensityKind::fixed;
  }
  return IntensityKind::assumed;
}

std::string to_string(Signal s) {
  switch (s) {
    case Signal::average: return "average";
    case Signal::marginal: return "marginal";
  }
  return "unknown";
}

}  // namespace carbontracker::intensity
