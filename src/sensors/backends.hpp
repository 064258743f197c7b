// Probe entry points, one per backend file (see probe.hpp for the shared contract).
// Each appends its sensors (counted channels only) and one SourceReport per source found or
// refused to `out`, and claims the components it measures in `coverage`.
#pragma once

#include "sensors/perf_event_api.hpp"
#include "sensors/probe.hpp"

namespace carbontracker::sensors {

// simulated.cpp: the Python tool's sim_cpu / sim_gpu (fixed watts x utilisation).
void probe_simulated_cpu(const SensorContext& ctx, Coverage& coverage, ProbeOutput& out);
void probe_simulated_gpu(const SensorContext& ctx, Coverage& coverage, ProbeOutput& out);

// perf_power.cpp: RAPL through the perf_event `power` PMU (energy-pkg, energy-ram, energy-psys).
void probe_perf_power(const SensorContext& ctx, std::shared_ptr<PerfEventApi> perf, Coverage& coverage,
                      ProbeOutput& out);

// powercap.cpp: RAPL through /sys/class/powercap (every control type and zone).
void probe_powercap(const SensorContext& ctx, Coverage& coverage, ProbeOutput& out);

// estimated_cpu.cpp: TDP table x /proc/stat load, when no CPU counter is readable.
void probe_estimated_cpu(const SensorContext& ctx, Coverage& coverage, ProbeOutput& out);

// estimated_dram.cpp: W/GB x memory this process may use (cgroup limit respected).
void probe_estimated_dram(const SensorContext& ctx, Coverage& coverage, ProbeOutput& out);

// nvml.cpp: NVIDIA GPUs through a dlopen'd libnvidia-ml.
void probe_nvml(const SensorContext& ctx, Coverage& coverage, ProbeOutput& out);

}  // namespace carbontracker::sensors
