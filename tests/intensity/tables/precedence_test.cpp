// Offline lookups follow the documented precedence (docs/intensity.md): a zone decides over the
// country, for the offline table exactly as for the live provider.
#include <gtest/gtest.h>

#include "intensity/provider_choice.hpp"

namespace carbontracker::intensity {
namespace {

Location location_at(std::optional<std::string> country, std::optional<std::string> zone) {
  Location l;
  l.country = std::move(country);
  l.zone = std::move(zone);
  l.how = "given";
  return l;
}

TEST(Precedence, AZoneDecidesOverTheCountryOffline) {
  // Zone in France, country Germany: the French table, and the reason says so.
  auto r = offline_intensity(location_at("DE", "FR"));
  ASSERT_TRUE(r) << r.status().to_string();
  auto fr = offline_intensity(location_at("FR", std::nullopt));
  auto de = offline_intensity(location_at("DE", std::nullopt));
  ASSERT_TRUE(fr);
  ASSERT_TRUE(de);
  ASSERT_NE(fr->quote.g_per_kwh, de->quote.g_per_kwh);
  EXPECT_DOUBLE_EQ(r->quote.g_per_kwh, fr->quote.g_per_kwh);
  EXPECT_EQ(r->quote.zone, fr->quote.zone);
  EXPECT_NE(r->why.find("the zone decides over country DE"), std::string::npos) << r->why;
}

TEST(Precedence, ZoneAndCountryAgreeingKeepTheCountryWording) {
  auto r = offline_intensity(location_at("DK", "DK-DK2"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->quote.zone, "DNK");
  EXPECT_EQ(r->why.find("decides"), std::string::npos) << r->why;
}

TEST(Precedence, AZoneWithoutACountryPrefixLeavesTheCountry) {
  // A balancing-authority zone (WattTime style) names no country: the country table answers.
  auto r = offline_intensity(location_at("US", "CAISO_NORTH"));
  auto us = offline_intensity(location_at("US", std::nullopt));
  ASSERT_TRUE(r);
  ASSERT_TRUE(us);
  EXPECT_DOUBLE_EQ(r->quote.g_per_kwh, us->quote.g_per_kwh);
}

TEST(Precedence, TheLiveProviderFollowsTheZoneToo) {
  ProviderKeys none;
  // Country DK but zone DK-BHM (Bornholm, not served by Energi Data Service's DK1/DK2).
  auto bornholm = choose_provider(location_at("DK", "DK-BHM"), none);
  ASSERT_TRUE(bornholm);
  EXPECT_TRUE(bornholm->none()) << bornholm->reason;
  // Zone DK-DK2 with country SE: Denmark decides.
  auto dk2 = choose_provider(location_at("SE", "DK-DK2"), none);
  ASSERT_TRUE(dk2);
  EXPECT_EQ(dk2->provider, "energidataservice") << dk2->reason;
}

}  // namespace
}  // namespace carbontracker::intensity
