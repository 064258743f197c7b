// Every configuration key's documented bounds (docs/configuration.md#bounds), through both
// doors that share them: set_config_key (flags, environment, file, C API JSON, Python) and
// check_config (a C++ Config). Also the saturating seconds->duration conversion and the
// sub-second budget message.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <string>

#include "core/duration.hpp"
#include "tracker/budget.hpp"
#include "tracker/config_bounds.hpp"
#include "tracker/config_check.hpp"
#include "tracker/config_keys.hpp"

namespace carbontracker::tracker {
namespace {

using namespace std::string_literals;

// Per numeric key: values just inside and just outside its range.
struct Case {
  std::vector<std::string> good;
  std::vector<std::string> bad;
};

const std::map<std::string, Case>& cases() {
  static const std::map<std::string, Case> k{
      {"epochs", {{"1", "10000000"}, {"0", "-3", "10000001", "99999999999"}}},
      {"epochs_before_pred", {{"-1", "0", "1"}, {"-2", "10000001"}}},
      {"monitor_epochs", {{"-1", "1", "10000000"}, {"0", "-2", "10000001"}}},
      {"update_interval", {{"0.01", "1", "3600"}, {"0", "0.001", "-1", "3600.5", "1e10"}}},
      {"sample_every", {{"0.01", "1", "3600"}, {"0", "0.001", "-1", "3600.5", "1e10"}}},
      {"verbose", {{"0", "1", "9"}, {"-1", "10"}}},
      {"decimal_precision", {{"0", "12", "17"}, {"-1", "18"}}},
      {"sim_cpu_tdp", {{"0", "65", "10000"}, {"-3", "10001"}}},
      {"sim_cpu_util", {{"0", "0.5", "1"}, {"-0.1", "1.5"}}},
      {"sim_gpu_watts", {{"0", "250", "10000"}, {"-1", "1e6"}}},
      {"sim_gpu_util", {{"0", "1"}, {"-0.01", "1.01"}}},
      {"pue", {{"1", "1.58", "5"}, {"0.99", "0", "-1", "5.01", "100"}}},
      {"max_energy_kwh", {{"0.001", "1e9"}, {"0", "-1", "1.1e9"}}},
      {"max_co2eq_g", {{"1", "1e12"}, {"0", "-5", "2e12"}}},
      {"max_duration_s", {{"0.4", "1e9"}, {"0", "-10", "1e10"}}},
      {"intensity_g_per_kwh", {{"0", "250", "2500"}, {"-5", "2501", "1e6"}}},
      {"intensity_refresh_s", {{"1", "900", "86400"}, {"0", "0.5", "-900", "86401", "1e10"}}},
      {"prediction_confidence", {{"0.5", "0.9", "0.999"}, {"0", "0.4", "1", "1.5"}}},
      {"rank", {{"0", "7", "10000000"}, {"-1", "2e7"}}},
      {"local_rank", {{"0", "3", "100000"}, {"-1", "1e6"}}},
      {"world_size", {{"1", "8", "10000000"}, {"0", "-2", "2e7"}}},
      {"job_wait_s", {{"0", "30", "3600"}, {"-1", "3601"}}},
  };
  return k;
}

// Not a number at all, in every spelling that once became 0, NaN or infinity.
const std::vector<std::string> kNotFinite{"", " ", "nan", "NaN", "inf", "-inf", "infinity", "1e400", "-1e400", "1,5"};

TEST(ConfigBounds, EveryNumericKeyHasDocumentedBoundsAndATestCase) {
  std::set<std::string> numeric;
  for (const auto& k : config_keys()) {
    if (k.type == "int" || k.type == "number") numeric.insert(k.name);
  }
  for (const auto& name : numeric) {
    EXPECT_NE(number_bounds(name), nullptr) << name << " has no bounds in config_bounds.cpp";
    EXPECT_TRUE(cases().count(name)) << name << " has no case in this test";
  }
  EXPECT_EQ(numeric.size(), cases().size());
}

TEST(ConfigBounds, SetConfigKeyAcceptsTheRangeAndRefusesOutsideItNamingKeyOriginAndRange) {
  for (const auto& [key, c] : cases()) {
    for (const auto& v : c.good) {
      Config config;
      EXPECT_TRUE(set_config_key(config, key, v, "--x").is_ok()) << key << "=" << v;
    }
    for (const auto& v : c.bad) {
      Config config;
      const Config before = config;
      const Status st = set_config_key(config, key, v, "carbontracker.toml:3");
      ASSERT_FALSE(st) << key << "=" << v;
      EXPECT_EQ(st.code(), StatusCode::invalid_argument);
      EXPECT_NE(st.message().find(key + " (carbontracker.toml:3)"), std::string::npos) << st.message();
      EXPECT_FALSE(st.fix().empty()) << key;
      // A refused value leaves the Config as it was.
      EXPECT_EQ(config.pue, before.pue);
      EXPECT_EQ(config.epochs, before.epochs);
      EXPECT_EQ(config.intensity_refresh_s, before.intensity_refresh_s);
    }
    for (const auto& v : kNotFinite) {
      Config config;
      const Status st = set_config_key(config, key, v, "CARBONTRACKER_X");
      EXPECT_FALSE(st) << key << "=\"" << v << "\" must be an error, not 0 or NaN";
      EXPECT_NE(st.message().find(key), std::string::npos) << st.message();
    }
  }
}

TEST(ConfigBounds, RangeMessagesSayTheRangeAndTheUnit) {
  Config c;
  Status st = set_config_key(c, "intensity_refresh_s", "1e10", "config_json");
  EXPECT_EQ(st.message(), "intensity_refresh_s (config_json): must be between 1 and 86400 s, got 10000000000");
  st = set_config_key(c, "pue", "7", "--pue");
  EXPECT_EQ(st.message(), "pue (--pue): must be between 1 and 5, got 7");
  EXPECT_NE(st.fix().find("docs/configuration.md#bounds"), std::string::npos);
  st = set_config_key(c, "max_duration_s", "0", "--max-duration-s");
  EXPECT_EQ(st.message(), "max_duration_s (--max-duration-s): must be greater than 0 and at most 1e+09 s, got 0");
  st = set_config_key(c, "update_interval", "inf", "--update-interval");
  EXPECT_NE(st.message().find("got inf"), std::string::npos) << st.message();
  st = set_config_key(c, "monitor_epochs", "0", "--monitor-epochs");
  EXPECT_NE(st.message().find("cannot be 0"), std::string::npos) << st.message();
  // Not a number: the type, quoted.
  st = set_config_key(c, "epochs", "", "--epochs");
  EXPECT_NE(st.message().find("epochs (--epochs): expected int, got \"\""), std::string::npos) << st.message();
}

// A Config built in C++ with each bad value: check_config refuses it, naming the parameter.
TEST(ConfigBounds, CheckConfigRefusesTheSameValues) {
  const std::map<std::string, std::function<void(Config&, double)>> setters{
      {"epochs", [](Config& c, double v) { c.epochs = static_cast<int>(v); }},
      {"epochs_before_pred", [](Config& c, double v) { c.epochs = 10; c.epochs_before_pred = static_cast<int>(v); }},
      {"monitor_epochs", [](Config& c, double v) { c.monitor_epochs = static_cast<int>(v); }},
      {"update_interval", [](Config& c, double v) { c.update_interval = v; }},
      {"sample_every", [](Config& c, double v) { c.sample_every = v; }},
      {"verbose", [](Config& c, double v) { c.verbose = static_cast<int>(v); }},
      {"decimal_precision", [](Config& c, double v) { c.decimal_precision = static_cast<int>(v); }},
      {"sim_cpu_tdp", [](Config& c, double v) { c.sim_cpu = "C"; c.sim_cpu_tdp = v; }},
      {"sim_cpu_util", [](Config& c, double v) { c.sim_cpu = "C"; c.sim_cpu_tdp = 65; c.sim_cpu_util = v; }},
      {"sim_gpu_watts", [](Config& c, double v) { c.sim_gpu = "G"; c.sim_gpu_watts = v; }},
      {"sim_gpu_util", [](Config& c, double v) { c.sim_gpu = "G"; c.sim_gpu_watts = 9; c.sim_gpu_util = v; }},
      {"pue", [](Config& c, double v) { c.pue = v; }},
      {"max_energy_kwh", [](Config& c, double v) { c.budget.max_energy_kwh = v; }},
      {"max_co2eq_g", [](Config& c, double v) { c.budget.max_co2eq_g = v; }},
      {"max_duration_s", [](Config& c, double v) { c.budget.max_duration_s = v; }},
      {"intensity_g_per_kwh", [](Config& c, double v) { c.intensity_g_per_kwh = v; }},
      {"intensity_refresh_s", [](Config& c, double v) { c.intensity_refresh_s = v; }},
      {"prediction_confidence", [](Config& c, double v) { c.prediction_confidence = v; }},
      {"rank", [](Config& c, double v) { c.rank = static_cast<int>(v); }},
      {"local_rank", [](Config& c, double v) { c.local_rank = static_cast<int>(v); }},
      {"world_size", [](Config& c, double v) { c.world_size = static_cast<int>(v); }},
      {"job_wait_s", [](Config& c, double v) { c.job_wait_s = v; }},
  };
  ASSERT_EQ(setters.size(), cases().size());
  for (const auto& [key, c] : cases()) {
    const auto& set = setters.at(key);
    for (const auto& v : c.good) {
      Config config;
      set(config, std::stod(v));
      EXPECT_NO_THROW((void)check_config(config)) << key << "=" << v;
    }
    std::vector<double> bad;
    for (const auto& v : c.bad) {
      const double d = std::stod(v);
      // An int field cannot hold 1e11: that case is the text parser's (tested above).
      if (d < std::numeric_limits<int>::max()) bad.push_back(d);
    }
    const bool double_field = key != "epochs" && key != "epochs_before_pred" && key != "monitor_epochs" &&
                              key != "verbose" && key != "decimal_precision" && key != "rank" &&
                              key != "local_rank" && key != "world_size";
    if (double_field) {
      for (double d : {std::nan(""), std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()}) {
        bad.push_back(d);
      }
    }
    for (double d : bad) {
      Config config;
      set(config, d);
      try {
        (void)check_config(config);
        ADD_FAILURE() << key << "=" << d << " was accepted";
      } catch (const ConfigError& e) {
        EXPECT_EQ(e.parameter(), key) << e.what();
        EXPECT_NE(std::string(e.what()).find("fix:"), std::string::npos) << e.what();
      }
    }
  }
}

TEST(ConfigBounds, StringsWithANulOrAPrefixLeavingLogDirAreInvalidEverywhere) {
  const std::string with_nul = "abc\0def"s;
  for (const auto& k : config_keys()) {
    if (k.type != "string" && k.type != "path") continue;
    Config c;
    const Status st = set_config_key(c, k.name, with_nul, "config_json");
    ASSERT_FALSE(st) << k.name << " accepted a NUL";
    EXPECT_NE(st.message().find("NUL"), std::string::npos) << st.message();
    EXPECT_NE(st.message().find(k.name), std::string::npos) << st.message();
  }
  for (const std::string& prefix : std::vector<std::string>{"../escape", "a/b", "/tmp/abs", "..", "x..y", std::string(129, 'p')}) {
    Config c;
    const Status st = set_config_key(c, "log_file_prefix", prefix, "--log-file-prefix");
    EXPECT_FALSE(st) << prefix;
    EXPECT_EQ(c.log_file_prefix, "") << "a refused prefix is not stored";
  }
  for (const std::string& prefix : std::vector<std::string>{"", "resnet", "run.1", "a-b_c", std::string(128, 'p')}) {
    Config c;
    EXPECT_TRUE(set_config_key(c, "log_file_prefix", prefix, "x").is_ok()) << prefix;
  }

  // The same through a C++ Config.
  const std::vector<std::pair<std::string, std::function<void(Config&)>>> bad{
      {"log_file_prefix", [](Config& c) { c.log_file_prefix = "../up"; }},
      {"log_file_prefix", [](Config& c) { c.log_file_prefix = "a/b"; }},
      {"log_file_prefix", [&](Config& c) { c.log_file_prefix = with_nul; }},
      {"log_dir", [&](Config& c) { c.log_dir = std::filesystem::path(with_nul); }},
      {"summary_json", [&](Config& c) { c.summary_json = std::filesystem::path(with_nul); }},
      {"country", [&](Config& c) { c.country = with_nul; }},
      {"components", [&](Config& c) { c.components = "gpu\0cpu"s; }},
      {"sim_cpu", [&](Config& c) { c.sim_cpu = with_nul; c.sim_cpu_tdp = 10; }},
      {"api_keys", [&](Config& c) { c.api_keys["electricitymaps"] = "secret\0tail"s; }},
  };
  for (const auto& [param, change] : bad) {
    Config c;
    change(c);
    try {
      (void)check_config(c);
      ADD_FAILURE() << param << " accepted";
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.parameter(), param) << e.what();
      EXPECT_EQ(std::string(e.what()).find("secret"), std::string::npos) << "a key is never shown: " << e.what();
    }
  }
}

TEST(ConfigBounds, OverflowIsNamedAndHugeValuesAreNotEchoedWhole) {
  Config c;
  Status st = set_config_key(c, "pue", "1e400", "--pue");
  EXPECT_EQ(st.message(), "pue (--pue): \"1e400\" is beyond the range of a double");
  st = set_config_key(c, "epochs", "-1e400", "--epochs");
  EXPECT_NE(st.message().find("beyond the range of a double"), std::string::npos) << st.message();
  const std::string huge(10 * 1024 * 1024, '7');
  st = set_config_key(c, "update_interval", huge + "x", "config_json");
  ASSERT_FALSE(st);
  EXPECT_LT(st.message().size(), 300u);
  EXPECT_NE(st.message().find("(10485761 bytes)"), std::string::npos) << st.message();
  st = set_config_key(c, std::string(5000, 'k'), "1", "config_json");
  EXPECT_LT(st.message().size(), 300u);
}

TEST(ConfigBounds, TheEnvironmentAndTheFileGoThroughTheSameBounds) {
  Config c;
  const auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "CARBONTRACKER_INTENSITY_REFRESH_S") return "1e10";
    return std::nullopt;
  };
  const Status st = apply_environment(c, env);
  ASSERT_FALSE(st);
  EXPECT_NE(st.message().find("intensity_refresh_s (CARBONTRACKER_INTENSITY_REFRESH_S): must be between 1 and 86400 s"),
            std::string::npos)
      << st.message();
  EXPECT_EQ(c.intensity_refresh_s, 900);
}

