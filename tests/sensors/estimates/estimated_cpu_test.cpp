#include "sensors/estimated_cpu.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "sensors/backends.hpp"
#include "test_support.hpp"

namespace carbontracker::sensors {
namespace {

using carbontracker::testing::copy_tree;
using carbontracker::testing::fixtures_dir;
using carbontracker::testing::read_text;
using carbontracker::testing::TempDir;
using carbontracker::testing::write_file;
using ::testing::HasSubstr;

SensorContext context_for(const std::filesystem::path& procfs, const std::filesystem::path& sysfs = "/nonexistent") {
  SensorContext ctx;
  ctx.procfs_root = procfs;
  ctx.sysfs_root = sysfs;
  return ctx;
}

std::filesystem::path procfs_case(const char* name) { return fixtures_dir() / "procfs" / name; }

std::string stat_line(std::uint64_t user, std::uint64_t system, std::uint64_t idle, std::uint64_t iowait) {
  return "cpu  " + std::to_string(user) + " 0 " + std::to_string(system) + " " + std::to_string(idle) + " " +
         std::to_string(iowait) + " 0 0 0 0 0\ncpu0 1 0 1 1 0 0 0 0 0 0\nintr 1 2 3\n";
}

double read_power(Sensor& s) {
  std::vector<Reading> out;
  out.reserve(1);
  EXPECT_TRUE(s.read(out).is_ok());
  EXPECT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].state, ReadingState::ok);
  return out.empty() ? -1.0 : out[0].power_w;
}

TEST(CpuInfoParse, ReadsModelSocketsAndLogicalCpus) {
  const CpuInfo gold = parse_cpuinfo(read_text(procfs_case("xeon-gold-6248-2s") / "cpuinfo"));
  EXPECT_EQ(gold.model, "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz");
  EXPECT_EQ(gold.logical_cpus, 80);
  EXPECT_EQ(gold.sockets, 2);
  EXPECT_FALSE(gold.hypervisor);

  const CpuInfo vm = parse_cpuinfo(read_text(procfs_case("vm-xeon-generic") / "cpuinfo"));
  EXPECT_EQ(vm.model, "Intel(R) Xeon(R) Processor");
  EXPECT_EQ(vm.logical_cpus, 2);
  EXPECT_EQ(vm.sockets, 1);
  EXPECT_TRUE(vm.hypervisor);

  const CpuInfo none = parse_cpuinfo("processor\t: 0\nBogoMIPS\t: 50.00\nflags : hypervisorx\n\nprocessor : 1\n");
  EXPECT_EQ(none.model, "");
  EXPECT_EQ(none.logical_cpus, 2);
  EXPECT_EQ(none.sockets, 0);
  EXPECT_FALSE(none.hypervisor);  // a whole word only
}

TEST(ProcStatParse, SumsTheAggregateLine) {
  const auto t = parse_proc_stat_cpu("cpu  10 1 5 100 4 2 3 7 6 6\ncpu0 1 1 1 1\n");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->total, 10u + 1 + 5 + 100 + 4 + 2 + 3 + 7);  // guest and guest_nice are inside user/nice
  EXPECT_EQ(t->busy, t->total - 100 - 4);
  const auto old_kernel = parse_proc_stat_cpu("cpu 1 2 3 4\n");
  ASSERT_TRUE(old_kernel);
  EXPECT_EQ(old_kernel->total, 10u);
  EXPECT_EQ(old_kernel->busy, 6u);
  EXPECT_FALSE(parse_proc_stat_cpu("cpu0 1 2 3 4\n"));
  EXPECT_FALSE(parse_proc_stat_cpu("cpu  1 2 3\n"));
  EXPECT_FALSE(parse_proc_stat_cpu("cpu  1 2 x 4\n"));
  EXPECT_FALSE(parse_proc_stat_cpu(""));
}

TEST(CpuUtilization, IsDeltaBusyOverDeltaTotal) {
  EXPECT_DOUBLE_EQ(*cpu_utilization({100, 1000}, {175, 1100}), 0.75);
  EXPECT_FALSE(cpu_utilization({100, 1000}, {100, 1000}));  // no tick elapsed
  EXPECT_FALSE(cpu_utilization({100, 1000}, {50, 900}));    // went backwards
}

