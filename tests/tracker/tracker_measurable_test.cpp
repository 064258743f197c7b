// Nothing measurable for what was asked is a ConfigError at construction, never "0 kWh, all of
// it measured"; a partly measurable request starts and says what is not measured.
#include <gtest/gtest.h>

#include <filesystem>

#include "carbontracker/tracker.hpp"
#include "tracker/measurable.hpp"
#include "tracker_test_support.hpp"

namespace carbontracker {
namespace {

using testing::TrackerRig;

TEST(TrackerMeasurable, GpuOnlyWithoutAGpuIsAConfigErrorNamingTheReason) {
  TrackerRig rig;
  rig.ctx->nvml_library = (rig.dir / "no-such-libnvidia-ml.so.1").string();
  Config c;
  c.components = "gpu";
  c.log_dir = rig.dir / "logs";
  try {
    Tracker t(c, rig.env());
    FAIL() << "a gpu-only tracker started on a machine without a GPU";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.parameter(), "components");
    const std::string what = e.what();
    EXPECT_NE(what.find("nothing can be measured for components=\"gpu\""), std::string::npos) << what;
    EXPECT_NE(what.find("nvml"), std::string::npos) << what;
    EXPECT_NE(what.find("fix:"), std::string::npos) << what;
  }
  // Refused before any file exists.
  EXPECT_FALSE(std::filesystem::exists(rig.dir / "logs") && !std::filesystem::is_empty(rig.dir / "logs"));
}

TEST(TrackerMeasurable, AllOnAMachineWithoutAGpuStillMeasuresTheHost) {
  TrackerRig rig;
  rig.ctx->nvml_library = (rig.dir / "no-such-libnvidia-ml.so.1").string();
  Config c;
  c.components = "all";
  EXPECT_NO_THROW({ Tracker t(c, rig.env()); });
}

TEST(TrackerMeasurable, PartlyMeasurableIsNotAnError) {
  std::vector<SourceReport> reports(2);
  reports[0].info.component = Component::cpu;
  reports[0].info.source = "powercap";
  reports[0].available = reports[0].counted = true;
  reports[1].info.component = Component::gpu;
  reports[1].info.source = "nvml";
  reports[1].reason = "libnvidia-ml.so.1 not found";
  EXPECT_FALSE(tracker::nothing_measurable(reports, {Component::cpu, Component::gpu}, "cpu,gpu"));
  const auto none = tracker::nothing_measurable(reports, {Component::gpu}, "gpu");
  ASSERT_TRUE(none);
  EXPECT_NE(none->problem.find("gpu: nvml: libnvidia-ml.so.1 not found"), std::string::npos) << none->problem;
  EXPECT_NE(none->fix.find("components=\"all\""), std::string::npos) << none->fix;
  // psys stands for cpu and dram.
  std::vector<SourceReport> psys(1);
  psys[0].info.component = Component::psys;
  psys[0].counted = true;
  EXPECT_FALSE(tracker::nothing_measurable(psys, {Component::dram}, "dram"));
}

}  // namespace
}  // namespace carbontracker
