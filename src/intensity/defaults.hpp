// The offline carbon intensity used when nothing better is known: a user-given value, or the
// world average, always labelled with where it came from (never applied silently).
// Live providers, location and country tables come with the intensity module.
#pragma once

#include <optional>

#include "carbontracker/results.hpp"

namespace carbontracker::intensity {

// Ember 2024 world average carbon intensity of electricity (Our World in Data, CC BY 4.0).
inline constexpr double kWorldAverage2024GPerKwh = 473.0;

IntensityInfo offline_default(std::optional<double> fixed_g_per_kwh);

}  // namespace carbontracker::intensity