TEST(SaturatingSeconds, NeverOverflowsAndNanIsZero) {
  using std::chrono::nanoseconds;
  EXPECT_EQ(saturating_seconds<nanoseconds>(1.5), nanoseconds(1'500'000'000));
  EXPECT_EQ(saturating_seconds<nanoseconds>(-2), nanoseconds(-2'000'000'000));
  EXPECT_EQ(saturating_seconds<nanoseconds>(1e10), nanoseconds::max()) << "1e10 s once became a negative period";
  EXPECT_EQ(saturating_seconds<nanoseconds>(1e300), nanoseconds::max());
  EXPECT_EQ(saturating_seconds<nanoseconds>(std::numeric_limits<double>::infinity()), nanoseconds::max());
  EXPECT_EQ(saturating_seconds<nanoseconds>(-1e300), nanoseconds::min());
  EXPECT_EQ(saturating_seconds<nanoseconds>(std::nan("")), nanoseconds::zero());
  EXPECT_EQ(saturating_seconds<std::chrono::seconds>(9.3e18), std::chrono::seconds::max());
  // The public from_seconds saturates the same way.
  EXPECT_EQ(from_seconds(1e10), MonoTime::max());
  EXPECT_EQ(from_seconds(-1e10), MonoTime::min());
  EXPECT_EQ(from_seconds(std::nan("")), MonoTime::zero());
  EXPECT_EQ(from_seconds(2.5), std::chrono::milliseconds(2500));
  // The documented cap fits a nanosecond clock with room to add it to a time point, twice.
  const auto cap = saturating_seconds<nanoseconds>(kMaxDurationS);
  EXPECT_GT(cap, nanoseconds::zero());
  EXPECT_LT(cap.count(), nanoseconds::max().count() / 4);
}

TEST(BudgetMessages, SubSecondDurationsShowTheirValue) {
  Budget b;
  b.max_duration_s = 0.4;
  Totals actual;
  actual.duration_s = 0.55;
  BudgetState state;
  const auto e = evaluate_budget(b, actual, nullptr, state);
  ASSERT_TRUE(e);
  EXPECT_NE(e->message.find("0.55 s"), std::string::npos) << e->message;
  EXPECT_NE(e->message.find("max_duration_s = 0.4 s"), std::string::npos) << e->message;
  EXPECT_EQ(e->message.find(" 0 s"), std::string::npos) << e->message;
  // Whole and long durations keep the whole-second form.
  Budget b2;
  b2.max_duration_s = 60;
  actual.duration_s = 61.7;
  BudgetState s2;
  const auto e2 = evaluate_budget(b2, actual, nullptr, s2);
  ASSERT_TRUE(e2);
  EXPECT_NE(e2->message.find("used 62 s of duration, over the budget max_duration_s = 60 s"), std::string::npos)
      << e2->message;
}

}  // namespace
}  // namespace carbontracker::tracker
