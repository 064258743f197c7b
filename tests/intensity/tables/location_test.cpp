// Where the run happens: precedence (explicit > env > geolocation > none), the "how" text of
// each, normalisation of every kind of input, and errors for bad explicit input.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <stdexcept>

#include "intensity/resolve.hpp"
#include "test_support.hpp"

namespace carbontracker::intensity {
namespace {

using carbontracker::testing::fixed_env;

const GetEnv kNoEnv = fixed_env({});

// A geolocator that counts its calls.
struct FakeGeolocation {
  Result<Location> answer;
  int calls = 0;
  Geolocator fn() {
    return [this]() -> Result<Location> {
      ++calls;
      return answer;
    };
  }
};

Location ipinfo(const char* country, double lat, double lon, std::optional<std::string> postal = std::nullopt) {
  Location l;
  l.country = country;
  l.latitude = lat;
  l.longitude = lon;
  l.gb_postcode = std::move(postal);
  l.how = "IP geolocation (ipinfo.io)";
  return l;
}

Setting<std::string> from(const char* value, const char* source) { return {value, source}; }

// ---- Precedence ----------------------------------------------------------------------------------

TEST(ResolveLocation, ExplicitBeatsEnvAndGeolocation) {
  LocationSettings s;
  s.country = from("DK", "--country");
  s.geolocate = true;
  FakeGeolocation geo{ipinfo("DE", 52.52, 13.405)};
  auto r = resolve_location(s, fixed_env({{"CARBONTRACKER_ZONE", "DE"}, {"CARBONTRACKER_GB_POSTCODE", "RG10"}}), geo.fn());
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(r->country, "DK");
  EXPECT_FALSE(r->zone);
  EXPECT_FALSE(r->gb_postcode);
  EXPECT_EQ(r->how,
            "country DK from --country (CARBONTRACKER_ZONE, CARBONTRACKER_GB_POSTCODE ignored: explicit settings win)");
  EXPECT_EQ(geo.calls, 0);
}

TEST(ResolveLocation, AVariableAlreadyMergedIntoTheSettingsIsNotCalledIgnored) {
  // The CLI's configuration layer may pass CARBONTRACKER_COUNTRY on as a setting.
  LocationSettings s;
  s.country = from("DK", "CARBONTRACKER_COUNTRY");
  auto r = resolve_location(s, fixed_env({{"CARBONTRACKER_COUNTRY", "DK"}}), {});
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(r->how, "country DK from CARBONTRACKER_COUNTRY");
}

TEST(ResolveLocation, EnvBeatsGeolocation) {
  LocationSettings s;
  s.geolocate = true;
  FakeGeolocation geo{ipinfo("DE", 52.52, 13.405)};
  auto r = resolve_location(s, fixed_env({{"CARBONTRACKER_ZONE", "dk-dk2"}}), geo.fn());
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(r->zone, "DK-DK2");
  EXPECT_FALSE(r->country);
  EXPECT_EQ(r->how, "zone DK-DK2 from CARBONTRACKER_ZONE");
  EXPECT_EQ(geo.calls, 0);
}

TEST(ResolveLocation, GeolocationWhenEnabledAndNothingElse) {
  LocationSettings s;
  s.geolocate = true;
  FakeGeolocation geo{ipinfo("de", 52.52, 13.405, "10115")};
  auto r = resolve_location(s, kNoEnv, geo.fn());
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(geo.calls, 1);
  EXPECT_EQ(r->country, "DE");
  EXPECT_DOUBLE_EQ(*r->latitude, 52.52);
  EXPECT_DOUBLE_EQ(*r->longitude, 13.405);
  EXPECT_FALSE(r->gb_postcode);  // a German postal code is not a GB postcode
  EXPECT_EQ(r->how, "country DE, coordinates 52.52,13.405 from IP geolocation (ipinfo.io)");
}

TEST(ResolveLocation, GeolocatedGbPostcodeKeepsTheOutwardCode) {
  LocationSettings s;
  s.geolocate = true;
  FakeGeolocation geo{ipinfo("GB", 51.45, -0.97, "RG1 1AA")};
  auto r = resolve_location(s, kNoEnv, geo.fn());
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(r->gb_postcode, "RG1");
  EXPECT_EQ(r->how, "country GB, coordinates 51.45,-0.97, GB postcode RG1 from IP geolocation (ipinfo.io)");
}

TEST(ResolveLocation, NothingConfiguredAndGeolocationOffMeansNoLocation) {
  FakeGeolocation geo{ipinfo("DE", 52.52, 13.405)};
  auto r = resolve_location(LocationSettings{}, kNoEnv, geo.fn());
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->empty());
  EXPECT_EQ(r->how, "no location configured (world average used)");
  EXPECT_EQ(geo.calls, 0);
}

TEST(ResolveLocation, GeolocationFailureFallsThroughWithTheReason) {
  LocationSettings s;
  s.geolocate = true;
  FakeGeolocation geo{Status(StatusCode::transient, "ipinfo.io: timed out after 1.5 s")};
  auto r = resolve_location(s, kNoEnv, geo.fn());
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->empty());
  EXPECT_EQ(r->how, "no location configured (world average used); IP geolocation failed: ipinfo.io: timed out after 1.5 s");
}

