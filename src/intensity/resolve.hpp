// Deciding where the run happens (location.cpp): explicit settings > environment > IP
// geolocation (only when enabled) > nothing (the world average).
//
// Contract
//  - The first level that names any location wins as a whole; levels are never mixed (an env
//    variable does not fill in a field the command line left out). Ignored env variables are
//    named in the result's `how`.
//  - Input is normalised: country -> upper-case ISO alpha-2 (alpha-3 and English names accepted),
//    zone -> upper case, cloud -> "gcp:<region>" (the region must be in the 2024 table),
//    GB postcode -> its outward code ("RG10 6XY" -> "RG10"), lat/lon range-checked.
//  - Bad explicit or env input is an error (invalid_argument naming the value, where it came
//    from and the fix), never a silent fallback. A failed or unusable geolocation is not an
//    error: resolution goes on to "nothing" and keeps the reason in `how`.
//  - Location::how is the report text: "country DK from --country", "zone DK-DK2 from
//    CARBONTRACKER_ZONE", "no location configured (world average used)".
//  - No I/O except through the injected getenv and geolocation functions; thread-compatible.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.hpp"
#include "intensity/location.hpp"

namespace carbontracker::intensity {

// A user-given value and where it came from, for messages: "--country", "config country".
template <class T>
struct Setting {
  T value{};
  std::string from;
};

struct LocationSettings {
  std::optional<Setting<std::string>> zone;         // Electricity Maps zone key: "DK-DK2"
  std::optional<Setting<std::string>> country;      // "DK", "DNK", "Denmark"
  std::optional<Setting<std::string>> cloud;        // "gcp:europe-west1"
  std::optional<Setting<std::string>> gb_postcode;  // "RG10 6XY" or "RG10"
  std::optional<Setting<int>> gb_region_id;         // NESO region id 1..17
  std::optional<Setting<double>> latitude;          // degrees; both or neither
  std::optional<Setting<double>> longitude;
  bool geolocate = false;  // allow IP geolocation when nothing above is set

  [[nodiscard]] bool any() const noexcept {
    return zone || country || cloud || gb_postcode || gb_region_id || latitude || longitude;
  }
};

// The environment variables read (through GetEnv), in this order.
inline constexpr const char* kEnvZone = "CARBONTRACKER_ZONE";
inline constexpr const char* kEnvCountry = "CARBONTRACKER_COUNTRY";
inline constexpr const char* kEnvCloud = "CARBONTRACKER_CLOUD";
inline constexpr const char* kEnvGbPostcode = "CARBONTRACKER_GB_POSTCODE";

// nullopt when unset; an empty or blank value counts as unset.
using GetEnv = std::function<std::optional<std::string>(const std::string& name)>;
// std::getenv (not thread-safe against setenv, like getenv itself).
GetEnv process_env();

// IP geolocation (the providers module's ipinfo.io client, or a lambda in tests). Its
// Location's `how` names the service ("IP geolocation (ipinfo.io)").
using Geolocator = std::function<Result<Location>()>;

Result<Location> resolve_location(const LocationSettings& settings, const GetEnv& env, const Geolocator& geolocate);

// The normalisers resolve_location uses, for callers that validate one value (the CLI).
// Errors are invalid_argument with the fix; `from` only goes into the message.
Result<std::string> normalize_country(std::string_view input, std::string_view from = {});
Result<std::string> normalize_zone(std::string_view input, std::string_view from = {});
Result<std::string> normalize_cloud(std::string_view input, std::string_view from = {});
Result<std::string> gb_outward_code(std::string_view postcode, std::string_view from = {});

// The country a zone key starts with ("DK-DK2" -> "DK", "DE" -> "DE"), when that prefix is a
// known alpha-2 code; nullopt otherwise ("US-CAL-CISO" -> "US", "XX-YY" -> nullopt).
std::optional<std::string> zone_country(std::string_view zone);

}  // namespace carbontracker::intensity
