// Whether anything that was asked for can be measured, decided from the probe's reports before
// the run starts.
//
// Contract: nothing_measurable() returns the problem and the fix when no counted channel covers
// any of the wanted components (psys stands for cpu and dram), e.g. components="gpu" on a
// machine without a usable GPU; nullopt otherwise. The tracker turns that into a ConfigError at
// construction (docs/tracker.md, "Nothing measurable"): a run that would report "0 kWh, all of
// it measured" never starts. A partly measurable request (components="cpu,gpu" without a GPU)
// is not an error: the measurement line says "not measured: gpu" with the reason.
// Pure, no I/O.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sensors/sensor_interface.hpp"

namespace carbontracker::tracker {

struct Unmeasurable {
  std::string problem;  // "nothing can be measured for components=\"gpu\": gpu: nvml: ..."
  std::string fix;
};

std::optional<Unmeasurable> nothing_measurable(const std::vector<SourceReport>& reports,
                                               const std::set<Component>& wanted, std::string_view components_text);

}  // namespace carbontracker::tracker
