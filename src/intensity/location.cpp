#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <utility>
#include <vector>

#include "intensity/resolve.hpp"
#include "intensity/tables.hpp"
#include "core/text.hpp"

namespace carbontracker::intensity {
namespace {

constexpr std::string_view kNoLocation = "no location configured (world average used)";

std::string origin(std::string_view from) { return from.empty() ? std::string() : " from " + std::string(from); }

Status bad(std::string what, std::string_view input, std::string_view from, std::string problem, std::string fix) {
  return Status(StatusCode::invalid_argument,
                what + " \"" + std::string(input) + "\"" + origin(from) + ": " + std::move(problem), std::move(fix));
}

// Shortest round-trip text, locale-independent: "55.6761", "-3.5".
std::string format_degrees(double v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::string("?");
}

bool is_outward(std::string_view s) {
  // A9, A9A, A99, AA9, AA9A, AA99 (Royal Mail formats).
  std::size_t i = 0;
  while (i < s.size() && i < 2 && text::is_upper(s[i])) ++i;
  if (i == 0 || i >= s.size() || !text::is_digit(s[i])) return false;
  ++i;
  if (i == s.size()) return true;
  return i + 1 == s.size() && (text::is_digit(s[i]) || text::is_upper(s[i]));
}

bool is_inward(std::string_view s) {
  return s.size() == 3 && text::is_digit(s[0]) && text::is_upper(s[1]) && text::is_upper(s[2]);
}

// One resolved field with where it came from, for the `how` text.
struct Part {
  std::string text;  // "country DK"
  std::string from;  // "--country"
};

// "zone DK-DK2, country DK from --zone; cloud gcp:europe-west1 from config cloud"
std::string describe(const std::vector<Part>& parts) {
  std::vector<std::pair<std::string, std::string>> groups;  // from -> joined texts, first-seen order
  for (const Part& p : parts) {
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == p.from; });
    if (it == groups.end()) {
      groups.emplace_back(p.from, p.text);
    } else {
      it->second += ", " + p.text;
    }
  }
  std::string out;
  for (const auto& [from, texts] : groups) out += (out.empty() ? "" : "; ") + texts + origin(from);
  return out;
}

std::optional<std::string> env_value(const GetEnv& env, const char* name) {
  if (!env) return std::nullopt;
  auto v = env(name);
  if (!v || text::trim(*v).empty()) return std::nullopt;
  return std::string(text::trim(*v));
}

Status check_coordinates(std::optional<double> lat, std::optional<double> lon, std::string_view from) {
  if (lat.has_value() != lon.has_value()) {
    return Status(StatusCode::invalid_argument,
                  std::string(lat ? "latitude" : "longitude") + " given without " + (lat ? "longitude" : "latitude") +
                      origin(from),
                  "give both latitude and longitude in degrees, e.g. 55.68 and 12.57");
  }
  if (lat && (!std::isfinite(*lat) || *lat < -90 || *lat > 90)) {
    return bad("latitude", format_degrees(*lat), from, "outside -90..90 degrees", "give the latitude in degrees north");
  }
  if (lon && (!std::isfinite(*lon) || *lon < -180 || *lon > 180)) {
    return bad("longitude", format_degrees(*lon), from, "outside -180..180 degrees",
               "give the longitude in degrees east");
  }
  return Status::ok();
}

