#include "intensity/providers/energidataservice.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <exception>
#include <map>
#include <optional>
#include <utility>

namespace carbontracker::intensity {
namespace {

using nlohmann::json;
using namespace provider_detail;

constexpr std::string_view kEnergiDataName = "Energi Data Service";
constexpr auto kStep = std::chrono::minutes{5};
// The Great Belt separates DK1 (Jutland, Funen) from DK2 (Zealand, Lolland-Falster, Bornholm).
constexpr double kGreatBeltLongitude = 11.0;

std::string area_text(std::string_view area) {
  return area == "DK" ? std::string("DK1 and DK2") : std::string(area);
}

std::string zone_of(std::string_view area) { return area == "DK" ? std::string("DK") : "DK-" + std::string(area); }

TimePoint floor_step(TimePoint t) {
  const auto m = std::chrono::floor<std::chrono::minutes>(t);
  return m - std::chrono::minutes{m.time_since_epoch().count() % kStep.count()};
}

}  // namespace

Result<DkPriceArea> dk_price_area(const Location& where) {
  if (where.zone) {
    const std::string& z = *where.zone;
    if (z == "DK-DK1") return DkPriceArea{"DK1", "zone DK-DK1"};
    if (z == "DK-DK2") return DkPriceArea{"DK2", "zone DK-DK2"};
    if (z == "DK-BHM") return DkPriceArea{"DK2", "zone DK-BHM (Bornholm is in price area DK2)"};
    if (z != "DK") {
      return Status(StatusCode::unavailable, "Energi Data Service covers Denmark only (DK1/DK2), not zone " + z);
    }
  } else if (where.country != "DK") {
    return Status(StatusCode::unavailable,
                  "Energi Data Service covers Denmark only (DK1/DK2)" +
                      (where.country ? ", not country " + *where.country : std::string{}));
  }
  if (where.longitude) {
    const bool west = *where.longitude < kGreatBeltLongitude;
    return DkPriceArea{west ? "DK1" : "DK2", "longitude " + number_text(*where.longitude) + " E is " +
                                                 (west ? "west" : "east") + " of the Great Belt"};
  }
  return DkPriceArea{"DK", "no price area configured: mean of DK1 and DK2 (set zone DK-DK1 or DK-DK2)"};
}

Result<IntensitySeries> parse_energidataservice(std::string_view text, QuoteKind kind, std::string_view area) {
  try {
    json root;
    try {
      root = json::parse(text);
    } catch (const json::parse_error& e) {
      return unusable_answer(kEnergiDataName, "malformed JSON at byte " + std::to_string(e.byte));
    }
    if (!root.is_object()) return unusable_answer(kEnergiDataName, "the answer is not a JSON object");
    const auto recs = root.find("records");
    if (recs == root.end() || !recs->is_array()) return unusable_answer(kEnergiDataName, "no 'records' array");
    const bool mean = area == "DK";
    const std::string dataset = kind == QuoteKind::forecast ? "CO2EmisProg" : "CO2Emis";

    // Per interval start: the DK1 and DK2 values seen.
    std::map<TimePoint, std::pair<std::optional<double>, std::optional<double>>> values;
    for (const auto& r : *recs) {
      if (!r.is_object()) return unusable_answer(kEnergiDataName, "a record is not an object");
      const auto t = r.find("Minutes5UTC");
      const auto pa = r.find("PriceArea");
      const auto co2 = r.find("CO2Emission");
      if (t == r.end() || !t->is_string()) return unusable_answer(kEnergiDataName, "a record has no 'Minutes5UTC'");
      if (pa == r.end() || !pa->is_string()) return unusable_answer(kEnergiDataName, "a record has no 'PriceArea'");
      if (co2 == r.end()) return unusable_answer(kEnergiDataName, "a record has no 'CO2Emission'");
      const auto& pa_s = pa->get_ref<const std::string&>();
      if (pa_s != "DK1" && pa_s != "DK2") continue;
      if (!mean && pa_s != area) continue;
      const auto start = parse_utc_time(t->get_ref<const std::string&>());
      if (!start) return unusable_answer(kEnergiDataName, "bad Minutes5UTC '" + t->get<std::string>() + "'");
      if (co2->is_null()) continue;
      if (!co2->is_number()) return unusable_answer(kEnergiDataName, "'CO2Emission' is not a number");
      const double v = co2->get<double>();
      if (auto st = check_intensity(kEnergiDataName, v, pa_s + " " + t->get<std::string>()); !st) return st;
      auto& slot = values[*start];
      (pa_s == "DK1" ? slot.first : slot.second) = v;
    }

    IntensitySeries out;
    for (const auto& [start, v] : values) {
      double g = 0;
      if (mean) {
        if (!v.first || !v.second) continue;  // a mean of one area would be mislabelled
        g = (*v.first + *v.second) / 2;
      } else {
        g = v.first ? *v.first : *v.second;
      }
      IntensityQuote q;
      q.g_per_kwh = g;
      q.start = start;
      q.end = start + kStep;
      q.kind = kind;
      q.signal = Signal::average;
      q.source = std::string(kEnergiDataName) + " " + dataset + (mean ? " (mean of DK1 and DK2)" : " " + std::string(area));
      q.zone = zone_of(area);
      out.push_back(std::move(q));
    }
    return out;
  } catch (const std::exception& e) {
    return unusable_answer(kEnergiDataName, e.what());
  }
}

EnergiDataServiceProvider::EnergiDataServiceProvider(io::HttpClient& http, EnergiDataServiceConfig config,
                                                     const Clock& clock)
    : http_(http), config_(std::move(config)), clock_(clock) {
  config_.base_url = trim_slash(std::move(config_.base_url));
}

Status EnergiDataServiceProvider::suitable(const Location& where) const {
  auto area = dk_price_area(where);
  return area ? Status::ok() : area.status();
}

Result<IntensitySeries> EnergiDataServiceProvider::fetch(const DkPriceArea& area, bool prognosis, TimePoint start,
                                                         TimePoint end, bool newest_first) const {
  const std::string dataset = prognosis ? "CO2EmisProg" : "CO2Emis";
  const std::string filter =
      area.area == "DK" ? R"({"PriceArea":["DK1","DK2"]})" : R"({"PriceArea":[")" + area.area + R"("]})";
  const auto steps = std::chrono::ceil<std::chrono::minutes>(end - start).count() / kStep.count() + 1;
  const auto limit = steps * (area.area == "DK" ? 2 : 1);
  const std::string url = config_.base_url + "/dataset/" + dataset +
                          "?start=" + url_encode(format_utc(start, TimeFormat::minutes)) +
                          "&end=" + url_encode(format_utc(end, TimeFormat::minutes)) + "&timezone=UTC" +
                          "&columns=" + url_encode("Minutes5UTC,PriceArea,CO2Emission") +
                          "&filter=" + url_encode(filter) +
                          "&sort=" + url_encode(newest_first ? "Minutes5UTC desc" : "Minutes5UTC asc") +
                          "&limit=" + std::to_string(limit);
  auto body = fetch_json(http_, make_request(url, config_.http), kEnergiDataName, std::nullopt);
  if (!body) return body.status();
  return parse_energidataservice(*body, prognosis ? QuoteKind::forecast : QuoteKind::measured, area.area);
}

Result<IntensityQuote> EnergiDataServiceProvider::latest(const Location& where) noexcept {
  try {
    auto area = dk_price_area(where);
    if (!area) return area.status();
    const auto now = clock_.wall();
    auto series = fetch(*area, false, floor_step(now) - std::chrono::hours{1}, floor_step(now) + kStep, true);
    if (!series) return series.status();
    if (series->empty()) {
      return Status(StatusCode::not_found,
                    "Energi Data Service: no data for " + area_text(area->area) + " in the last hour (CO2Emis)",
                    "the service may be behind; try again later");
    }
    return series->back();
  } catch (const std::exception& e) {
    return Status(StatusCode::internal, std::string(kEnergiDataName) + ": " + e.what());
  }
}

Result<IntensitySeries> EnergiDataServiceProvider::forecast(const Location& where, int hours) noexcept {
  try {
    auto area = dk_price_area(where);
    if (!area) return area.status();
    if (hours <= 0) return Status(StatusCode::invalid_argument, "Energi Data Service: forecast hours must be positive");
    const auto start = floor_step(clock_.wall());
    auto series = fetch(*area, true, start, start + std::chrono::hours{hours}, false);
    if (!series) return series;
    if (series->empty()) {
      return Status(StatusCode::not_found, "Energi Data Service: no prognosis for " + area_text(area->area) +
                                               " in the next " + std::to_string(hours) + " h (CO2EmisProg)");
    }
    return limit_hours(std::move(*series), hours);
  } catch (const std::exception& e) {
    return Status(StatusCode::internal, std::string(kEnergiDataName) + ": " + e.what());
  }
}

Result<IntensitySeries> EnergiDataServiceProvider::history(const Location& where, TimePoint from,
                                                           TimePoint to) noexcept {
  try {
    auto area = dk_price_area(where);
    if (!area) return area.status();
    if (!(from < to)) return Status(StatusCode::invalid_argument, "Energi Data Service: empty history window");
    auto series = fetch(*area, false, floor_step(from), to, false);
    if (!series) return series;
    std::erase_if(*series, [&](const IntensityQuote& q) { return !(q.end > from && q.start < to); });
    if (series->empty()) {
      return Status(StatusCode::not_found, "Energi Data Service: no data for " + area_text(area->area) +
                                               " between " + format_utc(from, TimeFormat::minutes_z) + " and " +
                                               format_utc(to, TimeFormat::minutes_z) + " (CO2Emis)");
    }
    return std::move(*series);
  } catch (const std::exception& e) {
    return Status(StatusCode::internal, std::string(kEnergiDataName) + ": " + e.what());
  }
}

}  // namespace carbontracker::intensity