TEST(EstimatedCpu, TwoSocketGold6248UsesTheTableTdpPerSocket) {
  Coverage coverage;
  ProbeOutput out;
  probe_estimated_cpu(context_for(procfs_case("xeon-gold-6248-2s")), coverage, out);
  ASSERT_EQ(out.sensors.size(), 1u);
  ASSERT_EQ(out.reports.size(), 1u);
  const SourceReport& r = out.reports[0];
  EXPECT_TRUE(r.available);
  EXPECT_TRUE(r.counted);
  EXPECT_EQ(r.info.method, Method::estimated);
  EXPECT_EQ(r.info.component, Component::cpu);
  EXPECT_EQ(r.info.source, "tdp-estimate");
  EXPECT_EQ(r.info.name, "Intel Xeon Gold 6248");
  ASSERT_FALSE(r.info.notes.empty());
  EXPECT_EQ(r.info.notes[0], "estimated: TDP 150 W x 2 sockets (CPU table: Intel Xeon Gold 6248, line 4432) x load model");
  EXPECT_THAT(r.info.notes[1], HasSubstr("300 W x (0.2 + 0.8 x utilisation)"));
  EXPECT_TRUE(coverage.covered(Component::cpu));
  EXPECT_EQ(coverage.claimed_by(Component::cpu), "tdp-estimate");

  Sensor& s = *out.sensors[0];
  EXPECT_EQ(s.name(), "tdp-estimate");
  ASSERT_EQ(s.channels().size(), 1u);
  EXPECT_EQ(s.channels()[0].method, Method::estimated);
  // First read: no load known yet, so the idle figure.
  EXPECT_DOUBLE_EQ(read_power(s), 300.0 * 0.2);
}

TEST(EstimatedCpu, EpycUsesOneSocket) {
  Coverage coverage;
  ProbeOutput out;
  probe_estimated_cpu(context_for(procfs_case("amd-epyc-7763")), coverage, out);
  ASSERT_EQ(out.sensors.size(), 1u);
  EXPECT_EQ(out.reports[0].info.name, "AMD EPYC 7763");
  EXPECT_THAT(out.reports[0].info.notes[0], HasSubstr("TDP 280 W x 1 socket (CPU table: AMD EPYC 7763"));
  EXPECT_DOUBLE_EQ(read_power(*out.sensors[0]), 280.0 * 0.2);
}

TEST(EstimatedCpu, PowerFollowsProcStatBetweenReads) {
  TempDir dir;
  copy_tree(procfs_case("xeon-gold-6248-2s"), dir.path());
  write_file(dir / "stat", stat_line(1000, 0, 9000, 0));
  Coverage coverage;
  ProbeOutput out;
  probe_estimated_cpu(context_for(dir.path()), coverage, out);
  ASSERT_EQ(out.sensors.size(), 1u);
  Sensor& s = *out.sensors[0];
  const double tdp = 300.0;
  EXPECT_DOUBLE_EQ(read_power(s), tdp * 0.2);  // first read: idle figure

  // +500 busy of +1000 total: 50 %.
  write_file(dir / "stat", stat_line(1400, 100, 9500, 0));
  EXPECT_DOUBLE_EQ(read_power(s), tdp * (0.2 + 0.8 * 0.5));

  // +1000 busy of +1000 total: fully loaded.
  write_file(dir / "stat", stat_line(2400, 100, 9500, 0));
  EXPECT_DOUBLE_EQ(read_power(s), tdp);

  // iowait counts as idle: +800 iowait, +200 idle.
  write_file(dir / "stat", stat_line(2400, 100, 9700, 800));
  EXPECT_DOUBLE_EQ(read_power(s), tdp * 0.2);

  // No tick since the last read: the last utilisation stands.
  EXPECT_DOUBLE_EQ(read_power(s), tdp * 0.2);
}

