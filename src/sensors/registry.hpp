// The one explicit list of sensor backends, probed best-first (see probe.hpp).
#pragma once

#include <memory>
#include <vector>

#include "sensors/sensor_interface.hpp"
#include "sensors/perf_event_api.hpp"

namespace carbontracker::sensors {

struct Inventory {
  std::vector<std::unique_ptr<Sensor>> sensors;  // only counted channels
  std::vector<SourceReport> reports;             // every source found or refused
};

// Seams for what the SensorContext cannot fake (system calls). Null = the real thing.
struct ProbeHooks {
  std::shared_ptr<PerfEventApi> perf;
};

Inventory probe_all(const SensorContext& ctx, const ProbeHooks& hooks = {});

}  // namespace carbontracker::sensors
