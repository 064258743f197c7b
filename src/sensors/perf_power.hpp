// RAPL through the perf_event `power` PMU (<sysfs_root>/bus/event_source/devices/power).
//
// Contract
//  - probe_perf_power (declared in backends.hpp) reads the PMU's type, cpumask and event files
//    (energy-pkg -> cpu, energy-ram -> dram, energy-psys -> psys) and opens one system-wide
//    counting event per (event, cpumask CPU) through PerfEventApi. An event counts only when it
//    opens on every cpumask CPU (a partial sum would undercount). Which events count is the RAPL
//    policy shared with powercap (rapl_zones.hpp): energy-psys only when energy-pkg does not
//    count and nobody else covers cpu/dram, and then energy-ram does not count (psys includes
//    it). Covered components are reported as superseded and not opened. It never throws; refusals become SourceReports
//    with the paranoid level and the CAP_PERFMON fix.
//  - Counters are the kernel's 64-bit accumulation of the RAPL register: CounterKind::resetting,
//    raw units with joules_per_unit = the event's .scale (2^-32 J on x86).
//  - PerfPowerSensor keeps a reference to the PerfEventApi given to the probe, which must
//    outlive the sensor (real_perf_event_api() is a process-lifetime singleton). It closes its
//    fds on destruction. read() is noexcept, one read(2) of 8 bytes per channel, no allocation
//    on success; a failed read gives ReadingState::failed. Not to be called concurrently.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "sensors/sensor_interface.hpp"
#include "sensors/perf_event_api.hpp"

namespace carbontracker::sensors {

// sysfs CPU list ("0,36", "0-3,8", trailing newline allowed) -> sorted CPU numbers.
Result<std::vector<int>> parse_cpu_list(std::string_view text, std::string_view what);
// An event file such as "event=0x02" -> the perf_event_attr.config value. The power PMU's only
// format field is `event` (config:0-7); any other term is refused rather than guessed.
Result<std::uint64_t> parse_perf_event_config(std::string_view text, std::string_view what);

class PerfPowerSensor final : public Sensor {
 public:
  PerfPowerSensor(std::shared_ptr<PerfEventApi> api, std::vector<ChannelInfo> channels, std::vector<int> fds);
  ~PerfPowerSensor() override;
  PerfPowerSensor(const PerfPowerSensor&) = delete;
  PerfPowerSensor& operator=(const PerfPowerSensor&) = delete;

  [[nodiscard]] std::string_view name() const noexcept override { return "perf"; }
  [[nodiscard]] const std::vector<ChannelInfo>& channels() const noexcept override { return channels_; }
  Status read(std::vector<Reading>& out) noexcept override;

 private:
  std::shared_ptr<PerfEventApi> api_;
  std::vector<ChannelInfo> channels_;
  std::vector<int> fds_;  // fds_[i] backs channels_[i]
};

}  // namespace carbontracker::sensors
