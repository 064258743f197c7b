#include "sensors/simulated.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "sensors/backends.hpp"

namespace carbontracker::sensors {
namespace {

using ::testing::HasSubstr;

TEST(Simulated, ValidCpuAndGpuAreConstantAndClaimTheirComponent) {
  SensorContext ctx;
  ctx.options.sim_cpu = SimulatedComponent{"Xeon Sim", 200.0, 0.5};
  ctx.options.sim_gpu = SimulatedComponent{"A100 Sim", 400.0, 0.25};
  Coverage coverage;
  ProbeOutput out;
  probe_simulated_cpu(ctx, coverage, out);
  probe_simulated_gpu(ctx, coverage, out);
  ASSERT_EQ(out.sensors.size(), 2u);
  ASSERT_EQ(out.reports.size(), 2u);
  EXPECT_EQ(coverage.claimed_by(Component::cpu), "simulated CPU Xeon Sim");
  EXPECT_EQ(coverage.claimed_by(Component::gpu), "simulated GPU A100 Sim");

  const double expected[] = {100.0, 100.0};
  const Component components[] = {Component::cpu, Component::gpu};
  for (std::size_t i = 0; i < 2; ++i) {
    const SourceReport& r = out.reports[i];
    EXPECT_TRUE(r.available);
    EXPECT_TRUE(r.counted);
    EXPECT_EQ(r.info.method, Method::simulated);
    EXPECT_EQ(r.info.component, components[i]);
    Sensor& s = *out.sensors[i];
    ASSERT_EQ(s.channels().size(), 1u);
    EXPECT_EQ(s.channels()[0].method, Method::simulated);
    std::vector<Reading> readings;
    readings.reserve(2);
    for (int k = 0; k < 2; ++k) EXPECT_TRUE(s.read(readings).is_ok());
    ASSERT_EQ(readings.size(), 2u);
    EXPECT_DOUBLE_EQ(readings[0].power_w, expected[i]);
    EXPECT_DOUBLE_EQ(readings[1].power_w, expected[i]);
  }
  EXPECT_EQ(out.reports[0].info.name, "Xeon Sim");
  EXPECT_EQ(out.reports[0].info.notes.at(0), "simulated CPU: 200 W x utilization 0.5 = 100 W, constant; not a measurement");
}

TEST(Simulated, ZeroWattsAndBoundsAreValid) {
  EXPECT_EQ(validate_simulated({"x", 0.0, 0.0}, "sim_cpu"), "");
  EXPECT_EQ(validate_simulated({"x", 10.0, 1.0}, "sim_cpu"), "");
}

TEST(Simulated, InvalidValuesAreRefusedWithAReasonAndNoClaim) {
  struct Case {
    SimulatedComponent sim;
    const char* reason;
  };
  const Case cases[] = {
      {{"", 100.0, 0.5}, "name"},
      {{"   ", 100.0, 0.5}, "name"},
      {{"cpu", -1.0, 0.5}, "power -1 W"},
      {{"cpu", std::numeric_limits<double>::quiet_NaN(), 0.5}, "power"},
      {{"cpu", std::numeric_limits<double>::infinity(), 0.5}, "power"},
      {{"cpu", 100.0, 1.5}, "utilization 1.5"},
      {{"cpu", 100.0, -0.1}, "utilization -0.1"},
      {{"cpu", 100.0, std::numeric_limits<double>::quiet_NaN()}, "utilization"},
  };
  for (const auto& c : cases) {
    SensorContext ctx;
    ctx.options.sim_gpu = c.sim;
    Coverage coverage;
    ProbeOutput out;
    probe_simulated_gpu(ctx, coverage, out);
    EXPECT_TRUE(out.sensors.empty());
    ASSERT_EQ(out.reports.size(), 1u);
    EXPECT_FALSE(out.reports[0].available);
    EXPECT_FALSE(out.reports[0].counted);
    EXPECT_EQ(out.reports[0].info.method, Method::simulated);
    EXPECT_EQ(out.reports[0].info.component, Component::gpu);
    EXPECT_THAT(out.reports[0].reason, HasSubstr("invalid sim_gpu"));
    EXPECT_THAT(out.reports[0].reason, HasSubstr(c.reason));
    EXPECT_THAT(out.reports[0].fix, HasSubstr("sim_gpu_watts"));
    EXPECT_FALSE(coverage.covered(Component::gpu));
  }
}

TEST(Simulated, AbsentOptionAddsNothing) {
  SensorContext ctx;
  Coverage coverage;
  ProbeOutput out;
  probe_simulated_cpu(ctx, coverage, out);
  probe_simulated_gpu(ctx, coverage, out);
  EXPECT_TRUE(out.sensors.empty());
  EXPECT_TRUE(out.reports.empty());
  EXPECT_FALSE(coverage.covered(Component::cpu));
}

TEST(Simulated, SimulatedCpuSupersedesTheCpuEstimate) {
  SensorContext ctx;
  ctx.procfs_root = "/nonexistent";
  ctx.options.sim_cpu = SimulatedComponent{"sim", 50.0, 1.0};
  Coverage coverage;
  ProbeOutput out;
  probe_simulated_cpu(ctx, coverage, out);
  probe_estimated_cpu(ctx, coverage, out);
  EXPECT_EQ(out.sensors.size(), 1u);
  EXPECT_EQ(out.reports.size(), 1u);
  EXPECT_EQ(out.sensors[0]->name(), "simulated");
}

}  // namespace
}  // namespace carbontracker::sensors