TEST(ResolveLocation, UnusableGeolocationAnswersFallThrough) {
  LocationSettings s;
  s.geolocate = true;
  FakeGeolocation unknown{ipinfo("ZZ", 0, 0)};
  auto r = resolve_location(s, kNoEnv, unknown.fn());
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->empty());
  EXPECT_NE(r->how.find("IP geolocation failed: IP geolocation (ipinfo.io) answered an unknown country \"ZZ\""),
            std::string::npos);

  FakeGeolocation nothing{Location{}};
  r = resolve_location(s, kNoEnv, nothing.fn());
  ASSERT_TRUE(r);
  EXPECT_NE(r->how.find("gave no usable location"), std::string::npos);

  r = resolve_location(s, kNoEnv, Geolocator{});
  ASSERT_TRUE(r);
  EXPECT_NE(r->how.find("not available in this build"), std::string::npos);

  r = resolve_location(s, kNoEnv, []() -> Result<Location> { throw std::runtime_error("boom"); });
  ASSERT_TRUE(r);
  EXPECT_NE(r->how.find("IP geolocation failed: threw: boom"), std::string::npos);
}

// ---- Environment -----------------------------------------------------------------------------------

TEST(ResolveLocation, EachEnvironmentVariable) {
  struct Case {
    const char* var;
    const char* value;
    const char* how;
  };
  const Case cases[] = {
      {"CARBONTRACKER_ZONE", "us-cal-ciso", "zone US-CAL-CISO from CARBONTRACKER_ZONE"},
      {"CARBONTRACKER_COUNTRY", "Denmark", "country DK from CARBONTRACKER_COUNTRY"},
      {"CARBONTRACKER_CLOUD", "gcp:europe-west1", "cloud region gcp:europe-west1 from CARBONTRACKER_CLOUD"},
      {"CARBONTRACKER_GB_POSTCODE", "rg10 6xy", "GB postcode RG10 from CARBONTRACKER_GB_POSTCODE"},
  };
  for (const auto& c : cases) {
    auto r = resolve_location(LocationSettings{}, fixed_env({{c.var, c.value}}), {});
    ASSERT_TRUE(r) << c.var << ": " << r.status().to_string();
    EXPECT_EQ(r->how, c.how);
  }
}

TEST(ResolveLocation, BlankEnvironmentValuesCountAsUnset) {
  auto r = resolve_location(LocationSettings{}, fixed_env({{"CARBONTRACKER_COUNTRY", "  "}, {"CARBONTRACKER_ZONE", ""}}), {});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->empty());
}

