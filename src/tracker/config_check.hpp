// Config validation: every bad value fails at construction with ConfigError naming the
// parameter, the problem and the fix. Also derives what the rest of the tracker needs.
#pragma once

#include "sensors/sensor_interface.hpp"
#include "carbontracker/tracker.hpp"

namespace carbontracker::tracker {

struct Derived {
  int monitor_epochs = 1;        // -1 resolved to epochs
  int epochs_before_pred = 0;    // 0: never predict
  SensorOptions sensor_options;
};

// Throws ConfigError.
Derived check_config(const Config& c);

// The sensor part of check_config (components, devices_by_pid, sim_*), for the commands that
// probe sensors without a tracker (devices, monitor), so they refuse what `run` refuses.
// With sim_cpu set, DRAM is in the components only when "all" or "dram" asked for it (the
// Python tool's simulated CPU stands for the whole "cpu" component). Throws ConfigError.
SensorOptions check_sensor_config(const Config& c);

// "all" or "gpu,cpu" -> components ("cpu" includes dram, as in the Python tool). Throws ConfigError.
std::set<Component> parse_components(const std::string& text);

}  // namespace carbontracker::tracker
