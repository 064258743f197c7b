// Builds the intensity service's configuration from a tracker Config: the location (settings,
// then environment), the provider chosen for it, the offline chain's value, and (when enabled)
// IP geolocation to run on the service's thread. No network I/O happens here.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "carbontracker/tracker.hpp"
#include "intensity/service.hpp"

namespace carbontracker::tracker {

using Getenv = std::function<std::optional<std::string>(const std::string&)>;

// Replaces the api_keys the service's plan reads; the next plan built (IntensityService::replan)
// uses them. Thread-safe.
using ProviderKeySetter = std::function<void(const std::map<std::string, std::string>&)>;

// Throws ConfigError for a bad location or provider setting (naming the parameter and the fix).
// `set_keys`, when given, receives the setter for the plan's keys (left empty with a fixed
// intensity, where no provider is ever used).
intensity::ServiceConfig make_intensity_config(const Config& config, const Getenv& getenv,
                                               ProviderKeySetter* set_keys = nullptr);

}  // namespace carbontracker::tracker
