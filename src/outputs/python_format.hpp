// Text in the Python carbontracker's exact formats, so its users see what they know and its
// parser (parse_all_logs, aggregate_consumption, ...) reads our logs. Locale-independent.
//
// Formats (from the Python tool v2.4.3, see docs/log-format.md):
//  - report time "H:MM:SS", seconds rounded half to even, 60 rolls over; negative gets "-";
//  - epoch duration "H:MM:SS.ss" (seconds with two decimals, zero-padded to 5 characters);
//  - consumption block "\n<desc>\n\tTime:\t..\n\tEnergy:\t<E> kWh\n\tCO2eq:\t<g> g" plus, when
//    interpretable, "\n\tThis is equivalent to:\n\t<km> km travelled by car" (106.8 g/km, EEA 2024).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace carbontracker::outputs {

inline constexpr double kCarGramsPerKm = 106.8;  // EEA 2024, average new car (Python tool v2.4.x)
// The Python tool's PUE (constants.PUE_2023, applied to every predicted and actual figure) and
// the source its log names. Our default Config::pue.
inline constexpr double kPythonPue = 1.58;
inline constexpr std::string_view kPythonPueSource = "Daniel Bizo, 2023, Uptime Institute Global Data Center Survey";

std::string report_time(double seconds);
std::string epoch_duration(double seconds);
// epoch_duration() and average_power_line() as fmt arguments ("{}"), formatted where they are
// written (a log line's buffer) instead of into a string of their own.
struct EpochDuration {
  double seconds = 0;
};
struct AveragePower {
  std::string_view component;
  double watts = 0;
};

struct ConsumptionFigures {
  double duration_s = 0;
  double energy_kwh = 0;
  double co2eq_g = 0;
};
// desc: "Predicted consumption for 10 epoch(s):" / "Actual consumption for 3 epoch(s):"
std::string consumption_block(std::string_view desc, const ConsumptionFigures& f, int decimal_precision,
                              bool interpretable);

// "The following components were found: GPU with device(s) A, B. CPU with device(s) cpu:0, dram:0."
struct ComponentDevices {
  std::string component;             // "gpu", "cpu"
  std::vector<std::string> devices;  // labels; dots are replaced (the Python parser splits on '.')
};
std::string components_found(const std::vector<ComponentDevices>& components);

// "Average power usage (W) for gpu: 250.12" (a plain decimal, never an exponent: the Python
// parser reads [0-9.]+).
std::string average_power_line(std::string_view component, double watts);

}  // namespace carbontracker::outputs

template <>
struct fmt::formatter<carbontracker::outputs::EpochDuration> {
  constexpr auto parse(format_parse_context& ctx) -> decltype(ctx.begin()) { return ctx.begin(); }
  format_context::iterator format(const carbontracker::outputs::EpochDuration& d, format_context& ctx) const;
};
template <>
struct fmt::formatter<carbontracker::outputs::AveragePower> {
  constexpr auto parse(format_parse_context& ctx) -> decltype(ctx.begin()) { return ctx.begin(); }
  format_context::iterator format(const carbontracker::outputs::AveragePower& p, format_context& ctx) const;
};
