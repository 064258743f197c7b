// RAPL through the Linux powercap sysfs interface (<sysfs_root>/class/powercap).
//
// Contract
//  - probe_powercap (declared in backends.hpp) enumerates every control type and zone, identifies
//    zones by their `name` file (never by index), and opens `energy_uj` of each zone it counts.
//    It counts package zones (cpu), dram zones (dram) and, only when no package zone is
//    readable, psys (the RAPL policy shared with perf: rapl_zones.hpp); everything else is reported as listed-but-not-counted with the reason, so
//    no energy is summed twice. It never throws; every refusal is a SourceReport with a fix.
//  - PowercapSensor::read() pread()s each open energy_uj (µJ, raw, unsigned 64-bit) and appends
//    one Reading per channel. Wrap-around is NOT corrected here: each channel carries a wrapping
//    CounterSpec (range = max_energy_range_uj) for counter_delta. read() is noexcept and does no
//    heap allocation on success; a failed read gives ReadingState::failed for that channel.
//  - Threading: one PowercapSensor may be read from any thread, but not concurrently.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sensors/sensor_interface.hpp"
#include "io/fs.hpp"

namespace carbontracker::sensors {

// "intel-rapl:a:0" -> {control_type "intel-rapl", ids {10, 0}}. Zone ids are printed in hex by
// the kernel (dev_set_name("%s:%x")). nullopt for control-type entries and malformed names.
struct PowercapZoneName {
  std::string control_type;
  std::vector<std::uint32_t> ids;
};
std::optional<PowercapZoneName> parse_powercap_zone_name(std::string_view dir_name);

// What a zone's `name` file says it is.
enum class RaplDomain : std::uint8_t { package, dram, psys, core, uncore, other };
// "package-N" and "package-N-die-M" -> package; exact "dram", "psys", "core", "uncore".
RaplDomain rapl_domain_from_name(std::string_view zone_name) noexcept;

// The fix printed when energy_uj files are root-only: immediate chmod of `real_files` (paths
// under the real /sys, not the injected root), the persistent udev rule for `control_types`,
// and the perf/CAP_PERFMON alternative.
std::string powercap_permission_fix(const std::vector<std::string>& real_files,
                                    const std::vector<std::string>& control_types);

class PowercapSensor final : public Sensor {
 public:
  PowercapSensor(std::vector<ChannelInfo> channels, std::vector<io::CounterFile> files);

  [[nodiscard]] std::string_view name() const noexcept override { return "powercap"; }
  [[nodiscard]] const std::vector<ChannelInfo>& channels() const noexcept override { return channels_; }
  Status read(std::vector<Reading>& out) noexcept override;

 private:
  std::vector<ChannelInfo> channels_;
  std::vector<io::CounterFile> files_;  // files_[i] backs channels_[i]
};

}  // namespace carbontracker::sensors
