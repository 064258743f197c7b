// The pure plausibility policy: bounds per device class and the wrap-versus-glitch decision.
#include "sampler/plausibility.hpp"
#include "counter_specs.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace carbontracker {
namespace {

using testing::kNvmlSpec;
using testing::kRaplRangeUj;
using testing::kRaplSpec;

ChannelInfo channel(Component c, Method m = Method::counter) {
  ChannelInfo ch;
  ch.id = "test";
  ch.component = c;
  ch.method = m;
  ch.counter = c == Component::gpu ? kNvmlSpec : kRaplSpec;
  ch.joules_per_unit = c == Component::gpu ? 1e-3 : 1e-6;
  ch.resolution_s = 0.001;
  return ch;
}

TEST(Plausibility, DefaultBoundsPerDeviceClass) {
  EXPECT_DOUBLE_EQ(plausible_max_power(channel(Component::cpu)).max_power_w, kMaxCpuPackageW);
  EXPECT_DOUBLE_EQ(plausible_max_power(channel(Component::dram)).max_power_w, kMaxDramW);
  EXPECT_DOUBLE_EQ(plausible_max_power(channel(Component::psys)).max_power_w, kMaxPsysW);
  EXPECT_DOUBLE_EQ(plausible_max_power(channel(Component::gpu)).max_power_w, kMaxGpuW);
  EXPECT_NE(plausible_max_power(channel(Component::cpu)).basis.find("CPU package"), std::string_view::npos);
}

TEST(Plausibility, ASensorsOwnBoundWinsOverTheClassDefault) {
  ChannelInfo gpu = channel(Component::gpu);
  gpu.max_power_w = 600;
  gpu.max_power_basis = "2 x NVML power limit 300 W";
  const PowerBound b = plausible_max_power(gpu);
  EXPECT_DOUBLE_EQ(b.max_power_w, 600);
  EXPECT_EQ(b.basis, "2 x NVML power limit 300 W");
  gpu.max_power_w = std::numeric_limits<double>::quiet_NaN();  // never trusted
  EXPECT_DOUBLE_EQ(plausible_max_power(gpu).max_power_w, kMaxGpuW);
}

// The case seen in the field: a RAPL zone stepping back 1 J was counted as +262,142 J in 0.2 s.
TEST(Plausibility, RaplSteppingBackOneJouleIsAGlitchNotAWrap) {
  const std::uint64_t prev = 50'000'000'000;  // 50 kJ
  const CounterStep s = judge_counter_step(prev, prev - 1'000'000, channel(Component::cpu), 0.2);
  EXPECT_EQ(s.verdict, StepVerdict::glitch);
  EXPECT_EQ(s.delta, 0u);
  EXPECT_NEAR(s.energy_j, 262142.3, 0.1);  // what it would have been counted as
  EXPECT_NEAR(s.bound_j, kMaxCpuPackageW * (0.2 + kPlausibilitySlackS + 0.001), 1e-6);
}

TEST(Plausibility, ARealWrapIsStillCorrected) {
  // 200 W for 1 s across the top of the range.
  const std::uint64_t prev = kRaplRangeUj - 100'000'000;
  const CounterStep s = judge_counter_step(prev, 100'000'000 - 61, channel(Component::cpu), 1.0);
  EXPECT_EQ(s.verdict, StepVerdict::wrapped);
  EXPECT_EQ(s.delta, 200'000'000u);
}

TEST(Plausibility, AWrapIsPlausibleOnlyWhenTimeAndPowerCouldCoverIt) {
  // The same step back (just under a full range of energy) is a wrap after 300 s at up to
  // 1000 W (300 kJ possible), a glitch after 30 s (30 kJ possible).
  const std::uint64_t prev = 200'000'000'000;
  const std::uint64_t now = 199'000'000'000;  // wrapped delta ~261 kJ
  EXPECT_EQ(judge_counter_step(prev, now, channel(Component::cpu), 300.0).verdict, StepVerdict::wrapped);
  EXPECT_EQ(judge_counter_step(prev, now, channel(Component::cpu), 30.0).verdict, StepVerdict::glitch);
}

TEST(Plausibility, AForwardJumpBeyondTheBoundIsImplausible) {
  // A GPU counter rising 1,000,000 J in one second.
  ChannelInfo gpu = channel(Component::gpu);
  const CounterStep s = judge_counter_step(1'000, 1'000'000'001'000, gpu, 1.0);
  EXPECT_EQ(s.verdict, StepVerdict::implausible);
  EXPECT_EQ(s.delta, 0u);
  // With an NVML limit of 300 W (bound 600 W, slack 0.501 s): 500 J in 0.5 s can be true,
  // 700 J in 0.1 s cannot.
  gpu.max_power_w = 600;
  EXPECT_EQ(judge_counter_step(0, 500'000, gpu, 0.5).verdict, StepVerdict::ok);
  EXPECT_EQ(judge_counter_step(0, 700'000, gpu, 0.1).verdict, StepVerdict::implausible);
  EXPECT_EQ(judge_counter_step(0, 300'000, gpu, 0.1).verdict, StepVerdict::ok);
}

TEST(Plausibility, UpdateGranularityIsNotAGlitch) {
  // Two reads a microsecond apart may see one register update's worth of energy.
  const CounterStep s = judge_counter_step(1'000'000, 1'200'000, channel(Component::gpu), 1e-6);
  EXPECT_EQ(s.verdict, StepVerdict::ok);
  EXPECT_EQ(s.delta, 200'000u);
}

TEST(Plausibility, ResetsAndOutOfRangeValuesKeepTheirMeaning) {
  EXPECT_EQ(judge_counter_step(5'000, 10, channel(Component::gpu), 1.0).verdict, StepVerdict::reset);
  EXPECT_EQ(judge_counter_step(5'000, kRaplRangeUj + 1, channel(Component::cpu), 1.0).verdict,
            StepVerdict::out_of_range);
  // Negative or NaN elapsed time is taken as 0, never as a licence for any value.
  EXPECT_EQ(judge_counter_step(0, 2'000'000'000, channel(Component::cpu), -5.0).verdict, StepVerdict::implausible);
  EXPECT_EQ(judge_counter_step(0, 2'000'000'000, channel(Component::cpu), std::nan("")).verdict,
            StepVerdict::implausible);
}

TEST(Plausibility, PowerSamplesOutsideThePhysicalRangeAreRejected) {
  EXPECT_EQ(judge_power_sample(250.0, 600.0), PowerVerdict::ok);
  EXPECT_EQ(judge_power_sample(0.0, 600.0), PowerVerdict::ok);
  EXPECT_EQ(judge_power_sample(std::nan(""), 600.0), PowerVerdict::not_finite);
  EXPECT_EQ(judge_power_sample(std::numeric_limits<double>::infinity(), 600.0), PowerVerdict::not_finite);
  EXPECT_EQ(judge_power_sample(-1.0, 600.0), PowerVerdict::negative);
  EXPECT_EQ(judge_power_sample(601.0, 600.0), PowerVerdict::above_bound);
}

TEST(Plausibility, DescriptionsNameTheValueTheBoundAndItsBasis) {
  const ChannelInfo cpu = channel(Component::cpu);
  const std::uint64_t prev = 50'000'000'000;
  const CounterStep s = judge_counter_step(prev, prev - 1'000'000, cpu, 0.2);
  const std::string text = describe_rejected_step(s, prev, prev - 1'000'000, 0.2, cpu);
  EXPECT_NE(text.find("stepped back"), std::string::npos) << text;
  EXPECT_NE(text.find("262142 J"), std::string::npos) << text;
  EXPECT_NE(text.find("1000 W"), std::string::npos) << text;
  EXPECT_NE(text.find("not a wrap"), std::string::npos) << text;
  ChannelInfo gpu = channel(Component::gpu, Method::power);
  gpu.max_power_w = 600;
  gpu.max_power_basis = "2 x NVML power limit 300 W";
  const std::string p = describe_rejected_power(PowerVerdict::above_bound, 5000, gpu);
  EXPECT_NE(p.find("5000.0 W"), std::string::npos) << p;
  EXPECT_NE(p.find("2 x NVML power limit 300 W"), std::string::npos) << p;
}

}  // namespace
}  // namespace carbontracker
