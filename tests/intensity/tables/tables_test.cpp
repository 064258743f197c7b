// The compiled-in intensity tables (Ember/OWID countries, Google Cloud regions, ISO 3166) and
// the parsers behind them, on the shipped data and on small malformed tables.
#include "intensity/tables.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <clocale>
#include <thread>
#include <vector>

#include "intensity/defaults.hpp"

namespace carbontracker::intensity {
namespace {

using std::chrono::sys_days;
using namespace std::chrono_literals;

TimePoint jan1(int y) { return sys_days(std::chrono::year(y) / std::chrono::January / 1); }

// ---- quote.hpp ---------------------------------------------------------------------------------

TEST(Quote, KindAndSignalWords) {
  EXPECT_EQ(to_string(QuoteKind::measured), "measured");
  EXPECT_EQ(to_string(QuoteKind::forecast), "forecast");
  EXPECT_EQ(to_string(QuoteKind::yearly_average), "yearly average");
  EXPECT_EQ(to_string(QuoteKind::assumed), "assumed");
  EXPECT_EQ(to_string(QuoteKind::fixed), "fixed");
  EXPECT_EQ(to_string(Signal::average), "average");
  EXPECT_EQ(to_string(Signal::marginal), "marginal");
}

// ---- Per-country table ---------------------------------------------------------------------------

TEST(CountryTable, ShippedTableParsesWithoutRejections) {
  const CountryIntensityTable& t = builtin_country_table();
  for (const auto& r : t.rejected()) ADD_FAILURE() << "line " << r.line << " " << r.text << ": " << r.reason;
  EXPECT_EQ(t.latest_by_code().size(), 215u);  // 213 ISO codes + OWID_WRL + OWID_KOS
  EXPECT_GT(t.rows_read(), 5000u);
  EXPECT_GT(t.aggregate_rows(), 0u);
}

TEST(CountryTable, DenmarkByAlpha2Alpha3AndName) {
  for (const char* q : {"DK", "dk", "DNK", "Denmark", "DENMARK", "  denmark ", "Kingdom of Denmark"}) {
    auto r = country_intensity(q);
    ASSERT_TRUE(r) << q << ": " << r.status().to_string();
    EXPECT_NEAR(r->g_per_kwh, 143.3, 0.05) << q;
    EXPECT_EQ(r->zone, "DNK");
    EXPECT_EQ(r->kind, QuoteKind::yearly_average);
    EXPECT_EQ(r->signal, Signal::average);
    EXPECT_EQ(r->basis, "lifecycle");
    EXPECT_EQ(r->source, "Ember yearly electricity data 2024 via Our World in Data (CC BY 4.0)");
    EXPECT_EQ(r->start, jan1(2024));
    EXPECT_EQ(r->end, jan1(2025));
  }
}

TEST(CountryTable, SpotValuesFor2024) {
  struct Case {
    const char* country;
    const char* code;
    double g_per_kwh;
  };
  const Case cases[] = {
      {"SE", "SWE", 35.8},  {"FRA", "FRA", 44.2},           {"Germany", "DEU", 344.1}, {"US", "USA", 383.5},
      {"CN", "CHN", 559.6}, {"India", "IND", 708.3},        {"GB", "GBR", 210.9},      {"UK", "GBR", 210.9},
      {"NO", "NOR", 30.7},  {"United Kingdom", "GBR", 210.9}, {"PL", "POL", 615.0},    {"JP", "JPN", 482.3},
  };
  for (const auto& c : cases) {
    auto r = country_intensity(c.country);
    ASSERT_TRUE(r) << c.country << ": " << r.status().to_string();
    EXPECT_NEAR(r->g_per_kwh, c.g_per_kwh, 0.05) << c.country;
    EXPECT_EQ(r->zone, c.code) << c.country;
    EXPECT_EQ(r->start, jan1(2024)) << c.country;
  }
}

TEST(CountryTable, OwidAndCommonNamesAreAccepted) {
  // ISO short names differ from what people (and OWID) write.
  const std::pair<const char*, const char*> cases[] = {
      {"Russia", "RUS"},      {"Russian Federation", "RUS"}, {"South Korea", "KOR"}, {"Korea, Republic of", "KOR"},
      {"Vietnam", "VNM"},     {"Viet Nam", "VNM"},           {"Turkey", "TUR"},      {"Iran", "IRN"},
      {"Cote d'Ivoire", "CIV"}, {"Taiwan", "TWN"},
  };
  for (const auto& [name, code] : cases) {
    auto r = country_intensity(name);
    ASSERT_TRUE(r) << name << ": " << r.status().to_string();
    EXPECT_EQ(r->zone, code) << name;
  }
}

TEST(CountryTable, LatestYearVariesByCountryAndIsReported) {
  auto sahara = country_intensity("EH");  // Western Sahara: last Ember year 2009
  ASSERT_TRUE(sahara) << sahara.status().to_string();
  EXPECT_EQ(sahara->start, jan1(2009));
  EXPECT_EQ(sahara->source, "Ember yearly electricity data 2009 via Our World in Data (CC BY 4.0)");
  auto kosovo = country_intensity("XK");  // not ISO; OWID's own code
  ASSERT_TRUE(kosovo) << kosovo.status().to_string();
  EXPECT_EQ(kosovo->zone, "OWID_KOS");
  EXPECT_NEAR(kosovo->g_per_kwh, 958.7, 0.05);
}

TEST(CountryTable, UnknownCountryIsAnErrorNamingTheInputAndTheFix) {
  auto r = country_intensity("Atlantis");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::invalid_argument);
  EXPECT_NE(r.status().message().find("\"Atlantis\""), std::string::npos);
  EXPECT_NE(r.status().fix().find("alpha-2"), std::string::npos);
  EXPECT_FALSE(country_intensity("ZZ"));
  EXPECT_FALSE(country_intensity(""));
}

TEST(CountryTable, KnownCountryWithoutDataIsNotFound) {
  auto r = country_intensity("AQ");  // Antarctica: ISO code, no Ember row
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::not_found);
  EXPECT_NE(r.status().message().find("Antarctica"), std::string::npos);
  EXPECT_FALSE(r.status().fix().empty());
}

