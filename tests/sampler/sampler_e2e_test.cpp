// The sampler over real backends: a fixture powercap tree whose counter files the test rewrites
// (including a wrap) and the fake libnvidia-ml driven through its control API (a lost GPU, a
// driver reset). Time comes from a FakeClock, so every expected joule is exact.
#include <gtest/gtest.h>

#include "fake_nvml_control.hpp"
#include "sampler/sampler.hpp"
#include "sensors/registry.hpp"
#include "fixture_machine.hpp"
#include "test_support.hpp"

namespace carbontracker {
namespace {

using namespace std::chrono_literals;
using testing::write_file;
using Machine = testing::SamplerFixtureMachine;
using testing::channel_index;

constexpr std::uint64_t kPkgRange = 262143328850ull;  // ESU 14 package zones in the fixture

// Two H100s whose energy counters do not move unless a test says so.
const std::string kTwoH100 =
    "gpu name=\"NVIDIA H100 80GB HBM3\" energy_mj=1000000 energy_step_mj=0\n"
    "gpu name=\"NVIDIA H100 80GB HBM3\" energy_mj=2000000 energy_step_mj=0\n";

TEST(SamplerEndToEnd, ExactEnergyThroughWrapsResetsAndALostGpu) {
  Machine m(kTwoH100);
  m.set_zone("intel-rapl:0", kPkgRange - 5'000'000);  // 5 J below the top
  m.set_zone("intel-rapl:1", 1'000'000);
  auto inv = sensors::probe_all(m.ctx);
  Sampler sampler(std::move(inv.sensors), m.clock, SamplerOptions{});
  ASSERT_EQ(sampler.channels().size(), 6u);  // 2 packages, 2 dram, 2 GPUs
  const auto pkg0 = channel_index(sampler, "powercap:intel-rapl:0");
  const auto pkg1 = channel_index(sampler, "powercap:intel-rapl:1");
  const auto gpu0 = channel_index(sampler, "nvml:GPU-fa4e0000-0000-4000-8000-000000000000");
  const auto gpu1 = channel_index(sampler, "nvml:GPU-fa4e0000-0000-4000-8000-000000000001");
  ASSERT_TRUE(sampler.start().is_ok());
  sampler.stop();  // drive ticks by hand from here
  const auto epoch_start = sampler.mark();

  // +1 s: package 0 wraps (5 J to the top, the 61 uJ step, 3 J after); package 1 +100 J;
  // GPU 0 +250 J, GPU 1 +300 J.
  m.set_zone("intel-rapl:0", 3'000'000);
  m.set_zone("intel-rapl:1", 101'000'000);
  m.nvml.set_energy_mj(0, 1'250'000);
  m.nvml.set_energy_mj(1, 2'300'000);
  m.clock.advance(1s);
  sampler.tick();

  // +1 s: GPU 0's driver reloads (counter back near zero): that second is unmeasured;
  // GPU 1 is lost.
  m.nvml.set_energy_mj(0, 40'000);
  m.nvml.set_lost(1, true);
  m.clock.advance(1s);
  sampler.tick();

  // +1 s: GPU 0 climbs 200 J from its new origin.
  m.nvml.set_energy_mj(0, 240'000);
  m.clock.advance(1s);
  const auto e = sampler.energy_since(epoch_start);

  EXPECT_DOUBLE_EQ(e[pkg0], (5'000'000 + 61 + 3'000'000) * 1e-6);
  EXPECT_DOUBLE_EQ(e[pkg1], 100.0);
  EXPECT_DOUBLE_EQ(e[gpu0], 250.0 + 200.0);
  EXPECT_DOUBLE_EQ(e[gpu1], 300.0);

  const auto snap = sampler.snapshot();
  EXPECT_EQ(snap.channels[pkg0].health.wraps, 1u);
  EXPECT_EQ(snap.channels[gpu0].health.resets, 1u);
  EXPECT_DOUBLE_EQ(snap.channels[gpu0].health.unmeasured_s, 1.0);
  EXPECT_EQ(snap.channels[gpu1].health.state, ChannelState::lost);
  EXPECT_EQ(snap.channels[pkg1].health.state, ChannelState::ok);
  // Process lists are never taken from the read path (devices_by_pid is off anyway).
  EXPECT_EQ(m.nvml.call_count("nvmlDeviceGetComputeRunningProcesses_v3"), 0u);
}

TEST(SamplerEndToEnd, GarbledEnergyFileMidRunDegradesOnlyItsChannel) {
  Machine m(kTwoH100);
  auto inv = sensors::probe_all(m.ctx);
  Sampler sampler(std::move(inv.sensors), m.clock, SamplerOptions{});
  ASSERT_TRUE(sampler.start().is_ok());
  sampler.stop();
  const auto pkg0 = channel_index(sampler, "powercap:intel-rapl:0");
  const auto pkg1 = channel_index(sampler, "powercap:intel-rapl:1");
  // The fd stays open, so replacing the file's content with garbage is what a broken driver does.
  write_file(m.sys / "class/powercap/intel-rapl:0/energy_uj", "garbage\n");
  m.clock.advance(1s);
  sampler.tick();
  const auto snap = sampler.snapshot();
  EXPECT_EQ(snap.channels[pkg0].health.state, ChannelState::degraded);
  EXPECT_EQ(snap.channels[pkg0].health.failed_reads, 1u);
  EXPECT_EQ(snap.channels[pkg1].health.state, ChannelState::ok);
}

}  // namespace
}  // namespace carbontracker
