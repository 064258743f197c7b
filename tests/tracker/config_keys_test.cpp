#include "tracker/config_keys.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "test_support.hpp"

namespace carbontracker::tracker {
namespace {

using carbontracker::testing::TempDir;
using carbontracker::testing::write_file;

using carbontracker::testing::fixed_env;

TEST(ConfigKeys, EveryKeyParsesItsTypeAndNamesItselfWhenWrong) {
  Config c;
  EXPECT_TRUE(set_config_key(c, "epochs", "12", "--epochs").is_ok());
  EXPECT_EQ(c.epochs, 12);
  EXPECT_TRUE(set_config_key(c, "pue", "1.58", "--pue").is_ok());
  EXPECT_DOUBLE_EQ(c.pue, 1.58);
  EXPECT_TRUE(set_config_key(c, "interpretable", "false", "x").is_ok());
  EXPECT_FALSE(c.interpretable);
  EXPECT_TRUE(set_config_key(c, "budget_action", "stop", "x").is_ok());
  EXPECT_EQ(c.budget.action, BudgetAction::stop);
  EXPECT_TRUE(set_config_key(c, "max_energy_kwh", "2.5", "x").is_ok());
  EXPECT_EQ(c.budget.max_energy_kwh, 2.5);
  EXPECT_TRUE(set_config_key(c, "log_dir", "/tmp/x", "x").is_ok());
  EXPECT_EQ(c.log_dir, std::filesystem::path("/tmp/x"));
  EXPECT_TRUE(set_config_key(c, "monitor_epochs", "-1", "x").is_ok());
  EXPECT_EQ(c.monitor_epochs, -1);

  Status bad = set_config_key(c, "epochs", "ten", "CARBONTRACKER_EPOCHS");
  EXPECT_FALSE(bad);
  EXPECT_NE(bad.message().find("epochs (CARBONTRACKER_EPOCHS)"), std::string::npos) << bad.message();
  EXPECT_FALSE(bad.fix().empty());
  Status unknown = set_config_key(c, "epoch", "3", "carbontracker.toml:2");
  EXPECT_NE(unknown.message().find("unknown setting \"epoch\""), std::string::npos);
  EXPECT_FALSE(set_config_key(c, "budget_action", "pause", "x"));
  EXPECT_FALSE(set_config_key(c, "geolocate", "maybe", "x"));
  EXPECT_FALSE(set_config_key(c, "pue", "nan", "x"));
}

TEST(ConfigKeys, FileThenEnvironmentThenFlagsLaterWins) {
  TempDir dir;
  write_file(dir / "carbontracker.toml",
             "epochs = 10\npue = 1.2\ncountry = \"DK\"\nmax_co2eq_g = 500.0\n[api_keys]\nelectricitymaps = \"from-file\"\n");
  Config c;
  ASSERT_TRUE(apply_config_file(c, dir / "carbontracker.toml").is_ok());
  EXPECT_EQ(c.epochs, 10);
  EXPECT_DOUBLE_EQ(c.pue, 1.2);
  EXPECT_EQ(c.country, std::optional<std::string>("DK"));
  EXPECT_EQ(c.budget.max_co2eq_g, 500.0);
  EXPECT_EQ(c.api_keys["electricitymaps"], "from-file");
  ASSERT_TRUE(apply_environment(c, fixed_env({{"CARBONTRACKER_PUE", "1.58"},
                                           {"CARBONTRACKER_ELECTRICITYMAPS_TOKEN", "from-env"},
                                           {"CARBONTRACKER_WATTTIME_USER", "me"}}))
                  .is_ok());
  EXPECT_DOUBLE_EQ(c.pue, 1.58);                            // environment beats the file
  EXPECT_EQ(c.api_keys["electricitymaps"], "from-file");  // a credential the config set is kept
  EXPECT_EQ(c.api_keys["watttime_user"], "me");
  ASSERT_TRUE(set_config_key(c, "pue", "1.1", "--pue").is_ok());
  EXPECT_DOUBLE_EQ(c.pue, 1.1);  // the flag beats both
}

TEST(ConfigKeys, FileErrorsNameTheFileAndLine) {
  TempDir dir;
  write_file(dir / "a.toml", "epochs = 10\npue = \"high\"\n");
  Config c;
  Status st = apply_config_file(c, dir / "a.toml");
  ASSERT_FALSE(st);
  EXPECT_NE(st.message().find("a.toml:2"), std::string::npos) << st.message();
  write_file(dir / "b.toml", "epochs = 10\n[[broken\n");
  st = apply_config_file(c, dir / "b.toml");
  ASSERT_FALSE(st);
  EXPECT_NE(st.message().find("b.toml:2"), std::string::npos) << st.message();
  write_file(dir / "c.toml", "epochz = 10\n");
  st = apply_config_file(c, dir / "c.toml");
  EXPECT_NE(st.message().find("unknown setting \"epochz\""), std::string::npos) << st.message();
}

TEST(ConfigKeys, EveryKeyIsDocumented) {
  const std::string doc = testing::read_text(testing::fixtures_dir().parent_path().parent_path() / "docs" / "configuration.md");
  for (const auto& k : config_keys()) EXPECT_NE(doc.find("`" + k.name + "`"), std::string::npos) << k.name;
}

TEST(ConfigKeys, FindsTheFileByFlagThenVariable) {
  auto none = fixed_env({});
  EXPECT_EQ(find_config_file(std::filesystem::path("x.toml"), fixed_env({{"CARBONTRACKER_CONFIG", "y.toml"}})),
            std::filesystem::path("x.toml"));
  EXPECT_EQ(find_config_file(std::nullopt, fixed_env({{"CARBONTRACKER_CONFIG", "y.toml"}})), std::filesystem::path("y.toml"));
}

}  // namespace
}  // namespace carbontracker::tracker