TEST(CountryTable, AggregatesAreNotCountries) {
  const auto& t = builtin_country_table();
  for (const auto& [code, row] : t.latest_by_code()) {
    EXPECT_FALSE(code.empty());
    EXPECT_EQ(row.entity.find("(Ember)"), std::string::npos) << code;
  }
  EXPECT_EQ(t.latest("EU (Ember)"), nullptr);
  for (const char* agg : {"Africa", "EU (Ember)", "Europe", "High-income countries", "World"}) {
    EXPECT_FALSE(country_intensity(agg)) << agg;
  }
}

TEST(CountryTable, WorldAverageIs473AndMatchesTheDefaultConstant) {
  auto w = world_average_intensity();
  ASSERT_TRUE(w) << w.status().to_string();
  EXPECT_NEAR(w->g_per_kwh, 473.0, 0.05);
  EXPECT_NEAR(w->g_per_kwh, kWorldAverage2024GPerKwh, 0.05);
  EXPECT_EQ(w->kind, QuoteKind::assumed);
  EXPECT_EQ(w->zone, "World");
  EXPECT_EQ(w->start, jan1(2024));
  EXPECT_EQ(w->source, "Ember yearly electricity data 2024 via Our World in Data (CC BY 4.0)");
}

TEST(CountryTable, MalformedRowsAreRejectedWithLineNumbers) {
  const std::string csv =
      "Entity,Code,Year,Carbon intensity of electricity - gCO2/kWh\n"  // 1
      "Denmark,DNK,2023,150.5\n"                                        // 2 ok
      "Denmark,DNK,2024,143.3\n"                                        // 3 ok (latest)
      "Denmark,DNK,2022,180\n"                                          // 4 ok (older, after)
      "Denmark,DNK,2024,99\n"                                           // 5 duplicate of 3
      "Sweden,SWE,20x4,30\n"                                            // 6 bad year
      "Sweden,SWE,2024,27.29.5\n"                                       // 7 not a number
      "Sweden,SWE,2023,-4\n"                                            // 8 negative
      "Sweden,SWE,2022,nan\n"                                           // 9 not finite
      "Sweden,swe,2021,30\n"                                            // 10 bad code
      "Sweden,SWE,2020\n"                                               // 11 too few columns
      ",NOR,2024,30\n"                                                  // 12 no entity
      "Norway,NOR,2024,\n"                                              // 13 no value
      "Africa (Ember),,2024,500\n"                                      // 14 aggregate
      "\"Congo, Dem. Rep.\",COD,2024,1.5\n"                             // 15 ok, quoted comma
      "World,OWID_WRL,2024,473.0065\n";                                  // 16 ok
  const auto t = CountryIntensityTable::parse(csv, "test.csv");
  std::vector<unsigned> lines;
  for (const auto& r : t.rejected()) lines.push_back(r.line);
  EXPECT_EQ(lines, (std::vector<unsigned>{5, 6, 7, 8, 9, 10, 11, 12, 13}));
  ASSERT_EQ(t.rejected().size(), 9u);
  EXPECT_NE(t.rejected()[0].reason.find("duplicate of line 3"), std::string::npos);
  EXPECT_NE(t.rejected()[2].reason.find("27.29.5"), std::string::npos);
  EXPECT_EQ(t.rejected()[2].text, "Sweden");
  EXPECT_EQ(t.rows_read(), 5u);
  EXPECT_EQ(t.aggregate_rows(), 1u);
  ASSERT_NE(t.latest("dnk"), nullptr);
  EXPECT_EQ(t.latest("DNK")->year, 2024);
  EXPECT_DOUBLE_EQ(t.latest("DNK")->g_per_kwh, 143.3);
  EXPECT_EQ(t.latest("DNK")->line, 3u);
  EXPECT_EQ(t.latest("SWE"), nullptr);
  ASSERT_NE(t.latest("COD"), nullptr);
  EXPECT_EQ(t.latest("COD")->entity, "Congo, Dem. Rep.");
  EXPECT_EQ(t.latest_by_code().size(), 3u);
}

