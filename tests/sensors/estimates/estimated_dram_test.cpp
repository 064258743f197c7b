#include "sensors/estimated_dram.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sensors/backends.hpp"
#include "sensors/simulated.hpp"
#include "test_support.hpp"

namespace carbontracker::sensors {
namespace {

using carbontracker::testing::copy_tree;
using carbontracker::testing::fixtures_dir;
using carbontracker::testing::TempDir;
using carbontracker::testing::write_file;
using ::testing::HasSubstr;

constexpr std::uint64_t kGib = 1024ull * 1024 * 1024;

// A procfs with 64 GiB of MemTotal and the given self/cgroup, plus an empty sysfs.
struct Machine {
  TempDir dir;
  SensorContext ctx;
  explicit Machine(const std::string& self_cgroup, std::uint64_t mem_total_kib = 64ull * 1024 * 1024) {
    write_file(dir / "proc/meminfo", "MemTotal:       " + std::to_string(mem_total_kib) + " kB\nMemFree: 1 kB\n");
    write_file(dir / "proc/self/cgroup", self_cgroup);
    std::filesystem::create_directories(dir / "sys/fs/cgroup");
    ctx.procfs_root = dir / "proc";
    ctx.sysfs_root = dir / "sys";
  }
  void cgroup_file(const std::string& rel, const std::string& content) { write_file(dir / "sys/fs/cgroup" / rel, content); }
};

double probe_power(const SensorContext& ctx, Coverage& coverage, ProbeOutput& out) {
  probe_estimated_dram(ctx, coverage, out);
  if (out.sensors.size() != 1) return -1;
  std::vector<Reading> readings;
  readings.reserve(1);
  EXPECT_TRUE(out.sensors[0]->read(readings).is_ok());
  EXPECT_EQ(readings.size(), 1u);
  EXPECT_EQ(readings[0].state, ReadingState::ok);
  return readings[0].power_w;
}

TEST(EstimatedDram, CgroupV2LimitBelowMemTotalIsCharged) {
  Machine m("0::/system.slice/job.scope\n");
  m.cgroup_file("system.slice/job.scope/memory.max", std::to_string(8 * kGib) + "\n");
  Coverage coverage;
  ProbeOutput out;
  EXPECT_DOUBLE_EQ(probe_power(m.ctx, coverage, out), 8 * 0.375);
  ASSERT_EQ(out.reports.size(), 1u);
  const SourceReport& r = out.reports[0];
  EXPECT_TRUE(r.available);
  EXPECT_TRUE(r.counted);
  EXPECT_EQ(r.info.method, Method::estimated);
  EXPECT_EQ(r.info.component, Component::dram);
  EXPECT_EQ(r.info.source, "dram-estimate");
  EXPECT_EQ(r.info.notes[0], "estimated: 0.375 W/GiB x 8 GiB = 3 W, constant (CodeCarbon's 3 W per 8 GB); not the "
                             "memory actually in use");
  EXPECT_THAT(r.info.notes[1], HasSubstr("cgroup v2 limit 8 GiB"));
  EXPECT_THAT(r.info.notes[1], HasSubstr("system.slice/job.scope/memory.max"));
  EXPECT_THAT(r.info.notes[1], HasSubstr("below MemTotal 64 GiB"));
  EXPECT_EQ(coverage.claimed_by(Component::dram), "dram-estimate");
}

TEST(EstimatedDram, CgroupV2MaxMeansMemTotal) {
  Machine m("0::/user.slice\n");
  m.cgroup_file("user.slice/memory.max", "max\n");
  Coverage coverage;
  ProbeOutput out;
  EXPECT_DOUBLE_EQ(probe_power(m.ctx, coverage, out), 64 * 0.375);
  EXPECT_THAT(out.reports[0].info.notes[1], HasSubstr("MemTotal 64 GiB"));
  EXPECT_THAT(out.reports[0].info.notes[1], HasSubstr("no cgroup memory limit"));
}

TEST(EstimatedDram, NestedV2LimitOnAParentCounts) {
  Machine m("0::/kubepods/burstable/pod1/ctr\n");
  m.cgroup_file("kubepods/burstable/pod1/ctr/memory.max", "max\n");
  m.cgroup_file("kubepods/burstable/pod1/memory.max", std::to_string(4 * kGib) + "\n");
  m.cgroup_file("kubepods/memory.max", std::to_string(32 * kGib) + "\n");
  const auto limit = cgroup_memory_limit(m.ctx);
  ASSERT_TRUE(limit);
  EXPECT_EQ(limit->bytes, 4 * kGib);
  EXPECT_EQ(limit->version, "v2");
  EXPECT_THAT(limit->file, HasSubstr("kubepods/burstable/pod1/memory.max"));
  Coverage coverage;
  ProbeOutput out;
  EXPECT_DOUBLE_EQ(probe_power(m.ctx, coverage, out), 4 * 0.375);
}

TEST(EstimatedDram, ContainerRootCgroupLimitCounts) {
  // With a cgroup namespace the container sees "0::/" and its own limit at the mount root.
  Machine m("0::/\n");
  m.cgroup_file("memory.max", std::to_string(2 * kGib) + "\n");
  Coverage coverage;
  ProbeOutput out;
  EXPECT_DOUBLE_EQ(probe_power(m.ctx, coverage, out), 2 * 0.375);
}

TEST(EstimatedDram, CgroupV1LimitCountsAndHugeMeansUnlimited) {
  Machine m("4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n0::/\n");
  m.cgroup_file("memory/docker/abc/memory.limit_in_bytes", std::to_string(16 * kGib) + "\n");
  m.cgroup_file("memory/memory.limit_in_bytes", "9223372036854771712\n");
  Coverage coverage;
  ProbeOutput out;
  EXPECT_DOUBLE_EQ(probe_power(m.ctx, coverage, out), 16 * 0.375);
  EXPECT_THAT(out.reports[0].info.notes[1], HasSubstr("cgroup v1 limit 16 GiB"));

  Machine unlimited("5:cpuacct,memory:/docker/abc\n");
  unlimited.cgroup_file("memory/docker/abc/memory.limit_in_bytes", "9223372036854771712\n");
  EXPECT_FALSE(cgroup_memory_limit(unlimited.ctx));
}

TEST(EstimatedDram, LimitAboveMemTotalChargesMemTotal) {
  Machine m("0::/big\n", 16ull * 1024 * 1024);
  m.cgroup_file("big/memory.max", std::to_string(1024 * kGib) + "\n");
  Coverage coverage;
  ProbeOutput out;
  EXPECT_DOUBLE_EQ(probe_power(m.ctx, coverage, out), 16 * 0.375);
  EXPECT_THAT(out.reports[0].info.notes[1], HasSubstr("is not lower"));
}

TEST(EstimatedDram, PathEscapingTheNamespaceFallsBackToTheRoot) {
  Machine m("0::/../../outside\n");
  m.cgroup_file("memory.max", std::to_string(3 * kGib) + "\n");
  m.cgroup_file("outside/memory.max", std::to_string(1 * kGib) + "\n");
  const auto limit = cgroup_memory_limit(m.ctx);
  ASSERT_TRUE(limit);
  EXPECT_EQ(limit->bytes, 3 * kGib);
}

TEST(EstimatedDram, ThisVmsFixtureUsesMemTotalWhenTheV1CgroupIsAbsent) {
  TempDir dir;
  copy_tree(fixtures_dir() / "procfs" / "vm-xeon-generic", dir / "proc");
  SensorContext ctx;
  ctx.procfs_root = dir / "proc";
  ctx.sysfs_root = dir / "sys";  // no cgroup files at all
  auto budget = memory_budget(ctx);
  ASSERT_TRUE(budget) << budget.status().to_string();
  EXPECT_EQ(budget->bytes, 24683656ull * 1024);
  EXPECT_FALSE(budget->limit);
}

TEST(EstimatedDram, MissingMeminfoIsReported) {
  TempDir dir;
  SensorContext ctx;
  ctx.procfs_root = dir.path();
  ctx.sysfs_root = dir.path();
  Coverage coverage;
  ProbeOutput out;
  probe_estimated_dram(ctx, coverage, out);
  EXPECT_TRUE(out.sensors.empty());
  ASSERT_EQ(out.reports.size(), 1u);
  EXPECT_FALSE(out.reports[0].available);
  EXPECT_THAT(out.reports[0].reason, HasSubstr("meminfo"));
  EXPECT_FALSE(out.reports[0].fix.empty());
  EXPECT_FALSE(coverage.covered(Component::dram));

  write_file(dir / "meminfo", "MemFree: 10 kB\n");
  ProbeOutput out2;
  probe_estimated_dram(ctx, coverage, out2);
  ASSERT_EQ(out2.reports.size(), 1u);
  EXPECT_THAT(out2.reports[0].reason, HasSubstr("MemTotal"));
}

TEST(EstimatedDram, RespectsCoverage) {
  Machine m("0::/\n");
  Coverage coverage;
  coverage.claim(Component::dram, "perf");
  ProbeOutput out;
  probe_estimated_dram(m.ctx, coverage, out);
  EXPECT_TRUE(out.sensors.empty());
  EXPECT_TRUE(out.reports.empty());
}

}  // namespace
}  // namespace carbontracker::sensors
