#include "sensors/powercap.hpp"

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "carbontracker/counter.hpp"
#include "rapl_test_support.hpp"
#include "sensors/backends.hpp"

namespace carbontracker::sensors {
namespace {

namespace fs = std::filesystem;
using testing::channel_ids;
using testing::context_for;
using testing::copy_fixture;
using testing::counted_ids;
using testing::report;
using testing::TempDir;
using testing::write_file;

constexpr std::uint64_t kEsu14Range = 262143328850;
constexpr std::uint64_t kEsu16Range = 65532610987;

ProbeOutput probe(const fs::path& root, Coverage& coverage) {
  ProbeOutput out;
  probe_powercap(context_for(root), coverage, out);
  return out;
}

TEST(PowercapNames, ZoneIdsAreHex) {
  auto z = parse_powercap_zone_name("intel-rapl:a:0");
  ASSERT_TRUE(z);
  EXPECT_EQ(z->control_type, "intel-rapl");
  EXPECT_EQ(z->ids, (std::vector<std::uint32_t>{10, 0}));
  EXPECT_EQ(parse_powercap_zone_name("intel-rapl:10")->ids, std::vector<std::uint32_t>{16});
  EXPECT_EQ(parse_powercap_zone_name("intel-rapl-mmio:0")->control_type, "intel-rapl-mmio");
  EXPECT_FALSE(parse_powercap_zone_name("intel-rapl"));
  EXPECT_FALSE(parse_powercap_zone_name("intel-rapl:"));
  EXPECT_FALSE(parse_powercap_zone_name("intel-rapl:0:"));
  EXPECT_FALSE(parse_powercap_zone_name("intel-rapl:g"));
  EXPECT_FALSE(parse_powercap_zone_name(":0"));
}

TEST(PowercapNames, DomainsComeFromTheNameFile) {
  EXPECT_EQ(rapl_domain_from_name("package-0"), RaplDomain::package);
  EXPECT_EQ(rapl_domain_from_name("package-12-die-3"), RaplDomain::package);
  EXPECT_EQ(rapl_domain_from_name("dram"), RaplDomain::dram);
  EXPECT_EQ(rapl_domain_from_name("psys"), RaplDomain::psys);
  EXPECT_EQ(rapl_domain_from_name("core"), RaplDomain::core);
  EXPECT_EQ(rapl_domain_from_name("uncore"), RaplDomain::uncore);
  for (const char* n : {"package-", "package-0-die-", "package-0x", "package-0-die-1x", "gpu", "", "Package-0"}) {
    EXPECT_EQ(rapl_domain_from_name(n), RaplDomain::other) << n;
  }
}

TEST(Powercap, TwoSocketServerCountsPackagesAndDramOnly) {
  TempDir dir;
  const auto root = copy_fixture(dir, "intel-2socket");
  Coverage coverage;
  auto out = probe(root, coverage);

  ASSERT_EQ(out.sensors.size(), 1u);
  const Sensor& s = *out.sensors[0];
  EXPECT_EQ(s.name(), "powercap");
  EXPECT_EQ(channel_ids(s), (std::vector<std::string>{"powercap:intel-rapl:0", "powercap:intel-rapl:0:0",
                                                      "powercap:intel-rapl:1", "powercap:intel-rapl:1:0"}));
  const auto& ch = s.channels();
  EXPECT_EQ(ch[0].name, "package-0");
  EXPECT_EQ(ch[1].name, "dram (package-0)");
  EXPECT_EQ(ch[2].name, "package-1");
  EXPECT_EQ(ch[3].name, "dram (package-1)");
  EXPECT_EQ(ch[0].component, Component::cpu);
  EXPECT_EQ(ch[1].component, Component::dram);
  EXPECT_EQ(ch[2].component, Component::cpu);
  EXPECT_EQ(ch[3].component, Component::dram);
  for (const auto& c : ch) {
    EXPECT_EQ(c.method, Method::counter);
    EXPECT_EQ(c.source, "powercap");
    EXPECT_EQ(c.counter.kind, CounterKind::wrapping);
    EXPECT_DOUBLE_EQ(c.joules_per_unit, 1e-6);
    EXPECT_DOUBLE_EQ(c.resolution_s, 0.001);
  }
  EXPECT_EQ(ch[0].path, (root / "class/powercap/intel-rapl:0").string());
  EXPECT_EQ(ch[0].counter.range, kEsu14Range);
  EXPECT_EQ(ch[0].counter.unit, 61u);  // 2^-14 J
  EXPECT_EQ(ch[1].counter.range, kEsu16Range);
  EXPECT_EQ(ch[1].counter.unit, 15u);  // 2^-16 J

  ASSERT_EQ(out.reports.size(), 7u);
  EXPECT_EQ(counted_ids(out), channel_ids(s));
  for (const char* core : {"powercap:intel-rapl:0:1", "powercap:intel-rapl:1:1"}) {
    const auto& r = report(out, core);
    EXPECT_TRUE(r.available);
    EXPECT_FALSE(r.counted);
  }
  EXPECT_NE(report(out, "powercap:intel-rapl:0:1").reason.find("package-0"), std::string::npos);
  EXPECT_NE(report(out, "powercap:intel-rapl:1:1").reason.find("package-1"), std::string::npos);
  const auto& psys = report(out, "powercap:intel-rapl:2");
  EXPECT_EQ(psys.info.component, Component::psys);
  EXPECT_TRUE(psys.available);
  EXPECT_FALSE(psys.counted);
  EXPECT_EQ(psys.reason, "overlaps package and DRAM zones");

  EXPECT_EQ(coverage.claimed_by(Component::cpu), "powercap (intel-rapl)");
  EXPECT_EQ(coverage.claimed_by(Component::dram), "powercap (intel-rapl)");
  EXPECT_FALSE(coverage.covered(Component::psys));

  std::vector<Reading> readings;
  readings.reserve(8);
  ASSERT_TRUE(out.sensors[0]->read(readings).is_ok());
  ASSERT_EQ(readings.size(), 4u);
  EXPECT_EQ(readings[0].counter, 48612345678u);
  EXPECT_EQ(readings[1].counter, 12345678901u);
  EXPECT_EQ(readings[2].counter, 51234567890u);
  EXPECT_EQ(readings[3].counter, 13456789012u);
}

TEST(Powercap, ClientWithSymlinksSkipsMmioDuplicateAndSubzones) {
  TempDir dir;
  const auto root = copy_fixture(dir, "intel-client");
  ASSERT_TRUE(fs::is_symlink(root / "class/powercap/intel-rapl:0"));
  ASSERT_TRUE(fs::is_symlink(root / "class/powercap/intel-rapl-mmio:0"));
  Coverage coverage;
  auto out = probe(root, coverage);

  ASSERT_EQ(out.sensors.size(), 1u);
  EXPECT_EQ(channel_ids(*out.sensors[0]),
            (std::vector<std::string>{"powercap:intel-rapl:0", "powercap:intel-rapl:0:2"}));
  EXPECT_EQ(out.sensors[0]->channels()[1].name, "dram (package-0)");
  EXPECT_EQ(out.reports.size(), 6u);
  for (const char* sub : {"powercap:intel-rapl:0:0", "powercap:intel-rapl:0:1"}) {
    const auto& r = report(out, sub);
    EXPECT_TRUE(r.available);
    EXPECT_FALSE(r.counted);
    EXPECT_NE(r.reason.find("part of package-0"), std::string::npos) << r.reason;
  }
  const auto& mmio = report(out, "powercap:intel-rapl-mmio:0");
  EXPECT_FALSE(mmio.counted);
  EXPECT_EQ(mmio.reason, "duplicate of intel-rapl package-0 (MMIO interface)");
  EXPECT_EQ(report(out, "powercap:intel-rapl:1").reason, "overlaps package and DRAM zones");

  std::vector<Reading> readings;
  ASSERT_TRUE(out.sensors[0]->read(readings).is_ok());
  ASSERT_EQ(readings.size(), 2u);
  EXPECT_EQ(readings[0].counter, 7654321098u);
  EXPECT_EQ(readings[1].counter, 987654321u);
}

TEST(Powercap, MmioZoneIsUsedWhenTheMsrInterfaceLacksIt) {
  TempDir dir;
  const auto root = copy_fixture(dir, "intel-client");
  fs::remove_all(root / "devices/virtual/powercap/intel-rapl/intel-rapl:0");
  for (const char* link : {"intel-rapl:0", "intel-rapl:0:0", "intel-rapl:0:1", "intel-rapl:0:2"}) {
    fs::remove(root / "class/powercap" / link);
  }
  Coverage coverage;
  auto out = probe(root, coverage);

  ASSERT_EQ(out.sensors.size(), 1u);
  EXPECT_EQ(channel_ids(*out.sensors[0]), std::vector<std::string>{"powercap:intel-rapl-mmio:0"});
  const auto& ch = out.sensors[0]->channels()[0];
  EXPECT_EQ(ch.name, "package-0");
  ASSERT_EQ(ch.notes.size(), 1u);
  EXPECT_NE(ch.notes[0].find("intel-rapl-mmio"), std::string::npos);
  EXPECT_EQ(coverage.claimed_by(Component::cpu), "powercap (intel-rapl-mmio)");
  EXPECT_EQ(report(out, "powercap:intel-rapl:1").reason, "overlaps package and DRAM zones");
}

TEST(Powercap, AmdHasPackagesOnly) {
  TempDir dir;
  const auto root = copy_fixture(dir, "amd-epyc");
  Coverage coverage;
  auto out = probe(root, coverage);

  ASSERT_EQ(out.sensors.size(), 1u);
  EXPECT_EQ(channel_ids(*out.sensors[0]),
            (std::vector<std::string>{"powercap:intel-rapl:0", "powercap:intel-rapl:1"}));
  for (const auto& c : out.sensors[0]->channels()) {
    EXPECT_EQ(c.component, Component::cpu);
    EXPECT_EQ(c.counter.range, kEsu16Range);
    EXPECT_EQ(c.counter.unit, 15u);
  }
  EXPECT_EQ(out.reports.size(), 2u);
  EXPECT_TRUE(coverage.covered(Component::cpu));
  EXPECT_FALSE(coverage.covered(Component::dram));
}

TEST(Powercap, ManyDieZonesUseHexIdsInNumericOrder) {
  TempDir dir;
  const auto root = copy_fixture(dir, "many-zones");
  Coverage coverage;
  auto out = probe(root, coverage);

  ASSERT_EQ(out.sensors.size(), 1u);
  std::vector<std::string> want;
  for (const char* id : {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "a:0", "b", "c", "d", "e", "f"}) {
    want.push_back(std::string("powercap:intel-rapl:") + id);
  }
  EXPECT_EQ(channel_ids(*out.sensors[0]), want);
  const auto& ch = out.sensors[0]->channels();
  EXPECT_EQ(ch[0].name, "package-0-die-0");
  EXPECT_EQ(ch[10].name, "package-1-die-2");  // intel-rapl:a
  EXPECT_EQ(ch[11].name, "dram (package-1-die-2)");
  EXPECT_EQ(ch[11].component, Component::dram);
  EXPECT_EQ(ch[16].name, "package-1-die-7");  // intel-rapl:f
  const auto& psys = report(out, "powercap:intel-rapl:10");  // zone 16
  EXPECT_FALSE(psys.counted);
  EXPECT_EQ(psys.reason, "overlaps package and DRAM zones");
  EXPECT_EQ(out.reports.back().info.id, "powercap:intel-rapl:10");
}

TEST(Powercap, FindsSubzonesNestedOnlyInTheirParent) {
  TempDir dir;
  const auto root = copy_fixture(dir, "intel-2socket");
  const auto pc = root / "class/powercap";
  fs::rename(pc / "intel-rapl:0:0", pc / "intel-rapl:0" / "intel-rapl:0:0");
  Coverage coverage;
  auto out = probe(root, coverage);
  ASSERT_EQ(out.sensors.size(), 1u);
  EXPECT_EQ(channel_ids(*out.sensors[0]),
            (std::vector<std::string>{"powercap:intel-rapl:0", "powercap:intel-rapl:0:0", "powercap:intel-rapl:1",
                                      "powercap:intel-rapl:1:0"}));
  EXPECT_EQ(out.sensors[0]->channels()[1].path, (pc / "intel-rapl:0" / "intel-rapl:0:0").string());
}

TEST(Powercap, PsysIsCountedWhenNoPackageIsReadable) {
  TempDir dir;
  const auto root = copy_fixture(dir, "intel-2socket");
  fs::remove(root / "class/powercap/intel-rapl:0/energy_uj");
  fs::remove(root / "class/powercap/intel-rapl:1/energy_uj");
  Coverage coverage;
  auto out = probe(root, coverage);

  ASSERT_EQ(out.sensors.size(), 1u);
  EXPECT_EQ(channel_ids(*out.sensors[0]), std::vector<std::string>{"powercap:intel-rapl:2"});
  const auto& ch = out.sensors[0]->channels()[0];
  EXPECT_EQ(ch.component, Component::psys);
  EXPECT_EQ(ch.counter.range, 4294967295000000u);
  EXPECT_EQ(ch.counter.unit, 1000000u);  // Sapphire Rapids psys: fixed 1 J unit
  EXPECT_FALSE(report(out, "powercap:intel-rapl:0").available);
  EXPECT_FALSE(report(out, "powercap:intel-rapl:1").counted);
  for (const char* dram : {"powercap:intel-rapl:0:0", "powercap:intel-rapl:1:0"}) {
    EXPECT_FALSE(report(out, dram).counted);
    EXPECT_NE(report(out, dram).reason.find("overlaps psys"), std::string::npos);
  }
  // psys includes CPU and DRAM: nothing else may add them again.
  EXPECT_TRUE(coverage.covered(Component::psys));
  EXPECT_TRUE(coverage.covered(Component::cpu));
  EXPECT_TRUE(coverage.covered(Component::dram));
}

TEST(Powercap, CounterThatWrapsBetweenReadsGivesRawValuesAndTheExactDelta) {
  TempDir dir;
  const auto root = copy_fixture(dir, "intel-2socket");
  const auto energy = root / "class/powercap/intel-rapl:0/energy_uj";
  write_file(energy, "262143328000\n");
  Coverage coverage;
  auto out = probe(root, coverage);
  ASSERT_EQ(out.sensors.size(), 1u);
  Sensor& s = *out.sensors[0];
  const CounterSpec spec = s.channels()[0].counter;

  std::vector<Reading> first, second;
  ASSERT_TRUE(s.read(first).is_ok());
  write_file(energy, "1000\n");
  ASSERT_TRUE(s.read(second).is_ok());
  ASSERT_EQ(first[0].state, ReadingState::ok);
  ASSERT_EQ(second[0].state, ReadingState::ok);
  EXPECT_EQ(first[0].counter, 262143328000u);
  EXPECT_EQ(second[0].counter, 1000u);  // raw, not corrected here

  const CounterDelta d = counter_delta(first[0].counter, second[0].counter, spec);
  EXPECT_TRUE(d.valid);
  EXPECT_TRUE(d.wrapped);
  // (range - prev) + unit + now = 850 + 61 + 1000
  EXPECT_EQ(d.delta, 1911u);
  EXPECT_DOUBLE_EQ(static_cast<double>(d.delta) * s.channels()[0].joules_per_unit, 1911e-6);
}

TEST(Powercap, ReadAppendsOneReadingPerChannelAndSurvivesABrokenFile) {
  TempDir dir;
  const auto root = copy_fixture(dir, "intel-2socket");
  Coverage coverage;
  auto out = probe(root, coverage);
  ASSERT_EQ(out.sensors.size(), 1u);
  Sensor& s = *out.sensors[0];

  // The fd stays open, so deleting a regular file would not fail the read; a counter file that
  // no longer yields a number (what a vanished sysfs attribute amounts to) must.
  fs::resize_file(root / "class/powercap/intel-rapl:0:0/energy_uj", 0);
  write_file(root / "class/powercap/intel-rapl:1/energy_uj", "gone\n");

  std::vector<Reading> readings{Reading{99, ReadingState::ok, 7, 0.0}};
  readings.reserve(16);
  ASSERT_TRUE(s.read(readings).is_ok());
  ASSERT_EQ(readings.size(), 5u);
  EXPECT_EQ(readings[0].channel, 99u);  // what was there before is untouched
  for (std::uint32_t i = 0; i < 4; ++i) EXPECT_EQ(readings[i + 1].channel, i);
  EXPECT_EQ(readings[1].state, ReadingState::ok);
  EXPECT_EQ(readings[2].state, ReadingState::failed);
  EXPECT_EQ(readings[3].state, ReadingState::failed);
  EXPECT_EQ(readings[4].state, ReadingState::ok);
  EXPECT_EQ(readings[4].counter, 13456789012u);
}

TEST(Powercap, NoPowercapDirectoryGivesOneClearReport) {
  TempDir dir;
  Coverage coverage;
  auto out = probe(dir.path(), coverage);
  EXPECT_TRUE(out.sensors.empty());
  ASSERT_EQ(out.reports.size(), 1u);
  const auto& r = out.reports[0];
  EXPECT_EQ(r.info.component, Component::cpu);
  EXPECT_EQ(r.info.method, Method::counter);
  EXPECT_EQ(r.info.source, "powercap");
  EXPECT_FALSE(r.available);
  EXPECT_FALSE(r.counted);
  EXPECT_EQ(r.reason,
            "no /sys/class/powercap: no RAPL driver (virtual machine, non-x86 CPU, or a container that masks "
            "powercap)");
  EXPECT_NE(r.fix.find("modprobe intel_rapl_msr"), std::string::npos);
  EXPECT_NE(r.fix.find("/sys:/host/sys:ro"), std::string::npos);
  EXPECT_FALSE(coverage.covered(Component::cpu));
}

TEST(Powercap, ControlTypeWithoutZonesIsReported) {
  TempDir dir;
  write_file(dir / "class/powercap/intel-rapl/enabled", "0\n");
  Coverage coverage;
  auto out = probe(dir.path(), coverage);
  EXPECT_TRUE(out.sensors.empty());
  ASSERT_EQ(out.reports.size(), 1u);
  EXPECT_FALSE(out.reports[0].available);
  EXPECT_NE(out.reports[0].reason.find("no RAPL zones"), std::string::npos);
  EXPECT_NE(out.reports[0].reason.find("intel-rapl"), std::string::npos);
}

TEST(Powercap, CoveredComponentsAreSupersededAndOpenNothing) {
  TempDir dir;
  const auto root = copy_fixture(dir, "intel-2socket");
  Coverage coverage;
  coverage.claim(Component::cpu, "perf (power/energy-pkg)");
  auto out = probe(root, coverage);

  ASSERT_EQ(out.sensors.size(), 1u);
  EXPECT_EQ(channel_ids(*out.sensors[0]),
            (std::vector<std::string>{"powercap:intel-rapl:0:0", "powercap:intel-rapl:1:0"}));
  for (const char* pkg : {"powercap:intel-rapl:0", "powercap:intel-rapl:1"}) {
    const auto& r = report(out, pkg);
    EXPECT_TRUE(r.available);
    EXPECT_FALSE(r.counted);
    EXPECT_EQ(r.reason, "superseded: perf (power/energy-pkg)");
  }
  EXPECT_EQ(report(out, "powercap:intel-rapl:2").reason, "overlaps package and DRAM zones");
  EXPECT_EQ(coverage.claimed_by(Component::cpu), "perf (power/energy-pkg)");
  EXPECT_EQ(coverage.claimed_by(Component::dram), "powercap (intel-rapl)");

  Coverage both;
  both.claim(Component::cpu, "perf (power/energy-pkg)");
  both.claim(Component::dram, "perf (power/energy-ram)");
  auto none = probe(root, both);
  EXPECT_TRUE(none.sensors.empty());
  EXPECT_EQ(report(none, "powercap:intel-rapl:1:0").reason, "superseded: perf (power/energy-ram)");
}

TEST(Powercap, ZoneWithoutRangeCannotBeWrapCorrected) {
  TempDir dir;
  const auto root = copy_fixture(dir, "amd-epyc");
  fs::remove(root / "class/powercap/intel-rapl:1/max_energy_range_uj");
  Coverage coverage;
  auto out = probe(root, coverage);
  ASSERT_EQ(out.sensors.size(), 1u);
  EXPECT_EQ(channel_ids(*out.sensors[0]), std::vector<std::string>{"powercap:intel-rapl:0"});
  const auto& r = report(out, "powercap:intel-rapl:1");
  EXPECT_FALSE(r.available);
  EXPECT_NE(r.reason.find("max_energy_range_uj"), std::string::npos);
  EXPECT_NE(r.reason.find("wrap"), std::string::npos);
  EXPECT_FALSE(r.fix.empty());
}

TEST(Powercap, UnknownZoneNameIsListedNotCounted) {
  TempDir dir;
  const auto root = copy_fixture(dir, "amd-epyc");
  write_file(root / "class/powercap/intel-rapl:0:0/name", "pp1-gfx\n");
  write_file(root / "class/powercap/intel-rapl:0:0/energy_uj", "5\n");
  write_file(root / "class/powercap/intel-rapl:0:0/max_energy_range_uj", "65532610987\n");
  Coverage coverage;
  auto out = probe(root, coverage);
  const auto& r = report(out, "powercap:intel-rapl:0:0");
  EXPECT_FALSE(r.counted);
  EXPECT_NE(r.reason.find("\"pp1-gfx\""), std::string::npos) << r.reason;
  ASSERT_EQ(out.sensors.size(), 1u);
  EXPECT_EQ(out.sensors[0]->channels().size(), 2u);
}

TEST(Powercap, PermissionFixNamesRealFilesAndTheUdevRule) {
  const std::string fix = powercap_permission_fix(
      {"/sys/class/powercap/intel-rapl:0/energy_uj", "/sys/class/powercap/intel-rapl:1/energy_uj"}, {"intel-rapl"});
  EXPECT_NE(fix.find("sudo chmod o+r /sys/class/powercap/intel-rapl:0/energy_uj "
                     "/sys/class/powercap/intel-rapl:1/energy_uj"),
            std::string::npos);
  EXPECT_NE(fix.find("ACTION==\"add|change\", SUBSYSTEM==\"powercap\", KERNEL==\"intel-rapl:*\", "
                     "RUN+=\"/bin/chmod o+r %S%p/energy_uj\""),
            std::string::npos);
  EXPECT_NE(fix.find("/etc/udev/rules.d/99-carbontracker-powercap.rules"), std::string::npos);
  EXPECT_NE(fix.find("cap_perfmon"), std::string::npos);
  EXPECT_EQ(fix.find('\n'), std::string::npos);
  const std::string both = powercap_permission_fix({"x"}, {"intel-rapl", "intel-rapl-mmio"});
  EXPECT_NE(both.find("KERNEL==\"intel-rapl:*|intel-rapl-mmio:*\""), std::string::npos) << both;
}

}  // namespace
}  // namespace carbontracker::sensors
