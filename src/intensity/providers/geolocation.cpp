#include "intensity/providers/geolocation.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <exception>
#include <utility>

#include "core/text.hpp"
#include "intensity/providers/provider_util.hpp"

namespace carbontracker::intensity {
namespace {

using nlohmann::json;

constexpr std::string_view kGeolocationName = "IP geolocation (ipinfo.io)";

Status unusable(const std::string& what) {
  return {StatusCode::unavailable, std::string(kGeolocationName) + ": " + what,
          "set the location explicitly (country, zone or postcode) instead"};
}

std::string string_or_empty(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

bool parse_double(std::string_view s, double& out) {
  const auto v = text::to_number<double>(text::trim(s));
  if (v) out = *v;
  return v.has_value();
}

}  // namespace

Result<IpLocation> parse_ipinfo(std::string_view text) {
  try {
    json j;
    try {
      j = json::parse(text);
    } catch (const json::parse_error& e) {
      return unusable("malformed JSON at byte " + std::to_string(e.byte));
    }
    if (!j.is_object()) return unusable("the answer is not a JSON object");
    if (j.value("bogon", false)) {
      return unusable("the public address is a private or reserved one (bogon): no location");
    }
    const std::string country = text::to_upper(string_or_empty(j, "country"));
    if (country.size() != 2 || !std::all_of(country.begin(), country.end(), text::is_upper)) {
      return unusable(country.empty() ? std::string("the answer has no country")
                                      : "'" + country + "' is not an ISO 3166 alpha-2 country code");
    }
    IpLocation out;
    out.location.country = country;
    out.location.how = std::string(kIpGeolocationHow);
    out.city = string_or_empty(j, "city");
    out.region = string_or_empty(j, "region");
    const std::string loc = string_or_empty(j, "loc");
    if (const auto comma = loc.find(','); comma != std::string::npos) {
      double lat = 0, lon = 0;
      if (parse_double(std::string_view(loc).substr(0, comma), lat) &&
          parse_double(std::string_view(loc).substr(comma + 1), lon) && lat >= -90 && lat <= 90 && lon >= -180 &&
          lon <= 180) {
        out.location.latitude = lat;
        out.location.longitude = lon;
      }
    }
    if (country == "GB") {
      std::string postal = string_or_empty(j, "postal");
      postal = text::to_upper(postal.substr(0, postal.find(' ')));
      if (postal.size() >= 2 && postal.size() <= 4 && std::all_of(postal.begin(), postal.end(), text::is_alnum)) {
        out.location.gb_postcode = postal;
      }
    }
    return out;
  } catch (const std::exception& e) {
    return unusable(e.what());
  }
}

Result<IpLocation> locate_by_ip(io::HttpClient& http, const std::string& base_url, double total_timeout_s) {
  try {
    // One short try: a location is never worth delaying a run for.
    HttpOptions options{std::min(1.0, total_timeout_s), total_timeout_s, 1};
    const auto req = provider_detail::make_request(provider_detail::trim_slash(base_url) + "/json", options);
    auto body = provider_detail::fetch_json(http, req, kGeolocationName, std::nullopt);
    if (!body) {
      return Status(body.status().code(), body.status().message(),
                    "set the location explicitly (country, zone or postcode), or check the network");
    }
    return parse_ipinfo(*body);
  } catch (const std::exception& e) {
    return Status(StatusCode::internal, std::string(kGeolocationName) + ": " + e.what());
  }
}

Result<Location> geolocate_by_ip(io::HttpClient& http, const std::string& base_url, double total_timeout_s) {
  auto r = locate_by_ip(http, base_url, total_timeout_s);
  if (!r) return r.status();
  return std::move(r->location);
}

}  // namespace carbontracker::intensity
