// Values that cannot be true, through real backends: a fixture powercap tree whose energy_uj
// files the test rewrites (hex, malformed text, a zone stepping back) and the fake
// libnvidia-ml with a power limit. Time comes from a FakeClock, so every joule is exact.
#include <gtest/gtest.h>

#include "fake_nvml_control.hpp"
#include "sampler/sampler.hpp"
#include "sensors/registry.hpp"
#include "fixture_machine.hpp"
#include "test_support.hpp"

namespace carbontracker {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;
using testing::write_file;
using Machine = testing::SamplerFixtureMachine;
using testing::any_event_has;
using testing::channel_index;

// One GPU with a 300 W power limit whose energy counter does not move unless a test says so.
const std::string kOneGpu = "gpu energy_mj=1000000 energy_step_mj=0 power_limit_mw=300000\n";

// Hex or malformed text in energy_uj is a failed read, never 0 (nor the digits before the junk):
// the energy is caught up exactly at the next good read.
TEST(SamplerValues, HexOrMalformedEnergyUjIsAFailedReadNeverZero) {
  for (const std::string bad : {"0x1f\n", "0X1F\n", "12abc\n", "-5\n", "\n", "1e9\n", "7 8\n",
                                "99999999999999999999999999999999\n"}) {
    SCOPED_TRACE(bad);
    Machine m(kOneGpu);
    m.set_zone("intel-rapl:0", 1'000'000'000);  // 1 kJ
    auto inv = sensors::probe_all(m.ctx);
    Sampler sampler(std::move(inv.sensors), m.clock, SamplerOptions{});
    const auto pkg0 = channel_index(sampler, "powercap:intel-rapl:0");
    ASSERT_TRUE(sampler.start().is_ok());
    sampler.stop();
    m.set_zone_text("intel-rapl:0", bad);
    m.clock.advance(1s);
    sampler.tick();
    m.set_zone("intel-rapl:0", 1'100'000'000);  // +100 J over the two seconds
    m.clock.advance(1s);
    sampler.tick();
    const auto snap = sampler.snapshot();
    EXPECT_DOUBLE_EQ(snap.channels[pkg0].energy_j, 100.0);
    EXPECT_EQ(snap.channels[pkg0].health.failed_reads, 1u);
    EXPECT_EQ(snap.channels[pkg0].health.wraps, 0u);
    EXPECT_EQ(snap.channels[pkg0].health.rejected, 0u);  // refused by the reader, not read as a number
  }
}

// The case seen in the field, through the real powercap reader: a zone stepping back 1 J.
TEST(SamplerValues, ZoneSteppingBackOneJouleIsNotAWrap) {
  Machine m(kOneGpu);
  m.set_zone("intel-rapl:1", 50'000'000'000);
  auto inv = sensors::probe_all(m.ctx);
  Sampler sampler(std::move(inv.sensors), m.clock, SamplerOptions{});
  const auto pkg1 = channel_index(sampler, "powercap:intel-rapl:1");
  ASSERT_TRUE(sampler.start().is_ok());
  sampler.stop();
  m.set_zone("intel-rapl:1", 50'000'000'000 - 1'000'000);
  m.clock.advance(200ms);
  sampler.tick();
  m.set_zone("intel-rapl:1", 50'000'000'000 + 30'000'000);  // +30 J since the last good read
  m.clock.advance(200ms);
  sampler.tick();
  const auto snap = sampler.snapshot();
  EXPECT_DOUBLE_EQ(snap.channels[pkg1].energy_j, 30.0);  // not 262,142 J
  EXPECT_EQ(snap.channels[pkg1].health.wraps, 0u);
  EXPECT_EQ(snap.channels[pkg1].health.rejected, 1u);
  EXPECT_TRUE(any_event_has(snap, "not a wrap"));
}

TEST(SamplerValues, GpuBoundComesFromItsNvmlPowerLimit) {
  Machine m(kOneGpu);
  auto inv = sensors::probe_all(m.ctx);
  Sampler sampler(std::move(inv.sensors), m.clock, SamplerOptions{});
  const auto gpu = channel_index(sampler, "nvml:GPU-fa4e0000-0000-4000-8000-000000000000");
  EXPECT_DOUBLE_EQ(sampler.channels()[gpu].max_power_w, 600.0);
  EXPECT_NE(sampler.channels()[gpu].max_power_basis.find("300 W"), std::string::npos);
  ASSERT_TRUE(sampler.start().is_ok());
  sampler.stop();
  m.nvml.set_energy_mj(0, 1'000'000 + 250'000);  // 250 J in 1 s: fine
  m.clock.advance(1s);
  sampler.tick();
  m.nvml.set_energy_mj(0, 1'250'000 + 5'000'000);  // 5 kJ in 1 s from a 300 W GPU: impossible
  m.clock.advance(1s);
  sampler.tick();
  const auto snap = sampler.snapshot();
  EXPECT_DOUBLE_EQ(snap.channels[gpu].energy_j, 250.0);
  EXPECT_EQ(snap.channels[gpu].health.rejected, 1u);
  EXPECT_TRUE(any_event_has(snap, "NVML power limit of 300 W"));
}

TEST(SamplerValues, SampledGpuPowerAboveItsBoundIsNotIntegrated) {
  Machine m("gpu energy=none power_mw=200000 power_limit_mw=250000\n");
  auto inv = sensors::probe_all(m.ctx);
  Sampler sampler(std::move(inv.sensors), m.clock, SamplerOptions{});
  const auto gpu = channel_index(sampler, "nvml:GPU-fa4e0000-0000-4000-8000-000000000000");
  ASSERT_EQ(sampler.channels()[gpu].method, Method::power);
  ASSERT_TRUE(sampler.start().is_ok());
  sampler.stop();
  m.nvml.set_power_mw(0, 4'000'000'000u);  // 4 MW: a garbage register
  m.clock.advance(1s);
  sampler.tick();
  m.nvml.set_power_mw(0, 200'000);
  m.clock.advance(1s);
  sampler.tick();
  const auto snap = sampler.snapshot();
  EXPECT_DOUBLE_EQ(snap.channels[gpu].energy_j, 400.0);  // 200 W bridged over 2 s
  EXPECT_EQ(snap.channels[gpu].health.rejected, 1u);
}

// The fake NVML's energy_file is as strict as the real readers: a hex value is a failed read.
TEST(SamplerValues, MalformedGpuEnergyFileIsAFailedReadNeverZero) {
  TempDir dir;
  const auto file = dir / "gpu0";
  write_file(file, "1000000\n");
  Machine m("gpu energy_file=" + file.string() + "\n");
  auto inv = sensors::probe_all(m.ctx);
  Sampler sampler(std::move(inv.sensors), m.clock, SamplerOptions{});
  const auto gpu = channel_index(sampler, "nvml:GPU-fa4e0000-0000-4000-8000-000000000000");
  ASSERT_TRUE(sampler.start().is_ok());
  sampler.stop();
  write_file(file, "0x1f\n");
  m.clock.advance(1s);
  sampler.tick();
  write_file(file, "1200000\n");
  m.clock.advance(1s);
  sampler.tick();
  const auto snap = sampler.snapshot();
  EXPECT_DOUBLE_EQ(snap.channels[gpu].energy_j, 200.0);
  EXPECT_EQ(snap.channels[gpu].health.failed_reads, 1u);
  EXPECT_EQ(snap.channels[gpu].health.resets, 0u);
}

}  // namespace
}  // namespace carbontracker
