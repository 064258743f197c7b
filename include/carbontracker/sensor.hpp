// Channels: what the tracker measures (public: results name their channels) and the sensor
// roots a program may inject (TrackerEnvironment::sensors). The Sensor interface the backends
// implement is internal: src/sensors/sensor_interface.hpp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "carbontracker/clock.hpp"
#include "carbontracker/counter.hpp"
#include "carbontracker/export.h"

namespace carbontracker {

enum class Component : std::uint8_t { cpu, dram, gpu, psys };
// counter: a cumulative hardware energy counter (exact). power: a power register sampled and
// integrated over time (trapezoid). estimated: a model (TDP x load, W/GB). simulated: fixed
// user-given watts, for tests and demos.
enum class Method : std::uint8_t { counter, power, estimated, simulated };

CARBONTRACKER_API std::string_view to_string(Component c) noexcept;
CARBONTRACKER_API std::string_view to_string(Method m) noexcept;
CARBONTRACKER_API std::optional<Component> component_from_string(std::string_view s) noexcept;

struct ChannelInfo {
  std::string id;        // unique and stable, e.g. "powercap:intel-rapl:0", "nvml:GPU-8f2c..."
  Component component = Component::cpu;
  Method method = Method::counter;
  std::string name;      // "package-0", "dram (package-0)", "NVIDIA A100-SXM4-40GB"
  std::string uuid;      // GPUs: "GPU-..." from NVML; empty otherwise
  std::string source;    // backend name: "powercap", "perf", "nvml", "tdp-estimate", ...
  std::string path;      // where it was found (zone directory, library, PMU)
  CounterSpec counter;   // Method::counter only
  double joules_per_unit = 0.0;  // Method::counter only: counter unit -> joules
  double resolution_s = 0.0;     // how often the source updates (0 = every read)
  // Most power this device can plausibly draw (0: the default for its class, see
  // src/sampler/plausibility.hpp); readings beyond it are not counted. The basis says where the
  // figure comes from ("2 x NVML power limit 300 W").
  double max_power_w = 0.0;
  std::string max_power_basis;
  std::vector<std::string> notes;  // caveats shown wherever the channel is listed
};

struct SimulatedComponent {
  std::string name;
  double power_w = 0.0;     // TDP (CPU) or watts (GPU)
  double utilization = 0.5; // 0..1; power drawn = power_w * utilization
};

struct SensorOptions {
  std::set<Component> components{Component::cpu, Component::dram, Component::gpu};
  bool devices_by_pid = false;
  int root_pid = 0;  // process tree for devices_by_pid; 0 = this process
  std::optional<SimulatedComponent> sim_cpu;
  std::optional<SimulatedComponent> sim_gpu;
};

struct CARBONTRACKER_API SensorContext {
  std::filesystem::path sysfs_root = "/sys";
  std::filesystem::path procfs_root = "/proc";
  std::string nvml_library = "libnvidia-ml.so.1";
  Clock* clock = nullptr;  // never null after from_environment()
  std::function<std::optional<std::string>(const std::string&)> getenv;
  SensorOptions options;

  // Roots and library from CARBONTRACKER_SYSFS_ROOT, CARBONTRACKER_PROCFS_ROOT and
  // CARBONTRACKER_NVML_LIBRARY; real clock; process environment.
  static SensorContext from_environment(SensorOptions options = {});
};

}  // namespace carbontracker
