// The NVML probe and sensor against the fake libnvidia-ml, loaded through the product's own
// dlopen path: counters, power-only GPUs, library/symbol/init failures, lost GPUs, resets,
// coverage and shutdown.
#include <stdlib.h>

#include <gtest/gtest.h>

#include "carbontracker/counter.hpp"
#include "fake_nvml_control.hpp"
#include "nvml_test_support.hpp"
#include "test_support.hpp"

namespace carbontracker::sensors {
namespace {

using carbontracker::testing::FakeNvml;
using carbontracker::testing::TempDir;
using carbontracker::testing::write_file;
using namespace nvml_testing;

TEST(NvmlProbe, TwoDefaultGpusBecomeCounterChannelsIdentifiedByUuid) {
  FakeNvml fake;  // no config: the fake's two default GPUs
  Coverage coverage;
  auto out = probe(make_context(fake.path()), coverage);

  ASSERT_EQ(out.sensors.size(), 1u);
  Sensor& s = *out.sensors[0];
  EXPECT_EQ(s.name(), "nvml");
  ASSERT_EQ(s.channels().size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const ChannelInfo& c = s.channels()[i];
    const std::string uuid = "GPU-fa4e0000-0000-4000-8000-00000000000" + std::to_string(i);
    EXPECT_EQ(c.uuid, uuid);
    EXPECT_EQ(c.id, "nvml:" + uuid);
    EXPECT_EQ(c.name, "NVIDIA Fake GPU");
    EXPECT_EQ(c.component, Component::gpu);
    EXPECT_EQ(c.method, Method::counter);
    EXPECT_EQ(c.source, "nvml");
    EXPECT_EQ(c.path, fake.path());
    EXPECT_EQ(c.counter.kind, CounterKind::resetting);
    EXPECT_DOUBLE_EQ(c.joules_per_unit, 1e-3);
    EXPECT_DOUBLE_EQ(c.resolution_s, 0.1);
  }
  ASSERT_EQ(out.reports.size(), 2u);
  for (const auto& r : out.reports) {
    EXPECT_TRUE(r.available);
    EXPECT_TRUE(r.counted);
    EXPECT_TRUE(r.reason.empty());
  }
  EXPECT_EQ(coverage.claimed_by(Component::gpu), "nvml");

  // The probe read each counter once (1000000 mJ); each read advances it by 100 mJ.
  auto first = read_all(s);
  auto second = read_all(s);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(first[i].channel, i);
    EXPECT_EQ(first[i].state, ReadingState::ok);
    EXPECT_EQ(first[i].counter, 1000100u);
    const auto d = counter_delta(first[i].counter, second[i].counter, s.channels()[i].counter);
    EXPECT_TRUE(d.valid);
    EXPECT_DOUBLE_EQ(static_cast<double>(d.delta) * s.channels()[i].joules_per_unit, 0.1);
  }
}

TEST(NvmlProbe, ReadDoesNotAllocateOnceTheOutputHasCapacity) {
  FakeNvml fake;
  auto out = probe(make_context(fake.path()));
  ASSERT_EQ(out.sensors.size(), 1u);
  std::vector<Reading> readings;
  readings.reserve(2);
  const Reading* data = readings.data();
  ASSERT_TRUE(out.sensors[0]->read(readings).is_ok());
  EXPECT_EQ(readings.size(), 2u);
  EXPECT_EQ(readings.data(), data);
}

TEST(NvmlProbe, PowerOnlyGpuIsSampledInWatts) {
  FakeNvml fake;
  fake.load_config("gpu name=\"Tesla P100-PCIE-16GB\" energy=none power_mw=187500\n");
  auto out = probe(make_context(fake.path()));
  ASSERT_EQ(out.sensors.size(), 1u);
  const ChannelInfo& c = out.sensors[0]->channels().at(0);
  EXPECT_EQ(c.method, Method::power);
  EXPECT_EQ(c.name, "Tesla P100-PCIE-16GB");
  EXPECT_DOUBLE_EQ(c.resolution_s, 0.1);
  EXPECT_TRUE(any_note_contains(c, "no energy counter (pre-Volta or not supported): power sampled and integrated"));
  auto r = read_all(*out.sensors[0]);
  EXPECT_EQ(r[0].state, ReadingState::ok);
  EXPECT_DOUBLE_EQ(r[0].power_w, 187.5);
  fake.set_power_mw(0, 250000);
  EXPECT_DOUBLE_EQ(read_all(*out.sensors[0])[0].power_w, 250.0);
}

TEST(NvmlProbe, GpuWithNeitherCounterNorPowerIsUnavailableAndNvmlIsShutDown) {
  FakeNvml fake;
  fake.load_config("gpu energy=none power=none\n");
  Coverage coverage;
  auto out = probe(make_context(fake.path()), coverage);
  EXPECT_TRUE(out.sensors.empty());
  ASSERT_EQ(out.reports.size(), 1u);
  EXPECT_FALSE(out.reports[0].available);
  EXPECT_TRUE(contains(out.reports[0].reason, "Not Supported"));
  EXPECT_FALSE(out.reports[0].fix.empty());
  EXPECT_FALSE(coverage.covered(Component::gpu));
  EXPECT_EQ(fake.call_count("nvmlShutdown"), 1u);
  EXPECT_EQ(fake.init_refcount(), 0);
}

TEST(NvmlProbe, InitFailureGivesNvmlsReasonAndAFix) {
  FakeNvml fake;
  fake.load_config("init_error 9\ngpu\n");
  Coverage coverage;
  auto out = probe(make_context(fake.path()), coverage);
  EXPECT_TRUE(out.sensors.empty());
  ASSERT_EQ(out.reports.size(), 1u);
  const auto& r = out.reports[0];
  EXPECT_FALSE(r.available);
  EXPECT_EQ(r.info.component, Component::gpu);
  EXPECT_EQ(r.info.source, "nvml");
  EXPECT_TRUE(contains(r.reason, "Driver Not Loaded")) << r.reason;
  EXPECT_TRUE(contains(r.reason, "9")) << r.reason;
  EXPECT_TRUE(contains(r.fix, "modprobe nvidia")) << r.fix;
  EXPECT_FALSE(coverage.covered(Component::gpu));
  EXPECT_EQ(fake.call_count("nvmlShutdown"), 0u);  // init failed: nothing to shut down
}

TEST(NvmlProbe, MissingDriverLibraryIsOneReportWithTheFix) {
  // A bare soname that the loader cannot find: what a host without the driver looks like.
  const std::string soname = "libnvidia-ml-carbontracker-absent.so.1";
  auto out = probe(make_context(soname));
  EXPECT_TRUE(out.sensors.empty());
  ASSERT_EQ(out.reports.size(), 1u);
  const auto& r = out.reports[0];
  EXPECT_EQ(r.info.component, Component::gpu);
  EXPECT_EQ(r.info.source, "nvml");
  EXPECT_FALSE(r.available);
  EXPECT_EQ(r.reason, soname + " not found (no NVIDIA driver)");
  EXPECT_EQ(r.fix, "install the NVIDIA driver, or set CARBONTRACKER_NVML_LIBRARY to the library's path");
}

TEST(NvmlProbe, ExplicitLibraryPathThatDoesNotExistNamesThePath) {
  TempDir dir;
  const std::string path = (dir / "absent/libnvidia-ml.so.1").string();
  auto out = probe(make_context(path));
  EXPECT_TRUE(out.sensors.empty());
  ASSERT_EQ(out.reports.size(), 1u);
  EXPECT_FALSE(out.reports[0].available);
  EXPECT_TRUE(contains(out.reports[0].reason, path)) << out.reports[0].reason;
  EXPECT_TRUE(contains(out.reports[0].fix, "CARBONTRACKER_NVML_LIBRARY"));
}

TEST(NvmlProbe, MissingRequiredSymbolNamesItAndAsksForANewerDriver) {
  FakeNvml fake(FakeNvml::kNoEnergySymbol);
  auto out = probe(make_context(fake.path()));
  EXPECT_TRUE(out.sensors.empty());
  ASSERT_EQ(out.reports.size(), 1u);
  EXPECT_FALSE(out.reports[0].available);
  EXPECT_TRUE(contains(out.reports[0].reason, "nvmlDeviceGetTotalEnergyConsumption")) << out.reports[0].reason;
  EXPECT_EQ(out.reports[0].fix, "update the NVIDIA driver");
  EXPECT_EQ(fake.call_count("nvmlInit_v2"), 0u);  // refused before touching the driver
}

TEST(NvmlProbe, GpuLostMidRunEndsOnlyThatChannelWithoutFurtherCalls) {
  FakeNvml fake;
  fake.load_config("gpu\ngpu\ngpu\n");
  auto out = probe(make_context(fake.path()));
  ASSERT_EQ(out.sensors.size(), 1u);
  Sensor& s = *out.sensors[0];
  for (const auto& r : read_all(s)) EXPECT_EQ(r.state, ReadingState::ok);

  fake.set_lost(1, true);
  auto r = read_all(s);
  EXPECT_EQ(r[0].state, ReadingState::ok);
  EXPECT_EQ(r[1].state, ReadingState::lost);
  EXPECT_EQ(r[2].state, ReadingState::ok);

  // From now on the lost channel answers without asking NVML: 2 calls per read, not 3.
  const auto before = fake.call_count("nvmlDeviceGetTotalEnergyConsumption");
  fake.set_lost(1, false);  // even a "revived" GPU stays ended: its counter is no longer trusted
  r = read_all(s);
  EXPECT_EQ(fake.call_count("nvmlDeviceGetTotalEnergyConsumption"), before + 2);
  EXPECT_EQ(r[1].state, ReadingState::lost);
  EXPECT_EQ(r[0].state, ReadingState::ok);
  EXPECT_EQ(r[2].state, ReadingState::ok);
}

TEST(NvmlProbe, LostAfterConfiguredReadsAndLostAtProbe) {
  FakeNvml fake;
  // GPU 0: probe read + one more, then lost. GPU 1: lost before the probe reads it.
  fake.load_config("gpu lost_after=2\ngpu lost_after=0\n");
  auto out = probe(make_context(fake.path()));
  ASSERT_EQ(out.reports.size(), 2u);
  EXPECT_TRUE(out.reports[0].counted);
  EXPECT_FALSE(out.reports[1].available);
  EXPECT_TRUE(contains(out.reports[1].reason, "GPU is lost")) << out.reports[1].reason;
  EXPECT_TRUE(contains(out.reports[1].fix, "nvidia-smi"));
  ASSERT_EQ(out.sensors.size(), 1u);
  ASSERT_EQ(out.sensors[0]->channels().size(), 1u);
  EXPECT_EQ(read_all(*out.sensors[0])[0].state, ReadingState::ok);
  EXPECT_EQ(read_all(*out.sensors[0])[0].state, ReadingState::lost);
}

TEST(NvmlProbe, CounterResetIsARawDropThatCounterDeltaMarksInvalid) {
  FakeNvml fake;
  fake.load_config("gpu energy_mj=5000000 energy_step_mj=250 reset_after=2\n");
  auto out = probe(make_context(fake.path()));  // read 1
  ASSERT_EQ(out.sensors.size(), 1u);
  Sensor& s = *out.sensors[0];
  const CounterSpec spec = s.channels()[0].counter;
  const auto before = read_all(s)[0];  // read 2
  const auto after = read_all(s)[0];   // read 3: the driver "reloaded"
  EXPECT_EQ(before.counter, 5000250u);
  EXPECT_EQ(after.state, ReadingState::ok);
  EXPECT_LT(after.counter, before.counter);
  const auto d = counter_delta(before.counter, after.counter, spec);
  EXPECT_FALSE(d.valid);
  EXPECT_EQ(d.delta, 0u);
  // And it climbs again from there.
  EXPECT_TRUE(counter_delta(after.counter, read_all(s)[0].counter, spec).valid);
}

TEST(NvmlProbe, SetEnergyControlsTheNextRead) {
  FakeNvml fake;
  fake.load_config("gpu energy_step_mj=0\n");
  auto out = probe(make_context(fake.path()));
  ASSERT_EQ(out.sensors.size(), 1u);
  fake.set_energy_mj(0, 123456789012ull);
  EXPECT_EQ(read_all(*out.sensors[0])[0].counter, 123456789012ull);
}

TEST(NvmlProbe, CoveredGpuIsReportedSupersededWithoutChannels) {
  FakeNvml fake;
  Coverage coverage;
  coverage.claim(Component::gpu, "simulated gpu (sim_gpu)");
  auto out = probe(make_context(fake.path()), coverage);
  EXPECT_TRUE(out.sensors.empty());
  ASSERT_EQ(out.reports.size(), 2u);
  for (const auto& r : out.reports) {
    EXPECT_TRUE(r.available);
    EXPECT_FALSE(r.counted);
    EXPECT_EQ(r.reason, "superseded: simulated gpu (sim_gpu)");
    EXPECT_EQ(r.info.source, "nvml");
    EXPECT_FALSE(r.info.uuid.empty());
  }
  EXPECT_EQ(coverage.claimed_by(Component::gpu), "simulated gpu (sim_gpu)");
  EXPECT_EQ(fake.init_refcount(), 0);
}

TEST(NvmlProbe, DestroyingTheSensorShutsNvmlDown) {
  FakeNvml fake;
  auto out = probe(make_context(fake.path()));
  ASSERT_EQ(out.sensors.size(), 1u);
  EXPECT_EQ(fake.init_refcount(), 1);
  EXPECT_EQ(fake.call_count("nvmlShutdown"), 0u);
  out.sensors.clear();
  EXPECT_EQ(fake.init_refcount(), 0);
  EXPECT_EQ(fake.call_count("nvmlShutdown"), 1u);
}

TEST(NvmlProbe, NoGpuAtAllIsReportedAndNvmlIsShutDown) {
  FakeNvml fake;
  fake.load_config("# a driver with no GPU\n");
  auto out = probe(make_context(fake.path()));
  EXPECT_TRUE(out.sensors.empty());
  ASSERT_EQ(out.reports.size(), 1u);
  EXPECT_FALSE(out.reports[0].available);
  EXPECT_TRUE(contains(out.reports[0].reason, "no NVIDIA GPU"));
  EXPECT_EQ(fake.init_refcount(), 0);
}

TEST(NvmlProbe, ConfigFileNamedByTheEnvironmentIsReadAtInit) {
  // What child processes (CLI tests, benchmarks) rely on.
  TempDir dir;
  write_file(dir / "gpus.conf",
             "# two models\n"
             "gpu name=\"NVIDIA H100 80GB HBM3\" uuid=GPU-aaaaaaaa-0000-0000-0000-000000000000\n"
             "  gpu name=\"Tesla V100\" energy_mj=42 enrgy_step_mj=1\n");
  FakeNvml fake;
  ASSERT_EQ(::setenv("CARBONTRACKER_FAKE_NVML_CONFIG", (dir / "gpus.conf").c_str(), 1), 0);
  auto out = probe(make_context(fake.path()));
  // A misspelt key: the fake fails nvmlInit_v2 loudly instead of falling back to defaults.
  EXPECT_TRUE(out.sensors.empty());
  ASSERT_EQ(out.reports.size(), 1u);
  EXPECT_TRUE(contains(out.reports[0].reason, "Unknown Error")) << out.reports[0].reason;

  write_file(dir / "gpus.conf",
             "# two models\n"
             "gpu name=\"NVIDIA H100 80GB HBM3\" uuid=GPU-aaaaaaaa-0000-0000-0000-000000000000\n"
             "  gpu name=\"Tesla V100\" energy_mj=42  # a Volta: has the counter\n");
  fake.reset();
  out = probe(make_context(fake.path()));
  ::unsetenv("CARBONTRACKER_FAKE_NVML_CONFIG");
  ASSERT_EQ(out.sensors.size(), 1u);
  const auto& ch = out.sensors[0]->channels();
  ASSERT_EQ(ch.size(), 2u);
  EXPECT_EQ(ch[0].id, "nvml:GPU-aaaaaaaa-0000-0000-0000-000000000000");
  EXPECT_EQ(ch[0].name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(ch[1].name, "Tesla V100");
  EXPECT_EQ(read_all(*out.sensors[0])[1].counter, 142u);
}

}  // namespace
}  // namespace carbontracker::sensors
