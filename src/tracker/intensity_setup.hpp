// Builds the intensity service's configuration from a tracker Config: the location (settings,
// then environment), the provider chosen for it, the offline chain's value, and (when enabled)
// IP geolocation to run on the service's thread. No network I/O happens here.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "carbontracker/tracker.hpp"
#include "intensity/service.hpp"

namespace carbontracker::tracker {

using Getenv = std::function<std::optional<std::string>(const std::string&)>;

// Throws ConfigError for a bad location or provider setting (naming the parameter and the fix).
intensity::ServiceConfig make_intensity_config(const Config& config, const Getenv& getenv);

}  // namespace carbontracker::tracker
