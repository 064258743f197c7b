// The intensity plan (tracker/intensity_setup.hpp) on its own: what it decides from a Config,
// the environment and the origins, and that the tracker's intensity service starts from exactly
// that decision (the same value, source and why `carbontracker intensity` prints). No network:
// every case here is offline or has no provider to call.
#include <gtest/gtest.h>

#include <map>

#include "test_support.hpp"
#include "tracker/intensity_setup.hpp"

namespace carbontracker::tracker {
namespace {

using carbontracker::testing::fixed_env;

TEST(TrackerIntensityPlan, ValuesAreNamedByTheirOriginOrAsSettings) {
  Config c;
  c.country = "DK";
  c.provider = "none";
  const auto env = fixed_env({});
  EXPECT_EQ(plan_intensity(c, env).where.how, "country DK from setting country");
  const auto plan = plan_intensity(c, env, {{"country", "--country"}, {"provider", "--offline"}});
  EXPECT_EQ(plan.where.how, "country DK from --country");
  EXPECT_TRUE(plan.choice.provider.none());
  EXPECT_EQ(plan.choice.provider.reason, "no live provider: offline tables only (--offline)");
  EXPECT_EQ(plan.choice.offline.why, "yearly average for DK (Denmark) 2024; country DK from --country");
}

TEST(TrackerIntensityPlan, AValueMergedFromItsVariableIsNamedAsTheVariable) {
  Config c;
  c.zone = "DK-DK2";  // what apply_environment put there
  c.provider = "none";
  const auto plan = plan_intensity(c, fixed_env({{"CARBONTRACKER_ZONE", "DK-DK2"}}));
  EXPECT_EQ(plan.where.how, "zone DK-DK2 from CARBONTRACKER_ZONE");
  // A setting that differs from the variable is the setting, and the variable is ignored.
  c.zone = "DK-DK1";
  EXPECT_EQ(plan_intensity(c, fixed_env({{"CARBONTRACKER_ZONE", "DK-DK2"}})).where.how,
            "zone DK-DK1 from setting zone (CARBONTRACKER_ZONE ignored: explicit settings win)");
}

TEST(TrackerIntensityPlan, KeysComeFromApiKeysThenTheEnvironmentAndNeverShowUp) {
  Config c;
  c.zone = "DE";
  c.api_keys = {{"electricitymaps", "tok-from-config"}, {"energidataservice", "x"}};
  const auto plan = plan_intensity(c, fixed_env({{"CARBONTRACKER_ELECTRICITYMAPS_TOKEN", "tok-from-env"}}));
  ASSERT_TRUE(plan.keys.electricitymaps_token);
  EXPECT_EQ(*plan.keys.electricitymaps_token, "tok-from-config");
  EXPECT_EQ(plan.choice.provider.provider, "electricitymaps");
  EXPECT_EQ(plan.choice.provider.reason,
            "Electricity Maps: zone DE, token from config api_keys (automatic choice)");
  ASSERT_EQ(plan.keys.notes.size(), 1u);  // energidataservice needs no key: said, not used
  EXPECT_EQ(plan.choice.provider.reason.find("tok-"), std::string::npos);

  c.api_keys.clear();
  EXPECT_EQ(plan_intensity(c, fixed_env({})).choice.provider.reason,
            "no live provider: only Electricity Maps covers zone DE and no token is set (set the Electricity Maps "
            "token in config api_keys (\"electricitymaps\") or CARBONTRACKER_ELECTRICITYMAPS_TOKEN)");
}

TEST(TrackerIntensityPlan, AFixedValueNeedsNoLocationOrProvider) {
  Config c;
  c.intensity_g_per_kwh = 42;
  c.country = "Atlantis";  // never looked at
  const auto plan = plan_intensity(c, fixed_env({}), {{"intensity_g_per_kwh", "--intensity"}});
  EXPECT_TRUE(plan.fixed);
  EXPECT_TRUE(plan.choice.provider.none());
  EXPECT_DOUBLE_EQ(plan.choice.offline.quote.g_per_kwh, 42);
  EXPECT_EQ(plan.choice.offline.why, "fixed value 42 g/kWh from --intensity");
}

TEST(TrackerIntensityPlan, ARequestedProviderThatCannotServeIsAConfigError) {
  Config c;
  c.country = "DE";
  c.provider = "energidataservice";
  try {
    (void)plan_intensity(c, fixed_env({}), {{"provider", "--provider"}});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.parameter(), "provider");
    EXPECT_NE(std::string(e.what()).find("asked for by --provider"), std::string::npos) << e.what();
  }
  c.provider.reset();
  c.country = "Atlantis";
  EXPECT_THROW((void)plan_intensity(c, fixed_env({})), ConfigError);
}

// The service the tracker builds starts from the plan's decision, word for word.
TEST(TrackerIntensityPlan, TheTrackersServiceStartsFromThePlan) {
  testing::FakeClock clock;
  for (const Config& c : [] {
         std::vector<Config> v(3);
         v[0].cloud = "gcp:europe-west1";
         v[1].zone = "DE";  // no token: no provider
         v[2].intensity_g_per_kwh = 7.5;
         return v;
       }()) {
    const auto env = fixed_env({});
    const auto plan = plan_intensity(c, env);
    intensity::IntensityService service(make_intensity_config(c, env), clock);
    const auto info = service.info();
    EXPECT_EQ(info.source, plan.choice.offline.quote.source);
    EXPECT_EQ(info.why, plan.choice.offline.why);
    EXPECT_DOUBLE_EQ(info.g_per_kwh, plan.choice.offline.quote.g_per_kwh);
  }
}

}  // namespace
}  // namespace carbontracker::tracker
