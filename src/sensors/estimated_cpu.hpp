// Estimated CPU power (Method::estimated, source "tdp-estimate"): used only when no CPU energy
// counter is readable (nothing has claimed Component::cpu when probe_estimated_cpu runs).
//
// Model (docs/estimates.md has the sources):
//   power_w = tdp_total_w x (kCpuIdleFraction + (1 - kCpuIdleFraction) x utilisation)
//   tdp_total_w = table TDP x sockets (distinct "physical id" in <procfs>/cpuinfo), or, for a
//   model the table does not know, kDefaultWattsPerLogicalCpu x logical CPUs. Under a
//   hypervisor the total is capped at kDefaultWattsPerLogicalCpu x logical CPUs (a VM owns a
//   share of the host's sockets, not all of them).
//   utilisation = delta busy / delta total of the first "cpu" line of <procfs>/stat between two
//   consecutive reads, busy = total - idle - iowait.
//
// Contract: read() re-reads <procfs>/stat into a fixed buffer (no allocation), except within
// 10 ms (one USER_HZ tick, the counters' resolution) of its last read on the context's clock: then
// it repeats the last load's power (epoch_start right after epoch_end reads no file). It never throws,
// and reports ReadingState::failed when the file cannot be read or parsed. Not thread-safe
// (the sampler serialises reads). All parse helpers are pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sensors/cpu_table.hpp"

namespace carbontracker::sensors {

// Share of TDP drawn at 0 % utilisation. SPECpower-derived idle/max ratios per logical CPU for
// server micro-architectures (Cloud Carbon Footprint coefficients) span ~0.16-0.32.
inline constexpr double kCpuIdleFraction = 0.2;
// Watts per logical CPU when the model is unknown: the median TDP / hardware threads of eight
// common data-centre CPUs of the table (docs/estimates.md lists them; a test recomputes it).
inline constexpr double kDefaultWattsPerLogicalCpu = 3.25;

struct CpuInfo {
  std::string model;     // first "model name" value; empty when absent (e.g. some ARM kernels)
  int logical_cpus = 0;  // "processor" entries
  int sockets = 0;       // distinct "physical id" values; 0 when the kernel prints none
  bool hypervisor = false;  // "hypervisor" in flags: running in a VM
};

CpuInfo parse_cpuinfo(std::string_view text);

// Jiffies of the aggregate "cpu" line. total = user + nice + system + idle + iowait + irq +
// softirq + steal (guest time is already inside user/nice); busy = total - idle - iowait.
struct CpuTimes {
  std::uint64_t busy = 0;
  std::uint64_t total = 0;
};

// Parses the first line of /proc/stat text; nullopt unless it is a well-formed "cpu " line
// with at least the four fields user, nice, system, idle. No allocation.
std::optional<CpuTimes> parse_proc_stat_cpu(std::string_view text) noexcept;

// Utilisation in [0, 1] between two reads; nullopt when no tick elapsed or the counters went
// backwards (e.g. a CPU went offline).
std::optional<double> cpu_utilization(const CpuTimes& before, const CpuTimes& after) noexcept;

constexpr double cpu_load_power_w(double tdp_total_w, double utilization) noexcept {
  return tdp_total_w * (kCpuIdleFraction + (1.0 - kCpuIdleFraction) * utilization);
}

// What the probe decided, exposed for tests and `carbontracker devices`.
struct CpuEstimatePlan {
  std::string name;         // normalised model, or the raw model when unknown
  double tdp_total_w = 0.0;
  std::string tdp_note;     // how tdp_total_w was obtained, with the numbers
  std::optional<std::string> cap_note;  // set when the hypervisor cap lowered tdp_total_w
};

CpuEstimatePlan plan_cpu_estimate(const CpuInfo& info, const CpuTable& table = builtin_cpu_table());

}  // namespace carbontracker::sensors