TEST(ResolveLocation, BadEnvironmentValueIsAnErrorNamingTheVariable) {
  auto r = resolve_location(LocationSettings{}, fixed_env({{"CARBONTRACKER_COUNTRY", "Atlantis"}}), {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::invalid_argument);
  EXPECT_NE(r.status().message().find("\"Atlantis\" from CARBONTRACKER_COUNTRY"), std::string::npos);
  EXPECT_FALSE(r.status().fix().empty());
}

TEST(ResolveLocation, ProcessEnvReadsTheRealEnvironment) {
  ASSERT_EQ(::setenv("CARBONTRACKER_TABLES_TEST_VAR", "DK-DK1", 1), 0);
  const GetEnv env = process_env();
  EXPECT_EQ(env("CARBONTRACKER_TABLES_TEST_VAR"), "DK-DK1");
  ::unsetenv("CARBONTRACKER_TABLES_TEST_VAR");
  EXPECT_FALSE(env("CARBONTRACKER_TABLES_TEST_VAR"));
}

// ---- Explicit settings ---------------------------------------------------------------------------

TEST(ResolveLocation, SeveralExplicitSettingsSayWhereEachCameFrom) {
  LocationSettings s;
  s.zone = from("de", "--zone");
  s.country = from("DEU", "config file");
  s.cloud = from("gcp:europe-west3", "config file");
  s.latitude = Setting<double>{50.11, "--lat"};
  s.longitude = Setting<double>{8.68, "--lon"};
  auto r = resolve_location(s, kNoEnv, {});
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(r->zone, "DE");
  EXPECT_EQ(r->country, "DE");
  EXPECT_EQ(r->cloud, "gcp:europe-west3");
  EXPECT_EQ(r->how,
            "zone DE from --zone; country DE, cloud region gcp:europe-west3 from config file; "
            "coordinates 50.11,8.68 from --lat, --lon");
}

TEST(ResolveLocation, GbRegionIdAndItsRange) {
  LocationSettings s;
  s.gb_region_id = Setting<int>{13, "--gb-region"};
  auto r = resolve_location(s, kNoEnv, {});
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(r->gb_region_id, 13);
  EXPECT_EQ(r->how, "GB region 13 from --gb-region");
  for (int bad : {0, 18, -1}) {
    s.gb_region_id = Setting<int>{bad, "--gb-region"};
    auto e = resolve_location(s, kNoEnv, {});
    ASSERT_FALSE(e) << bad;
    EXPECT_NE(e.status().message().find("from --gb-region"), std::string::npos);
  }
}

TEST(ResolveLocation, CoordinatesAreRangeChecked) {
  struct Case {
    std::optional<double> lat, lon;
    bool ok;
  };
  const Case cases[] = {
      {55.68, 12.57, true}, {-90, 180, true},  {90.5, 0, false},    {0, -180.5, false},
      {NAN, 0, false},      {0, INFINITY, false}, {55.0, std::nullopt, false}, {std::nullopt, 12.0, false},
  };
  for (const auto& c : cases) {
    LocationSettings s;
    if (c.lat) s.latitude = Setting<double>{*c.lat, "--lat"};
    if (c.lon) s.longitude = Setting<double>{*c.lon, "--lon"};
    auto r = resolve_location(s, kNoEnv, {});
    EXPECT_EQ(r.is_ok(), c.ok) << (c.lat ? *c.lat : -999) << "," << (c.lon ? *c.lon : -999);
    if (!r) {
      EXPECT_EQ(r.status().code(), StatusCode::invalid_argument);
      EXPECT_FALSE(r.status().fix().empty());
    }
  }
}

TEST(ResolveLocation, BadExplicitInputIsAnErrorNotAFallback) {
  LocationSettings s;
  s.country = from("Atlantis", "--country");
  s.geolocate = true;
  FakeGeolocation geo{ipinfo("DE", 52.52, 13.405)};
  auto r = resolve_location(s, fixed_env({{"CARBONTRACKER_COUNTRY", "DK"}}), geo.fn());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().to_string(),
            "country \"Atlantis\" from --country: not an ISO 3166-1 code or English country name; fix: give an "
            "ISO 3166-1 alpha-2 code (DK), alpha-3 code (DNK) or English name (Denmark)");
  EXPECT_EQ(geo.calls, 0);
}

// ---- Normalisers ---------------------------------------------------------------------------------

