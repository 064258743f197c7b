// Simulated components (Method::simulated): the Python tool's sim_cpu / sim_gpu. A fixed
// power_w x utilization, for tests and demos; never a measurement.
//
// Contract: probe_simulated_cpu/gpu (backends.hpp) validate ctx.options.sim_cpu / sim_gpu like
// the Python tool (non-empty name, finite power >= 0, utilization in [0, 1]). Valid: one
// channel, and the component is claimed ("simulated CPU <name>") so real sensors report
// themselves as superseded. Invalid: a SourceReport with available=false and the reason;
// nothing is claimed and nothing throws.
// ConstantPowerSensor is also the DRAM estimate's sensor: read() appends one reading with the
// same watts every time, no allocation, thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sensors/sensor_interface.hpp"

namespace carbontracker::sensors {

class ConstantPowerSensor final : public Sensor {
 public:
  ConstantPowerSensor(std::string name, ChannelInfo channel, double power_w)
      : name_(std::move(name)), channels_{std::move(channel)}, power_w_(power_w) {}

  [[nodiscard]] std::string_view name() const noexcept override { return name_; }
  [[nodiscard]] const std::vector<ChannelInfo>& channels() const noexcept override { return channels_; }
  Status read(std::vector<Reading>& out) noexcept override {
    out.push_back(Reading{0, ReadingState::ok, 0, power_w_});
    return Status::ok();
  }
  [[nodiscard]] double power_w() const noexcept { return power_w_; }

 private:
  std::string name_;
  std::vector<ChannelInfo> channels_;
  double power_w_;
};

// "" when valid, else why not (names the offending value). `what` is "sim_cpu" or "sim_gpu".
std::string validate_simulated(const SimulatedComponent& sim, std::string_view what);

}  // namespace carbontracker::sensors
