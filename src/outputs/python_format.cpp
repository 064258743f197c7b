#include "outputs/python_format.hpp"

#include <cmath>

#include <fmt/format.h>

#include "core/text.hpp"

namespace carbontracker::outputs {

std::string report_time(double seconds) {
  if (!std::isfinite(seconds)) return "unknown";
  const bool negative = seconds < 0;
  seconds = std::fabs(seconds);
  auto total = static_cast<long long>(std::nearbyint(seconds));  // half to even, as Python's round()
  const long long s = total % 60;
  total /= 60;
  const long long m = total % 60;
  const long long h = total / 60;
  return fmt::format("{}{}:{:02d}:{:02d}", negative ? "-" : "", h, m, s);
}

std::string epoch_duration(double seconds) { return fmt::format("{}", EpochDuration{seconds}); }

std::string consumption_block(std::string_view desc, const ConsumptionFigures& f, int decimal_precision,
                              bool interpretable) {
  const int p = decimal_precision < 0 ? 0 : (decimal_precision > 17 ? 17 : decimal_precision);
  // The output edge: a figure is finite or "not measured", never nan/inf (the sources guard too).
  auto figure = [p](double v, std::string_view unit) {
    return std::isfinite(v) ? fmt::format("{:.{}f} {}", v, p, unit) : std::string("not measured");
  };
  std::string out = fmt::format("\n{}\n\tTime:\t{}\n\tEnergy:\t{}\n\tCO2eq:\t{}", desc, report_time(f.duration_s),
                                figure(f.energy_kwh, "kWh"), figure(f.co2eq_g, "g"));
  if (interpretable && std::isfinite(f.co2eq_g)) {
    out += fmt::format("\n\tThis is equivalent to:\n\t{:.{}f} km travelled by car", f.co2eq_g / kCarGramsPerKm, p);
  }
  return out;
}

std::string components_found(const std::vector<ComponentDevices>& components) {
  std::string out = "The following components were found:";
  for (const auto& c : components) {
    const std::string upper = text::to_upper(c.component);
    std::string devices;
    for (const auto& d : c.devices) {
      std::string label = d;
      for (auto& ch : label) {
        if (ch == '.') ch = '_';
      }
      if (!devices.empty()) devices += ", ";
      devices += label;
    }
    out += fmt::format(" {} with device(s) {}.", upper, devices);
  }
  return out;
}

std::string average_power_line(std::string_view component, double watts) {
  return fmt::format("{}", AveragePower{component, watts});
}

}  // namespace carbontracker::outputs

fmt::format_context::iterator fmt::formatter<carbontracker::outputs::EpochDuration>::format(
    const carbontracker::outputs::EpochDuration& d, format_context& ctx) const {
  double seconds = d.seconds;
  if (!std::isfinite(seconds)) return fmt::format_to(ctx.out(), "unknown");
  const bool negative = seconds < 0;
  seconds = std::fabs(seconds);
  const auto whole_minutes = static_cast<long long>(seconds / 60);
  const double s = seconds - static_cast<double>(whole_minutes) * 60;
  return fmt::format_to(ctx.out(), "{}{}:{:02d}:{:05.2f}", negative ? "-" : "", whole_minutes / 60, whole_minutes % 60,
                        s);
}

fmt::format_context::iterator fmt::formatter<carbontracker::outputs::AveragePower>::format(
    const carbontracker::outputs::AveragePower& p, format_context& ctx) const {
  // Unknown is "None", as the Python tool logs it (its parser and ours read it as unknown), never 0.
  if (!std::isfinite(p.watts)) return fmt::format_to(ctx.out(), "Average power usage (W) for {}: None", p.component);
  return fmt::format_to(ctx.out(), "Average power usage (W) for {}: {:.6f}", p.component, p.watts);
}