// Fills `loc` from explicit settings; parts collects the `how` text.
Status apply_settings(const LocationSettings& s, Location& loc, std::vector<Part>& parts) {
  if (s.zone) {
    auto z = normalize_zone(s.zone->value, s.zone->from);
    if (!z) return z.status();
    loc.zone = *z;
    parts.push_back({"zone " + *z, s.zone->from});
  }
  if (s.country) {
    auto c = normalize_country(s.country->value, s.country->from);
    if (!c) return c.status();
    loc.country = *c;
    parts.push_back({"country " + *c, s.country->from});
  }
  if (s.cloud) {
    auto c = normalize_cloud(s.cloud->value, s.cloud->from);
    if (!c) return c.status();
    loc.cloud = *c;
    parts.push_back({"cloud region " + *c, s.cloud->from});
  }
  if (s.gb_postcode) {
    auto p = gb_outward_code(s.gb_postcode->value, s.gb_postcode->from);
    if (!p) return p.status();
    loc.gb_postcode = *p;
    parts.push_back({"GB postcode " + *p, s.gb_postcode->from});
  }
  if (s.gb_region_id) {
    const int id = s.gb_region_id->value;
    if (id < 1 || id > 17) {
      return bad("GB region id", std::to_string(id), s.gb_region_id->from, "NESO region ids are 1 to 17",
                 "see https://carbon-intensity.github.io/api-definitions/#region-list, or give a postcode");
    }
    loc.gb_region_id = id;
    parts.push_back({"GB region " + std::to_string(id), s.gb_region_id->from});
  }
  if (s.latitude || s.longitude) {
    const std::string from = s.latitude ? s.latitude->from : s.longitude->from;
    const std::optional<double> lat = s.latitude ? std::optional(s.latitude->value) : std::nullopt;
    const std::optional<double> lon = s.longitude ? std::optional(s.longitude->value) : std::nullopt;
    if (Status st = check_coordinates(lat, lon, from); !st) return st;
    loc.latitude = lat;
    loc.longitude = lon;
    std::string lon_from = s.longitude->from;
    parts.push_back({"coordinates " + format_degrees(*lat) + "," + format_degrees(*lon),
                     from == lon_from ? from : from + ", " + lon_from});
  }
  return Status::ok();
}

// Settings read from the CARBONTRACKER_* variables.
LocationSettings env_settings(const GetEnv& env) {
  LocationSettings s;
  auto read = [&](const char* name, std::optional<Setting<std::string>>& field) {
    if (auto v = env_value(env, name)) field = Setting<std::string>{*v, name};
  };
  read(kEnvZone, s.zone);
  read(kEnvCountry, s.country);
  read(kEnvCloud, s.cloud);
  read(kEnvGbPostcode, s.gb_postcode);
  return s;
}

// A geolocation answer normalised, or why it cannot be used.
Result<Location> use_geolocation(Location g) {
  std::string source = std::string(text::trim(g.how));
  if (source.starts_with("from ")) source.erase(0, 5);
  if (source.empty()) source = "IP geolocation";
  Location loc;
  std::vector<Part> parts;
  if (g.country) {
    auto c = normalize_country(*g.country);
    if (!c) return Status(StatusCode::unavailable, source + " answered an unknown country \"" + *g.country + "\"");
    loc.country = *c;
    parts.push_back({"country " + *c, source});
  }
  if (g.latitude && g.longitude && check_coordinates(g.latitude, g.longitude, source)) {
    loc.latitude = g.latitude;
    loc.longitude = g.longitude;
    parts.push_back({"coordinates " + format_degrees(*g.latitude) + "," + format_degrees(*g.longitude), source});
  }
  // A postal code is a GB postcode only in Great Britain; elsewhere (or malformed) it is dropped.
  if (g.gb_postcode && loc.country == "GB") {
    if (auto p = gb_outward_code(*g.gb_postcode)) {
      loc.gb_postcode = *p;
      parts.push_back({"GB postcode " + *p, source});
    }
  }
  if (g.zone) {
    if (auto z = normalize_zone(*g.zone)) {
      loc.zone = *z;
      parts.push_back({"zone " + *z, source});
    }
  }
  if (loc.empty()) return Status(StatusCode::unavailable, source + " gave no usable location");
  loc.how = describe(parts);
  return loc;
}

}  // namespace

GetEnv process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe): read-only use
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Result<std::string> normalize_country(std::string_view input, std::string_view from) {
  const std::string_view t = text::trim(input);
  if (const Country* c = builtin_country_codes().find(t)) return c->alpha2;
  return bad("country", input, from, "not an ISO 3166-1 code or English country name",
             "give an ISO 3166-1 alpha-2 code (DK), alpha-3 code (DNK) or English name (Denmark)");
}

Result<std::string> normalize_zone(std::string_view input, std::string_view from) {
  const std::string z = text::to_upper(text::trim(input));
  auto key_char = [](char c) { return text::is_upper(c) || text::is_digit(c) || c == '-' || c == '_'; };
  const bool ok = !z.empty() && z.size() <= 40 && text::is_upper(z.front()) && z.back() != '-' &&
                  std::all_of(z.begin(), z.end(), key_char);
  if (!ok) {
    return bad("zone", input, from, "not a zone key (letters, digits, '-' and '_')",
               "give an Electricity Maps zone key such as DE, DK-DK2 or US-CAL-CISO");
  }
  return z;
}

