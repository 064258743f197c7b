// Provider choice (every rule and override), keys from config vs env, and the offline chain.
#include "intensity/provider_choice.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

namespace carbontracker::intensity {
namespace {

constexpr const char* kToken = "em-secret-token-1234";

using carbontracker::testing::fixed_env;

Location choice_location(std::optional<std::string> country, std::optional<std::string> zone = std::nullopt) {
  Location l;
  l.country = std::move(country);
  l.zone = std::move(zone);
  return l;
}

ProviderKeys with_token() {
  ProviderKeys k;
  k.electricitymaps_token = kToken;
  k.electricitymaps_from = kEnvElectricityMapsToken;
  return k;
}

ProviderKeys with_watttime() {
  ProviderKeys k;
  k.watttime_user = "user";
  k.watttime_password = "pw-secret";
  k.watttime_from = "config api_keys";
  return k;
}

std::optional<Setting<std::string>> ask(const char* name) { return Setting<std::string>{name, "--provider"}; }

// ---- Keys ------------------------------------------------------------------------------------------

TEST(Keys, FromConfigOrEnvConfigFirst) {
  const auto env = fixed_env({{"CARBONTRACKER_ELECTRICITYMAPS_TOKEN", "env-token"},
                           {"CARBONTRACKER_WATTTIME_USER", "env-user"},
                           {"CARBONTRACKER_WATTTIME_PASSWORD", "env-pw"}});
  const ProviderKeys from_env = collect_keys({}, env);
  EXPECT_EQ(from_env.electricitymaps_token, "env-token");
  EXPECT_EQ(from_env.electricitymaps_from, "CARBONTRACKER_ELECTRICITYMAPS_TOKEN");
  EXPECT_EQ(from_env.watttime_user, "env-user");
  EXPECT_EQ(from_env.watttime_password, "env-pw");
  EXPECT_EQ(from_env.watttime_from, "CARBONTRACKER_WATTTIME_USER and CARBONTRACKER_WATTTIME_PASSWORD");

  const ProviderKeys from_config = collect_keys(
      {{"electricitymaps", "cfg-token"}, {"watttime_user", "cfg-user"}, {"watttime_password", "cfg-pw"}}, env);
  EXPECT_EQ(from_config.electricitymaps_token, "cfg-token");
  EXPECT_EQ(from_config.electricitymaps_from, "config api_keys");
  EXPECT_EQ(from_config.watttime_user, "cfg-user");
  EXPECT_EQ(from_config.watttime_from, "config api_keys");
  EXPECT_TRUE(from_config.notes.empty());

  const ProviderKeys mixed = collect_keys({{"watttime_user", "cfg-user"}}, env);
  EXPECT_EQ(mixed.watttime_user, "cfg-user");
  EXPECT_EQ(mixed.watttime_password, "env-pw");
  EXPECT_EQ(mixed.watttime_from, "config api_keys (user) and CARBONTRACKER_WATTTIME_PASSWORD (password)");

  const ProviderKeys none = collect_keys({}, fixed_env({}));
  EXPECT_FALSE(none.electricitymaps_token);
  EXPECT_FALSE(none.watttime_user);
  EXPECT_TRUE(none.watttime_from.empty());
}

TEST(Keys, PythonIdsAndBadEntriesAreNotedNeverEchoed) {
  const ProviderKeys k = collect_keys({{"ElectricityMaps", " py-token "},
                                       {"carbonintensityGB", "x"},
                                       {"energidataservice", "y"},
                                       {"electricitymap", "typo-secret"},
                                       {"watttime_user", ""}},
                                      fixed_env({}));
  EXPECT_EQ(k.electricitymaps_token, "py-token");  // the Python tool's id, any case; trimmed
  ASSERT_EQ(k.notes.size(), 4u);
  for (const auto& n : k.notes) {
    EXPECT_EQ(n.find("secret"), std::string::npos) << n;
    EXPECT_EQ(n.find("py-token"), std::string::npos) << n;
  }
  EXPECT_NE(k.notes[0].find("needs no key"), std::string::npos);
  EXPECT_NE(k.notes[1].find("unknown id"), std::string::npos);  // std::map order: "electricitymap"
  EXPECT_NE(k.notes[2].find("needs no key"), std::string::npos);
  EXPECT_NE(k.notes[3].find("empty"), std::string::npos);
}

TEST(Keys, EmptyConfigValueFallsBackToEnv) {
  const ProviderKeys k =
      collect_keys({{"electricitymaps", "  "}}, fixed_env({{"CARBONTRACKER_ELECTRICITYMAPS_TOKEN", "env-token"}}));
  EXPECT_EQ(k.electricitymaps_token, "env-token");
  EXPECT_EQ(k.electricitymaps_from, "CARBONTRACKER_ELECTRICITYMAPS_TOKEN");
}

// ---- Automatic choice ------------------------------------------------------------------------------

TEST(ChooseProvider, DenmarkGoesToEnergiDataService) {
  for (const Location& w : {choice_location("DK"), choice_location(std::nullopt, "DK-DK1"), choice_location(std::nullopt, "DK-DK2"), choice_location("DK", "DK-DK2"),
                            choice_location(std::nullopt, "DK")}) {
    for (const ProviderKeys& keys : {ProviderKeys{}, with_token()}) {  // free beats the token
      auto c = choose_provider(w, keys);
      ASSERT_TRUE(c) << c.status().to_string();
      EXPECT_EQ(c->provider, "energidataservice");
      EXPECT_EQ(c->reason, "Energi Data Service: Denmark, no key needed (automatic choice)");
    }
  }
}

TEST(ChooseProvider, GreatBritainGoesToNeso) {
  Location postcode;
  postcode.gb_postcode = "RG10";
  Location region;
  region.gb_region_id = 13;
  for (const Location& w : {choice_location("GB"), choice_location(std::nullopt, "GB"), postcode, region}) {
    auto c = choose_provider(w, with_token());
    ASSERT_TRUE(c) << c.status().to_string();
    EXPECT_EQ(c->provider, "carbonintensity_uk");
    EXPECT_NE(c->reason.find("NESO Carbon Intensity: Great Britain"), std::string::npos);
    EXPECT_NE(c->reason.find("no key needed"), std::string::npos);
  }
  auto r = choose_provider(postcode, {});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reason, "NESO Carbon Intensity: Great Britain (GB postcode RG10), no key needed (automatic choice)");
}

TEST(ChooseProvider, ZonesOutsideTheFreeProvidersNeedAnElectricityMapsToken) {
  Location coords;
  coords.latitude = 48.85;
  coords.longitude = 2.35;
  // Bornholm and Northern Ireland are not served by EDS / NESO.
  for (const Location& w : {choice_location(std::nullopt, "DE"), choice_location("FR"), coords, choice_location(std::nullopt, "DK-BHM"),
                            choice_location(std::nullopt, "GB-NIR"), choice_location("DE", "US-CAL-CISO")}) {
    auto c = choose_provider(w, with_token());
    ASSERT_TRUE(c) << c.status().to_string();
    EXPECT_EQ(c->provider, "electricitymaps");
    EXPECT_NE(c->reason.find("token from CARBONTRACKER_ELECTRICITYMAPS_TOKEN"), std::string::npos);
    EXPECT_EQ(c->reason.find(kToken), std::string::npos);

    auto none = choose_provider(w, {});
    ASSERT_TRUE(none) << none.status().to_string();
    EXPECT_TRUE(none->none());
    EXPECT_NE(none->reason.find("no token"), std::string::npos);
    EXPECT_NE(none->reason.find("CARBONTRACKER_ELECTRICITYMAPS_TOKEN"), std::string::npos);
  }
  auto de = choose_provider(choice_location(std::nullopt, "DE"), with_token());
  EXPECT_EQ(de->reason, "Electricity Maps: zone DE, token from CARBONTRACKER_ELECTRICITYMAPS_TOKEN (automatic choice)");
}

TEST(ChooseProvider, NoLocationOrOnlyACloudRegionMeansNoLiveProvider) {
  auto empty = choose_provider(Location{}, with_token());
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->none());
  EXPECT_EQ(empty->reason, "no live provider: no location configured");

