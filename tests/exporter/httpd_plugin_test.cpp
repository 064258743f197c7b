// The /metrics server's plugin boundary (metrics_server_plugin.hpp): the plugin named by
// CARBONTRACKER_HTTPD_LIBRARY serves; a missing one, or a library that is not the plugin, is a
// Status naming it and the fix, and a Tracker with `prometheus` set turns it into a ConfigError
// at construction. (This binary is given the built plugin through the variable, tests/CMakeLists.txt;
// the search beside the CLI and the Python extension is checked by engines_test and
// tests/python/test_httpd_plugin.py.)
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "../tracker/tracker_test_support.hpp"
#include "carbontracker/tracker.hpp"
#include "exporter/metrics_server.hpp"
#include "exporter/metrics_server_plugin.hpp"
#include "exporter_test_util.hpp"

namespace carbontracker::exporter {
namespace {

// Sets CARBONTRACKER_HTTPD_LIBRARY for the scope (the tests of this binary run one at a time).
class PluginPathOverride {
 public:
  explicit PluginPathOverride(const std::string& path) {
    if (const char* old = std::getenv(httpd::kPluginEnv)) saved_ = old;
    ::setenv(httpd::kPluginEnv, path.c_str(), 1);
  }
  ~PluginPathOverride() {
    if (saved_) {
      ::setenv(httpd::kPluginEnv, saved_->c_str(), 1);
    } else {
      ::unsetenv(httpd::kPluginEnv);
    }
  }
  PluginPathOverride(const PluginPathOverride&) = delete;
  PluginPathOverride& operator=(const PluginPathOverride&) = delete;

 private:
  std::optional<std::string> saved_;
};

std::shared_ptr<MetricsStore> store_with_energy() {
  auto store = std::make_shared<MetricsStore>();
  auto s = std::make_shared<MetricsSnapshot>();
  s->target = {{"host", "h"}};
  s->channels.push_back({"gpu", "nvml:GPU-1", "counter", 42.0, std::nullopt});
  store->publish(s);
  return store;
}

TEST(MetricsServerPlugin, TheNamedPluginServes) {
  ASSERT_NE(std::getenv(httpd::kPluginEnv), nullptr) << "set by tests/CMakeLists.txt";
  auto server = MetricsServer::start(store_with_energy(), {"127.0.0.1", 0});
  ASSERT_TRUE(server.is_ok()) << server.status().to_string();
  const auto s = testing::scrape((*server)->port());
  EXPECT_EQ(s.status, 200);
  EXPECT_NE(s.body.find("carbontracker_energy_joules_total{component=\"gpu\",device=\"nvml:GPU-1\","
                        "method=\"counter\",host=\"h\"} 42"),
            std::string::npos)
      << s.body;
  (*server)->stop();
}

TEST(MetricsServerPlugin, AMissingPluginIsAStatusNamingWhereItLookedAndTheFix) {
  // After a plugin was loaded too (the previous test): the search is repeated at each start().
  PluginPathOverride path("/nonexistent/libcarbontracker_httpd.so");
  auto server = MetricsServer::start(store_with_energy(), {"127.0.0.1", 0});
  ASSERT_FALSE(server.is_ok());
  EXPECT_EQ(server.status().message(),
            "the Prometheus /metrics server needs libcarbontracker_httpd.so, not found in "
            "/nonexistent/libcarbontracker_httpd.so");
  EXPECT_EQ(server.status().fix(),
            "reinstall carbontracker, or set CARBONTRACKER_HTTPD_LIBRARY to the path of libcarbontracker_httpd.so");
}

TEST(MetricsServerPlugin, ALibraryThatIsNotThePluginIsRefused) {
  PluginPathOverride path(FAKE_NVML_LIBRARY);  // a real shared library without the entry point
  auto server = MetricsServer::start(store_with_energy(), {"127.0.0.1", 0});
  ASSERT_FALSE(server.is_ok());
  EXPECT_NE(server.status().message().find("needs libcarbontracker_httpd.so, which could not be loaded: " +
                                           std::string(FAKE_NVML_LIBRARY) + " is not the plugin of carbontracker"),
            std::string::npos)
      << server.status().message();
}

TEST(MetricsServerPlugin, AMissingPluginIsAConfigErrorAtTrackerConstruction) {
  PluginPathOverride path("/nonexistent/libcarbontracker_httpd.so");
  testing::TrackerRig rig;
  Config c;
  c.epochs = 1;
  c.prometheus = "127.0.0.1:0";
  try {
    Tracker t(c, rig.env());
    ADD_FAILURE() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.parameter(), "prometheus");
    const std::string what = e.what();
    EXPECT_NE(what.find("needs libcarbontracker_httpd.so, not found in /nonexistent/libcarbontracker_httpd.so"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("reinstall carbontracker, or set CARBONTRACKER_HTTPD_LIBRARY"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace carbontracker::exporter
