#include "intensity/tables.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <exception>
#include <utility>

#include "core/csv_rows.hpp"
#include "core/text.hpp"

namespace carbontracker::intensity {
namespace {

constexpr std::string_view kOwidValueColumn = "Carbon intensity of electricity - gCO2/kWh";
constexpr std::string_view kGcpValueColumn = "Grid carbon intensity (gCO2eq / kWh)";

bool all_of_chars(std::string_view s, bool (*pred)(char) noexcept) {
  return !s.empty() && std::all_of(s.begin(), s.end(), pred);
}

// OWID codes are ISO alpha-3 ("DNK") or OWID's own ("OWID_WRL", "OWID_KOS").
bool valid_owid_code(std::string_view code) {
  if (code.size() == 3) return all_of_chars(code, text::is_upper);
  return code.starts_with("OWID_") && all_of_chars(code.substr(5), text::is_upper);
}

bool valid_region_name(std::string_view r) {
  return !r.empty() && std::all_of(r.begin(), r.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || text::is_digit(c) || c == '-';
  });
}

std::optional<int> parse_year(std::string_view s) {
  const auto y = text::to_number<int>(s);
  if (!y || *y < 1900 || *y > 2200) return std::nullopt;
  return y;
}

// A finite, non-negative intensity, or the reason it is not one.
Result<double> parse_intensity(const std::string& text) {
  if (text.empty()) return Status(StatusCode::invalid_argument, "missing intensity");
  auto v = text::parse_double(text, "intensity");
  if (!v) return Status(StatusCode::invalid_argument, "intensity \"" + text + "\" is not a number");
  if (!std::isfinite(*v) || *v < 0) {
    return Status(StatusCode::invalid_argument, "intensity " + text + " is not a finite value >= 0");
  }
  return *v;
}

TimePoint year_start(int year) {
  return std::chrono::sys_days(std::chrono::year(year) / std::chrono::January / 1);
}

std::string owid_source(int year) {
  return "Ember yearly electricity data " + std::to_string(year) + " via Our World in Data (CC BY 4.0)";
}

// Kosovo: the table's code for it is OWID's, the user-facing codes are the user-assigned XK/XKX.
constexpr std::string_view kKosovoOwidCode = "OWID_KOS";
constexpr std::string_view kKosovoAlpha3 = "XKX";

std::string table_code_for(const Country& c) {
  return c.alpha3 == kKosovoAlpha3 ? std::string(kKosovoOwidCode) : c.alpha3;
}

std::string country_fix() {
  return "give an ISO 3166-1 alpha-2 code (DK), alpha-3 code (DNK) or English name (Denmark)";
}

}  // namespace

// ---- CountryCodes ------------------------------------------------------------------------------

void CountryCodes::add(Country c) {
  const std::size_t i = countries_.size();
  // Codes first, then names, so that a name can never shadow a code.
  by_key_.emplace(text::to_lower(c.alpha2), i);
  by_key_.emplace(text::to_lower(c.alpha3), i);
  for (const std::string* n : {&c.name, &c.official_name, &c.common_name}) {
    if (!n->empty()) by_key_.emplace(text::to_lower(*n), i);
  }
  countries_.push_back(std::move(c));
}

void CountryCodes::add_alias(std::string_view name, std::string_view alpha3) {
  const auto it = by_key_.find(text::to_lower(alpha3));
  if (it == by_key_.end() || text::trim(name).empty()) return;
  by_key_.emplace(text::to_lower(text::trim(name)), it->second);  // never replaces an existing key
}

