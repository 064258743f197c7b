// devices_by_pid: process lists on the slow tick only, matched against a process tree read
// from a fake procfs; the feature switches off (with a note) when the library lacks the calls.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "fake_nvml_control.hpp"
#include "nvml_test_support.hpp"
#include "test_support.hpp"

namespace carbontracker::sensors {
namespace {

using carbontracker::testing::FakeNvml;
using carbontracker::testing::TempDir;
using carbontracker::testing::write_file;
using namespace nvml_testing;

// Tree rooted at 100: 100 -> 101 -> 102. 200 is someone else's job.
void write_procfs(const TempDir& proc) {
  write_file(proc / "1/stat", "1 (init) S 0 1 1 0\n");
  write_file(proc / "100/stat", "100 (python) S 1 100 100 0\n");
  write_file(proc / "101/stat", "101 (pt_data_worker) S 100 100 100 0\n");
  write_file(proc / "102/stat", "102 (torchrun child) R 101 100 100 0\n");
  write_file(proc / "200/stat", "200 (other job) R 1 200 200 0\n");
}

SensorContext by_pid_context(const std::string& library, const TempDir& proc) {
  SensorContext ctx = make_context(library);
  ctx.procfs_root = proc.path();
  ctx.options.devices_by_pid = true;
  ctx.options.root_pid = 100;
  return ctx;
}

TEST(NvmlByPid, SlowTickMatchesComputeAndGraphicsProcessesOfTheTree) {
  TempDir proc;
  write_procfs(proc);
  FakeNvml fake;
  fake.load_config(
      "gpu pids=102\n"            // our grandchild computes here
      "gpu pids=200\n"            // another job's GPU
      "gpu graphics_pids=100\n"   // our root renders here
      "gpu\n");                   // idle
  auto out = probe(by_pid_context(fake.path(), proc));
  ASSERT_EQ(out.sensors.size(), 1u);
  Sensor& s = *out.sensors[0];
  ASSERT_EQ(s.channels().size(), 4u);  // every selected GPU is a channel
  EXPECT_FALSE(s.channels_in_use().has_value());  // unknown before the first slow tick

  s.slow_tick();
  EXPECT_EQ(s.channels_in_use(), (std::vector<bool>{true, false, true, false}));

  // The job moves: the next slow tick sees it.
  fake.set_compute_pids(3, {101});
  fake.set_compute_pids(0, {});
  s.slow_tick();
  EXPECT_EQ(s.channels_in_use(), (std::vector<bool>{false, false, true, true}));
}

TEST(NvmlByPid, ReadNeverListsProcesses) {
  TempDir proc;
  write_procfs(proc);
  FakeNvml fake;
  fake.load_config("gpu pids=101\ngpu\n");
  auto out = probe(by_pid_context(fake.path(), proc));
  ASSERT_EQ(out.sensors.size(), 1u);
  Sensor& s = *out.sensors[0];
  for (int i = 0; i < 50; ++i) read_all(s);
  EXPECT_EQ(fake.call_count("nvmlDeviceGetComputeRunningProcesses_v3"), 0u);
  EXPECT_EQ(fake.call_count("nvmlDeviceGetGraphicsRunningProcesses_v3"), 0u);
  EXPECT_EQ(fake.call_count("nvmlDeviceGetTotalEnergyConsumption"), 2u + 100u);  // probe + reads

  s.slow_tick();
  EXPECT_EQ(fake.call_count("nvmlDeviceGetComputeRunningProcesses_v3"), 2u);
  EXPECT_EQ(fake.call_count("nvmlDeviceGetGraphicsRunningProcesses_v3"), 1u);  // GPU 0 matched on compute
  for (int i = 0; i < 50; ++i) read_all(s);
  EXPECT_EQ(fake.call_count("nvmlDeviceGetComputeRunningProcesses_v3"), 2u);
}

TEST(NvmlByPid, LostGpuIsNotAskedForProcesses) {
  TempDir proc;
  write_procfs(proc);
  FakeNvml fake;
  fake.load_config("gpu pids=101\ngpu pids=101\n");
  auto out = probe(by_pid_context(fake.path(), proc));
  ASSERT_EQ(out.sensors.size(), 1u);
  fake.set_lost(0, true);
  EXPECT_EQ(read_all(*out.sensors[0])[0].state, ReadingState::lost);
  out.sensors[0]->slow_tick();
  EXPECT_EQ(fake.call_count("nvmlDeviceGetComputeRunningProcesses_v3"), 1u);
  ASSERT_TRUE(out.sensors[0]->channels_in_use().has_value());
  EXPECT_TRUE(out.sensors[0]->channels_in_use()->at(1));
}

TEST(NvmlByPid, OffUnlessAskedFor) {
  TempDir proc;
  write_procfs(proc);
  FakeNvml fake;
  SensorContext ctx = by_pid_context(fake.path(), proc);
  ctx.options.devices_by_pid = false;
  auto out = probe(ctx);
  ASSERT_EQ(out.sensors.size(), 1u);
  out.sensors[0]->slow_tick();
  EXPECT_FALSE(out.sensors[0]->channels_in_use().has_value());
  EXPECT_EQ(fake.call_count("nvmlDeviceGetComputeRunningProcesses_v3"), 0u);
}

TEST(NvmlByPid, MissingProcessCallsTurnTheFeatureOffWithANote) {
  TempDir proc;
  write_procfs(proc);
  FakeNvml fake(FakeNvml::kNoProcessApi);
  fake.load_config("gpu pids=101\ngpu\n");
  Coverage coverage;
  auto out = probe(by_pid_context(fake.path(), proc), coverage);
  ASSERT_EQ(out.sensors.size(), 1u);  // the optional symbols do not block measuring
  EXPECT_EQ(coverage.claimed_by(Component::gpu), "nvml");
  for (const auto& c : out.sensors[0]->channels()) {
    EXPECT_TRUE(any_note_contains(c, "devices_by_pid is off")) << c.id;
    EXPECT_TRUE(any_note_contains(c, "nvmlDeviceGetComputeRunningProcesses_v3")) << c.id;
  }
  out.sensors[0]->slow_tick();
  EXPECT_FALSE(out.sensors[0]->channels_in_use().has_value());  // unknown: every GPU counts
  EXPECT_EQ(read_all(*out.sensors[0])[0].state, ReadingState::ok);
}

TEST(NvmlByPid, SlowTickMayRunWhileReadRunsOnAnotherThread) {
  // The sampler's contract: read() from the caller's thread (epoch boundaries) while the
  // sampler thread runs slow_tick() and channels_in_use(). Run under ThreadSanitizer.
  TempDir proc;
  write_procfs(proc);
  FakeNvml fake;
  fake.load_config("gpu pids=101\ngpu\ngpu graphics_pids=102\n");
  auto out = probe(by_pid_context(fake.path(), proc));
  ASSERT_EQ(out.sensors.size(), 1u);
  Sensor& s = *out.sensors[0];
  std::atomic<bool> done{false};
  std::thread sampler([&] {
    while (!done.load()) {
      s.slow_tick();
      (void)s.channels_in_use();
    }
  });
  std::vector<Reading> readings;
  readings.reserve(3);
  int lost_seen = 0;
  for (int i = 0; i < 300; ++i) {
    readings.clear();
    ASSERT_TRUE(s.read(readings).is_ok());
    if (i == 150) fake.set_lost(1, true);
    lost_seen += readings[1].state == ReadingState::lost;
  }
  done.store(true);
  sampler.join();
  EXPECT_GT(lost_seen, 0);
  s.slow_tick();
  EXPECT_EQ(s.channels_in_use(), (std::vector<bool>{true, true, true}));  // lost GPU: unknown, counted
}

}  // namespace
}  // namespace carbontracker::sensors