TEST(CountryTable, WrongHeaderLeavesTheTableEmptyWithOneRejection) {
  const auto t = CountryIntensityTable::parse("Entity,Code,Year,Value\nDenmark,DNK,2024,143\n");
  EXPECT_TRUE(t.latest_by_code().empty());
  ASSERT_EQ(t.rejected().size(), 1u);
  EXPECT_EQ(t.rejected()[0].line, 1u);
  const auto empty = CountryIntensityTable::parse("");
  EXPECT_TRUE(empty.latest_by_code().empty());
  EXPECT_EQ(empty.rejected().size(), 1u);
}

TEST(CountryTable, ParsingIgnoresACommaDecimalLocale) {
  const char* set = nullptr;
  for (const char* l : {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "da_DK.UTF-8"}) {
    if ((set = std::setlocale(LC_ALL, l)) != nullptr) break;
  }
  if (set == nullptr) GTEST_SKIP() << "no comma-decimal locale installed";
  const auto t = CountryIntensityTable::parse(
      "Entity,Code,Year,Carbon intensity of electricity - gCO2/kWh\nDenmark,DNK,2024,143.3\n");
  const auto g = CloudRegionTable::parse(
      "Google Cloud Region,Location,Google CFE,Grid carbon intensity (gCO2eq / kWh)\neurope-west1,Belgium,0.84,103.37\n",
      2024);
  std::setlocale(LC_ALL, "C");
  ASSERT_NE(t.latest("DNK"), nullptr);
  EXPECT_DOUBLE_EQ(t.latest("DNK")->g_per_kwh, 143.3);
  ASSERT_NE(g.find("europe-west1"), nullptr);
  EXPECT_DOUBLE_EQ(g.find("europe-west1")->g_per_kwh, 103.37);
}

TEST(CountryTable, FirstUseFromManyThreadsAgrees) {
  std::vector<double> seen(8, 0.0);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&seen, i] {
      auto r = country_intensity(i % 2 ? "DK" : "Denmark");
      seen[i] = r ? r->g_per_kwh : -1;
    });
  }
  for (auto& t : threads) t.join();
  for (double v : seen) EXPECT_NEAR(v, 143.3, 0.05);
}

