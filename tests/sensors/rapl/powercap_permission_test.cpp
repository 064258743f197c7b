// energy_uj is root-only since Linux 5.10: probe as an unprivileged user against 0400 files
// (tests run as root here, so the probe runs in a child that drops to nobody).
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "rapl_test_support.hpp"
#include "sensors/backends.hpp"

namespace carbontracker::sensors {
namespace {

namespace fs = std::filesystem;
using testing::context_for;
using testing::copy_fixture;
using testing::run_unprivileged;
using testing::TempDir;

// Runs the probe where the files are really unreadable and returns what it reported.
nlohmann::json probe_without_permission(const fs::path& root) {
  // As root, 0400 root-owned files are unreadable by the child (nobody). As another user the
  // owner could still read 0400, so take the read bit away from everyone.
  const auto mode = ::geteuid() == 0 ? 0400 : 0000;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.path().filename() == "energy_uj" && !e.is_symlink()) {
      EXPECT_EQ(::chmod(e.path().c_str(), static_cast<mode_t>(mode)), 0);
    }
  }
  const std::string text = run_unprivileged([&] {
    Coverage coverage;
    ProbeOutput out;
    probe_powercap(context_for(root), coverage, out);
    nlohmann::json j;
    j["sensors"] = out.sensors.size();
    j["cpu_covered"] = coverage.covered(Component::cpu);
    for (const auto& r : out.reports) {
      j["reports"][r.info.id] = {{"available", r.available}, {"counted", r.counted}, {"reason", r.reason},
                                 {"fix", r.fix}};
    }
    return j.dump();
  });
  return nlohmann::json::parse(text);
}

TEST(PowercapPermission, RootOnlyEnergyIsUnavailableWithTheExactFix) {
  TempDir dir;
  const auto root = copy_fixture(dir, "intel-2socket");
  const auto j = probe_without_permission(root);

  EXPECT_EQ(j["sensors"], 0);
  EXPECT_EQ(j["cpu_covered"], false);  // so the estimate takes over, labelled as such
  const auto& reports = j["reports"];
  for (const char* id : {"powercap:intel-rapl:0", "powercap:intel-rapl:0:0", "powercap:intel-rapl:1",
                         "powercap:intel-rapl:1:0", "powercap:intel-rapl:2"}) {
    SCOPED_TRACE(id);
    ASSERT_TRUE(reports.contains(id));
    const auto& r = reports[id];
    EXPECT_EQ(r["available"], false);
    EXPECT_EQ(r["counted"], false);
    const std::string reason = r["reason"];
    EXPECT_NE(reason.find("readable by root only (Linux >= 5.10, CVE-2020-8694)"), std::string::npos) << reason;
    EXPECT_NE(reason.find("Permission denied"), std::string::npos) << reason;
    const std::string fix = r["fix"];
    EXPECT_NE(fix.find("ACTION==\"add|change\", SUBSYSTEM==\"powercap\", KERNEL==\"intel-rapl:*\", "
                       "RUN+=\"/bin/chmod o+r %S%p/energy_uj\""),
              std::string::npos)
        << fix;
    EXPECT_NE(fix.find("sudo chmod o+r /sys/class/powercap/intel-rapl:0/energy_uj "
                       "/sys/class/powercap/intel-rapl:0:0/energy_uj /sys/class/powercap/intel-rapl:1/energy_uj "
                       "/sys/class/powercap/intel-rapl:1:0/energy_uj /sys/class/powercap/intel-rapl:2/energy_uj"),
              std::string::npos)
        << fix;
    EXPECT_EQ(fix.find(root.string()), std::string::npos) << "fix must name /sys, not the fixture root";
    EXPECT_NE(fix.find("cap_perfmon"), std::string::npos);
  }
  // Subzones inside a package are not opened, so they are not in the chmod list either.
  EXPECT_EQ(reports["powercap:intel-rapl:0:1"]["counted"], false);
  EXPECT_EQ(std::string(reports["powercap:intel-rapl:0"]["fix"]).find("intel-rapl:0:1/"), std::string::npos);
}

TEST(PowercapPermission, SymlinkedTreeNamesTheClassPathInTheFix) {
  TempDir dir;
  const auto root = copy_fixture(dir, "intel-client");
  const auto j = probe_without_permission(root);
  EXPECT_EQ(j["sensors"], 0);
  const std::string fix = j["reports"]["powercap:intel-rapl:0"]["fix"];
  EXPECT_NE(fix.find("/sys/class/powercap/intel-rapl:0/energy_uj"), std::string::npos) << fix;
  EXPECT_EQ(fix.find("devices/virtual"), std::string::npos) << fix;
  EXPECT_EQ(j["reports"]["powercap:intel-rapl-mmio:0"]["reason"], "duplicate of intel-rapl package-0 (MMIO interface)");
}

}  // namespace
}  // namespace carbontracker::sensors
