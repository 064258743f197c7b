// Which RAPL zones to count: the one policy that powercap and the perf power PMU share, kept
// apart from their file and syscall access (as Alumet's RAPL consistency check is kept apart
// from its probes), so that both backends count the same energy and the rules are tested
// without a filesystem.
//
// Contract
//  - Input: the zones a backend discovered, in its order ({domain, top_level}; a perf event is a
//    top-level zone of its domain), what earlier backends already cover, and try_open(i), which
//    opens zone i for reading and says whether it can be read. try_open is called only for
//    zones the policy wants to count, at most once each, packages first, then psys, then DRAM.
//  - Rules: top-level package zones count as CPU; DRAM zones (any level) as DRAM; core and
//    uncore subzones are part of their package and never count; psys covers the whole platform
//    (packages, DRAM and more), so it counts only when no package zone could be read, nobody
//    covers CPU, DRAM or psys already, and it is the first readable psys zone; DRAM zones then
//    do not count (psys includes them). A component already covered is superseded.
//  - Output: one verdict per zone and what this backend covers; the backend words the reasons.
//  - Pure: no I/O of its own, never throws except std::bad_alloc and what try_open throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "sensors/powercap.hpp"

namespace carbontracker::sensors {

// RAPL counters update about every millisecond (AMD amd_energy docs; Khan et al. for Intel): a window shorter
// than this is below their resolution, whichever backend reads them.
inline constexpr double kRaplResolutionS = 0.001;

struct RaplZone {
  RaplDomain domain = RaplDomain::other;
  bool top_level = true;
};

enum class RaplVerdict : std::uint8_t {
  counted,           // try_open succeeded: count it
  open_failed,       // would count, but cannot be read (the backend reports why)
  superseded,        // its component is covered by an earlier backend
  psys_overlaps,     // psys while a package is read or CPU/DRAM are covered, or a second psys
  overlaps_psys,     // DRAM while psys is counted
  part_of_package,   // core/uncore subzone: its energy is in the package zone
  unrecognised,      // not a RAPL domain name
  unexpected_level,  // a package/psys/core/uncore zone where none is expected
};

// What earlier backends cover (Coverage, as booleans: the policy needs no names).
struct RaplCovered {
  bool cpu = false;
  bool dram = false;
  bool psys = false;
};

struct RaplPlan {
  std::vector<RaplVerdict> verdicts;  // verdicts[i] is zone i's
  bool cpu = false;                   // a package zone is counted
  bool dram = false;                  // a DRAM zone is counted
  bool psys = false;                  // a psys zone is counted (it includes CPU and DRAM)
};

RaplPlan plan_rapl_zones(const std::vector<RaplZone>& zones, RaplCovered covered,
                         const std::function<bool(std::size_t zone)>& try_open);

}  // namespace carbontracker::sensors
