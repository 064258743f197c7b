// The RAPL counting policy on its own (no sysfs, no perf): which zones count, in which order
// they are opened, and the psys rules that keep energy from being summed twice.
#include "sensors/rapl_zones.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace carbontracker::sensors {
namespace {

using V = RaplVerdict;
constexpr RaplZone kPackage{RaplDomain::package, true};
constexpr RaplZone kDram{RaplDomain::dram, true};
constexpr RaplZone kSubDram{RaplDomain::dram, false};
constexpr RaplZone kPsys{RaplDomain::psys, true};
constexpr RaplZone kCore{RaplDomain::core, false};
constexpr RaplZone kUncore{RaplDomain::uncore, false};

// try_open for a machine where only the zones in `readable` can be read; records the calls.
struct Opener {
  std::set<std::size_t> readable;
  std::vector<std::size_t> calls;
  bool operator()(std::size_t i) {
    calls.push_back(i);
    return readable.count(i) > 0;
  }
};

RaplPlan plan(const std::vector<RaplZone>& zones, Opener& o, RaplCovered covered = {}) {
  return plan_rapl_zones(zones, covered, [&](std::size_t i) { return o(i); });
}

TEST(RaplZones, PackagesAndDramCountPsysAndSubzonesDoNot) {
  // A two-socket Xeon: package-0 {core, uncore, dram}, package-1 {dram}, psys.
  const std::vector<RaplZone> zones{kPackage, kCore, kUncore, kSubDram, kPackage, kSubDram, kPsys};
  Opener o{{0, 1, 2, 3, 4, 5, 6}, {}};
  const RaplPlan p = plan(zones, o);
  EXPECT_EQ(p.verdicts, (std::vector<V>{V::counted, V::part_of_package, V::part_of_package, V::counted, V::counted,
                                        V::counted, V::psys_overlaps}));
  EXPECT_TRUE(p.cpu);
  EXPECT_TRUE(p.dram);
  EXPECT_FALSE(p.psys);
  // Packages first, then DRAM; subzones and the overlapping psys are never opened.
  EXPECT_EQ(o.calls, (std::vector<std::size_t>{0, 4, 3, 5}));
}

TEST(RaplZones, PsysCountsOnlyWhenNoPackageCanBeReadAndThenDramDoesNot) {
  const std::vector<RaplZone> zones{kPackage, kDram, kPsys};
  Opener o{{1, 2}, {}};  // package refused (root-only), DRAM and psys readable
  const RaplPlan p = plan(zones, o);
  EXPECT_EQ(p.verdicts, (std::vector<V>{V::open_failed, V::overlaps_psys, V::counted}));
  EXPECT_TRUE(p.psys);
  EXPECT_FALSE(p.cpu);
  EXPECT_FALSE(p.dram);  // psys already includes DRAM
  EXPECT_EQ(o.calls, (std::vector<std::size_t>{0, 2}));
}

TEST(RaplZones, AnUnreadablePsysLeavesDramToCount) {
  const std::vector<RaplZone> zones{kPackage, kDram, kPsys};
  Opener o{{1}, {}};
  const RaplPlan p = plan(zones, o);
  EXPECT_EQ(p.verdicts, (std::vector<V>{V::open_failed, V::counted, V::open_failed}));
  EXPECT_TRUE(p.dram);
  EXPECT_FALSE(p.psys);
}

TEST(RaplZones, OnlyOnePsysCounts) {
  // The MSR and MMIO interfaces may both list psys: counting both would double the platform.
  const std::vector<RaplZone> zones{kPsys, kPsys};
  Opener o{{0, 1}, {}};
  const RaplPlan p = plan(zones, o);
  EXPECT_EQ(p.verdicts, (std::vector<V>{V::counted, V::psys_overlaps}));
  EXPECT_EQ(o.calls, (std::vector<std::size_t>{0}));
}

TEST(RaplZones, WhatAnEarlierBackendCoversIsSupersededAndNotOpened) {
  const std::vector<RaplZone> zones{kPackage, kDram, kPsys};
  Opener o{{0, 1, 2}, {}};
  RaplPlan p = plan(zones, o, RaplCovered{true, false, false});
  // CPU covered elsewhere: psys would count CPU twice.
  EXPECT_EQ(p.verdicts, (std::vector<V>{V::superseded, V::counted, V::psys_overlaps}));
  EXPECT_EQ(o.calls, (std::vector<std::size_t>{1}));

  Opener o2{{0, 1, 2}, {}};
  p = plan(zones, o2, RaplCovered{true, true, true});
  EXPECT_EQ(p.verdicts, (std::vector<V>{V::superseded, V::superseded, V::superseded}));
  EXPECT_TRUE(o2.calls.empty());
  EXPECT_FALSE(p.cpu || p.dram || p.psys);

  Opener o3{{0, 1, 2}, {}};
  p = plan(zones, o3, RaplCovered{false, true, false});  // DRAM covered: psys would add it again
  EXPECT_EQ(p.verdicts, (std::vector<V>{V::counted, V::superseded, V::psys_overlaps}));
}

TEST(RaplZones, UnknownNamesAndOddLevelsAreListedNotCounted) {
  const std::vector<RaplZone> zones{{RaplDomain::other, true},
                                    {RaplDomain::package, false},
                                    {RaplDomain::psys, false},
                                    {RaplDomain::core, true}};
  Opener o{{0, 1, 2, 3}, {}};
  const RaplPlan p = plan(zones, o);
  EXPECT_EQ(p.verdicts,
            (std::vector<V>{V::unrecognised, V::unexpected_level, V::unexpected_level, V::unexpected_level}));
  EXPECT_TRUE(o.calls.empty());
}

TEST(RaplZones, NoZonesNoClaims) {
  Opener o;
  const RaplPlan p = plan({}, o);
  EXPECT_TRUE(p.verdicts.empty());
  EXPECT_FALSE(p.cpu || p.dram || p.psys);
}

}  // namespace
}  // namespace carbontracker::sensors
