// Plausibility of raw sensor values: the policy that keeps impossible numbers out of totals.
//
// Contract
//  - Every channel has a plausible maximum power (plausible_max_power): the sensor's own figure
//    when it published one (ChannelInfo::max_power_w, e.g. 2 x the NVML power limit, the TDP of
//    an estimate, the watts of a simulation), else a default per device class (table below,
//    docs/sensors.md "Plausibility bounds"). The defaults are far above any shipping part: they
//    exist to catch values that cannot be true, not to second-guess real ones.
//  - judge_counter_step decides what one counter step means. A step is plausible when its
//    energy is at most max_power x (elapsed + slack); slack covers the counter's update
//    granularity and the time between taking a timestamp and reading the register. A wrapping
//    counter that went back is a wrap only when the wrapped delta is plausible; otherwise it is
//    a glitch (a step back smaller than a wrap could explain, e.g. RAPL stepping back 1 J is
//    not +262,142 J in 0.2 s). A forward step beyond the bound is implausible. Glitches and
//    implausible steps are not counted: the sampler bridges them like a failed read.
//  - judge_power_sample rejects non-finite, negative and above-bound power readings.
//  - Pure functions, no I/O, noexcept; they never return NaN.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "carbontracker/counter.hpp"
#include "sensors/sensor_interface.hpp"

namespace carbontracker {

// Default plausible maxima per device class, for channels that publish none. Each channel is
// one device: one CPU package (powercap/perf zones are per package), the DRAM of one package,
// one platform (psys), one GPU.
inline constexpr double kMaxCpuPackageW = 1000.0;  // largest server packages: ~500 W
inline constexpr double kMaxDramW = 500.0;          // 12 channels x 2 DDR5 RDIMMs: ~250 W
inline constexpr double kMaxPsysW = 2000.0;         // a whole platform
inline constexpr double kMaxGpuW = 2000.0;          // GPU without a known power limit
// NVML GPUs publish their own: 2 x the highest settable power limit (src/sensors/nvml.cpp).
// Added to every interval before applying the bound (plus the channel's resolution_s).
inline constexpr double kPlausibilitySlackS = 0.5;

struct PowerBound {
  double max_power_w = 0;
  std::string_view basis;  // "default for a CPU package", or the channel's max_power_basis
};
PowerBound plausible_max_power(const ChannelInfo& info) noexcept;

enum class StepVerdict : std::uint8_t {
  ok,
  wrapped,       // a plausible wrap-around, corrected
  reset,         // a resetting counter went back (driver reload): interval unknown
  out_of_range,  // a wrapping counter outside its published range
  glitch,        // a wrapping counter went back by less than a wrap could explain
  implausible,   // a forward step larger than the device could have drawn
};
std::string_view to_string(StepVerdict v) noexcept;

struct CounterStep {
  StepVerdict verdict = StepVerdict::ok;
  std::uint64_t delta = 0;  // counter units to count (ok, wrapped); 0 otherwise
  double energy_j = 0;      // what the step would mean in joules (the wrapped delta for a glitch)
  double bound_j = 0;       // the most energy the device could have used in the interval
};

// dt_s: time between the two reads (negative is taken as 0).
CounterStep judge_counter_step(std::uint64_t prev, std::uint64_t now, const CounterSpec& spec,
                               double joules_per_unit, double dt_s, double max_power_w,
                               double slack_s) noexcept;

// The same, with the channel's bound and slack (kPlausibilitySlackS + resolution_s).
CounterStep judge_counter_step(std::uint64_t prev, std::uint64_t now, const ChannelInfo& info,
                               double dt_s) noexcept;

enum class PowerVerdict : std::uint8_t { ok, not_finite, negative, above_bound };

PowerVerdict judge_power_sample(double power_w, double max_power_w) noexcept;

// Why a value was not counted, for events and logs: names the value, the bound and its basis.
std::string describe_rejected_step(const CounterStep& step, std::uint64_t prev, std::uint64_t now, double dt_s,
                                   const ChannelInfo& info);
std::string describe_rejected_power(PowerVerdict v, double power_w, const ChannelInfo& info);

}  // namespace carbontracker
