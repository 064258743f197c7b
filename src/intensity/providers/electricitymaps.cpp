#include "intensity/providers/electricitymaps.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <exception>
#include <utility>

namespace carbontracker::intensity {
namespace {

using nlohmann::json;
using namespace provider_detail;

constexpr std::string_view kElectricityMapsName = "Electricity Maps";

DeniedText token_rejected() {
  return {"the token was rejected",
          "set the token in the config (api_keys {\"electricitymaps\": \"TOKEN\"}) or in "
          "CARBONTRACKER_ELECTRICITYMAPS_TOKEN (tokens come from https://portal.electricitymaps.com); a valid "
          "token may still not cover this zone or endpoint (free tier: one zone, no forecast)"};
}

Result<json> parse_answer(std::string_view text) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    return unusable_answer(kElectricityMapsName, "malformed JSON at byte " + std::to_string(e.byte));
  }
}

std::chrono::seconds granularity(const json& item, const json& root) {
  const json* g = nullptr;
  if (item.is_object() && item.contains("temporalGranularity")) g = &item["temporalGranularity"];
  else if (root.is_object() && root.contains("temporalGranularity")) g = &root["temporalGranularity"];
  if (g != nullptr && g->is_string()) {
    const auto& s = g->get_ref<const std::string&>();
    if (s == "5_minutes") return std::chrono::minutes{5};
    if (s == "15_minutes") return std::chrono::minutes{15};
    if (s == "daily") return std::chrono::hours{24};
  }
  return std::chrono::hours{1};
}

std::string string_or(const json& obj, const char* key, std::string_view fallback) {
  if (obj.is_object()) {
    const auto it = obj.find(key);
    if (it != obj.end() && it->is_string()) return it->get<std::string>();
  }
  return std::string(fallback);
}

std::string source_text(std::string_view endpoint, const json& item) {
  std::string s = std::string(kElectricityMapsName) + " " + std::string(endpoint);
  if (item.is_object() && item.value("isEstimated", false)) {
    const std::string method = string_or(item, "estimationMethod", "");
    s += method.empty() ? " (estimated)" : " (estimated: " + method + ")";
  }
  return s;
}

// One point; nullopt for a null value (skipped), a Status for a broken one.
Result<std::optional<IntensityQuote>> point(const json& item, const json& root, QuoteKind kind,
                                            std::string_view endpoint, std::string_view zone) {
  if (!item.is_object()) return unusable_answer(kElectricityMapsName, "a point is not an object");
  const auto dt = item.find("datetime");
  if (dt == item.end() || !dt->is_string()) return unusable_answer(kElectricityMapsName, "a point has no 'datetime'");
  const auto start = parse_utc_time(dt->get_ref<const std::string&>());
  if (!start) return unusable_answer(kElectricityMapsName, "bad datetime '" + dt->get<std::string>() + "'");
  const auto ci = item.find("carbonIntensity");
  if (ci == item.end()) return unusable_answer(kElectricityMapsName, "a point has no 'carbonIntensity'");
  if (ci->is_null()) return std::optional<IntensityQuote>{};
  if (!ci->is_number()) return unusable_answer(kElectricityMapsName, "'carbonIntensity' is not a number");
  const double v = ci->get<double>();
  if (auto st = check_intensity(kElectricityMapsName, v, dt->get<std::string>()); !st) return st;
  IntensityQuote q;
  q.g_per_kwh = v;
  q.start = *start;
  q.end = *start + granularity(item, root);
  q.kind = kind;
  q.signal = Signal::average;
  q.basis = string_or(item, "emissionFactorType", string_or(root, "emissionFactorType", "lifecycle"));
  q.source = source_text(endpoint, item);
  q.zone = string_or(root, "zone", zone);
  return std::optional<IntensityQuote>{std::move(q)};
}

// Query selecting the area: zone > coordinates > country.
std::string area_query(const Location& where) {
  if (where.zone) return "zone=" + url_encode(*where.zone);
  if (where.latitude && where.longitude) {
    return "lat=" + number_text(*where.latitude) + "&lon=" + number_text(*where.longitude);
  }
  return "zone=" + url_encode(where.country.value_or(""));
}

std::string area_label(const Location& where) {
  if (where.zone) return *where.zone;
  if (where.latitude && where.longitude) {
    return number_text(*where.latitude) + "," + number_text(*where.longitude);
  }
  return where.country.value_or("");
}

}  // namespace

Result<IntensityQuote> parse_electricitymaps_latest(std::string_view text, std::string_view zone) {
  try {
    auto root = parse_answer(text);
    if (!root) return root.status();
    if (!root->is_object()) return unusable_answer(kElectricityMapsName, "the answer is not a JSON object");
    auto p = point(*root, *root, QuoteKind::measured, "latest", zone);
    if (!p) return p.status();
    if (!p->has_value()) {
      return Status(StatusCode::not_found, std::string(kElectricityMapsName) + ": no current value for " +
                                               string_or(*root, "zone", zone) + " (carbonIntensity is null)");
    }
    return std::move(**p);
  } catch (const std::exception& e) {
    return unusable_answer(kElectricityMapsName, e.what());
  }
}

