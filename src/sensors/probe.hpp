// What every sensor backend's probe shares: the output it appends to and the coverage map
// that keeps two backends from measuring the same energy twice.
//
// Probe order (registry.cpp) is best-first: simulated (when asked for), perf power PMU,
// powercap, estimates; simulated GPU, NVML. A backend whose component is already covered
// still reports what it found, as "available, not counted: <claimed by>", but opens no
// channel for it.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sensors/sensor_interface.hpp"

namespace carbontracker::sensors {

class Coverage {
 public:
  // First claim wins; later claims of the same component are ignored.
  void claim(Component c, std::string by) { claims_.emplace(c, std::move(by)); }
  [[nodiscard]] bool covered(Component c) const { return claims_.count(c) != 0; }
  // "" when not covered.
  [[nodiscard]] std::string claimed_by(Component c) const {
    auto it = claims_.find(c);
    return it == claims_.end() ? std::string() : it->second;
  }

 private:
  std::map<Component, std::string> claims_;
};

struct ProbeOutput {
  std::vector<std::unique_ptr<Sensor>> sensors;
  std::vector<SourceReport> reports;
};

}  // namespace carbontracker::sensors
