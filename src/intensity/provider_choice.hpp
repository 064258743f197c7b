// Which live provider serves a location, which keys are at hand, and the offline chain used
// when no live value is available. Pure decisions: no network, no clock, no global state.
//
// Contract
//  - Keys: config `api_keys` first ("electricitymaps", "watttime_user", "watttime_password";
//    ids case-insensitive; the Python tool's "electricitymaps", "carbonintensityGB" and
//    "energidataservice" are accepted), then CARBONTRACKER_ELECTRICITYMAPS_TOKEN,
//    CARBONTRACKER_WATTTIME_USER, CARBONTRACKER_WATTTIME_PASSWORD. Key values never appear in
//    any text produced here (reasons and notes name where a key came from, not the key).
//  - Automatic choice: Denmark (country DK, zone DK, DK-DK1, DK-DK2) -> Energi Data Service;
//    Great Britain (GB postcode, GB region id, zone GB, country GB) -> NESO; anything else with a
//    zone, country or lat/lon and an Electricity Maps token -> Electricity Maps; else none (the
//    offline tables). WattTime (marginal signal) only when asked for by name.
//  - A requested provider (--provider / config `provider`) overrides; an unknown name is an
//    error listing the valid names, and a provider that cannot serve the location is an error
//    saying why. "auto" = the rules; "none" = offline tables only.
//  - Offline chain: user value > cloud-region table > country table > world average; the result
//    always says which one was used and why.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "carbontracker/results.hpp"
#include "core/status.hpp"
#include "intensity/location.hpp"
#include "intensity/quote.hpp"
#include "intensity/resolve.hpp"

namespace carbontracker::intensity {

// Provider ids (IntensityProvider::id()).
inline constexpr std::string_view kElectricityMapsId = "electricitymaps";
inline constexpr std::string_view kEnergiDataServiceId = "energidataservice";
inline constexpr std::string_view kNesoId = "carbonintensity_uk";
inline constexpr std::string_view kWattTimeId = "watttime";

inline constexpr const char* kEnvElectricityMapsToken = "CARBONTRACKER_ELECTRICITYMAPS_TOKEN";
inline constexpr const char* kEnvWattTimeUser = "CARBONTRACKER_WATTTIME_USER";
inline constexpr const char* kEnvWattTimePassword = "CARBONTRACKER_WATTTIME_PASSWORD";

// "Electricity Maps", "Energi Data Service", "NESO Carbon Intensity", "WattTime"; "" if unknown.
std::string_view provider_display_name(std::string_view id);
// The names --provider accepts, in the order an error lists them: auto, none and the ids.
const std::vector<std::string>& provider_names();

struct ProviderKeys {
  std::optional<std::string> electricitymaps_token;
  std::optional<std::string> watttime_user;
  std::optional<std::string> watttime_password;
  std::string electricitymaps_from;  // "config api_keys" or kEnvElectricityMapsToken
  std::string watttime_from;
  std::vector<std::string> notes;    // api_keys entries ignored, and why (for a warning)
};

ProviderKeys collect_keys(const std::map<std::string, std::string>& api_keys, const GetEnv& env);
// Whether api_keys may name `name` (case and surrounding spaces ignored): a key slot
// (electricitymaps, watttime_user, watttime_password) or a provider that needs none
// (energidataservice, carbonintensitygb). Anything else is a mistake the caller can refuse.
bool is_api_key_name(std::string_view name);

struct ProviderChoice {
  std::string provider;  // an id above, or empty: no live provider (offline tables)
  std::string reason;    // "Energi Data Service: Denmark, no key needed"
  [[nodiscard]] bool none() const noexcept { return provider.empty(); }
};

Result<ProviderChoice> choose_provider(const Location& where, const ProviderKeys& keys,
                                       const std::optional<Setting<std::string>>& requested = std::nullopt);

struct OfflineIntensity {
  IntensityQuote quote;
  std::string why;  // "yearly average for DK (Denmark) 2024; country DK from --country"
};

// invalid_argument only for a user value that is negative or not finite.
Result<OfflineIntensity> offline_intensity(const Location& where,
                                           const std::optional<Setting<double>>& user_g_per_kwh = std::nullopt);

// For reports (IntensityInfo): kind is to_string(quote.kind), or "marginal" for a marginal signal.
IntensityInfo to_intensity_info(const IntensityQuote& quote, std::string why);

}  // namespace carbontracker::intensity
