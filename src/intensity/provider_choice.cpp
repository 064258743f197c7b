#include "intensity/provider_choice.hpp"

#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <utility>

#include "intensity/defaults.hpp"
#include "intensity/tables.hpp"
#include "core/text.hpp"

namespace carbontracker::intensity {
namespace {

constexpr std::string_view kConfigKeys = "config api_keys";
constexpr std::string_view kTokenFix =
    "set the Electricity Maps token in config api_keys (\"electricitymaps\") or CARBONTRACKER_ELECTRICITYMAPS_TOKEN";

struct Provider {
  std::string_view id;
  std::string_view display;
};
constexpr std::array<Provider, 4> kProviders{{
    {kElectricityMapsId, "Electricity Maps"},
    {kEnergiDataServiceId, "Energi Data Service"},
    {kNesoId, "NESO Carbon Intensity"},
    {kWattTimeId, "WattTime"},
}};

bool is_denmark(const Location& w) {
  if (w.zone) return *w.zone == "DK" || *w.zone == "DK-DK1" || *w.zone == "DK-DK2";
  return w.country == "DK";
}

bool is_great_britain(const Location& w) {
  if (w.gb_postcode || w.gb_region_id) return true;
  if (w.zone) return *w.zone == "GB";
  return w.country == "GB";
}

std::string trim_number(double v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::string("?");
}

// The most specific thing a provider would be asked about, for reasons: "zone DK-DK2".
std::string place(const Location& w) {
  if (w.gb_postcode) return "GB postcode " + *w.gb_postcode;
  if (w.gb_region_id) return "GB region " + std::to_string(*w.gb_region_id);
  if (w.zone) return "zone " + *w.zone;
  if (w.country) return "country " + *w.country;
  if (w.latitude && w.longitude) return "coordinates " + trim_number(*w.latitude) + "," + trim_number(*w.longitude);
  if (w.cloud) return "cloud region " + *w.cloud;
  return "no location";
}


int quote_year(const IntensityQuote& q) {
  return static_cast<int>(std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(q.start)).year());
}

std::string with_location(std::string what, const Location& w) {
  return w.how.empty() ? what : what + "; " + w.how;
}

Status cannot_serve(std::string_view id, const std::string& why, const std::string& from, std::string fix) {
  return Status(StatusCode::invalid_argument,
                std::string(provider_display_name(id)) + " (asked for by " + from +
                    ") cannot serve this location: " + why,
                std::move(fix));
}

// Whether `id` can serve `w` with `keys`; the reason either way.
Result<ProviderChoice> check(std::string_view id, const Location& w, const ProviderKeys& keys,
                             const std::string& from) {
  const std::string display(provider_display_name(id));
  if (id == kEnergiDataServiceId) {
    if (!is_denmark(w)) {
      return cannot_serve(id, "it covers Denmark only (DK1/DK2), the location is " + place(w), from,
                          "give --country DK or --zone DK-DK1/DK-DK2, or choose another provider");
    }
    return ProviderChoice{std::string(id), display + ": Denmark, no key needed (" + from + ")"};
  }
  if (id == kNesoId) {
    if (!is_great_britain(w)) {
      return cannot_serve(id, "it covers Great Britain only, the location is " + place(w), from,
                          "give --country GB, a GB postcode or a NESO region id, or choose another provider");
    }
    return ProviderChoice{std::string(id),
                          display + ": Great Britain (" + place(w) + "), no key needed (" + from + ")"};
  }
  if (id == kElectricityMapsId) {
    if (!keys.electricitymaps_token) return cannot_serve(id, "no token", from, std::string(kTokenFix));
    if (!w.zone && !w.country && !(w.latitude && w.longitude)) {
      return cannot_serve(id, "it needs a zone, a country or coordinates, the location is " + place(w), from,
                          "give --zone, --country or latitude/longitude");
    }
    return ProviderChoice{std::string(id),
                          display + ": " + place(w) + ", token from " + keys.electricitymaps_from + " (" + from + ")"};
  }
  // WattTime
  if (!keys.watttime_user || !keys.watttime_password) {
    return cannot_serve(id, "no username and password", from,
                        "set config api_keys watttime_user and watttime_password, or CARBONTRACKER_WATTTIME_USER "
                        "and CARBONTRACKER_WATTTIME_PASSWORD");
  }
  if (!w.zone && !(w.latitude && w.longitude)) {
    return cannot_serve(id, "it needs coordinates or a WattTime region (zone), the location is " + place(w), from,
                        "give latitude/longitude, or --zone with a WattTime region such as CAISO_NORTH");
  }
  return ProviderChoice{std::string(id), display + ": marginal emissions (MOER) for " + place(w) +
                                             ", credentials from " + keys.watttime_from + " (" + from + ")"};
}

// "carbonintensityGB" (the Python tool's id) and "neso" are the same provider.
std::optional<std::string_view> canonical_id(std::string_view name) {
  const std::string n = text::to_lower(text::trim(name));
  for (const auto& p : kProviders) {
    if (n == p.id) return p.id;
  }
  if (n == "neso" || n == "carbonintensitygb") return kNesoId;
  return std::nullopt;
}

}  // namespace