// /proc/stat counts 10 ms ticks: a read within one tick of the last one (epoch_start right after
// epoch_end) repeats the load without reading the file; the next read covers the whole time since.
TEST(EstimatedCpu, AReadWithinOneTickRepeatsTheLoadWithoutReadingTheFile) {
  TempDir dir;
  copy_tree(procfs_case("xeon-gold-6248-2s"), dir.path());
  write_file(dir / "stat", stat_line(1000, 0, 9000, 0));
  carbontracker::testing::FakeClock clock;
  SensorContext ctx = context_for(dir.path());
  ctx.clock = &clock;
  Coverage coverage;
  ProbeOutput out;
  probe_estimated_cpu(ctx, coverage, out);
  ASSERT_EQ(out.sensors.size(), 1u);
  Sensor& s = *out.sensors[0];
  const double tdp = 300.0;
  EXPECT_DOUBLE_EQ(read_power(s), tdp * 0.2);
  write_file(dir / "stat", stat_line(2000, 0, 9000, 0));  // fully loaded since
  clock.advance(std::chrono::milliseconds(9));
  EXPECT_DOUBLE_EQ(read_power(s), tdp * 0.2);  // not read: the last load stands
  std::filesystem::remove(dir / "stat");
  EXPECT_DOUBLE_EQ(read_power(s), tdp * 0.2);  // still within the tick: no file needed
  write_file(dir / "stat", stat_line(2000, 0, 9000, 0));
  clock.advance(std::chrono::milliseconds(1));
  EXPECT_DOUBLE_EQ(read_power(s), tdp);  // 10 ms on: read, over everything since the last read
}

TEST(EstimatedCpu, UnreadableStatFailsTheReadingWithoutThrowing) {
  TempDir dir;
  copy_tree(procfs_case("amd-epyc-7763"), dir.path());
  Coverage coverage;
  ProbeOutput out;
  probe_estimated_cpu(context_for(dir.path()), coverage, out);
  ASSERT_EQ(out.sensors.size(), 1u);
  std::filesystem::remove(dir / "stat");
  std::vector<Reading> readings;
  readings.reserve(1);
  EXPECT_FALSE(out.sensors[0]->read(readings).is_ok());
  ASSERT_EQ(readings.size(), 1u);
  EXPECT_EQ(readings[0].state, ReadingState::failed);
  write_file(dir / "stat", "garbage\n");
  readings.clear();
  (void)out.sensors[0]->read(readings);
  EXPECT_EQ(readings[0].state, ReadingState::failed);
  write_file(dir / "stat", stat_line(1, 1, 1, 1));
  readings.clear();
  EXPECT_TRUE(out.sensors[0]->read(readings).is_ok());
  EXPECT_EQ(readings[0].state, ReadingState::ok);
}

TEST(EstimatedCpu, UnknownVmModelUsesThePerCoreDefault) {
  Coverage coverage;
  ProbeOutput out;
  probe_estimated_cpu(context_for(procfs_case("vm-xeon-generic")), coverage, out);
  ASSERT_EQ(out.sensors.size(), 1u);
  const SourceReport& r = out.reports[0];
  EXPECT_EQ(r.info.name, "Intel(R) Xeon(R) Processor");  // the raw model: nothing was matched
  EXPECT_EQ(r.info.notes[0],
            "unknown CPU model 'Intel(R) Xeon(R) Processor': per-core default 3.25 W x 2 logical CPUs = 6.5 W x "
            "load model");
  EXPECT_DOUBLE_EQ(read_power(*out.sensors[0]), 6.5 * 0.2);
}

