// Estimated DRAM power (Method::estimated, source "dram-estimate"): used only when no DRAM
// energy counter is readable (nothing has claimed Component::dram).
//
// Model (docs/estimates.md): power_w = kDramWattsPerGib x GiB of memory this process may use,
// = min(MemTotal of <procfs>/meminfo, the cgroup memory limit). The cgroup comes from
// <procfs>/self/cgroup: v2 "0::<path>" -> <sysfs>/fs/cgroup/<path>/memory.max ("max" =
// unlimited), v1 "N:...memory...:<path>" -> <sysfs>/fs/cgroup/memory/<path>/memory.limit_in_bytes
// (>= 2^62 = unlimited). Both walk up to the hierarchy root and keep the smallest limit, so a
// limit set on a parent, or a container whose own cgroup is mounted as the root, counts; a
// container is never charged for the host's memory. The power is constant: read() returns it.
//
// Contract: the probe never throws; a missing or unreadable cgroup file is "no limit there".
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sensors/sensor_interface.hpp"
#include "core/status.hpp"

namespace carbontracker::sensors {

// CodeCarbon's pre-v3 figure, "3 W per 8 GB" of DDR3/DDR4 (Crucial), in W per GiB.
inline constexpr double kDramWattsPerGib = 3.0 / 8.0;
inline constexpr double kBytesPerGib = 1024.0 * 1024.0 * 1024.0;

struct CgroupMemoryLimit {
  std::uint64_t bytes = 0;
  std::string file;     // the file that set it
  std::string version;  // "v1" or "v2"
};

// The smallest memory limit over this process's cgroups (v1 and v2) and their ancestors;
// nullopt when none is set or nothing is readable.
std::optional<CgroupMemoryLimit> cgroup_memory_limit(const SensorContext& ctx);

struct MemoryBudget {
  std::uint64_t bytes = 0;     // what the estimate charges
  std::uint64_t mem_total_bytes = 0;
  std::optional<CgroupMemoryLimit> limit;  // the cgroup limit, when one is set
  std::string note;            // which figure was used and why, with the numbers
};

// min(MemTotal, cgroup limit). Fails only when meminfo has no readable MemTotal.
Result<MemoryBudget> memory_budget(const SensorContext& ctx);

}  // namespace carbontracker::sensors