std::string_view provider_display_name(std::string_view id) {
  for (const auto& p : kProviders) {
    if (p.id == id) return p.display;
  }
  return {};
}

const std::vector<std::string>& provider_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v{"auto", "none"};
    for (const auto& p : kProviders) v.emplace_back(p.id);
    return v;
  }();
  return names;
}

bool is_api_key_name(std::string_view name) {
  const std::string id = text::to_lower(text::trim(name));
  return id == "electricitymaps" || id == "watttime_user" || id == "watttime_password" ||
         id == "carbonintensitygb" || id == "energidataservice";
}

ProviderKeys collect_keys(const std::map<std::string, std::string>& api_keys, const GetEnv& env) {
  ProviderKeys k;
  for (const auto& [raw_id, value] : api_keys) {
    const std::string id = text::to_lower(text::trim(raw_id));
    std::optional<std::string>* slot = nullptr;
    if (id == "electricitymaps") slot = &k.electricitymaps_token;
    if (id == "watttime_user") slot = &k.watttime_user;
    if (id == "watttime_password") slot = &k.watttime_password;
    if (slot == nullptr) {
      if (id == "carbonintensitygb" || id == "energidataservice") {
        k.notes.push_back("api_keys \"" + raw_id + "\" ignored: that provider needs no key");
      } else {
        k.notes.push_back("api_keys \"" + raw_id +
                          "\" ignored: unknown id (known: electricitymaps, watttime_user, watttime_password)");
      }
      continue;
    }
    if (text::trim(value).empty()) {
      k.notes.push_back("api_keys \"" + raw_id + "\" ignored: the value is empty");
      continue;
    }
    *slot = std::string(text::trim(value));
  }
  if (k.electricitymaps_token) k.electricitymaps_from = kConfigKeys;
  auto from_env = [&](const char* name, std::optional<std::string>& slot) {
    if (slot || !env) return false;
    auto v = env(name);
    if (!v || text::trim(*v).empty()) return false;
    slot = std::string(text::trim(*v));
    return true;
  };
  if (from_env(kEnvElectricityMapsToken, k.electricitymaps_token)) k.electricitymaps_from = kEnvElectricityMapsToken;
  const bool user_from_config = k.watttime_user.has_value();
  const bool password_from_config = k.watttime_password.has_value();
  from_env(kEnvWattTimeUser, k.watttime_user);
  from_env(kEnvWattTimePassword, k.watttime_password);
  if (k.watttime_user && k.watttime_password) {
    if (user_from_config && password_from_config) {
      k.watttime_from = kConfigKeys;
    } else if (!user_from_config && !password_from_config) {
      k.watttime_from = std::string(kEnvWattTimeUser) + " and " + kEnvWattTimePassword;
    } else {
      k.watttime_from = std::string(user_from_config ? kConfigKeys : kEnvWattTimeUser) + " (user) and " +
                        std::string(password_from_config ? kConfigKeys : kEnvWattTimePassword) + " (password)";
    }
  }
  return k;
}

