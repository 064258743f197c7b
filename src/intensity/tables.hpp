// Offline carbon-intensity tables, compiled in (data/intensity/, see docs/intensity.md):
//  - per-country yearly averages: Ember yearly electricity data via Our World in Data (CC BY 4.0),
//    the latest year per ISO 3166-1 alpha-3 code; aggregates (empty Code) are not countries;
//  - Google Cloud regions 2024 (GoogleCloudPlatform/region-carbon-info, Apache-2.0);
//  - ISO 3166-1 codes and names (Debian iso-codes) for alpha-2 <-> alpha-3 <-> name.
//
// Contract
//  - Units: gCO2eq/kWh. Quotes cover the calendar year of their row, [Jan 1, Jan 1 next year) UTC.
//  - The builtin_*() tables are parsed once, lazily, on first use (function-local statics:
//    thread-safe, nothing at start-up). The parse() functions read any text the same way (tests).
//  - Malformed rows are rejected, never repaired or guessed: each rejection keeps its line and
//    reason, and parsing goes on with the next row. Bad input never throws (only bad_alloc).
//  - Lookups are case-insensitive exact matches (ASCII case folding); no fuzzy matching.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.hpp"
#include "intensity/quote.hpp"

namespace carbontracker::data {
extern const std::string_view kOwidIntensityCsv;  // data/intensity/owid_carbon_intensity_electricity.csv
extern const std::string_view kGcpRegionCsv;      // data/intensity/gcp_region_carbon_2024.csv
extern const std::string_view kIso3166Json;       // /usr/share/iso-codes/json/iso_3166-1.json
}  // namespace carbontracker::data

namespace carbontracker::intensity {

struct TableRejection {
  unsigned line = 0;   // 1-based CSV line (header = 1); for the ISO JSON, the 1-based entry number
  std::string text;    // the row's key (entity, region) when it could be read
  std::string reason;
};

// ---- ISO 3166-1 -------------------------------------------------------------------------------

struct Country {
  std::string alpha2;         // "DK"
  std::string alpha3;         // "DNK"
  std::string name;           // "Denmark"; ISO short name ("Korea, Republic of")
  std::string official_name;  // may be empty
  std::string common_name;    // may be empty ("South Korea")
};

class CountryCodes {
 public:
  // Kosovo is not in ISO 3166-1; the user-assigned XK/XKX (Electricity Maps, the EU) is added
  // so that OWID's "OWID_KOS" row is reachable.
  static CountryCodes parse(std::string_view iso_3166_json);

  // Alpha-2, alpha-3, ISO name, official name or common name; surrounding spaces ignored.
  [[nodiscard]] const Country* find(std::string_view any) const;
  [[nodiscard]] const Country* by_alpha2(std::string_view a2) const;
  [[nodiscard]] const Country* by_alpha3(std::string_view a3) const;
  // Extra names (e.g. OWID entity names "Russia", "Vietnam") for a known alpha-3 code.
  void add_alias(std::string_view name, std::string_view alpha3);

  [[nodiscard]] const std::vector<Country>& countries() const noexcept { return countries_; }
  [[nodiscard]] const std::vector<TableRejection>& rejected() const noexcept { return rejected_; }

 private:
  void add(Country c);
  std::vector<Country> countries_;
  std::map<std::string, std::size_t, std::less<>> by_key_;  // lower-cased code or name -> index
  std::vector<TableRejection> rejected_;
};

// ---- Per-country yearly intensity (Ember via OWID) -----------------------------------------------

struct CountryIntensity {
  std::string code;    // "DNK", or OWID's own code ("OWID_WRL" World, "OWID_KOS" Kosovo)
  std::string entity;  // "Denmark"
  int year = 0;
  double g_per_kwh = 0;
  unsigned line = 0;
};

class CountryIntensityTable {
 public:
  static CountryIntensityTable parse(std::string_view csv_text,
                                     const std::string& source_name = "owid_carbon_intensity_electricity.csv");

  // Latest year for a code ("DNK", "OWID_WRL"); case-insensitive. nullptr when absent.
  [[nodiscard]] const CountryIntensity* latest(std::string_view code) const;
  // Latest value of every code (countries and OWID_* codes; never the aggregates), by code.
  [[nodiscard]] const std::map<std::string, CountryIntensity, std::less<>>& latest_by_code() const noexcept {
    return latest_;
  }
  [[nodiscard]] std::size_t rows_read() const noexcept { return rows_read_; }  // accepted rows, all years
  [[nodiscard]] std::size_t aggregate_rows() const noexcept { return aggregate_rows_; }
  [[nodiscard]] const std::vector<TableRejection>& rejected() const noexcept { return rejected_; }

 private:
  std::map<std::string, CountryIntensity, std::less<>> latest_;
  std::size_t rows_read_ = 0;
  std::size_t aggregate_rows_ = 0;
  std::vector<TableRejection> rejected_;
};

// ---- Google Cloud regions --------------------------------------------------------------------------

struct CloudRegionIntensity {
  std::string region;    // "europe-west1"
  std::string location;  // "Belgium"
  double cfe_fraction = 0;  // Google CFE, 0..1
  double g_per_kwh = 0;
  unsigned line = 0;
};

class CloudRegionTable {
 public:
  static CloudRegionTable parse(std::string_view csv_text, int year,
                                const std::string& source_name = "gcp_region_carbon.csv");
  [[nodiscard]] const CloudRegionIntensity* find(std::string_view region) const;  // case-insensitive
  [[nodiscard]] std::vector<std::string> regions() const;  // sorted
  [[nodiscard]] int year() const noexcept { return year_; }
  [[nodiscard]] const std::vector<TableRejection>& rejected() const noexcept { return rejected_; }

 private:
  int year_ = 0;
  std::map<std::string, CloudRegionIntensity, std::less<>> rows_;  // by lower-cased region
  std::vector<TableRejection> rejected_;
};

// ---- The compiled-in tables and quotes from them ---------------------------------------------------

// ISO codes plus the OWID entity names of coded rows as aliases.
const CountryCodes& builtin_country_codes();
const CountryIntensityTable& builtin_country_table();
const CloudRegionTable& builtin_gcp_table();  // 2024

// Country by alpha-2, alpha-3 or English name. invalid_argument naming the input and the fix.
Result<Country> find_country(std::string_view any);

// kind yearly_average, basis "lifecycle", zone = the table's code, interval = that year.
IntensityQuote country_quote(const CountryIntensity& row);
// not_found when the country has no row (e.g. Antarctica); invalid_argument when unknown.
Result<IntensityQuote> country_intensity(std::string_view any_country_name_or_code);
// OWID_WRL's latest year, kind assumed, zone "World" (473.0 for 2024). not_found if absent.
Result<IntensityQuote> world_average_intensity();
// "europe-west1" or "gcp:europe-west1". kind yearly_average, zone "gcp:<region>".
Result<IntensityQuote> gcp_region_intensity(std::string_view region);
std::vector<std::string> gcp_regions();

// The attribution lines (one per line, '\n'-terminated) for every table shipped in the binary,
// for `carbontracker --about` and the docs.
std::string data_attributions();

}  // namespace carbontracker::intensity
