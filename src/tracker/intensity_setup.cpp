#include "tracker/intensity_setup.hpp"

#include <memory>
#include <mutex>

#include <fmt/format.h>

#include "core/text.hpp"
#include "intensity/providers/geolocation.hpp"

namespace carbontracker::tracker {
namespace {

using intensity::Setting;

std::string origin_of(const SettingOrigins& origins, const char* key) {
  if (auto it = origins.find(key); it != origins.end()) return it->second;
  return std::string("setting ") + key;
}

// A text setting and its origin. A value with no named origin that equals its
// CARBONTRACKER_<KEY> variable came from there (the configuration layer merged it into Config):
// named as the variable, so the location's text does not call that variable ignored.
std::optional<Setting<std::string>> setting(const std::optional<std::string>& v, const SettingOrigins& origins,
                                            const Getenv& getenv, const char* key) {
  if (!v) return std::nullopt;
  if (!origins.contains(key) && getenv) {
    const std::string var = text::to_upper(std::string("CARBONTRACKER_") + key);
    if (auto e = getenv(var); e && *e == *v) return Setting<std::string>{*v, var};
  }
  return Setting<std::string>{*v, origin_of(origins, key)};
}

}  // namespace

IntensityChoice choose_intensity(const intensity::Location& where, const intensity::ProviderKeys& keys,
                                 const std::optional<Setting<std::string>>& requested) {
  IntensityChoice c;
  if (auto off = intensity::offline_intensity(where)) c.offline = std::move(*off);
  auto choice = intensity::choose_provider(where, keys, requested);
  if (choice) {
    c.provider = std::move(*choice);
  } else {
    c.provider.reason = "no live provider: " + choice.status().message();
  }
  return c;
}

IntensityPlan plan_intensity(const Config& config, const Getenv& getenv, const SettingOrigins& origins,
                             const intensity::Geolocator& geolocate) {
  IntensityPlan plan;
  if (config.intensity_g_per_kwh) {
    // A fixed value: no table, no provider, no network.
    const std::string from = origin_of(origins, "intensity_g_per_kwh");
    auto off = intensity::offline_intensity({}, Setting<double>{*config.intensity_g_per_kwh, from});
    if (!off) throw ConfigError("intensity_g_per_kwh", off.status().message(), off.status().fix());
    plan.fixed = true;
    plan.where.how = "not needed: a fixed intensity is set";
    plan.choice.provider.reason = "no live provider: a fixed intensity is set (" + from + ")";
    plan.choice.offline = std::move(*off);
    return plan;
  }

  intensity::LocationSettings ls;
  ls.country = setting(config.country, origins, getenv, "country");
  ls.zone = setting(config.zone, origins, getenv, "zone");
  ls.cloud = setting(config.cloud, origins, getenv, "cloud");
  ls.gb_postcode = setting(config.gb_postcode, origins, getenv, "gb_postcode");
  ls.geolocate = config.geolocate;
  auto where = intensity::resolve_location(ls, getenv, geolocate);
  if (!where) throw ConfigError("location", where.status().message(), where.status().fix());
  plan.where = std::move(*where);
  plan.geolocate = config.geolocate && !geolocate && plan.where.empty();

  plan.keys = intensity::collect_keys(config.api_keys, getenv);
  plan.requested = setting(config.provider, origins, getenv, "provider");
  // A requested provider that cannot serve the location as configured is the user's mistake.
  if (auto first = intensity::choose_provider(plan.where, plan.keys, plan.requested); !first) {
    throw ConfigError("provider", first.status().message(), first.status().fix());
  }
  plan.choice = choose_intensity(plan.where, plan.keys, plan.requested);
  return plan;
}

std::unique_ptr<intensity::IntensityProvider> make_live_provider(const IntensityChoice& choice,
                                                                 std::shared_ptr<io::HttpClient> http,
                                                                 const intensity::ProviderKeys& keys,
                                                                 const intensity::Endpoints& endpoints) {
  if (choice.provider.none()) return nullptr;
  return intensity::make_provider(choice.provider.provider, std::move(http), keys, endpoints);
}

intensity::ServiceConfig make_intensity_config(const Config& config, const Getenv& getenv,
                                               ProviderKeySetter* set_keys) {
  intensity::ServiceConfig sc;
  sc.refresh_s = config.intensity_refresh_s;
  // Geolocation is network I/O: it runs later, on the service's thread, never here.
  IntensityPlan first = plan_intensity(config, getenv);
  sc.location = first.where;

  if (first.fixed) {
    sc.plan = [off = first.choice.offline](const intensity::Location&) {
      intensity::Plan p;
      p.offline = off.quote;
      p.offline_why = off.why;
      return p;
    };
    return sc;
  }

  // The keys live in a shared box the plan reads each time it is built, so keys set after
  // construction (set_api_keys) reach the next fetch.
  struct KeyBox {
    std::mutex mutex;
    intensity::ProviderKeys keys;
  };
  auto box = std::make_shared<KeyBox>();
  box->keys = std::move(first.keys);
  auto http = std::shared_ptr<io::HttpClient>(io::make_curl_http_client());
  const auto endpoints = intensity::Endpoints::from_env(getenv);
  sc.cancel = [http] { http->cancel(); };

  sc.plan = [box, requested = first.requested, http, endpoints](const intensity::Location& loc) {
    intensity::ProviderKeys keys;
    {
      std::lock_guard lock(box->mutex);
      keys = box->keys;
    }
    const IntensityChoice choice = choose_intensity(loc, keys, requested);
    intensity::Plan p;
    p.offline = choice.offline.quote;
    p.offline_why = choice.offline.why;
    p.provider = make_live_provider(choice, http, keys, endpoints);
    p.provider_why = choice.provider.reason;
    return p;
  };
  if (set_keys) {
    *set_keys = [box, getenv](const std::map<std::string, std::string>& api_keys) {
      auto fresh = intensity::collect_keys(api_keys, getenv);
      std::lock_guard lock(box->mutex);
      box->keys = std::move(fresh);
    };
  }
  if (first.geolocate) {
    sc.geolocate = [http, url = endpoints.geolocation]() { return intensity::geolocate_by_ip(*http, url); };
  }
  return sc;
}

}  // namespace carbontracker::tracker
