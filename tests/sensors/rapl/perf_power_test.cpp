#include "sensors/perf_power.hpp"

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "rapl_test_support.hpp"
#include "sensors/backends.hpp"

namespace carbontracker::sensors {
namespace {

namespace fs = std::filesystem;
using testing::channel_ids;
using testing::context_for;
using testing::copy_fixture;
using testing::counted_ids;
using testing::FakePerf;
using testing::report;
using testing::TempDir;
using testing::write_file;

const double kTwoToMinus32 = std::ldexp(1.0, -32);

ProbeOutput probe(const SensorContext& ctx, FakePerf& perf, Coverage& coverage) {
  ProbeOutput out;
  probe_perf_power(ctx, borrow(perf), coverage, out);
  return out;
}

fs::path pmu(const fs::path& root) { return root / "bus/event_source/devices/power"; }

TEST(PerfParse, CpuLists) {
  EXPECT_EQ(*parse_cpu_list("0,36\n", "cpumask"), (std::vector<int>{0, 36}));
  EXPECT_EQ(*parse_cpu_list("0-3,8", "cpumask"), (std::vector<int>{0, 1, 2, 3, 8}));
  EXPECT_EQ(*parse_cpu_list("0", "cpumask"), std::vector<int>{0});
  for (const char* bad : {"", "1-0", "a", "0,", ",0", "0--1", "-1"}) {
    auto r = parse_cpu_list(bad, "cpumask");
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.status().message().find("cpumask"), std::string::npos);
  }
}

TEST(PerfParse, EventConfig) {
  EXPECT_EQ(*parse_perf_event_config("event=0x02\n", "f"), 2u);
  EXPECT_EQ(*parse_perf_event_config("event=0x05", "f"), 5u);
  EXPECT_EQ(*parse_perf_event_config("event=3", "f"), 3u);
  for (const char* bad : {"", "event=", "event=0x", "config=1", "event=0x02,umask=0x1", "event=zz"}) {
    EXPECT_FALSE(parse_perf_event_config(bad, "f")) << bad;
  }
}

TEST(PerfPower, TwoSocketServerOpensPkgAndRamPerPackage) {
  TempDir dir;
  const auto root = copy_fixture(dir, "intel-2socket");
  FakePerf perf;
  Coverage coverage;
  auto out = probe(context_for(root), perf, coverage);

  ASSERT_EQ(out.sensors.size(), 1u);
  const Sensor& s = *out.sensors[0];
  EXPECT_EQ(s.name(), "perf");
  EXPECT_EQ(channel_ids(s), (std::vector<std::string>{"perf:energy-pkg:0", "perf:energy-pkg:1", "perf:energy-ram:0",
                                                      "perf:energy-ram:1"}));
  const auto& ch = s.channels();
  EXPECT_EQ(ch[0].name, "package-0");
  EXPECT_EQ(ch[1].name, "package-1");
  EXPECT_EQ(ch[2].name, "dram (package-0)");
  EXPECT_EQ(ch[0].component, Component::cpu);
  EXPECT_EQ(ch[3].component, Component::dram);
  for (const auto& c : ch) {
    EXPECT_EQ(c.source, "perf");
    EXPECT_EQ(c.method, Method::counter);
    EXPECT_EQ(c.counter.kind, CounterKind::resetting);
    EXPECT_EQ(c.joules_per_unit, kTwoToMinus32);
    EXPECT_DOUBLE_EQ(c.resolution_s, 0.001);
  }

  ASSERT_EQ(perf.opens.size(), 4u);
  EXPECT_EQ(perf.opens[0].type, 4027u);
  EXPECT_EQ(perf.opens[0].config, 2u);
  EXPECT_EQ(perf.opens[0].cpu, 0);
  EXPECT_EQ(perf.opens[1].cpu, 36);
  EXPECT_EQ(perf.opens[2].config, 3u);
  for (const char* id : {"perf:energy-psys:0", "perf:energy-psys:1"}) {
    const auto& r = report(out, id);
    EXPECT_TRUE(r.available);
    EXPECT_FALSE(r.counted);
    EXPECT_NE(r.reason.find("overlaps"), std::string::npos);
  }
  EXPECT_EQ(counted_ids(out), channel_ids(s));
  EXPECT_EQ(coverage.claimed_by(Component::cpu), "perf (power/energy-pkg)");
  EXPECT_EQ(coverage.claimed_by(Component::dram), "perf (power/energy-ram)");
  EXPECT_FALSE(coverage.covered(Component::psys));

  // 2^32 units = 1 J.
  perf.counters[perf.fd_of[{2, 0}]] = 3ull << 32;
  perf.counters[perf.fd_of[{2, 36}]] = 5ull << 32;
  perf.counters[perf.fd_of[{3, 0}]] = 1ull << 31;
  perf.counters[perf.fd_of[{3, 36}]] = 42;
  std::vector<Reading> readings;
  readings.reserve(4);
  ASSERT_TRUE(out.sensors[0]->read(readings).is_ok());
  ASSERT_EQ(readings.size(), 4u);
  for (std::uint32_t i = 0; i < 4; ++i) {
    EXPECT_EQ(readings[i].channel, i);
    EXPECT_EQ(readings[i].state, ReadingState::ok);
  }
  EXPECT_DOUBLE_EQ(static_cast<double>(readings[0].counter) * ch[0].joules_per_unit, 3.0);
  EXPECT_DOUBLE_EQ(static_cast<double>(readings[1].counter) * ch[1].joules_per_unit, 5.0);
  EXPECT_DOUBLE_EQ(static_cast<double>(readings[2].counter) * ch[2].joules_per_unit, 0.5);
  EXPECT_EQ(readings[3].counter, 42u);

  out.sensors.clear();
  EXPECT_TRUE(perf.open_fds.empty()) << "the sensor closes its fds";
}

TEST(PerfPower, MultiDieCpumaskGivesOneChannelPerDie) {
  TempDir dir;
  const auto root = copy_fixture(dir, "many-zones");
  FakePerf perf;
  Coverage coverage;
  auto out = probe(context_for(root), perf, coverage);
  ASSERT_EQ(out.sensors.size(), 1u);
  const auto& ch = out.sensors[0]->channels();
  ASSERT_EQ(ch.size(), 32u);  // 16 dies x (pkg, ram)
  EXPECT_EQ(ch[0].id, "perf:energy-pkg:0-die-0");
  EXPECT_EQ(ch[15].id, "perf:energy-pkg:1-die-7");
  EXPECT_EQ(ch[15].name, "package-1-die-7");
  EXPECT_EQ(ch[16].id, "perf:energy-ram:0-die-0");
  EXPECT_EQ(perf.opens[15].cpu, 120);
}

TEST(PerfPower, PackageIdComesFromTopologyWithPositionFallback) {
  TempDir dir;
  const auto root = copy_fixture(dir, "amd-epyc");
  write_file(root / "devices/system/cpu/cpu64/topology/physical_package_id", "7\n");
  FakePerf perf;
  Coverage coverage;
  auto out = probe(context_for(root), perf, coverage);
  ASSERT_EQ(out.sensors.size(), 1u);
  EXPECT_EQ(channel_ids(*out.sensors[0]), (std::vector<std::string>{"perf:energy-pkg:0", "perf:energy-pkg:7"}));

  fs::remove_all(root / "devices/system/cpu");
  FakePerf perf2;
  Coverage coverage2;
  auto out2 = probe(context_for(root), perf2, coverage2);
  ASSERT_EQ(out2.sensors.size(), 1u);
  EXPECT_EQ(channel_ids(*out2.sensors[0]), (std::vector<std::string>{"perf:energy-pkg:0", "perf:energy-pkg:1"}));
  EXPECT_EQ(perf2.opens[1].cpu, 64);
}

TEST(PerfPower, AmdHasOnlyEnergyPkg) {
  TempDir dir;
  const auto root = copy_fixture(dir, "amd-epyc");
  FakePerf perf;
  Coverage coverage;
  auto out = probe(context_for(root), perf, coverage);
  ASSERT_EQ(out.sensors.size(), 1u);
  EXPECT_EQ(channel_ids(*out.sensors[0]), (std::vector<std::string>{"perf:energy-pkg:0", "perf:energy-pkg:1"}));
  const auto& ram = report(out, "perf:energy-ram");
  EXPECT_FALSE(ram.available);
  EXPECT_NE(ram.reason.find("no energy-ram event"), std::string::npos);
  EXPECT_FALSE(ram.fix.empty());
  EXPECT_FALSE(report(out, "perf:energy-psys").available);
  EXPECT_TRUE(coverage.covered(Component::cpu));
  EXPECT_FALSE(coverage.covered(Component::dram));
}

TEST(PerfPower, PermissionDeniedNamesParanoidLevelAndCapPerfmon) {
  TempDir dir;
  const auto root = copy_fixture(dir, "intel-2socket");
  write_file(dir / "proc/sys/kernel/perf_event_paranoid", "4\n");
  FakePerf perf;
  perf.fail_open = [](std::uint32_t, std::uint64_t, int cpu) {
    return Status(StatusCode::permission_denied,
                  "perf_event_open(cpu " + std::to_string(cpu) + "): Permission denied");
  };
  Coverage coverage;
  auto out = probe(context_for(root, dir / "proc"), perf, coverage);

  EXPECT_TRUE(out.sensors.empty());
  EXPECT_TRUE(perf.open_fds.empty());
  for (const char* id : {"perf:energy-pkg:0", "perf:energy-pkg:1", "perf:energy-ram:0", "perf:energy-ram:1",
                         "perf:energy-psys:0", "perf:energy-psys:1"}) {
    SCOPED_TRACE(id);
    const auto& r = report(out, id);
    EXPECT_FALSE(r.available);
    EXPECT_NE(r.reason.find("Permission denied"), std::string::npos) << r.reason;
    EXPECT_NE(r.reason.find("kernel.perf_event_paranoid = 4"), std::string::npos) << r.reason;
    EXPECT_EQ(r.fix,
              "grant CAP_PERFMON (sudo setcap cap_perfmon=ep $(command -v carbontracker)) or sudo sysctl "
              "kernel.perf_event_paranoid=0");
  }
  EXPECT_FALSE(coverage.covered(Component::cpu));
  EXPECT_FALSE(coverage.covered(Component::dram));
}

TEST(PerfPower, EventThatOpensOnSomePackagesOnlyIsNotCounted) {
  TempDir dir;
  const auto root = copy_fixture(dir, "intel-2socket");
  FakePerf perf;
  perf.fail_open = [](std::uint32_t, std::uint64_t config, int cpu) {
    return config == 2 && cpu == 36 ? Status(StatusCode::not_found, "perf_event_open: No such device") : Status();
  };
  Coverage coverage;
  auto out = probe(context_for(root), perf, coverage);

  // No package counts, so the one RAPL policy (rapl_zones.hpp, as powercap) counts psys, which
  // includes DRAM: energy-ram is not opened.
  ASSERT_EQ(out.sensors.size(), 1u);
  EXPECT_EQ(channel_ids(*out.sensors[0]), (std::vector<std::string>{"perf:energy-psys:0", "perf:energy-psys:1"}));
  const auto& opened = report(out, "perf:energy-pkg:0");
  EXPECT_TRUE(opened.available);
  EXPECT_FALSE(opened.counted);
  EXPECT_NE(opened.reason.find("cpu 36: perf_event_open: No such device"), std::string::npos) << opened.reason;
  EXPECT_FALSE(report(out, "perf:energy-pkg:1").available);
  for (const char* id : {"perf:energy-ram:0", "perf:energy-ram:1"}) {
    EXPECT_FALSE(report(out, id).counted);
    EXPECT_NE(report(out, id).reason.find("overlaps energy-psys"), std::string::npos) << report(out, id).reason;
  }
  EXPECT_EQ(coverage.claimed_by(Component::cpu), "perf (power/energy-psys), which includes CPU and DRAM");
  EXPECT_EQ(perf.open_fds.size(), 2u) << "the fd of the half-opened event is closed";
}

TEST(PerfPower, NoPmuDirectoryGivesOneClearReport) {
  TempDir dir;
  FakePerf perf;
  Coverage coverage;
  auto out = probe(context_for(dir.path()), perf, coverage);
  EXPECT_TRUE(out.sensors.empty());
  EXPECT_TRUE(perf.opens.empty());
  ASSERT_EQ(out.reports.size(), 1u);
  const auto& r = out.reports[0];
  EXPECT_FALSE(r.available);
  EXPECT_EQ(r.info.source, "perf");
  EXPECT_EQ(r.info.component, Component::cpu);
  EXPECT_EQ(r.reason,
            "no perf `power` PMU (RAPL not exposed to perf: VM, non-Intel/AMD CPU, or kernel without RAPL perf "
            "support)");
  EXPECT_FALSE(r.fix.empty());
}

TEST(PerfPower, UnparsableFilesAreNamed) {
  TempDir dir;
  const auto root = copy_fixture(dir, "intel-2socket");
  write_file(pmu(root) / "events/energy-pkg.scale", "two to the minus 32\n");
  fs::remove(pmu(root) / "events/energy-psys");
  FakePerf perf;
  Coverage coverage;
  auto out = probe(context_for(root), perf, coverage);
  const auto& pkg = report(out, "perf:energy-pkg");
  EXPECT_FALSE(pkg.available);
  EXPECT_NE(pkg.reason.find("energy-pkg.scale"), std::string::npos) << pkg.reason;
  EXPECT_FALSE(report(out, "perf:energy-psys").available);
  ASSERT_EQ(out.sensors.size(), 1u);
  EXPECT_EQ(channel_ids(*out.sensors[0]), (std::vector<std::string>{"perf:energy-ram:0", "perf:energy-ram:1"}));

  write_file(pmu(root) / "type", "power\n");
  FakePerf perf2;
  Coverage coverage2;
  auto bad_type = probe(context_for(root), perf2, coverage2);
  ASSERT_EQ(bad_type.reports.size(), 1u);
  EXPECT_FALSE(bad_type.reports[0].available);
  EXPECT_NE(bad_type.reports[0].reason.find("power/type"), std::string::npos) << bad_type.reports[0].reason;
  EXPECT_TRUE(perf2.opens.empty());

  write_file(pmu(root) / "type", "4027\n");
  write_file(pmu(root) / "cpumask", "\n");
  auto bad_mask = probe(context_for(root), perf2, coverage2);
  ASSERT_EQ(bad_mask.reports.size(), 1u);
  EXPECT_NE(bad_mask.reports[0].reason.find("cpumask"), std::string::npos);
}

TEST(PerfPower, CoveredCpuIsSupersededAndNotOpened) {
  TempDir dir;
  const auto root = copy_fixture(dir, "intel-2socket");
  FakePerf perf;
  Coverage coverage;
  coverage.claim(Component::cpu, "simulated CPU Xeon");
  auto out = probe(context_for(root), perf, coverage);
  ASSERT_EQ(out.sensors.size(), 1u);
  EXPECT_EQ(channel_ids(*out.sensors[0]), (std::vector<std::string>{"perf:energy-ram:0", "perf:energy-ram:1"}));
  const auto& pkg = report(out, "perf:energy-pkg:1");
  EXPECT_TRUE(pkg.available);
  EXPECT_FALSE(pkg.counted);
  EXPECT_EQ(pkg.reason, "superseded: simulated CPU Xeon");
  for (const auto& o : perf.opens) EXPECT_EQ(o.config, 3u);
}

TEST(PerfPower, PsysIsCountedOnlyWhenNothingElseIs) {
  TempDir dir;
  const auto root = copy_fixture(dir, "intel-2socket");
  fs::remove(pmu(root) / "events/energy-pkg");
  fs::remove(pmu(root) / "events/energy-ram");
  FakePerf perf;
  Coverage coverage;
  auto out = probe(context_for(root), perf, coverage);
  ASSERT_EQ(out.sensors.size(), 1u);
  EXPECT_EQ(channel_ids(*out.sensors[0]), (std::vector<std::string>{"perf:energy-psys:0", "perf:energy-psys:1"}));
  EXPECT_EQ(out.sensors[0]->channels()[0].component, Component::psys);
  EXPECT_TRUE(coverage.covered(Component::psys));
  EXPECT_TRUE(coverage.covered(Component::cpu));
  EXPECT_TRUE(coverage.covered(Component::dram));
}

TEST(PerfPower, FailedReadIsFlaggedPerChannel) {
  TempDir dir;
  const auto root = copy_fixture(dir, "amd-epyc");
  FakePerf perf;
  Coverage coverage;
  auto out = probe(context_for(root), perf, coverage);
  ASSERT_EQ(out.sensors.size(), 1u);
  perf.counters[perf.fd_of[{2, 0}]] = 123;
  perf.fail_read[perf.fd_of[{2, 64}]] = StatusCode::unavailable;
  std::vector<Reading> readings;
  ASSERT_TRUE(out.sensors[0]->read(readings).is_ok());
  ASSERT_EQ(readings.size(), 2u);
  EXPECT_EQ(readings[0].state, ReadingState::ok);
  EXPECT_EQ(readings[0].counter, 123u);
  EXPECT_EQ(readings[1].state, ReadingState::failed);

  perf.fail_read[perf.fd_of[{2, 64}]] = StatusCode::gone;
  readings.clear();
  ASSERT_TRUE(out.sensors[0]->read(readings).is_ok());
  EXPECT_EQ(readings[1].state, ReadingState::lost);
}

TEST(PerfPower, PerfFirstThenPowercapNeverCountsTwice) {
  TempDir dir;
  const auto root = copy_fixture(dir, "intel-2socket");
  FakePerf perf;
  Coverage coverage;
  ProbeOutput out;
  const auto ctx = context_for(root);
  probe_perf_power(ctx, borrow(perf), coverage, out);
  probe_powercap(ctx, coverage, out);

  ASSERT_EQ(out.sensors.size(), 1u);  // perf only
  EXPECT_EQ(out.sensors[0]->name(), "perf");
  EXPECT_EQ(report(out, "powercap:intel-rapl:0").reason, "superseded: perf (power/energy-pkg)");
  EXPECT_EQ(report(out, "powercap:intel-rapl:1:0").reason, "superseded: perf (power/energy-ram)");
  EXPECT_FALSE(report(out, "powercap:intel-rapl:2").counted);
  EXPECT_EQ(counted_ids(out).size(), 4u);
}

}  // namespace
}  // namespace carbontracker::sensors