TEST(EstimatedCpu, KnownModelInAVmIsCappedAtItsLogicalCpus) {
  TempDir dir;
  std::string cpuinfo;
  for (int i = 0; i < 4; ++i) {
    cpuinfo += "processor\t: " + std::to_string(i) +
               "\nmodel name\t: Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz\nphysical id\t: " + std::to_string(i) +
               "\nflags\t\t: fpu sse2 hypervisor avx2\n\n";  // some hypervisors show each vCPU as a socket
  }
  write_file(dir / "cpuinfo", cpuinfo);
  write_file(dir / "stat", stat_line(1, 1, 1, 1));
  Coverage coverage;
  ProbeOutput out;
  probe_estimated_cpu(context_for(dir.path()), coverage, out);
  ASSERT_EQ(out.sensors.size(), 1u);
  const auto& notes = out.reports[0].info.notes;
  EXPECT_EQ(out.reports[0].info.name, "Intel Xeon Gold 6248");
  EXPECT_THAT(notes[0], HasSubstr("TDP 150 W x 4 sockets"));
  EXPECT_THAT(notes[1], HasSubstr("hypervisor"));
  EXPECT_THAT(notes[1], HasSubstr("3.25 W x 4 logical CPUs = 13 W"));
  EXPECT_DOUBLE_EQ(read_power(*out.sensors[0]), 13.0 * 0.2);
}

TEST(EstimatedCpu, AmbiguousModelUsesTheDefaultAndSaysWhy) {
  TempDir dir;
  write_file(dir / "cpuinfo", "processor : 0\nmodel name : AMD Phenom(tm) II X4 945 Processor\nphysical id : 0\n\n"
                              "processor : 1\nmodel name : AMD Phenom(tm) II X4 945 Processor\nphysical id : 0\n");
  write_file(dir / "stat", stat_line(1, 1, 1, 1));
  Coverage coverage;
  ProbeOutput out;
  probe_estimated_cpu(context_for(dir.path()), coverage, out);
  ASSERT_EQ(out.sensors.size(), 1u);
  EXPECT_THAT(out.reports[0].info.notes[0], HasSubstr("ambiguous CPU model"));
  EXPECT_THAT(out.reports[0].info.notes[0], HasSubstr("125 W (line 1019), 95 W (line 1020)"));
  EXPECT_THAT(out.reports[0].info.notes[0], HasSubstr("per-core default 3.25 W x 2 logical CPUs"));
}

TEST(EstimatedCpu, MissingCpuinfoCountsCpusFromStat) {
  TempDir dir;
  write_file(dir / "stat", "cpu  1 0 1 10 0 0 0 0 0 0\ncpu0 1 0 1 5 0 0 0 0 0 0\ncpu1 0 0 0 5 0 0 0 0 0 0\n");
  Coverage coverage;
  ProbeOutput out;
  probe_estimated_cpu(context_for(dir.path()), coverage, out);
  ASSERT_EQ(out.sensors.size(), 1u);
  const auto& notes = out.reports[0].info.notes;
  EXPECT_EQ(out.reports[0].info.name, "unknown CPU");
  EXPECT_THAT(notes[0], HasSubstr("per-core default 3.25 W x 2 logical CPUs = 6.5 W"));
  EXPECT_THAT(::testing::PrintToString(notes), HasSubstr("CPU model unknown"));
}

TEST(EstimatedCpu, MissingStatIsReportedNotEstimated) {
  TempDir dir;
  write_file(dir / "cpuinfo", read_text(procfs_case("amd-epyc-7763") / "cpuinfo"));
  Coverage coverage;
  ProbeOutput out;
  probe_estimated_cpu(context_for(dir.path()), coverage, out);
  EXPECT_TRUE(out.sensors.empty());
  ASSERT_EQ(out.reports.size(), 1u);
  EXPECT_FALSE(out.reports[0].available);
  EXPECT_THAT(out.reports[0].reason, HasSubstr("stat"));
  EXPECT_FALSE(out.reports[0].fix.empty());
  EXPECT_FALSE(coverage.covered(Component::cpu));
}

TEST(EstimatedCpu, RespectsCoverage) {
  Coverage coverage;
  coverage.claim(Component::cpu, "powercap");
  ProbeOutput out;
  probe_estimated_cpu(context_for(procfs_case("xeon-gold-6248-2s")), coverage, out);
  EXPECT_TRUE(out.sensors.empty());
  EXPECT_TRUE(out.reports.empty());
  EXPECT_EQ(coverage.claimed_by(Component::cpu), "powercap");
}

}  // namespace
}  // namespace carbontracker::sensors