  Location cloud;
  cloud.cloud = "gcp:europe-west1";
  auto c = choose_provider(cloud, with_token());
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->none());
  EXPECT_NE(c->reason.find("cloud region gcp:europe-west1"), std::string::npos);
}

TEST(ChooseProvider, WattTimeOnlyWhenAskedForByName) {
  Location coords;
  coords.latitude = 37.77;
  coords.longitude = -122.42;
  ProviderKeys keys = with_watttime();
  auto automatic = choose_provider(coords, keys);
  ASSERT_TRUE(automatic);
  EXPECT_TRUE(automatic->none());

  auto asked = choose_provider(coords, keys, ask("WattTime"));
  ASSERT_TRUE(asked) << asked.status().to_string();
  EXPECT_EQ(asked->provider, "watttime");
  EXPECT_NE(asked->reason.find("marginal"), std::string::npos);
  EXPECT_NE(asked->reason.find("(--provider)"), std::string::npos);
  EXPECT_EQ(asked->reason.find("pw-secret"), std::string::npos);

  auto region = choose_provider(choice_location(std::nullopt, "CAISO_NORTH"), keys, ask("watttime"));
  ASSERT_TRUE(region) << region.status().to_string();

  auto no_creds = choose_provider(coords, {}, ask("watttime"));
  ASSERT_FALSE(no_creds);
  EXPECT_NE(no_creds.status().fix().find("CARBONTRACKER_WATTTIME_USER"), std::string::npos);

  auto country_only = choose_provider(choice_location("US"), keys, ask("watttime"));
  ASSERT_FALSE(country_only);
  EXPECT_NE(country_only.status().message().find("coordinates"), std::string::npos);
}

