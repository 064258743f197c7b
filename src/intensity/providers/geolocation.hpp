// Where this machine is, by its public IP address (ipinfo.io), for the location chain when
// IP geolocation is enabled (it is off by default: it tells a third party the address).
//
// Contract: GET <base>/json with a short time limit (1.5 s by default, no retries), parsed into
// a Location with country (ISO-2, upper case), latitude/longitude from "loc", the outward GB
// postcode from "postal" when the country is GB, and how = "IP geolocation (ipinfo.io)".
// A failure (offline, timeout, private address, unusable answer) is a Status naming
// ipinfo.io, never an exception and never a guessed location. Thread-safe; blocks.
#pragma once

#include <string>
#include <string_view>

#include "core/status.hpp"
#include "intensity/location.hpp"
#include "io/http_client.hpp"

namespace carbontracker::intensity {

inline constexpr std::string_view kIpinfoBaseUrl = "https://ipinfo.io";
inline constexpr std::string_view kIpGeolocationHow = "IP geolocation (ipinfo.io)";

struct IpLocation {
  Location location;
  std::string city;    // for reports ("Copenhagen"); may be empty
  std::string region;  // "Capital Region"; may be empty
};

Result<IpLocation> locate_by_ip(io::HttpClient& http, const std::string& base_url = std::string(kIpinfoBaseUrl),
                                double total_timeout_s = 1.5);

// The Location alone: the shape resolve_location's injected geolocator and the intensity
// service expect (std::function<Result<Location>()>).
Result<Location> geolocate_by_ip(io::HttpClient& http, const std::string& base_url = std::string(kIpinfoBaseUrl),
                                 double total_timeout_s = 1.5);

// Pure parser of ipinfo.io's /json answer.
Result<IpLocation> parse_ipinfo(std::string_view json);

}  // namespace carbontracker::intensity
