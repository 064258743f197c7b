// Where the run happens, as far as carbon intensity is concerned.
//
// Resolution order (location.cpp, resolve_location): explicit settings (zone, country, cloud
// provider + region, GB postcode) > environment variables > IP geolocation (only when enabled)
// > nothing (the world average). Every result says which step decided it and why, so a report
// can name it ("country DK from --country", "country DE from IP geolocation (ipinfo.io)").
#pragma once

#include <optional>
#include <string>

namespace carbontracker::intensity {

struct Location {
  std::optional<std::string> zone;          // Electricity Maps zone key: "DE", "DK-DK2", "US-CAL-CISO"
  std::optional<std::string> country;       // ISO 3166-1 alpha-2, upper case: "DK"
  std::optional<std::string> cloud;         // "gcp:europe-west1" (provider:region)
  std::optional<std::string> gb_postcode;   // outward code only: "RG10"
  std::optional<int> gb_region_id;          // NESO region id 1..17
  std::optional<double> latitude, longitude;
  std::string how;  // the full report text: "country DK from --country", "no location configured (world average used)"

  [[nodiscard]] bool empty() const noexcept {
    return !zone && !country && !cloud && !gb_postcode && !gb_region_id && !latitude;
  }
};

}  // namespace carbontracker::intensity
