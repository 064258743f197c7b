// `run`'s flags (and those of devices, monitor and intensity that are configuration keys) come
// from the one key registry (tracker/config_keys.hpp): each flag is listed with the registry's
// help, sets its key through the shared parser (the error names the key and the flag), and is
// documented in docs/configuration.md. A key added to the registry with a flag needs nothing here.
#include <gtest/gtest.h>

#include "cli_test_util.hpp"
#include "test_support.hpp"
#include "tracker/config_keys.hpp"

namespace carbontracker {
namespace {

using testing::run_process;
using tracker::config_keys;

using testing::kCli;

bool lists(const std::string& help, const tracker::ConfigKey& k) {
  return help.find(k.flag.name) != std::string::npos && help.find(k.flag.help) != std::string::npos;
}

TEST(ConfigFlags, RunListsEveryFlaggedKeyWithTheRegistrysHelp) {
  auto r = run_process({kCli, "run", "--help"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int flagged = 0;
  for (const auto& k : config_keys()) {
    if (k.flag.name.empty()) continue;
    ++flagged;
    EXPECT_TRUE(lists(r.out, k)) << k.name << " " << k.flag.name << "\n" << r.out;
  }
  EXPECT_GE(flagged, 30);
}

TEST(ConfigFlags, OtherCommandsTakeTheSameFlagsWithTheSameHelp) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> commands{
      {"devices", {"components", "devices_by_pid", "sim_cpu", "sim_cpu_tdp", "sim_gpu_watts"}},
      {"monitor", {"components", "sim_gpu", "sim_gpu_util"}},
      {"intensity", {"zone", "country", "cloud", "gb_postcode", "provider", "geolocate"}}};
  for (const auto& [command, keys] : commands) {
    auto r = run_process({kCli, command, "--help"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const auto& key : keys) {
      const auto* k = tracker::find_config_key(key);
      ASSERT_NE(k, nullptr) << key;
      EXPECT_TRUE(lists(r.out, *k)) << command << " " << k->flag.name << "\n" << r.out;
    }
  }
}

// Every numeric flag sets its own key: a word where a number belongs is refused, naming both.
TEST(ConfigFlags, EveryNumericFlagSetsItsKeyThroughTheSharedParser) {
  for (const auto& k : config_keys()) {
    if (k.flag.name.empty() || (k.type != "int" && k.type != "number")) continue;
    auto r = run_process({kCli, "run", k.flag.name, "lots", "--", "true"});
    EXPECT_EQ(r.exit_code, 2) << k.flag.name << ": " << r.err;
    EXPECT_NE(r.err.find(k.name + " (" + k.flag.name + "): expected "), std::string::npos) << r.err;
  }
}

TEST(ConfigFlags, EveryFlagIsInTheConfigurationDocsTable) {
  const std::string doc =
      testing::read_text(testing::fixtures_dir().parent_path().parent_path() / "docs" / "configuration.md");
  for (const auto& k : config_keys()) {
    if (k.flag.name.empty()) continue;
    EXPECT_NE(doc.find("`" + k.flag.name + "`"), std::string::npos) << k.flag.name;
  }
}

}  // namespace
}  // namespace carbontracker
