#include <sys/stat.h>

#include <gtest/gtest.h>

#include <functional>

#include "carbontracker/tracker.hpp"
#include "tracker_test_support.hpp"

namespace carbontracker {
namespace {

using testing::TrackerRig;

void expect_config_error(const std::function<void(Config&)>& change, const std::string& parameter,
                         const std::string& words) {
  TrackerRig rig;
  Config c;
  c.epochs = 3;
  change(c);
  try {
    Tracker t(c, rig.env());
    FAIL() << "no error for " << parameter;
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.parameter(), parameter);
    const std::string what = e.what();
    EXPECT_NE(what.find(words), std::string::npos) << what;
    EXPECT_NE(what.find("fix:"), std::string::npos) << what;
  }
}

TEST(TrackerConfig, EveryBadValueNamesItsParameterAndTheFix) {
  expect_config_error([](Config& c) { c.epochs = -2; }, "epochs", "between 1 and");
  expect_config_error([](Config& c) { c.epochs_before_pred = 5; }, "epochs_before_pred", "larger than epochs");
  expect_config_error([](Config& c) { c.monitor_epochs = 0; }, "monitor_epochs", "cannot be 0");
  expect_config_error([](Config& c) { c.epochs_before_pred = 3; c.monitor_epochs = 2; }, "monitor_epochs",
                      "cannot be less than epochs_before_pred");
  expect_config_error([](Config& c) { c.components = "gpu,tpu"; }, "components", "unknown component 'tpu'");
  expect_config_error([](Config& c) { c.update_interval = 0; }, "update_interval", "between");
  expect_config_error([](Config& c) { c.pue = 0.8; }, "pue", "between 1 and 5");
  expect_config_error([](Config& c) { c.budget.max_energy_kwh = -1; }, "max_energy_kwh", "greater than 0");
  expect_config_error([](Config& c) { c.sim_cpu = "X"; }, "sim_cpu_tdp", "required");
  expect_config_error([](Config& c) { c.sim_gpu = "G"; c.sim_gpu_watts = 100; c.sim_gpu_util = 2; }, "sim_gpu_util",
                      "between 0 and 1");
  expect_config_error([](Config& c) { c.decimal_precision = 40; }, "decimal_precision", "between 0 and 17");
  expect_config_error([](Config& c) { c.summary_json = "/nonexistent/dir/summary.json"; }, "summary_json",
                      "the directory /nonexistent/dir does not exist");
  // Empty or a directory: refused now, not found out when the summary is lost at the end.
  expect_config_error([](Config& c) { c.summary_json = ""; }, "summary_json", "the path is empty");
  expect_config_error([](Config& c) { c.summary_json = "/tmp"; }, "summary_json", "(EISDIR)");
}

TEST(TrackerConfig, UnwritableLogDirIsAConfigError) {
  TrackerRig rig;
  testing::write_file(rig.dir / "file", "x");
  Config c;
  c.log_dir = rig.dir / "file" / "logs";  // a path under a regular file can never be created
  try {
    Tracker t(c, rig.env());
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.parameter(), "log_dir");
    EXPECT_NE(std::string(e.what()).find("fix:"), std::string::npos);
  }
}

TEST(TrackerConfig, PythonDefaults) {
  Config c;
  EXPECT_EQ(c.epochs_before_pred, 1);
  EXPECT_EQ(c.monitor_epochs, -1);
  EXPECT_EQ(c.update_interval, 1);
  EXPECT_TRUE(c.interpretable);
  EXPECT_FALSE(c.stop_and_confirm);
  EXPECT_FALSE(c.ignore_errors);
  EXPECT_EQ(c.components, "all");
  EXPECT_FALSE(c.devices_by_pid);
  EXPECT_EQ(c.verbose, 1);
  EXPECT_EQ(c.decimal_precision, 12);
  EXPECT_EQ(c.pue, 1.58);  // the Python tool's PUE_2023
  EXPECT_EQ(c.pue, kPueUptime2023);
}

TEST(TrackerConfig, ComponentsSelectWhatIsMeasured) {
  TrackerRig rig;
  Config c;
  c.epochs = 1;
  c.components = "gpu";
  c.update_interval = 3600;
  Tracker t(c, rig.env());
  for (const auto& ch : t.snapshot().channels) EXPECT_EQ(ch.component, Component::gpu);
  EXPECT_NE(rig.console.str().find("not measured: cpu, dram (excluded by components)"), std::string::npos) << rig.console.str();
}

TEST(TrackerConfig, SimulatedComponentsAreLabelledEverywhere) {
  TrackerRig rig;
  Config c;
  c.epochs = 1;
  c.update_interval = 3600;
  c.sim_gpu = "Sim GPU";
  c.sim_gpu_watts = 200;
  c.sim_gpu_util = 0.5;
  Tracker t(c, rig.env());
  t.epoch_start();
  rig.clock.advance(std::chrono::seconds(10));
  const auto r = t.epoch_end();
  EXPECT_DOUBLE_EQ(r.totals.device_energy_j.gpu_j, 1000.0);
  EXPECT_DOUBLE_EQ(r.totals.estimated_j, 1000.0);
  EXPECT_NE(rig.console.str().find("estimated: gpu (simulated)"), std::string::npos) << rig.console.str();
}

}  // namespace
}  // namespace carbontracker
