// The intensity plan: one place that decides, from a Config and the environment, where the run
// happens, which live provider serves it and why, which keys it uses, and the offline fallback
// with its label. The tracker (make_intensity_config) and `carbontracker intensity` both call
// it, so for the same inputs they name the same source and the same reason.
//
// Contract
//  - No network I/O here except through a Geolocator the caller passes to plan_intensity (the
//    CLI may block; the tracker passes none and geolocates on the service's thread).
//  - Origins: a value is named "setting <key>" in reasons unless `origins` names where it came
//    from ("--country"). Keys: config `api_keys`, then the CARBONTRACKER_* credential variables
//    (intensity/provider_choice.hpp); their values never appear in any text.
//  - Errors (a bad location, fixed value, or a requested provider that cannot serve the
//    location) throw ConfigError naming the parameter and the fix.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "carbontracker/tracker.hpp"
#include "intensity/provider_choice.hpp"
#include "intensity/providers/factory.hpp"
#include "intensity/resolve.hpp"
#include "intensity/service.hpp"

namespace carbontracker::tracker {

using Getenv = std::function<std::optional<std::string>(const std::string&)>;

// Config key -> where its value came from, for reasons ("country" -> "--country").
using SettingOrigins = std::map<std::string, std::string>;

// What a location gets: the live provider (or none, and why) and the offline fallback.
struct IntensityChoice {
  intensity::ProviderChoice provider;  // none(): offline only; `reason` says why either way
  intensity::OfflineIntensity offline; // the fallback value and its label
};

struct IntensityPlan {
  intensity::Location where;                                 // resolved (may be empty)
  bool geolocate = false;                                    // IP geolocation still to run (where is empty)
  bool fixed = false;                                        // intensity_g_per_kwh: no table, no provider
  std::optional<intensity::Setting<std::string>> requested;  // the `provider` setting
  intensity::ProviderKeys keys;                              // with notes on ignored api_keys entries
  IntensityChoice choice;                                    // for `where`
};

// Throws ConfigError. `geolocate` runs only when config.geolocate is set and nothing names a
// location; null leaves plan.geolocate set for the caller to run later.
IntensityPlan plan_intensity(const Config& config, const Getenv& getenv, const SettingOrigins& origins = {},
                             const intensity::Geolocator& geolocate = nullptr);

// The choice for another location or other keys (after geolocation, after set_api_keys). A
// requested provider that cannot serve is no error here: no live provider, and the reason.
IntensityChoice choose_intensity(const intensity::Location& where, const intensity::ProviderKeys& keys,
                                 const std::optional<intensity::Setting<std::string>>& requested);

// The provider the choice names, built (not called); null when none.
std::unique_ptr<intensity::IntensityProvider> make_live_provider(const IntensityChoice& choice,
                                                                 std::shared_ptr<io::HttpClient> http,
                                                                 const intensity::ProviderKeys& keys,
                                                                 const intensity::Endpoints& endpoints);

// Replaces the api_keys the service's plan reads; the next plan built (IntensityService::replan)
// uses them. Thread-safe.
using ProviderKeySetter = std::function<void(const std::map<std::string, std::string>&)>;

// The service's configuration from the plan. Throws ConfigError as plan_intensity does.
// `set_keys`, when given, receives the setter for the plan's keys (left empty with a fixed
// intensity, where no provider is ever used).
intensity::ServiceConfig make_intensity_config(const Config& config, const Getenv& getenv,
                                               ProviderKeySetter* set_keys = nullptr);

}  // namespace carbontracker::tracker