// ---- Google Cloud regions ------------------------------------------------------------------------

TEST(GcpRegions, SpotValuesFor2024) {
  const std::pair<const char*, double> cases[] = {
      {"europe-north2", 2.73}, {"europe-west3", 275.82}, {"us-east1", 575.77}, {"me-central1", 366}};
  for (const auto& [region, g] : cases) {
    auto r = gcp_region_intensity(region);
    ASSERT_TRUE(r) << region << ": " << r.status().to_string();
    EXPECT_DOUBLE_EQ(r->g_per_kwh, g) << region;
    EXPECT_EQ(r->zone, std::string("gcp:") + region);
  }
}

TEST(GcpRegions, QuoteFieldsAndPrefixedCaseInsensitiveLookup) {
  for (const char* q : {"europe-west1", "gcp:europe-west1", "GCP:Europe-West1", " europe-west1 "}) {
    auto r = gcp_region_intensity(q);
    ASSERT_TRUE(r) << q << ": " << r.status().to_string();
    EXPECT_DOUBLE_EQ(r->g_per_kwh, 103.37);
    EXPECT_EQ(r->zone, "gcp:europe-west1");
    EXPECT_EQ(r->kind, QuoteKind::yearly_average);
    EXPECT_EQ(r->signal, Signal::average);
    EXPECT_EQ(r->source, "Google Cloud region carbon data 2024 (Apache-2.0)");
    EXPECT_EQ(r->start, jan1(2024));
    EXPECT_EQ(r->end, jan1(2025));
  }
}

TEST(GcpRegions, UnknownRegionListsTheKnownOnes) {
  auto r = gcp_region_intensity("us-east-1");  // an AWS name
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::invalid_argument);
  EXPECT_NE(r.status().message().find("\"us-east-1\""), std::string::npos);
  EXPECT_NE(r.status().fix().find("europe-west1"), std::string::npos);
}

TEST(GcpRegions, ListIsSortedAndComplete) {
  const auto regions = gcp_regions();
  EXPECT_EQ(regions.size(), 44u);
  EXPECT_TRUE(std::is_sorted(regions.begin(), regions.end()));
  EXPECT_NE(std::find(regions.begin(), regions.end(), "europe-west1"), regions.end());
  EXPECT_TRUE(builtin_gcp_table().rejected().empty());
  EXPECT_EQ(builtin_gcp_table().year(), 2024);
  ASSERT_NE(builtin_gcp_table().find("europe-west6"), nullptr);
  EXPECT_EQ(builtin_gcp_table().find("europe-west6")->location, "Z\xC3\xBCrich");
  EXPECT_DOUBLE_EQ(builtin_gcp_table().find("europe-west6")->cfe_fraction, 0.98);
}

TEST(GcpRegions, MalformedRowsAreRejected) {
  const std::string csv =
      "Google Cloud Region,Location,Google CFE,Grid carbon intensity (gCO2eq / kWh)\n"  // 1
      "europe-west1,Belgium,0.84,103.37\n"                                              // 2 ok
      "Europe West 9,Paris,0.96,16.30\n"                                                // 3 bad name
      "europe-west9,Paris,1.5,16.30\n"                                                  // 4 CFE > 1
      "europe-west9,Paris,0.96,lots\n"                                                  // 5 bad value
      "europe-west1,Belgium,0.84,100\n"                                                 // 6 duplicate
      "europe-west2,London,0.79,105.94,extra\n";                                        // 7 too many columns
  const auto t = CloudRegionTable::parse(csv, 2024);
  std::vector<unsigned> lines;
  for (const auto& r : t.rejected()) lines.push_back(r.line);
  EXPECT_EQ(lines, (std::vector<unsigned>{3, 4, 5, 6, 7}));
  EXPECT_EQ(t.regions(), std::vector<std::string>{"europe-west1"});
  EXPECT_DOUBLE_EQ(t.find("europe-west1")->g_per_kwh, 103.37);
}

// ---- ISO 3166 --------------------------------------------------------------------------------------