Result<IntensitySeries> parse_electricitymaps_series(std::string_view text, QuoteKind kind, std::string_view zone) {
  try {
    auto root = parse_answer(text);
    if (!root) return root.status();
    if (!root->is_object()) return unusable_answer(kElectricityMapsName, "the answer is not a JSON object");
    const json* arr = nullptr;
    std::string_view endpoint;
    for (const char* key : {"forecast", "history", "data"}) {
      if (const auto it = root->find(key); it != root->end()) {
        arr = &*it;
        endpoint = key;
        break;
      }
    }
    if (arr == nullptr || !arr->is_array()) return unusable_answer(kElectricityMapsName, "no 'forecast', 'history' or 'data' array");
    IntensitySeries out;
    for (const auto& item : *arr) {
      auto p = point(item, *root, kind, endpoint, zone);
      if (!p) return p.status();
      if (p->has_value()) out.push_back(std::move(**p));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
    // A point lasts until the next one starts (forecasts are hourly, but never overlap).
    for (std::size_t i = 0; i + 1 < out.size(); ++i) out[i].end = std::min(out[i].end, out[i + 1].start);
    return out;
  } catch (const std::exception& e) {
    return unusable_answer(kElectricityMapsName, e.what());
  }
}

ElectricityMapsProvider::ElectricityMapsProvider(io::HttpClient& http, ElectricityMapsConfig config,
                                                 const Clock& clock)
    : http_(http), config_(std::move(config)), clock_(clock) {
  config_.base_url = trim_slash(std::move(config_.base_url));
}

Status ElectricityMapsProvider::suitable(const Location& where) const {
  if (config_.token.empty()) {
    return {StatusCode::unavailable, "Electricity Maps needs an API token", token_rejected().fix};
  }
  if (!where.zone && !(where.latitude && where.longitude) && !where.country) {
    return {StatusCode::unavailable, "Electricity Maps needs a zone, coordinates or a country",
            "set a zone (CARBONTRACKER_ZONE, e.g. DE or DK-DK2) or a country"};
  }
  return Status::ok();
}

Result<std::string> ElectricityMapsProvider::get(const std::string& path, const std::string& query) const {
  auto req = make_request(config_.base_url + path + "?" + query, config_.http);
  req.headers.emplace_back("auth-token", config_.token);
  return fetch_json(http_, req, kElectricityMapsName, token_rejected());
}

Result<IntensityQuote> ElectricityMapsProvider::latest(const Location& where) noexcept {
  try {
    if (auto st = suitable(where); !st) return st;
    auto body = get("/carbon-intensity/latest", area_query(where));
    if (!body) return body.status();
    return parse_electricitymaps_latest(*body, area_label(where));
  } catch (const std::exception& e) {
    return Status(StatusCode::internal, std::string(kElectricityMapsName) + ": " + e.what());
  }
}

Result<IntensitySeries> ElectricityMapsProvider::forecast(const Location& where, int hours) noexcept {
  try {
    if (auto st = suitable(where); !st) return st;
    if (hours <= 0) return Status(StatusCode::invalid_argument, "Electricity Maps: forecast hours must be positive");
    auto body = get("/carbon-intensity/forecast", area_query(where));
    if (!body) return body.status();
    auto series = parse_electricitymaps_series(*body, QuoteKind::forecast, area_label(where));
    if (!series) return series;
    if (series->empty()) {
      return Status(StatusCode::not_found, "Electricity Maps: the forecast for " + area_label(where) + " is empty");
    }
    return limit_hours(std::move(*series), hours);
  } catch (const std::exception& e) {
    return Status(StatusCode::internal, std::string(kElectricityMapsName) + ": " + e.what());
  }
}

Result<IntensitySeries> ElectricityMapsProvider::history(const Location& where, TimePoint from, TimePoint to) noexcept {
  try {
    if (auto st = suitable(where); !st) return st;
    if (!(from < to)) return Status(StatusCode::invalid_argument, "Electricity Maps: empty history window");
    // /history covers the last 24 h; older windows need past-range (same points under "data").
    const bool recent = from >= clock_.wall() - std::chrono::hours{24};
    auto body = recent ? get("/carbon-intensity/history", area_query(where))
                       : get("/carbon-intensity/past-range",
                             area_query(where) + "&start=" + url_encode(format_utc(from, TimeFormat::seconds_z)) +
                                 "&end=" + url_encode(format_utc(to, TimeFormat::seconds_z)));
    if (!body) return body.status();
    auto series = parse_electricitymaps_series(*body, QuoteKind::measured, area_label(where));
    if (!series) return series;
    std::erase_if(*series, [&](const IntensityQuote& q) { return !(q.end > from && q.start < to); });
    if (series->empty()) {
      return Status(StatusCode::not_found, "Electricity Maps: no data for " + area_label(where) + " between " +
                                               format_utc(from, TimeFormat::minutes_z) + " and " +
                                               format_utc(to, TimeFormat::minutes_z));
    }
    return std::move(*series);
  } catch (const std::exception& e) {
    return Status(StatusCode::internal, std::string(kElectricityMapsName) + ": " + e.what());
  }
}

}  // namespace carbontracker::intensity
