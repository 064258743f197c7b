#include "intensity/providers/carbonintensity_uk.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <exception>
#include <utility>

namespace carbontracker::intensity {
namespace {

using nlohmann::json;
using namespace provider_detail;

constexpr std::string_view kNesoName = "NESO Carbon Intensity API";
constexpr int kMaxHistoryDays = 14;  // the API's limit for /intensity/{from}/{to}

// Outward codes are 2-4 letters and digits ("RG10", "SW1A"); anything else would change the path.
bool valid_outward(const std::string& pc) {
  return pc.size() >= 2 && pc.size() <= 4 &&
         std::all_of(pc.begin(), pc.end(), [](unsigned char c) { return std::isupper(c) || std::isdigit(c); });
}

// "" for national; "/postcode/RG10" or "/regionid/13" for regional; a Status when unusable.
Result<std::string> regional_suffix(const Location& where) {
  if (where.gb_postcode) {
    if (!valid_outward(*where.gb_postcode)) {
      return Status(StatusCode::invalid_argument,
                    "NESO Carbon Intensity API: '" + *where.gb_postcode + "' is not a GB outward postcode",
                    "give the outward code in upper case, e.g. RG10 or SW1A");
    }
    return "/postcode/" + *where.gb_postcode;
  }
  if (where.gb_region_id) {
    if (*where.gb_region_id < 1 || *where.gb_region_id > 17) {
      return Status(StatusCode::invalid_argument,
                    "NESO Carbon Intensity API: region id " + std::to_string(*where.gb_region_id) +
                        " is not in 1..17",
                    "use a region id from docs/intensity-providers.md (e.g. 13 for London)");
    }
    return "/regionid/" + std::to_string(*where.gb_region_id);
  }
  return std::string{};
}

Result<IntensitySeries> slots(const json& arr, const std::string& source, const std::string& zone) {
  if (!arr.is_array()) return unusable_answer(kNesoName, "no slot array");
  IntensitySeries out;
  for (const auto& s : arr) {
    if (!s.is_object()) return unusable_answer(kNesoName, "a slot is not an object");
    const auto f = s.find("from");
    const auto t = s.find("to");
    const auto in = s.find("intensity");
    if (f == s.end() || !f->is_string() || t == s.end() || !t->is_string()) return unusable_answer(kNesoName, "a slot has no from/to");
    if (in == s.end() || !in->is_object()) return unusable_answer(kNesoName, "a slot has no 'intensity'");
    const auto start = parse_utc_time(f->get_ref<const std::string&>());
    const auto end = parse_utc_time(t->get_ref<const std::string&>());
    if (!start || !end || !(*start < *end)) return unusable_answer(kNesoName, "bad slot times '" + f->get<std::string>() + "'");
    const auto actual = in->find("actual");
    const auto fc = in->find("forecast");
    const bool has_actual = actual != in->end() && !actual->is_null();
    const bool has_forecast = fc != in->end() && !fc->is_null();
    if (!has_actual && !has_forecast) continue;
    const json& v = has_actual ? *actual : *fc;
    if (!v.is_number()) return unusable_answer(kNesoName, "an intensity is not a number");
    const double g = v.get<double>();
    if (auto st = check_intensity(kNesoName, g, f->get<std::string>()); !st) return st;
    IntensityQuote q;
    q.g_per_kwh = g;
    q.start = *start;
    q.end = *end;
    q.kind = has_actual ? QuoteKind::measured : QuoteKind::forecast;
    q.signal = Signal::average;
    q.source = source + (has_actual ? ", actual" : ", forecast") + ")";
    q.zone = zone;
    out.push_back(std::move(q));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
  return out;
}

Result<IntensitySeries> region_slots(const json& region) {
  if (!region.is_object()) return unusable_answer(kNesoName, "a region is not an object");
  std::string label = "region";
  std::string zone = "GB";
  if (const auto id = region.find("regionid"); id != region.end() && id->is_number_integer()) {
    label += " " + std::to_string(id->get<int>());
    zone = "GB region " + std::to_string(id->get<int>());
  }
  if (const auto n = region.find("shortname"); n != region.end() && n->is_string()) {
    label += " " + n->get<std::string>();
  }
  if (const auto pc = region.find("postcode"); pc != region.end() && pc->is_string()) {
    label += ", postcode " + pc->get<std::string>();
  }
  const auto d = region.find("data");
  if (d == region.end()) return unusable_answer(kNesoName, "a region has no 'data'");
  return slots(*d, std::string(kNesoName) + " (" + label, zone);
}

}  // namespace

Result<IntensitySeries> parse_carbonintensity_uk(std::string_view text) {
  try {
    json root;
    try {
      root = json::parse(text);
    } catch (const json::parse_error& e) {
      return unusable_answer(kNesoName, "malformed JSON at byte " + std::to_string(e.byte));
    }
    if (!root.is_object()) return unusable_answer(kNesoName, "the answer is not a JSON object");
    const auto data = root.find("data");
    if (data == root.end()) return unusable_answer(kNesoName, "no 'data'");
    if (data->is_object()) return region_slots(*data);  // /regional/intensity/.../postcode/..
    if (!data->is_array()) return unusable_answer(kNesoName, "'data' is neither a list nor an object");
    if (data->empty()) return IntensitySeries{};
    const json& first = data->front();
    if (first.is_object() && first.contains("regionid")) return region_slots(first);
    return slots(*data, std::string(kNesoName) + " (national", "GB");
  } catch (const std::exception& e) {
    return unusable_answer(kNesoName, e.what());
  }
}

CarbonIntensityUkProvider::CarbonIntensityUkProvider(io::HttpClient& http, CarbonIntensityUkConfig config,
                                                     const Clock& clock)
    : http_(http), config_(std::move(config)), clock_(clock) {
  config_.base_url = trim_slash(std::move(config_.base_url));
}

Status CarbonIntensityUkProvider::suitable(const Location& where) const {
  if (where.zone == "GB-NIR") {
    return {StatusCode::unavailable, "NESO Carbon Intensity API covers Great Britain only, not Northern Ireland"};
  }
  const bool gb_zone = where.zone && (*where.zone == "GB" || where.zone->rfind("GB-", 0) == 0);
  if (where.zone && !gb_zone) {
    return {StatusCode::unavailable, "NESO Carbon Intensity API covers Great Britain only, not zone " + *where.zone};
  }
  if (!gb_zone && where.country != "GB" && !where.gb_postcode && !where.gb_region_id) {
    return {StatusCode::unavailable,
            "NESO Carbon Intensity API covers Great Britain only" +
                (where.country ? ", not country " + *where.country : std::string{})};
  }
  auto suffix = regional_suffix(where);
  return suffix ? Status::ok() : suffix.status();
}

Result<IntensitySeries> CarbonIntensityUkProvider::get(const std::string& path) const {
  auto body = fetch_json(http_, make_request(config_.base_url + path, config_.http), kNesoName, std::nullopt);
  if (!body) return body.status();
  return parse_carbonintensity_uk(*body);
}

Result<IntensityQuote> CarbonIntensityUkProvider::latest(const Location& where) noexcept {
  try {
    if (auto st = suitable(where); !st) return st;
    const std::string suffix = *regional_suffix(where);
    auto series = get(suffix.empty() ? "/intensity" : "/regional" + suffix);
    if (!series) return series.status();
    if (series->empty()) {
      return Status(StatusCode::not_found, "NESO Carbon Intensity API: no value for the current half hour" +
                                               (suffix.empty() ? std::string{} : " (" + suffix.substr(1) + ")"));
    }
    // The current slot; of several, the one containing now, else the latest that started.
    const auto now = clock_.wall();
    for (const auto& q : *series) {
      if (q.start <= now && now < q.end) return q;
    }
    return series->back();
  } catch (const std::exception& e) {
    return Status(StatusCode::internal, std::string(kNesoName) + ": " + e.what());
  }
}

Result<IntensitySeries> CarbonIntensityUkProvider::forecast(const Location& where, int hours) noexcept {
  try {
    if (auto st = suitable(where); !st) return st;
    if (hours <= 0) {
      return Status(StatusCode::invalid_argument, "NESO Carbon Intensity API: forecast hours must be positive");
    }
    const std::string suffix = *regional_suffix(where);
    const std::string from = format_utc(clock_.wall(), TimeFormat::minutes_z);
    auto series = get(suffix.empty() ? "/intensity/" + from + "/fw48h"
                                     : "/regional/intensity/" + from + "/fw48h" + suffix);
    if (!series) return series;
    if (series->empty()) {
      return Status(StatusCode::not_found, "NESO Carbon Intensity API: the forecast from " + from + " is empty");
    }
    return limit_hours(std::move(*series), hours);
  } catch (const std::exception& e) {
    return Status(StatusCode::internal, std::string(kNesoName) + ": " + e.what());
  }
}

Result<IntensitySeries> CarbonIntensityUkProvider::history(const Location& where, TimePoint from,
                                                           TimePoint to) noexcept {
  try {
    if (auto st = suitable(where); !st) return st;
    if (!(from < to)) return Status(StatusCode::invalid_argument, "NESO Carbon Intensity API: empty history window");
    if (to - from > std::chrono::days{kMaxHistoryDays}) {
      return Status(StatusCode::invalid_argument, "NESO Carbon Intensity API: history windows are limited to " +
                                                      std::to_string(kMaxHistoryDays) + " days");
    }
    const std::string suffix = *regional_suffix(where);
    const std::string range =
        format_utc(from, TimeFormat::minutes_z) + "/" + format_utc(to, TimeFormat::minutes_z);
    auto series = get(suffix.empty() ? "/intensity/" + range : "/regional/intensity/" + range + suffix);
    if (!series) return series;
    std::erase_if(*series, [&](const IntensityQuote& q) { return !(q.end > from && q.start < to); });
    if (series->empty()) {
      return Status(StatusCode::not_found, "NESO Carbon Intensity API: no data between " + range);
    }
    return std::move(*series);
  } catch (const std::exception& e) {
    return Status(StatusCode::internal, std::string(kNesoName) + ": " + e.what());
  }
}

}  // namespace carbontracker::intensity