Result<std::string> normalize_cloud(std::string_view input, std::string_view from) {
  const std::string_view t = text::trim(input);
  const auto colon = t.find(':');
  const std::string fix_form = "write it as gcp:REGION, e.g. gcp:europe-west1";
  if (colon == std::string_view::npos) {
    return bad("cloud region", input, from, "no provider prefix", fix_form);
  }
  const std::string provider = text::to_lower(text::trim(t.substr(0, colon)));
  const std::string_view region = text::trim(t.substr(colon + 1));
  if (provider != "gcp" && provider != "google") {
    return bad("cloud region", input, from,
               "no region table is shipped for provider \"" + provider + "\" (only Google Cloud: gcp)",
               "give the region's country instead (--country) or a zone (--zone)");
  }
  auto q = gcp_region_intensity(region);
  if (!q) return bad("cloud region", input, from, q.status().message(), q.status().fix());
  return q->zone;  // "gcp:<region>", lower case
}

Result<std::string> gb_outward_code(std::string_view postcode, std::string_view from) {
  const std::string p = text::to_upper(text::trim(postcode));
  std::string outward;
  const auto space = p.find(' ');
  if (space != std::string::npos) {
    outward = p.substr(0, space);
    const std::string_view inward = text::trim(std::string_view(p).substr(space));
    if (!is_inward(inward)) outward.clear();
  } else if (p.size() >= 5) {  // a full postcode written without the space: the inward code is 3 chars
    if (is_inward(std::string_view(p).substr(p.size() - 3))) outward = p.substr(0, p.size() - 3);
  } else {
    outward = p;
  }
  if (!is_outward(outward)) {
    return bad("GB postcode", postcode, from, "not a UK postcode",
               "give a full postcode (RG10 6XY) or its outward code (RG10)");
  }
  return outward;
}

std::optional<std::string> zone_country(std::string_view zone) {
  const std::string z = text::to_upper(text::trim(zone));
  const std::string prefix = z.substr(0, z.find('-'));
  if (prefix.size() != 2) return std::nullopt;
  if (const Country* c = builtin_country_codes().by_alpha2(prefix)) return c->alpha2;
  return std::nullopt;
}

Result<Location> resolve_location(const LocationSettings& settings, const GetEnv& env, const Geolocator& geolocate) {
  const LocationSettings from_env = env_settings(env);
  for (const LocationSettings* level : {&settings, &from_env}) {
    if (!level->any()) continue;
    Location loc;
    std::vector<Part> parts;
    if (Status st = apply_settings(*level, loc, parts); !st) return st;
    loc.how = describe(parts);
    if (level == &settings && from_env.any()) {
      // A configuration layer may already have merged a variable into the settings (its
      // `from` is then the variable's name): that one was used, not ignored.
      std::string list;
      for (const char* name : {kEnvZone, kEnvCountry, kEnvCloud, kEnvGbPostcode}) {
        const bool used = std::any_of(parts.begin(), parts.end(), [&](const Part& p) { return p.from == name; });
        if (!used && env_value(env, name)) list += (list.empty() ? "" : ", ") + std::string(name);
      }
      if (!list.empty()) loc.how += " (" + list + " ignored: explicit settings win)";
    }
    return loc;
  }
  Location none;
  none.how = std::string(kNoLocation);
  if (!settings.geolocate) return none;
  if (!geolocate) {
    none.how += "; IP geolocation is enabled but not available in this build";
    return none;
  }
  Result<Location> g = Status(StatusCode::internal, "no answer");
  try {
    g = geolocate();
  } catch (const std::exception& e) {  // the contract says it never throws; a report beats a crash
    g = Status(StatusCode::internal, std::string("threw: ") + e.what());
  }
  if (g) {
    auto usable = use_geolocation(std::move(*g));
    if (usable) return usable;
    g = usable.status();
  }
  none.how += "; IP geolocation failed: " + g.status().message();
  return none;
}

}  // namespace carbontracker::intensity