// ---- Overrides ---------------------------------------------------------------------------------------

TEST(ChooseProvider, ExplicitProviderOverridesTheRules) {
  auto em_in_dk = choose_provider(choice_location("DK"), with_token(), ask("electricitymaps"));
  ASSERT_TRUE(em_in_dk) << em_in_dk.status().to_string();
  EXPECT_EQ(em_in_dk->provider, "electricitymaps");
  EXPECT_EQ(em_in_dk->reason,
            "Electricity Maps: country DK, token from CARBONTRACKER_ELECTRICITYMAPS_TOKEN (--provider)");

  for (const char* alias : {"neso", "NESO", "carbonintensityGB", "carbonintensity_uk"}) {
    auto c = choose_provider(choice_location("GB"), {}, ask(alias));
    ASSERT_TRUE(c) << alias;
    EXPECT_EQ(c->provider, "carbonintensity_uk") << alias;
  }

  auto none = choose_provider(choice_location("DK"), with_token(), ask("none"));
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->none());
  EXPECT_EQ(none->reason, "no live provider: offline tables only (--provider)");

  auto automatic = choose_provider(choice_location("DK"), {}, ask("auto"));
  ASSERT_TRUE(automatic);
  EXPECT_EQ(automatic->provider, "energidataservice");
}

TEST(ChooseProvider, UnknownProviderNameListsTheValidOnes) {
  auto c = choose_provider(choice_location("DK"), {}, Setting<std::string>{"co2signal", "config provider"});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.status().code(), StatusCode::invalid_argument);
  EXPECT_NE(c.status().message().find("\"co2signal\" from config provider"), std::string::npos);
  EXPECT_EQ(c.status().fix(),
            "use one of: auto, none, electricitymaps, energidataservice, carbonintensity_uk, watttime");
}

TEST(ChooseProvider, ProviderThatCannotServeTheLocationSaysWhy) {
  auto eds = choose_provider(choice_location("DE"), {}, ask("energidataservice"));
  ASSERT_FALSE(eds);
  EXPECT_EQ(eds.status().message(),
            "Energi Data Service (asked for by --provider) cannot serve this location: it covers Denmark only "
            "(DK1/DK2), the location is country DE");

  auto neso = choose_provider(choice_location("FR"), {}, ask("carbonintensity_uk"));
  ASSERT_FALSE(neso);
  EXPECT_NE(neso.status().message().find("Great Britain only"), std::string::npos);

  auto em = choose_provider(choice_location("DE"), {}, ask("electricitymaps"));
  ASSERT_FALSE(em);
  EXPECT_NE(em.status().message().find("no token"), std::string::npos);
  EXPECT_NE(em.status().fix().find("CARBONTRACKER_ELECTRICITYMAPS_TOKEN"), std::string::npos);

  Location cloud;
  cloud.cloud = "gcp:europe-west1";
  auto em_cloud = choose_provider(cloud, with_token(), ask("electricitymaps"));
  ASSERT_FALSE(em_cloud);
  EXPECT_NE(em_cloud.status().message().find("needs a zone, a country or coordinates"), std::string::npos);

  auto nowhere = choose_provider(Location{}, with_token(), ask("electricitymaps"));
  ASSERT_FALSE(nowhere);
  EXPECT_NE(nowhere.status().message().find("no location configured"), std::string::npos);
}

TEST(ChooseProvider, DisplayNames) {
  EXPECT_EQ(provider_display_name("energidataservice"), "Energi Data Service");
  EXPECT_EQ(provider_display_name("carbonintensity_uk"), "NESO Carbon Intensity");
  EXPECT_EQ(provider_display_name("electricitymaps"), "Electricity Maps");
  EXPECT_EQ(provider_display_name("watttime"), "WattTime");
  EXPECT_EQ(provider_display_name("nope"), "");
}

// ---- Offline chain --------------------------------------------------------------------------------------

TEST(OfflineChain, UserValueBeatsEverything) {
  Location w = choice_location("DE");
  w.cloud = "gcp:europe-north2";
  auto r = offline_intensity(w, Setting<double>{250, "--intensity"});
  ASSERT_TRUE(r);
  EXPECT_DOUBLE_EQ(r->quote.g_per_kwh, 250);
  EXPECT_EQ(r->quote.kind, QuoteKind::fixed);
  EXPECT_EQ(r->quote.source, "user setting (--intensity)");
  EXPECT_EQ(r->why, "fixed value 250 g/kWh from --intensity");

  for (double bad : {-1.0, std::nan(""), HUGE_VAL}) {
    auto e = offline_intensity(w, Setting<double>{bad, "--intensity"});
    ASSERT_FALSE(e) << bad;
    EXPECT_EQ(e.status().code(), StatusCode::invalid_argument);
  }
}

