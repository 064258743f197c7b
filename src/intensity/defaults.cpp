#include "intensity/defaults.hpp"

namespace carbontracker::intensity {

IntensityInfo offline_default(std::optional<double> fixed_g_per_kwh) {
  if (fixed_g_per_kwh) {
    return {*fixed_g_per_kwh, "user setting (intensity_g_per_kwh)", IntensityKind::fixed, "set in the configuration"};
  }
  return {kWorldAverage2024GPerKwh, "world average 2024 (Ember, via Our World in Data)", IntensityKind::assumed,
          "no location or intensity configured; set --intensity G_PER_KWH for your grid"};
}

}  // namespace carbontracker::intensity