Result<ProviderChoice> choose_provider(const Location& where, const ProviderKeys& keys,
                                       const std::optional<Setting<std::string>>& requested) {
  if (requested) {
    const std::string name = text::to_lower(text::trim(requested->value));
    if (name == "none") return ProviderChoice{{}, "no live provider: offline tables only (" + requested->from + ")"};
    if (name != "auto") {
      const auto id = canonical_id(name);
      if (!id) {
        std::string valid;
        for (const auto& n : provider_names()) valid += (valid.empty() ? "" : ", ") + n;
        return Status(StatusCode::invalid_argument,
                      "unknown intensity provider \"" + requested->value + "\" from " + requested->from,
                      "use one of: " + valid);
      }
      if (where.empty()) {
        return cannot_serve(*id, "no location configured", requested->from,
                            "give --country, --zone, a GB postcode or coordinates");
      }
      return check(*id, where, keys, requested->from);
    }
  }
  if (where.empty()) return ProviderChoice{{}, "no live provider: no location configured"};
  const std::string from = "automatic choice";
  if (is_denmark(where)) return check(kEnergiDataServiceId, where, keys, from);
  if (is_great_britain(where)) return check(kNesoId, where, keys, from);
  if (where.zone || where.country || (where.latitude && where.longitude)) {
    if (keys.electricitymaps_token) return check(kElectricityMapsId, where, keys, from);
    return ProviderChoice{{}, "no live provider: only Electricity Maps covers " + place(where) +
                                  " and no token is set (" + std::string(kTokenFix) + ")"};
  }
  return ProviderChoice{{}, "no live provider for " + place(where) + " (offline tables used)"};
}

Result<OfflineIntensity> offline_intensity(const Location& where,
                                           const std::optional<Setting<double>>& user_g_per_kwh) {
  if (user_g_per_kwh) {
    const double v = user_g_per_kwh->value;
    if (!std::isfinite(v) || v < 0) {
      return Status(StatusCode::invalid_argument,
                    "intensity " + trim_number(v) + " g/kWh from " + user_g_per_kwh->from + " is not a value >= 0",
                    "give the grid's carbon intensity in gCO2eq/kWh, e.g. 250");
    }
    IntensityQuote q;
    q.g_per_kwh = v;
    q.kind = QuoteKind::fixed;
    q.source = "user setting (" + user_g_per_kwh->from + ")";
    return OfflineIntensity{q, "fixed value " + trim_number(v) + " g/kWh from " + user_g_per_kwh->from};
  }
  std::string note;  // why a more specific step did not answer
  if (where.cloud) {
    auto q = gcp_region_intensity(*where.cloud);
    if (q) return OfflineIntensity{*q, with_location("yearly average of Google Cloud region " + *where.cloud, where)};
    note = "no value for cloud region " + *where.cloud + " (" + q.status().message() + "); ";
  }
  // A zone decides over the country (docs/intensity.md), as it does for the live provider: the
  // table is the zone's country when the zone names one, else the country given.
  std::optional<std::string> country = where.country;
  std::string country_note;
  if (where.zone) {
    if (auto of_zone = zone_country(*where.zone)) {
      if (!country) {
        country_note = ", the country of zone " + *where.zone;
      } else if (*country != *of_zone) {
        country_note = ", the country of zone " + *where.zone + " (the zone decides over country " + *country + ")";
      }
      country = std::move(of_zone);
    }
  }
  if (!country && (where.gb_postcode || where.gb_region_id)) {
    country = "GB";
    country_note = ", the country of " + place(where);
  }
  if (country) {
    auto q = country_intensity(*country);
    if (q) {
      const Country* c = builtin_country_codes().find(*country);
      const std::string name = c ? " (" + c->name + ")" : std::string();
      return OfflineIntensity{*q, with_location(note + "yearly average for " + *country + name + " " +
                                                    std::to_string(quote_year(*q)) + country_note,
                                                where)};
    }
    note += q.status().message() + "; ";
  } else if (!where.empty()) {
    note += place(where) + ": no offline table; ";
  }
  auto world = world_average_intensity();
  IntensityQuote q;
  if (world) {
    q = *world;
  } else {  // the compiled-in table always has OWID_WRL; keep an answer even if it did not
    q.g_per_kwh = kWorldAverage2024GPerKwh;
    q.kind = QuoteKind::assumed;
    q.basis = "lifecycle";
    q.source = "Ember yearly electricity data 2024 via Our World in Data (CC BY 4.0)";
    q.zone = "World";
  }
  if (where.empty()) {
    constexpr std::string_view kBase = "no location configured (world average used)";
    std::string how = where.how.empty() ? std::string("no location configured") : where.how;
    if (how.starts_with(kBase)) how = "no location configured" + how.substr(kBase.size());
    return OfflineIntensity{q, "world average: " + how};
  }
  return OfflineIntensity{q, with_location(note + "world average", where)};
}

IntensityInfo to_intensity_info(const IntensityQuote& quote, std::string why) {
  IntensityInfo info;
  info.g_per_kwh = quote.g_per_kwh;
  info.source = quote.source;
  info.kind = quote.signal == Signal::marginal ? IntensityKind::marginal : intensity_kind(quote.kind);
  info.why = std::move(why);
  return info;
}

}  // namespace carbontracker::intensity