CountryCodes CountryCodes::parse(std::string_view iso_3166_json) {
  CountryCodes codes;
  const auto doc = nlohmann::json::parse(iso_3166_json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("3166-1") || !doc["3166-1"].is_array()) {
    codes.rejected_.push_back({1, {}, "not an iso-codes 3166-1 JSON document (no \"3166-1\" array)"});
    return codes;
  }
  unsigned entry = 0;
  for (const auto& e : doc["3166-1"]) {
    ++entry;
    auto str = [&](const char* key) -> std::string {
      if (!e.is_object()) return {};
      const auto it = e.find(key);
      return it != e.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    Country c{str("alpha_2"), str("alpha_3"), str("name"), str("official_name"), str("common_name")};
    std::string reason;
    if (c.alpha2.size() != 2 || !all_of_chars(c.alpha2, text::is_upper)) {
      reason = "alpha_2 \"" + c.alpha2 + "\" is not two capital letters";
    } else if (c.alpha3.size() != 3 || !all_of_chars(c.alpha3, text::is_upper)) {
      reason = "alpha_3 \"" + c.alpha3 + "\" is not three capital letters";
    } else if (c.name.empty()) {
      reason = "missing name";
    } else if (codes.by_alpha2(c.alpha2) || codes.by_alpha3(c.alpha3)) {
      reason = "duplicate code " + c.alpha2 + "/" + c.alpha3;
    }
    if (!reason.empty()) {
      codes.rejected_.push_back({entry, c.name, std::move(reason)});
      continue;
    }
    codes.add(std::move(c));
  }
  if (!codes.by_alpha2("XK")) codes.add({"XK", std::string(kKosovoAlpha3), "Kosovo", "Republic of Kosovo", {}});
  // "UK" is exceptionally reserved for the United Kingdom and what many people type.
  codes.add_alias("UK", "GBR");
  return codes;
}

const Country* CountryCodes::find(std::string_view any) const {
  const auto it = by_key_.find(text::to_lower(text::trim(any)));
  return it == by_key_.end() ? nullptr : &countries_[it->second];
}

const Country* CountryCodes::by_alpha2(std::string_view a2) const {
  if (a2.size() != 2) return nullptr;
  const Country* c = find(a2);
  return c && c->alpha2 == text::to_upper(a2) ? c : nullptr;
}

const Country* CountryCodes::by_alpha3(std::string_view a3) const {
  if (a3.size() != 3) return nullptr;
  const Country* c = find(a3);
  return c && c->alpha3 == text::to_upper(a3) ? c : nullptr;
}

// ---- CountryIntensityTable ---------------------------------------------------------------------

CountryIntensityTable CountryIntensityTable::parse(std::string_view csv_text, const std::string& source_name) {
  CountryIntensityTable t;
  std::map<std::pair<std::string, int>, unsigned> seen;  // (code, year) -> line
  const std::array<std::string, 4> columns{"Entity", "Code", "Year", std::string(kOwidValueColumn)};
  csv::for_each_row<4>(
      csv_text, source_name, columns,
      [&](unsigned line, const csv::Cells<4>& cells) {
        const auto& [entity, code, year_text, value_text] = cells;
        // A named reference, not the binding: clang 14 cannot capture a structured binding.
        const std::string& entity_name = cells[0];
        auto reject = [&](std::string reason) { t.rejected_.push_back({line, entity_name, std::move(reason)}); };
        if (entity.empty()) {
          reject("missing entity name");
          return;
        }
        const auto year = parse_year(year_text);
        if (!year) {
          reject("year \"" + year_text + "\" is not a year");
          return;
        }
        auto value = parse_intensity(value_text);
        if (!value) {
          reject(value.status().message());
          return;
        }
        if (code.empty()) {  // a region or income group ("Africa (Ember)", "EU (Ember)"): not a country
          ++t.aggregate_rows_;
          return;
        }
        if (!valid_owid_code(code)) {
          reject("code \"" + code + "\" is neither an ISO 3166-1 alpha-3 code nor an OWID_ code");
          return;
        }
        const auto [it, fresh] = seen.emplace(std::make_pair(code, *year), line);
        if (!fresh) {
          reject("duplicate of line " + std::to_string(it->second) + " (" + code + " " + year_text + ")");
          return;
        }
        ++t.rows_read_;
        CountryIntensity row{code, entity, *year, *value, line};
        auto& latest = t.latest_[code];
        if (latest.code.empty() || row.year > latest.year) latest = std::move(row);
      },
      [&](unsigned line, std::string message) { t.rejected_.push_back({line, {}, std::move(message)}); });
  return t;
}

const CountryIntensity* CountryIntensityTable::latest(std::string_view code) const {
  const auto it = latest_.find(text::to_upper(code));
  return it == latest_.end() ? nullptr : &it->second;
}

// ---- CloudRegionTable --------------------------------------------------------------------------

CloudRegionTable CloudRegionTable::parse(std::string_view csv_text, int year, const std::string& source_name) {
  CloudRegionTable t;
  t.year_ = year;
  const std::array<std::string, 4> columns{"Google Cloud Region", "Location", "Google CFE",
                                           std::string(kGcpValueColumn)};
  csv::for_each_row<4>(
      csv_text, source_name, columns,
      [&](unsigned line, const csv::Cells<4>& cells) {
        const auto& [region, location, cfe_text, value_text] = cells;
        const std::string& region_name = cells[0];
        auto reject = [&](std::string reason) { t.rejected_.push_back({line, region_name, std::move(reason)}); };
        if (!valid_region_name(region)) {
          reject("region \"" + region + "\" is not a region name (lower-case letters, digits, '-')");
          return;
        }
        auto cfe = text::parse_double(cfe_text, "Google CFE");
        if (!cfe || !std::isfinite(*cfe) || *cfe < 0 || *cfe > 1) {
          reject("Google CFE \"" + cfe_text + "\" is not a fraction between 0 and 1");
          return;
        }
        auto value = parse_intensity(value_text);
        if (!value) {
          reject(value.status().message());
          return;
        }
        const auto [it, fresh] = t.rows_.emplace(region, CloudRegionIntensity{region, location, *cfe, *value, line});
        if (!fresh) reject("duplicate of line " + std::to_string(it->second.line));
      },
      [&](unsigned line, std::string message) { t.rejected_.push_back({line, {}, std::move(message)}); });
  return t;
}

const CloudRegionIntensity* CloudRegionTable::find(std::string_view region) const {
  const auto it = rows_.find(text::to_lower(text::trim(region)));
  return it == rows_.end() ? nullptr : &it->second;
}

std::vector<std::string> CloudRegionTable::regions() const {
  std::vector<std::string> out;
  out.reserve(rows_.size());
  for (const auto& [name, row] : rows_) out.push_back(name);
  return out;  // std::map keeps them sorted
}

// ---- Built-in tables ---------------------------------------------------------------------------

const CountryIntensityTable& builtin_country_table() {
  static const CountryIntensityTable table = CountryIntensityTable::parse(carbontracker::data::kOwidIntensityCsv);
  return table;
}

const CountryCodes& builtin_country_codes() {
  static const CountryCodes codes = [] {
    CountryCodes c = CountryCodes::parse(carbontracker::data::kIso3166Json);
    // OWID's entity names ("Russia", "Vietnam", "Cote d'Ivoire") are what people type.
    for (const auto& [code, row] : builtin_country_table().latest_by_code()) {
      c.add_alias(row.entity, code == kKosovoOwidCode ? kKosovoAlpha3 : std::string_view(code));
    }
    return c;
  }();
  return codes;
}

const CloudRegionTable& builtin_gcp_table() {
  static const CloudRegionTable table =
      CloudRegionTable::parse(carbontracker::data::kGcpRegionCsv, 2024, "gcp_region_carbon_2024.csv");
  return table;
}

Result<Country> find_country(std::string_view any) {
  if (const Country* c = builtin_country_codes().find(any)) return *c;
  return Status(StatusCode::invalid_argument, "unknown country \"" + std::string(any) + "\"", country_fix());
}

IntensityQuote country_quote(const CountryIntensity& row) {
  IntensityQuote q;
  q.g_per_kwh = row.g_per_kwh;
  q.start = year_start(row.year);
  q.end = year_start(row.year + 1);
  q.kind = QuoteKind::yearly_average;
  q.signal = Signal::average;
  q.basis = "lifecycle";
  q.source = owid_source(row.year);
  q.zone = row.code;
  return q;
}

Result<IntensityQuote> country_intensity(std::string_view any_country_name_or_code) {
  auto country = find_country(any_country_name_or_code);
  if (!country) return country.status();
  const std::string code = table_code_for(*country);
  const CountryIntensity* row = builtin_country_table().latest(code);
  if (!row) {
    return Status(StatusCode::not_found,
                  "the Ember/OWID table has no yearly intensity for " + country->alpha2 + " (" + country->name + ")",
                  "set the intensity yourself (--intensity G_PER_KWH) or use a live provider for the zone");
  }
  return country_quote(*row);
}

Result<IntensityQuote> world_average_intensity() {
  const CountryIntensity* row = builtin_country_table().latest("OWID_WRL");
  if (!row) {
    return Status(StatusCode::internal, "the compiled-in Ember/OWID table has no World (OWID_WRL) row");
  }
  IntensityQuote q = country_quote(*row);
  q.kind = QuoteKind::assumed;
  q.zone = "World";
  return q;
}

Result<IntensityQuote> gcp_region_intensity(std::string_view region) {
  std::string_view name = text::trim(region);
  if (text::to_lower(name.substr(0, 4)) == "gcp:") name = name.substr(4);
  const CloudRegionTable& table = builtin_gcp_table();
  const CloudRegionIntensity* row = table.find(name);
  if (!row) {
    std::string known;
    for (const auto& r : table.regions()) known += (known.empty() ? "" : ", ") + r;
    return Status(StatusCode::invalid_argument,
                  "unknown Google Cloud region \"" + std::string(name) + "\" (the " + std::to_string(table.year()) +
                      " table has " + std::to_string(table.regions().size()) + " regions)",
                  "use one of: " + known);
  }
  IntensityQuote q;
  q.g_per_kwh = row->g_per_kwh;
  q.start = year_start(table.year());
  q.end = year_start(table.year() + 1);
  q.kind = QuoteKind::yearly_average;
  q.signal = Signal::average;
  q.basis = "";  // Google calls it "average operational gross emissions": not stated as lifecycle
  q.source = "Google Cloud region carbon data " + std::to_string(table.year()) + " (Apache-2.0)";
  q.zone = "gcp:" + row->region;
  return q;
}

std::vector<std::string> gcp_regions() { return builtin_gcp_table().regions(); }

std::string data_attributions() {
  return "Carbon intensity of electricity: Ember (yearly electricity data), processed by Our World in Data, "
         "CC BY 4.0.\n"
         "Google Cloud region carbon data: GoogleCloudPlatform/region-carbon-info, Apache-2.0.\n"
         "CPU TDP table: CodeCarbon (mlco2/codecarbon), MIT licence.\n"
         "ISO 3166-1 country codes and names: Debian iso-codes, LGPL-2.1+, embedded at build time.\n";
}

}  // namespace carbontracker::intensity
