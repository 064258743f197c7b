#include "tracker/intensity_setup.hpp"

#include <memory>
#include <mutex>

#include <fmt/format.h>

#include "intensity/provider_choice.hpp"
#include "intensity/providers/factory.hpp"
#include "intensity/providers/geolocation.hpp"
#include "intensity/resolve.hpp"

namespace carbontracker::tracker {
namespace {

using intensity::Setting;

template <class T>
std::optional<Setting<T>> setting(const std::optional<T>& v, const char* name) {
  if (!v) return std::nullopt;
  return Setting<T>{*v, std::string("setting ") + name};
}

}  // namespace

intensity::ServiceConfig make_intensity_config(const Config& config, const Getenv& getenv,
                                               ProviderKeySetter* set_keys) {
  intensity::ServiceConfig sc;
  sc.refresh_s = config.intensity_refresh_s;

  if (config.intensity_g_per_kwh) {
    // A fixed value: no table, no provider, no network.
    auto off = intensity::offline_intensity({}, Setting<double>{*config.intensity_g_per_kwh, "setting intensity_g_per_kwh"});
    if (!off) throw ConfigError("intensity_g_per_kwh", off.status().message(), off.status().fix());
    sc.location.how = "not needed: a fixed intensity is set";
    sc.plan = [off = *off](const intensity::Location&) {
      intensity::Plan p;
      p.offline = off.quote;
      p.offline_why = off.why;
      return p;
    };
    return sc;
  }

  intensity::LocationSettings ls;
  ls.country = setting(config.country, "country");
  ls.zone = setting(config.zone, "zone");
  ls.cloud = setting(config.cloud, "cloud");
  ls.gb_postcode = setting(config.gb_postcode, "gb_postcode");
  ls.geolocate = config.geolocate;
  // Geolocation is network I/O: it runs later, on the service's thread, never here.
  auto where = intensity::resolve_location(ls, getenv, nullptr);
  if (!where) throw ConfigError("location", where.status().message(), where.status().fix());
  sc.location = *where;

  // The keys live in a shared box the plan reads each time it is built, so keys set after
  // construction (set_api_keys) reach the next fetch.
  struct KeyBox {
    std::mutex mutex;
    intensity::ProviderKeys keys;
  };
  auto box = std::make_shared<KeyBox>();
  box->keys = intensity::collect_keys(config.api_keys, getenv);
  const auto requested = setting(config.provider, "provider");
  if (auto first = intensity::choose_provider(*where, box->keys, requested); !first) {
    throw ConfigError("provider", first.status().message(), first.status().fix());
  }
  auto http = std::shared_ptr<io::HttpClient>(io::make_curl_http_client());
  const auto endpoints = intensity::Endpoints::from_env(getenv);
  sc.cancel = [http] { http->cancel(); };

  sc.plan = [box, requested, http, endpoints](const intensity::Location& loc) {
    intensity::ProviderKeys keys;
    {
      std::lock_guard lock(box->mutex);
      keys = box->keys;
    }
    intensity::Plan p;
    if (auto off = intensity::offline_intensity(loc)) {
      p.offline = off->quote;
      p.offline_why = off->why;
    }
    auto choice = intensity::choose_provider(loc, keys, requested);
    if (!choice) {
      p.provider_why = "no live provider: " + choice.status().message();
    } else if (choice->none()) {
      p.provider_why = choice->reason;
    } else {
      p.provider = intensity::make_provider(choice->provider, http, keys, endpoints);
      p.provider_why = choice->reason;
    }
    return p;
  };
  if (set_keys) {
    *set_keys = [box, getenv](const std::map<std::string, std::string>& api_keys) {
      auto fresh = intensity::collect_keys(api_keys, getenv);
      std::lock_guard lock(box->mutex);
      box->keys = std::move(fresh);
    };
  }
  if (config.geolocate && where->empty()) {
    sc.geolocate = [http, url = endpoints.geolocation]() { return intensity::geolocate_by_ip(*http, url); };
  }
  return sc;
}

}  // namespace carbontracker::tracker