TEST(CountryCodes, MapsAlpha2Alpha3AndNames) {
  const CountryCodes& c = builtin_country_codes();
  EXPECT_TRUE(c.rejected().empty());
  EXPECT_EQ(c.countries().size(), 250u);  // 249 ISO entries + Kosovo
  const Country* dk = c.by_alpha2("dk");
  ASSERT_NE(dk, nullptr);
  EXPECT_EQ(dk->alpha3, "DNK");
  EXPECT_EQ(dk->name, "Denmark");
  EXPECT_EQ(dk->official_name, "Kingdom of Denmark");
  EXPECT_EQ(c.by_alpha3("DNK"), dk);
  EXPECT_EQ(c.find("Denmark"), dk);
  EXPECT_EQ(c.by_alpha2("DNK"), nullptr);
  EXPECT_EQ(c.by_alpha3("DK"), nullptr);
  EXPECT_EQ(c.by_alpha2("UK"), nullptr);  // "UK" is a name alias, not a code
  ASSERT_NE(c.find("UK"), nullptr);
  EXPECT_EQ(c.find("UK")->alpha2, "GB");
  EXPECT_EQ(c.find("Korea, Democratic People's Republic of")->alpha2, "KP");
  EXPECT_EQ(c.find("South Korea")->alpha2, "KR");
  EXPECT_EQ(c.find("Atlantis"), nullptr);

  auto country = find_country("united states");
  ASSERT_TRUE(country);
  EXPECT_EQ(country->alpha2, "US");
  EXPECT_EQ(country->alpha3, "USA");
  EXPECT_EQ(find_country("Narnia").status().code(), StatusCode::invalid_argument);
}

TEST(CountryCodes, MalformedEntriesAreRejectedByEntryNumber) {
  const auto c = CountryCodes::parse(R"({"3166-1": [
      {"alpha_2": "DK", "alpha_3": "DNK", "name": "Denmark"},
      {"alpha_2": "SE", "name": "Sweden"},
      {"alpha_2": "no", "alpha_3": "NOR", "name": "Norway"},
      {"alpha_2": "DE", "alpha_3": "DEU"},
      {"alpha_2": "DK", "alpha_3": "DNX", "name": "Denmark again"},
      "not an object",
      {"alpha_2": "FI", "alpha_3": "FIN", "name": "Finland", "official_name": "Republic of Finland"}
  ]})");
  std::vector<unsigned> entries;
  for (const auto& r : c.rejected()) entries.push_back(r.line);
  EXPECT_EQ(entries, (std::vector<unsigned>{2, 3, 4, 5, 6}));
  EXPECT_NE(c.find("Republic of Finland"), nullptr);
  EXPECT_EQ(c.find("Sweden"), nullptr);
  EXPECT_EQ(c.find("DK")->name, "Denmark");

  const auto broken = CountryCodes::parse("{ not json");
  ASSERT_EQ(broken.rejected().size(), 1u);
  EXPECT_EQ(broken.find("DK"), nullptr);
}

// ---- Attributions ------------------------------------------------------------------------------------

TEST(Attributions, OneLinePerShippedTable) {
  const std::string a = data_attributions();
  EXPECT_NE(a.find("Carbon intensity of electricity: Ember (yearly electricity data), processed by Our World in "
                   "Data, CC BY 4.0.\n"),
            std::string::npos);
  EXPECT_NE(a.find("Google Cloud region carbon data: GoogleCloudPlatform/region-carbon-info, Apache-2.0.\n"),
            std::string::npos);
  EXPECT_NE(a.find("CPU TDP table: CodeCarbon (mlco2/codecarbon), MIT licence.\n"), std::string::npos);
  EXPECT_NE(a.find("Debian iso-codes, LGPL-2.1+"), std::string::npos);
  EXPECT_EQ(std::count(a.begin(), a.end(), '\n'), 4);
  // Data not shipped in the binary is not attributed.
  EXPECT_EQ(a.find("IEA"), std::string::npos);
  EXPECT_EQ(a.find("vessim"), std::string::npos);
}

}  // namespace
}  // namespace carbontracker::intensity
