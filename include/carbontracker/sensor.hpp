// Sensors: the boundary between hardware and everything else.
//
// Contract
//  - A backend's probe (see src/sensors/registry.hpp) looks for its hardware through the
//    SensorContext only (filesystem roots, library path, environment, clock) and returns a
//    Sensor whose channel list is fixed from then on, plus one SourceReport per source it
//    found or refused ("unavailable: <reason>; fix: <what to do>").
//  - read() appends one Reading per channel, in channel order. It is noexcept, does no heap
//    allocation once `out` has capacity, performs only cheap reads (counter/power registers,
//    never process lists), and may be called from any thread, but not concurrently on the
//    same Sensor (the Sampler serialises calls per sensor).
//  - slow_tick() does the expensive, optional work (process lists for devices_by_pid). It is
//    only ever called from the sampler thread, at a slow cadence, and may run while read() runs
//    on another thread: a sensor that shares state between the two synchronises it itself.
//    channels_in_use() is called right after slow_tick(), on the same thread.
//  - Units: counters carry raw unsigned 64-bit values plus a scale to joules and their wrap
//    spec; power readings are in watts: an instantaneous (or short-average) sample for
//    Method::power / simulated, the mean since the previous read for Method::estimated.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "carbontracker/clock.hpp"
#include "carbontracker/counter.hpp"
#include "carbontracker/status.hpp"

namespace carbontracker {

enum class Component : std::uint8_t { cpu, dram, gpu, psys };
// counter: a cumulative hardware energy counter (exact). power: a power register sampled and
// integrated over time (trapezoid). estimated: a model (TDP x load, W/GB). simulated: fixed
// user-given watts, for tests and demos.
enum class Method : std::uint8_t { counter, power, estimated, simulated };

std::string_view to_string(Component c) noexcept;
std::string_view to_string(Method m) noexcept;
std::optional<Component> component_from_string(std::string_view s) noexcept;

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

enum class ReadingState : std::uint8_t {
  ok,
  failed,  // this read failed; the channel may recover (counted in its health)
  lost,    // the device is gone (e.g. NVML GPU_IS_LOST); the channel ends
};

struct Reading {
  std::uint32_t channel = 0;  // index into Sensor::channels()
  ReadingState state = ReadingState::ok;
  std::uint64_t counter = 0;  // Method::counter
  double power_w = 0.0;       // other methods
};

class Sensor {
 public:
  virtual ~Sensor() = default;
  [[nodiscard]] virtual std::string_view name() const noexcept = 0;
  [[nodiscard]] virtual const std::vector<ChannelInfo>& channels() const noexcept = 0;
  virtual Status read(std::vector<Reading>& out) noexcept = 0;
  virtual void slow_tick() noexcept {}
  // For devices_by_pid: which channels served this process tree at the last slow_tick().
  // nullopt when the sensor does not attribute by process (all channels count).
  [[nodiscard]] virtual std::optional<std::vector<bool>> channels_in_use() const { return std::nullopt; }
};

// One row of `carbontracker devices`: a source found or refused.
struct SourceReport {
  ChannelInfo info;      // for refused sources: component, method, source, name, path at least
  bool available = false;
  bool counted = false;  // contributes to totals (false: overlaps or superseded by another)
  std::string reason;    // why unavailable, or why not counted
  std::string fix;       // what the user can do about it
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

struct SensorContext {
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
