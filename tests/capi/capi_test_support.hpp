// Helpers for the C API tests: a fixed machine for trackers made through ct_tracker_new (which
// reads the sensor roots from the environment, as a C caller's would be), and RAII owners for
// handles and strings.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "carbontracker/carbontracker.h"
#include "test_support.hpp"

namespace carbontracker::testing {

// The development VM with no RAPL and no NVML: CPU and DRAM estimated the same way on every
// host, no GPU unless a test simulates one. Location and provider variables are cleared so no
// tracker ever reaches for the network.
class FixedMachine {
 public:
  FixedMachine() {
    std::filesystem::create_directories(dir_ / "sysfs");
    ::setenv("CARBONTRACKER_SYSFS_ROOT", (dir_ / "sysfs").c_str(), 1);
    ::setenv("CARBONTRACKER_PROCFS_ROOT", (fixtures_dir() / "procfs" / "vm-xeon-generic").c_str(), 1);
    ::setenv("CARBONTRACKER_NVML_LIBRARY", "/nonexistent/libnvidia-ml.so.1", 1);
    for (const char* v : kCleared) ::unsetenv(v);
  }
  // The same, as run_process() environment entries for a child process.
  [[nodiscard]] std::vector<std::string> child_env() const {
    std::vector<std::string> env{"CARBONTRACKER_SYSFS_ROOT=" + (dir_ / "sysfs").string(),
                                 "CARBONTRACKER_PROCFS_ROOT=" + (fixtures_dir() / "procfs" / "vm-xeon-generic").string(),
                                 "CARBONTRACKER_NVML_LIBRARY=/nonexistent/libnvidia-ml.so.1"};
    for (const char* v : kCleared) env.emplace_back(v);
    return env;
  }
  [[nodiscard]] const TempDir& dir() const noexcept { return dir_; }

 private:
  static constexpr const char* kCleared[] = {
      "CARBONTRACKER_ZONE",  "CARBONTRACKER_COUNTRY", "CARBONTRACKER_CLOUD",
      "CARBONTRACKER_GB_POSTCODE", "CARBONTRACKER_ELECTRICITYMAPS_TOKEN", "CARBONTRACKER_WATTTIME_USER",
      "CARBONTRACKER_WATTTIME_PASSWORD", "CUDA_VISIBLE_DEVICES"};
  TempDir dir_;
};

struct TrackerFree {
  void operator()(ct_tracker* t) const noexcept { ct_tracker_free(t); }
};
using TrackerPtr = std::unique_ptr<ct_tracker, TrackerFree>;

struct StringFree {
  void operator()(char* s) const noexcept { ct_free(s); }
};

// ct_summary_json, parsed; fails the test (and returns null) when the call fails.
inline nlohmann::json summary_of(ct_tracker* t) {
  char* raw = nullptr;
  const int rc = ct_summary_json(t, &raw);
  std::unique_ptr<char, StringFree> owned(raw);
  EXPECT_EQ(rc, CT_OK) << ct_last_error(t);
  if (rc != CT_OK || !raw) return nullptr;
  return nlohmann::json::parse(raw);
}

}  // namespace carbontracker::testing