TEST(OfflineChain, CloudRegionBeatsCountry) {
  Location w = choice_location("DE");
  w.cloud = "gcp:europe-north2";
  w.how = "country DE, cloud region gcp:europe-north2 from --cloud";
  auto r = offline_intensity(w);
  ASSERT_TRUE(r);
  EXPECT_DOUBLE_EQ(r->quote.g_per_kwh, 2.73);
  EXPECT_EQ(r->quote.zone, "gcp:europe-north2");
  EXPECT_EQ(r->why, "yearly average of Google Cloud region gcp:europe-north2; " + w.how);
}

TEST(OfflineChain, CountryBeatsWorld) {
  Location w = choice_location("DK");
  w.how = "country DK from --country";
  auto r = offline_intensity(w);
  ASSERT_TRUE(r);
  EXPECT_NEAR(r->quote.g_per_kwh, 143.3, 0.05);
  EXPECT_EQ(r->quote.kind, QuoteKind::yearly_average);
  EXPECT_EQ(r->why, "yearly average for DK (Denmark) 2024; country DK from --country");

  Location zone = choice_location(std::nullopt, "DK-DK2");
  zone.how = "zone DK-DK2 from CARBONTRACKER_ZONE";
  auto z = offline_intensity(zone);
  ASSERT_TRUE(z);
  EXPECT_EQ(z->quote.zone, "DNK");
  EXPECT_EQ(z->why, "yearly average for DK (Denmark) 2024, the country of zone DK-DK2; zone DK-DK2 from CARBONTRACKER_ZONE");

  Location postcode;
  postcode.gb_postcode = "RG10";
  auto p = offline_intensity(postcode);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->quote.zone, "GBR");
  EXPECT_NEAR(p->quote.g_per_kwh, 210.9, 0.05);
}

TEST(OfflineChain, WorldAverageLastAndSaysWhy) {
  Location none;
  none.how = "no location configured (world average used)";
  auto r = offline_intensity(none);
  ASSERT_TRUE(r);
  EXPECT_NEAR(r->quote.g_per_kwh, 473.0, 0.05);
  EXPECT_EQ(r->quote.kind, QuoteKind::assumed);
  EXPECT_EQ(r->why, "world average: no location configured");

  none.how += "; IP geolocation failed: ipinfo.io: timed out";
  EXPECT_EQ(offline_intensity(none)->why, "world average: no location configured; IP geolocation failed: ipinfo.io: timed out");

  auto antarctica = offline_intensity(choice_location("AQ"));
  ASSERT_TRUE(antarctica);
  EXPECT_NEAR(antarctica->quote.g_per_kwh, 473.0, 0.05);
  EXPECT_NE(antarctica->why.find("Antarctica"), std::string::npos);
  EXPECT_NE(antarctica->why.find("world average"), std::string::npos);

  Location coords;
  coords.latitude = 10;
  coords.longitude = 10;
  auto c = offline_intensity(coords);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->quote.zone, "World");
  EXPECT_EQ(c->why, "coordinates 10,10: no offline table; world average");

  auto zone = offline_intensity(choice_location(std::nullopt, "CAISO_NORTH"));
  ASSERT_TRUE(zone);
  EXPECT_EQ(zone->quote.zone, "World");
}

TEST(OfflineChain, ResolvedLocationThroughChoiceAndChain) {
  auto where = resolve_location({}, fixed_env({{"CARBONTRACKER_ZONE", "DK-DK1"}}), {});
  ASSERT_TRUE(where);
  auto choice = choose_provider(*where, collect_keys({}, fixed_env({})));
  ASSERT_TRUE(choice);
  EXPECT_EQ(choice->provider, "energidataservice");
  auto offline = offline_intensity(*where);
  ASSERT_TRUE(offline);
  EXPECT_NEAR(offline->quote.g_per_kwh, 143.3, 0.05);
  const IntensityInfo info = to_intensity_info(offline->quote, offline->why);
  EXPECT_EQ(info.kind, IntensityKind::yearly_average);
  EXPECT_EQ(info.source, "Ember yearly electricity data 2024 via Our World in Data (CC BY 4.0)");
  EXPECT_EQ(info.why, offline->why);

  IntensityQuote marginal;
  marginal.signal = Signal::marginal;
  marginal.kind = QuoteKind::forecast;
  EXPECT_EQ(to_intensity_info(marginal, "asked").kind, IntensityKind::marginal);
}

}  // namespace
}  // namespace carbontracker::intensity
