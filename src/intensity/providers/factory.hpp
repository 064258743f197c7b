// Builds a live provider by id, with its base URL (production default, or the override
// variables CARBONTRACKER_ELECTRICITYMAPS_URL, CARBONTRACKER_ENERGIDATASERVICE_URL,
// CARBONTRACKER_CARBONINTENSITY_UK_URL, CARBONTRACKER_WATTTIME_URL, CARBONTRACKER_GEOLOCATION_URL
// — how tests point them at 127.0.0.1) and the keys at hand. No network I/O here.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "intensity/provider.hpp"
#include "intensity/provider_choice.hpp"
#include "intensity/resolve.hpp"
#include "io/http_client.hpp"

namespace carbontracker::intensity {

struct Endpoints {
  std::string electricitymaps, energidataservice, carbonintensity_uk, watttime, geolocation;
  // Production bases, each overridden by its environment variable when set.
  static Endpoints from_env(const GetEnv& env);
};

// The provider shares ownership of `http`. Null for an unknown id or missing credentials.
std::unique_ptr<IntensityProvider> make_provider(std::string_view id, std::shared_ptr<io::HttpClient> http,
                                                 const ProviderKeys& keys, const Endpoints& endpoints);

}  // namespace carbontracker::intensity
