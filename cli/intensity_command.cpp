// `carbontracker intensity`: the carbon intensity for a place, now, and its forecast — the same
// chain the tracker uses (live provider, then the offline tables), with the source named.
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "intensity/provider_choice.hpp"
#include "intensity/providers/factory.hpp"
#include "intensity/providers/geolocation.hpp"
#include "intensity/providers/provider_util.hpp"
#include "intensity/resolve.hpp"
#include "intensity/tables.hpp"

namespace carbontracker::cli {
namespace {

using intensity::IntensityQuote;
using intensity::Setting;

std::string iso(intensity::TimePoint t) { return intensity::provider_detail::format_utc(t, intensity::provider_detail::TimeFormat::seconds_z); }

nlohmann::json quote_json(const IntensityQuote& q) {
  nlohmann::json j{{"intensity_g_per_kwh", q.g_per_kwh},
                   {"source", q.source},
                   {"kind", intensity::to_string(q.kind)},
                   {"signal", intensity::to_string(q.signal)},
                   {"basis", q.basis},
                   {"zone", q.zone}};
  if (q.end > q.start) {
    j["start"] = iso(q.start);
    j["end"] = iso(q.end);
  }
  return j;
}

}  // namespace

std::function<int()> add_intensity_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("intensity", "Carbon intensity of the grid for a place: now, and the forecast");
  add_version_flag(*cmd);
  struct Args {
    std::string zone, country, cloud, postcode, provider;
    int forecast_hours = 0;
    bool json = false, offline = false, geolocate = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--zone", a->zone, "Electricity Maps zone, e.g. DK-DK2, US-CAL-CISO");
  cmd->add_option("--country", a->country, "Country: ISO 3166 code or English name, e.g. DK, DNK, Denmark");
  cmd->add_option("--cloud", a->cloud, "Cloud region, e.g. gcp:europe-west1");
  cmd->add_option("--postcode", a->postcode, "GB outward postcode, e.g. RG10 (NESO regional intensity)");
  cmd->add_option("--provider", a->provider,
                  "Force a provider: electricitymaps, energidataservice, carbonintensity_uk, watttime, none");
  cmd->add_option("--forecast", a->forecast_hours, "Also print the forecast for the next H hours")
      ->check(CLI::Range(1, 72));
  cmd->add_flag("--offline", a->offline, "Use the shipped tables only (no network)");
  cmd->add_flag("--geolocate", a->geolocate, "Find the country by IP geolocation when none is given");
  cmd->add_flag("--json", a->json, "One JSON object");

  return [a] {
    const auto env = intensity::process_env();
    auto opt = [](const std::string& v, const char* flag) -> std::optional<Setting<std::string>> {
      if (v.empty()) return std::nullopt;
      return Setting<std::string>{v, flag};
    };
    intensity::LocationSettings ls;
    ls.zone = opt(a->zone, "--zone");
    ls.country = opt(a->country, "--country");
    ls.cloud = opt(a->cloud, "--cloud");
    ls.gb_postcode = opt(a->postcode, "--postcode");
    ls.geolocate = a->geolocate && !a->offline;
    auto http = std::shared_ptr<io::HttpClient>(io::make_curl_http_client());
    const auto endpoints = intensity::Endpoints::from_env(env);
    intensity::Geolocator geo;
    if (ls.geolocate) geo = [&] { return intensity::geolocate_by_ip(*http, endpoints.geolocation); };
    auto where = intensity::resolve_location(ls, env, geo);
    if (!where) throw CLI::ValidationError(where.status().to_string());

    std::vector<std::string> warnings;
    std::optional<IntensityQuote> quote;
    std::string why;
    intensity::IntensitySeries forecast;
    std::string provider_text;
    std::unique_ptr<intensity::IntensityProvider> provider;
    if (!a->offline) {
      const auto keys = intensity::collect_keys({}, env);
      for (const auto& n : keys.notes) warnings.push_back(n);
      auto choice = intensity::choose_provider(*where, keys, opt(a->provider, "--provider"));
      if (!choice) throw CLI::ValidationError(choice.status().to_string());
      provider_text = choice->reason;
      if (!choice->none()) provider = intensity::make_provider(choice->provider, http, keys, endpoints);
    } else {
      provider_text = "none (--offline)";
    }
    if (provider) {
      auto latest = provider->latest(*where);
      if (latest) {
        quote = *latest;
        why = fmt::format("{}; location {}", provider_text, where->how);
      } else {
        warnings.push_back(fmt::format("live value from {} failed: {}; the offline table is used instead",
                                       provider->display_name(), latest.status().to_string()));
      }
      if (a->forecast_hours > 0) {
        auto fc = provider->forecast(*where, a->forecast_hours);
        if (fc) {
          forecast = std::move(*fc);
        } else {
          warnings.push_back(fmt::format("no forecast from {}: {}", provider->display_name(), fc.status().message()));
        }
      }
    } else if (a->forecast_hours > 0) {
      warnings.push_back("no forecast: no live provider serves this location (" + provider_text + ")");
    }
    if (!quote) {
      auto off = intensity::offline_intensity(*where);
      if (!off) throw CLI::ValidationError(off.status().to_string());
      quote = off->quote;
      why = off->why;
    }

    if (a->json) {
      nlohmann::json j = quote_json(*quote);
      j["why"] = why;
      j["location"] = where->how;
      j["provider"] = provider_text;
      if (a->forecast_hours > 0) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& q : forecast) {
          arr.push_back({{"start", iso(q.start)}, {"end", iso(q.end)}, {"intensity_g_per_kwh", q.g_per_kwh}});
        }
        j["forecast"] = std::move(arr);
      }
      j["warnings"] = warnings;
      std::cout << j.dump(2) << "\n";
    } else {
      std::cout << fmt::format("{:.1f} gCO2eq/kWh ({}{}): {}\n", quote->g_per_kwh, intensity::to_string(quote->kind),
                               quote->signal == intensity::Signal::marginal ? ", marginal" : "", quote->source);
      if (quote->end > quote->start) std::cout << fmt::format("  for {} to {}\n", iso(quote->start), iso(quote->end));
      std::cout << "  why: " << why << "\n";
      if (!forecast.empty()) {
        std::cout << "Forecast:\n";
        for (const auto& q : forecast) {
          std::cout << fmt::format("  {}  {:7.1f} gCO2eq/kWh\n", iso(q.start), q.g_per_kwh);
        }
      }
      for (const auto& w : warnings) std::cerr << "carbontracker: warning: " << w << "\n";
    }
    return 0;
  };
}

}  // namespace carbontracker::cli
