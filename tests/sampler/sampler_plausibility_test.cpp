// The sampler applies the plausibility policy: impossible values are not counted, are bridged
// like a failed read, and say why.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "recording_listener.hpp"
#include "sampler/sampler.hpp"
#include "scripted_sensor.hpp"
#include "sampler_rig.hpp"
#include "test_support.hpp"
#include "counter_specs.hpp"
#include "fixture_machine.hpp"

namespace carbontracker {
namespace {

using testing::kNvmlSpec;
using testing::kRaplSpec;

using namespace std::chrono_literals;
using testing::counter_channel;
using testing::counter_reading;
using testing::power_channel;
using testing::power_reading;

using Rig = testing::SamplerRig;
using testing::any_event_has;

// Seen in the field: a RAPL zone stepped back 1 J and was counted as +262,142 J in 0.2 s.
TEST(SamplerPlausibility, OneOffStepBackIsBridgedNotCountedAsAWrap) {
  Rig rig({counter_channel("powercap:intel-rapl:0", kRaplSpec, 1e-6)});
  const std::uint64_t base = 100'000'000'000;  // 100 kJ
  rig.start({counter_reading(0, base)});
  rig.step(200ms, {counter_reading(0, base + 20'000'000)});  // 20 J (100 W)
  rig.step(200ms, {counter_reading(0, base + 19'000'000)});  // stepped back 1 J
  rig.step(200ms, {counter_reading(0, base + 60'000'000)});  // the real trajectory again
  const auto snap = rig.sampler->snapshot();
  const auto& c = snap.channels[0];
  EXPECT_DOUBLE_EQ(c.energy_j, 60.0);  // caught up exactly, nothing invented
  EXPECT_EQ(c.health.wraps, 0u);
  EXPECT_EQ(c.health.rejected, 1u);
  EXPECT_EQ(c.health.failed_reads, 1u);
  EXPECT_DOUBLE_EQ(c.health.unmeasured_s, 0.0);
  EXPECT_EQ(c.health.state, ChannelState::degraded);
  ASSERT_TRUE(any_event_has(snap, "not a wrap")) << (snap.events.empty() ? "" : snap.events[0].message);
  EXPECT_TRUE(any_event_has(snap, "default bound for a CPU package"));
}

TEST(SamplerPlausibility, PersistentStepBackIsAResetWithAnUnmeasuredInterval) {
  Rig rig({counter_channel("powercap:intel-rapl:0", kRaplSpec, 1e-6)});
  const std::uint64_t base = 100'000'000'000;
  rig.start({counter_reading(0, base)});
  rig.step(1s, {counter_reading(0, base + 100'000'000)});  // 100 J
  rig.step(1s, {counter_reading(0, 5'000'000)});           // reset to near 0: not a wrap in 1 s
  rig.step(1s, {counter_reading(0, 105'000'000)});         // 100 J from there on
  const auto snap = rig.sampler->snapshot();
  const auto& c = snap.channels[0];
  EXPECT_DOUBLE_EQ(c.energy_j, 200.0);
  EXPECT_DOUBLE_EQ(c.health.unmeasured_s, 1.0);  // the interval that ended in the reset
  EXPECT_EQ(c.health.resets, 1u);
  EXPECT_EQ(c.health.wraps, 0u);
  EXPECT_TRUE(any_event_has(snap, "carries on from 5000000"));
}

TEST(SamplerPlausibility, ImplausibleForwardJumpIsNotCounted) {
  Rig rig({counter_channel("nvml:GPU-a", kNvmlSpec, 1e-3, Component::gpu)});
  rig.start({counter_reading(0, 1'000'000)});
  rig.step(1s, {counter_reading(0, 1'300'000)});                 // 300 J
  rig.step(1s, {counter_reading(0, 1'300'000 + 1'000'000'000)});  // +1 MJ in 1 s: cannot be true
  rig.step(1s, {counter_reading(0, 1'900'000)});                 // back on track: 600 J over 2 s
  const auto snap = rig.sampler->snapshot();
  EXPECT_DOUBLE_EQ(snap.channels[0].energy_j, 900.0);
  EXPECT_EQ(snap.channels[0].health.rejected, 1u);
  EXPECT_TRUE(any_event_has(snap, "rose from"));
}

TEST(SamplerPlausibility, ASensorsOwnBoundIsApplied) {
  ChannelInfo gpu = counter_channel("nvml:GPU-a", kNvmlSpec, 1e-3, Component::gpu);
  gpu.max_power_w = 600;
  gpu.max_power_basis = "2 x NVML power limit 300 W";
  Rig rig({gpu});
  rig.start({counter_reading(0, 0)});
  rig.step(1s, {counter_reading(0, 1'500'000)});  // 1500 J in 1 s: fine for 2000 W, not for 600 W
  const auto snap = rig.sampler->snapshot();
  EXPECT_DOUBLE_EQ(snap.channels[0].energy_j, 0.0);
  EXPECT_EQ(snap.channels[0].health.rejected, 1u);
  EXPECT_TRUE(any_event_has(snap, "2 x NVML power limit 300 W"));
}

TEST(SamplerPlausibility, NonFiniteNegativeAndExcessivePowerAreNotIntegrated) {
  Rig rig({power_channel("nvml:GPU-p")});
  rig.start({power_reading(0, 100.0)});
  rig.step(1s, {power_reading(0, 100.0)});                                    // 100 J
  rig.step(1s, {power_reading(0, std::numeric_limits<double>::quiet_NaN())});  // rejected
  rig.step(1s, {power_reading(0, -50.0)});                                    // rejected
  rig.step(1s, {power_reading(0, 1e7)});                                      // rejected
  rig.step(1s, {power_reading(0, 100.0)});  // bridged: 100 W over the 4 s since the last good sample
  const auto snap = rig.sampler->snapshot();
  const auto& c = snap.channels[0];
  EXPECT_TRUE(std::isfinite(c.energy_j));
  EXPECT_DOUBLE_EQ(c.energy_j, 500.0);
  EXPECT_EQ(c.health.rejected, 3u);
  // One event per streak of bad values, and it says why.
  ASSERT_EQ(snap.events.size(), 1u);
  EXPECT_NE(snap.events[0].message.find("not a finite number"), std::string::npos) << snap.events[0].message;
  const auto m = rig.sampler->mark();
  EXPECT_TRUE(std::isfinite(m.energy_j[0]));
}

// What is not counted is not heard: the energy listener (sampler/energy_listener.hpp) hears the
// bridged catch-up of rejected power and a counter that carries on after a reset or jump, and
// never a rejected value.
TEST(SamplerPlausibility, TheListenerHearsWhatIsCountedAndNothingRejected) {
  testing::RecordingListener listener;
  SamplerOptions opts;
  opts.energy_listener = &listener;
  Rig rig({power_channel("nvml:GPU-p"), counter_channel("powercap:intel-rapl:0", kRaplSpec, 1e-6)}, opts);
  const std::uint64_t base = 100'000'000'000;
  rig.start({power_reading(0, 100.0), counter_reading(1, base)});
  rig.step(1s, {power_reading(0, 100.0), counter_reading(1, base + 100'000'000)});  // 100 J, 100 J
  rig.step(1s, {power_reading(0, std::numeric_limits<double>::quiet_NaN()), counter_reading(1, 5'000'000)});
  rig.step(1s, {power_reading(0, -50.0), counter_reading(1, 105'000'000)});  // carries on: 100 J
  rig.step(1s, {power_reading(0, 100.0), counter_reading(1, 106'000'000)});  // bridged 300 J; 1 J
  const auto m = rig.sampler->mark();
  EXPECT_DOUBLE_EQ(m.energy_j[0], 400.0);
  EXPECT_DOUBLE_EQ(m.energy_j[1], 201.0);
  EXPECT_EQ(listener.heard_j[0], m.energy_j[0]);
  EXPECT_NEAR(listener.heard_j[1], m.energy_j[1], 1e-9);
  EXPECT_EQ(m.listener_tally, listener.heard_j);
  EXPECT_TRUE(std::isfinite(listener.heard_j[0]));
}

}  // namespace
}  // namespace carbontracker
