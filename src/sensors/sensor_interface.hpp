// Sensors: the boundary between hardware and everything else (internal; the channel types
// they describe are public, include/carbontracker/sensor.hpp).
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
//  - slow_tick() does the expensive, optional work (process lists for devices_by_pid), for a
//    sensor whose has_slow_work() is true. It is only ever called from the sampler thread, at a
//    slow cadence, and may run while read() runs
//    on another thread: a sensor that shares state between the two synchronises it itself.
//    channels_in_use() is called right after slow_tick(), on the same thread.
//  - Units: counters carry raw unsigned 64-bit values plus a scale to joules and their wrap
//    spec; power readings are in watts: an instantaneous (or short-average) sample for
//    Method::power / simulated, the mean since the previous read for Method::estimated.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "carbontracker/sensor.hpp"
#include "core/status.hpp"

namespace carbontracker {

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
  // Whether slow_tick() has work to do (devices_by_pid asked for and possible): the sampler
  // thread wakes at the slow cadence only for sensors that say so.
  [[nodiscard]] virtual bool has_slow_work() const noexcept { return false; }
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

}  // namespace carbontracker
