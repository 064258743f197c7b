// `carbontracker intensity`: the carbon intensity for a place, now, and its forecast. The
// decision (where, which provider and why, which keys, the offline fallback) is the tracker's
// intensity plan (tracker/intensity_setup.hpp), from the same sources `run` reads: the
// configuration file, the environment, then these flags.
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "intensity/providers/geolocation.hpp"
#include "intensity/providers/provider_util.hpp"
#include "tracker/config_keys.hpp"
#include "tracker/intensity_setup.hpp"

namespace carbontracker::cli {
namespace {

using intensity::IntensityQuote;

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
    // Location and provider flags are config keys: made from the key registry
    // (tracker/config_keys.hpp), parsed as `run` parses them.
    ConfigFlags flags;
    std::string config_file;
    int forecast_hours = 0;
    bool json = false, offline = false;
  };
  auto a = std::make_shared<Args>();
  a->flags.add_to(*cmd, {"zone", "country", "cloud", "gb_postcode", "provider", "geolocate"});
  cmd->add_option("--config", a->config_file,
                  "Configuration file (TOML; default $CARBONTRACKER_CONFIG or ./carbontracker.toml): its location, "
                  "provider and [api_keys] are used as `run` uses them");
  cmd->add_option("--forecast", a->forecast_hours, "Also print the forecast for the next H hours")
      ->check(CLI::Range(1, 72));
  auto* offline = cmd->add_flag("--offline", a->offline, "Use the shipped tables only (no network)");
  cmd->add_flag("--json", a->json, "One JSON object");

  return [a, offline] {
    const auto env = intensity::process_env();
    auto check = [](const Status& st) {
      if (!st) throw CLI::ValidationError(st.to_string());
    };
    // Precedence as in `run`: defaults < config file < environment < flags.
    Config cfg;
    check(tracker::apply_config_sources(
        cfg, a->config_file.empty() ? std::nullopt : std::optional<std::filesystem::path>(a->config_file), env));
    tracker::SettingOrigins origins;
    a->flags.apply(cfg, &origins);
    if (offline->count() > 0) {
      cfg.provider = "none";
      origins["provider"] = "--offline";
      cfg.geolocate = false;
    }

    auto http = std::shared_ptr<io::HttpClient>(io::make_curl_http_client());
    const auto endpoints = intensity::Endpoints::from_env(env);
    intensity::Geolocator geo;
    if (cfg.geolocate) geo = [&] { return intensity::geolocate_by_ip(*http, endpoints.geolocation); };
    const tracker::IntensityPlan plan = tracker::plan_intensity(cfg, env, origins, geo);
    const auto& where = plan.where;

    std::vector<std::string> warnings = plan.keys.notes;
    std::optional<IntensityQuote> quote;
    std::string why;
    intensity::IntensitySeries forecast;
    const std::string& provider_text = plan.choice.provider.reason;
    auto provider = tracker::make_live_provider(plan.choice, http, plan.keys, endpoints);
    if (provider) {
      auto latest = provider->latest(where);
      if (latest) {
        quote = *latest;
        why = intensity::live_why(provider_text, where.how);
      } else {
        warnings.push_back(fmt::format("live value from {} failed: {}; the offline table is used instead",
                                       provider->display_name(), latest.status().to_string()));
      }
      if (a->forecast_hours > 0) {
        auto fc = provider->forecast(where, a->forecast_hours);
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
      quote = plan.choice.offline.quote;
      why = plan.choice.offline.why;
    }

    if (a->json) {
      nlohmann::json j = quote_json(*quote);
      j["why"] = why;
      j["location"] = where.how;
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
