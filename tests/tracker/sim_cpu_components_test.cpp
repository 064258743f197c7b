// With sim_cpu, DRAM is counted only when asked for ("all" or "dram" by name): the Python tool's
// simulated CPU stands for its whole "cpu" component, so components="cpu" gives the simulated
// CPU alone (issue 12).
#include <gtest/gtest.h>

#include "carbontracker/tracker.hpp"
#include "tracker/config_check.hpp"

namespace carbontracker::tracker {
namespace {

Config simulated_cpu(const std::string& components) {
  Config c;
  c.components = components;
  c.sim_cpu = "Sim CPU";
  c.sim_cpu_tdp = 100;
  return c;
}

TEST(SimCpuComponents, CpuWithASimulatedCpuLeavesDramOut) {
  EXPECT_EQ(check_sensor_config(simulated_cpu("cpu")).components, (std::set<Component>{Component::cpu}));
  EXPECT_EQ(check_sensor_config(simulated_cpu("gpu, CPU")).components,
            (std::set<Component>{Component::cpu, Component::gpu}));
}

TEST(SimCpuComponents, AllOrDramByNameKeepsDram) {
  EXPECT_EQ(check_sensor_config(simulated_cpu("all")).components,
            (std::set<Component>{Component::cpu, Component::dram, Component::gpu}));
  EXPECT_EQ(check_sensor_config(simulated_cpu("cpu,dram")).components,
            (std::set<Component>{Component::cpu, Component::dram}));
}

TEST(SimCpuComponents, WithoutASimulatedCpuCpuStillCoversRaplDram) {
  Config c;
  c.components = "cpu";
  EXPECT_EQ(check_sensor_config(c).components, (std::set<Component>{Component::cpu, Component::dram}));
}

}  // namespace
}  // namespace carbontracker::tracker
