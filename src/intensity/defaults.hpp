// The offline carbon intensity used when nothing better is known: a user-given value, or the
// world average, always labelled with where it came from (never applied silently).
// Location, the country and region tables and the live providers are beside it (location.hpp,
// tables.hpp, providers/); the choice between them is provider_choice.hpp and tracker/intensity_setup.
#pragma once

#include <optional>

#include "carbontracker/results.hpp"

namespace carbontracker::intensity {

// Ember 2024 world average carbon intensity of electricity (Our World in Data, CC BY 4.0).
inline constexpr double kWorldAverage2024GPerKwh = 473.0;

IntensityInfo offline_default(std::optional<double> fixed_g_per_kwh);

}  // namespace carbontracker::intensity