TEST(Normalise, CountryToAlpha2) {
  const std::pair<const char*, const char*> cases[] = {
      {"dk", "DK"}, {"DNK", "DK"}, {"Denmark", "DK"}, {" germany ", "DE"}, {"UK", "GB"},
      {"United States", "US"}, {"XK", "XK"}, {"South Korea", "KR"},
  };
  for (const auto& [in, out] : cases) {
    auto r = normalize_country(in);
    ASSERT_TRUE(r) << in;
    EXPECT_EQ(*r, out) << in;
  }
  for (const char* bad : {"", "D", "Atlantis", "EU", "Europe"}) EXPECT_FALSE(normalize_country(bad)) << bad;
}

TEST(Normalise, ZoneKeysUpperCaseAsGiven) {
  const std::pair<const char*, const char*> cases[] = {
      {"dk-dk2", "DK-DK2"}, {"DE", "DE"}, {"us-cal-ciso", "US-CAL-CISO"}, {"CAISO_NORTH", "CAISO_NORTH"}, {" gb ", "GB"}};
  for (const auto& [in, out] : cases) {
    auto r = normalize_zone(in);
    ASSERT_TRUE(r) << in;
    EXPECT_EQ(*r, out);
  }
  for (const char* bad : {"", "DK DK2", "-DK", "DK-", "1DK", "DK/DK2", "Dänemark"}) {
    auto r = normalize_zone(bad, "--zone");
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.status().message().find("from --zone"), std::string::npos);
  }
}

TEST(Normalise, CloudRegionsNeedAProviderAndAKnownRegion) {
  EXPECT_EQ(normalize_cloud("gcp:europe-west1").value_or(""), "gcp:europe-west1");
  EXPECT_EQ(normalize_cloud("GCP:Europe-West1").value_or(""), "gcp:europe-west1");
  EXPECT_EQ(normalize_cloud("google:us-east1").value_or(""), "gcp:us-east1");

  auto no_prefix = normalize_cloud("europe-west1", "--cloud");
  ASSERT_FALSE(no_prefix);
  EXPECT_NE(no_prefix.status().fix().find("gcp:europe-west1"), std::string::npos);

  auto aws = normalize_cloud("aws:eu-west-1", "--cloud");
  ASSERT_FALSE(aws);
  EXPECT_NE(aws.status().message().find("\"aws\""), std::string::npos);
  EXPECT_NE(aws.status().fix().find("--country"), std::string::npos);

  auto unknown = normalize_cloud("gcp:mars-north1", "CARBONTRACKER_CLOUD");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.status().message().find("from CARBONTRACKER_CLOUD"), std::string::npos);
  EXPECT_NE(unknown.status().fix().find("europe-north2"), std::string::npos);
}

TEST(Normalise, GbPostcodeToOutwardCode) {
  const std::pair<const char*, const char*> cases[] = {
      {"RG10 6XY", "RG10"}, {"rg10 6xy", "RG10"}, {"RG106XY", "RG10"}, {"RG10", "RG10"}, {"EC1A 1BB", "EC1A"},
      {"W1A 1AA", "W1A"},   {"M1 1AE", "M1"},     {"SW1A1AA", "SW1A"}, {"B33 8TH", "B33"}, {" cr2 6xh ", "CR2"},
      {"M1", "M1"},
  };
  for (const auto& [in, out] : cases) {
    auto r = gb_outward_code(in);
    ASSERT_TRUE(r) << in << ": " << r.status().to_string();
    EXPECT_EQ(*r, out) << in;
  }
  for (const char* bad : {"", "12345", "RG10 XXX", "RG10 6X", "ABC1", "R", "RG10 6XY 1", "10115"}) {
    auto r = gb_outward_code(bad, "--gb-postcode");
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.status().message().find("from --gb-postcode"), std::string::npos);
    EXPECT_NE(r.status().fix().find("RG10 6XY"), std::string::npos);
  }
}

TEST(Normalise, CountryOfAZone) {
  EXPECT_EQ(zone_country("DK-DK2"), "DK");
  EXPECT_EQ(zone_country("de"), "DE");
  EXPECT_EQ(zone_country("US-CAL-CISO"), "US");
  EXPECT_EQ(zone_country("CAISO_NORTH"), std::nullopt);
  EXPECT_EQ(zone_country("XX-YY"), std::nullopt);
  EXPECT_EQ(zone_country(""), std::nullopt);
}

}  // namespace
}  // namespace carbontracker::intensity
