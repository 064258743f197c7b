#include "tracker/messages.hpp"

#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "core/units.hpp"
#include "carbontracker/version.hpp"

namespace carbontracker::tracker {
namespace {

std::string method_words(Method m, const std::string& source) {
  switch (m) {
    case Method::counter: return source + " energy counter";
    case Method::power: return source + " sampled power";
    case Method::estimated: return source;
    case Method::simulated: return "simulated";
  }
  return source;
}

// "package-0" -> "0", "package-1-die-3" -> "1-die-3"
std::string package_suffix(const std::string& name) {
  const std::string_view p = "package-";
  const auto at = name.find(p);
  if (at == std::string::npos) return {};
  std::string rest = name.substr(at + p.size());
  const auto paren = rest.find(')');
  if (paren != std::string::npos) rest.resize(paren);
  return rest;
}

}  // namespace

std::string version_line() { return fmt::format("carbontracker version {} (C++ carbontracker)", kVersion); }

std::string pue_line(double pue) {
  // The default gets the Python tool's sentence word for word (its report and ours read the
  // value back with "PUE coefficient of ([\d\.]+)"); another value says who chose it and how to
  // get device energy.
  const std::string value = pue == std::floor(pue) ? fmt::format("{:.1f}", pue) : fmt::format("{}", pue);
  const std::string head = "Only predicted and actual consumptions are multiplied by a PUE coefficient of " + value;
  if (pue == outputs::kPythonPue) return fmt::format("{} ({}).", head, outputs::kPythonPueSource);
  return fmt::format("{} (set by the user{}; the default is {}, {}).", head,
                     pue == 1.0 ? ": 1.0 reports device energy, what the devices used"
                                : "; pue 1.0 reports device energy, what the devices used",
                     outputs::kPythonPue, outputs::kPythonPueSource);
}

std::vector<outputs::ComponentDevices> python_components(const std::vector<ChannelInfo>& channels) {
  outputs::ComponentDevices gpu{"gpu", {}};
  outputs::ComponentDevices cpu{"cpu", {}};
  for (const auto& c : channels) {
    const bool rapl = c.source == "powercap" || c.source == "perf";
    switch (c.component) {
      case Component::gpu: gpu.devices.push_back(c.name); break;
      case Component::cpu:
        cpu.devices.push_back(rapl && !package_suffix(c.name).empty() ? "cpu:" + package_suffix(c.name) : c.name);
        break;
      case Component::dram:
        cpu.devices.push_back(rapl && !package_suffix(c.name).empty() ? "dram:" + package_suffix(c.name)
                              : rapl                                   ? "dram"
                                                                       : "dram (" + c.source + ")");
        break;
      case Component::psys: cpu.devices.push_back("psys"); break;
    }
  }
  std::vector<outputs::ComponentDevices> out;
  if (!gpu.devices.empty()) out.push_back(std::move(gpu));
  if (!cpu.devices.empty()) out.push_back(std::move(cpu));
  return out;
}

std::string measurement_line(const std::vector<ChannelInfo>& channels, const std::set<Component>& wanted,
                             const std::map<Component, std::string>& elsewhere) {
  std::map<std::string, std::set<std::string>> measured, estimated;
  std::set<Component> present;
  for (const auto& c : channels) {
    present.insert(c.component);
    if (c.component == Component::psys) present.insert({Component::cpu, Component::dram});  // psys stands for both
    auto& bucket = (c.method == Method::estimated || c.method == Method::simulated) ? estimated : measured;
    bucket[std::string(to_string(c.component))].insert(method_words(c.method, c.source));
  }
  auto join = [](const std::map<std::string, std::set<std::string>>& m) {
    std::string s;
    for (const auto& [comp, how] : m) {
      std::string hows;
      for (const auto& h : how) hows += (hows.empty() ? "" : " + ") + h;
      s += (s.empty() ? "" : ", ") + comp + " (" + hows + ")";
    }
    return s;
  };
  std::string out;
  if (!measured.empty()) out += "Measured: " + join(measured);
  if (!estimated.empty()) out += std::string(out.empty() ? "" : "; ") + "estimated: " + join(estimated);
  std::string missing, excluded;
  std::map<std::string, std::string> by_other;  // who -> components
  for (Component c : {Component::cpu, Component::dram, Component::gpu}) {
    if (present.count(c)) continue;
    if (auto it = elsewhere.find(c); it != elsewhere.end() && wanted.count(c)) {
      std::string& list = by_other[it->second];
      list += (list.empty() ? "" : ", ") + std::string(to_string(c));
      continue;
    }
    std::string& list = wanted.count(c) ? missing : excluded;
    list += (list.empty() ? "" : ", ") + std::string(to_string(c));
  }
  for (const auto& [who, list] : by_other) {
    out += std::string(out.empty() ? "" : "; ") + "counted by another process of the job: " + list + " (" + who + ")";
  }
  if (!missing.empty()) {
    out += std::string(out.empty() ? "" : "; ") + "not measured: " + missing +
           " (run `carbontracker devices` for the reasons and fixes)";
  }
  if (!excluded.empty()) out += std::string(out.empty() ? "" : "; ") + "not measured: " + excluded + " (excluded by components)";
  return out.empty() ? "Nothing could be measured (run `carbontracker devices` for the reasons and fixes)." : out + ".";
}

std::string intensity_line(const IntensityInfo& i) {
  std::string out =
      fmt::format("Carbon intensity used: {:.2f} gCO2eq/kWh ({}: {}; {}).", i.g_per_kwh, to_string(i.kind), i.source, i.why);
  if (i.kind == IntensityKind::assumed) {
    out += " Set the country, zone or a fixed intensity for your grid (CLI --country/--zone/--intensity;"
           " API country, zone, intensity_g_per_kwh; or geolocation).";
  }
  return out;
}

std::string energy_basis_line(const Totals& t, double pue) {
  std::string out;
  const double device = t.device_energy_j.total_j();
  if (t.estimated_j > 0 && t.measured_j <= 0) {
    out = fmt::format("Device energy {:.9f} kWh, all of it estimated (no energy counter was readable).", kwh_from_j(device));
  } else if (t.estimated_j > 0) {
    out = fmt::format("Of the device energy {:.9f} kWh, {:.9f} kWh is measured and {:.9f} kWh estimated.", kwh_from_j(device),
                      kwh_from_j(t.measured_j), kwh_from_j(t.estimated_j));
  } else {
    out = fmt::format("Device energy {:.9f} kWh, all of it measured.", kwh_from_j(device));
  }
  if (pue != 1.0) {
    out += fmt::format(
        " Facility energy (device energy x PUE {}, an estimate of the data centre's use) {:.9f} kWh: the Energy and "
        "CO2eq above are facility energy (pue 1.0 reports device energy).",
        pue, kwh_from_j(t.facility_energy_j));
  } else {
    out += " PUE 1.0: the Energy and CO2eq above are device energy.";
  }
  return out;
}

std::string prediction_basis_line(const Forecast& f, double pue) {
  if (pue == 1.0 || !std::isfinite(f.energy_j)) return {};
  return fmt::format(
      "Predicted device energy {:.9f} kWh; the Energy and CO2eq above are facility energy (device energy x PUE {}, "
      "an estimate of the data centre's use; pue 1.0 reports device energy).",
      kwh_from_j(f.energy_j / pue), pue);
}

std::string interval_line(const Forecast& f, const Forecast* paper) {
  // An unknown bound (no usable epoch energy or intensity) is said, never printed as nan.
  for (double v : {f.energy_j_low, f.energy_j_high, f.co2eq_g_low, f.co2eq_g_high, f.intensity_g_per_kwh}) {
    if (!std::isfinite(v)) {
      return fmt::format("Prediction interval after {} epoch(s): not available (no usable energy or carbon intensity "
                         "from the epochs so far).",
                         f.after_epochs);
    }
  }
  std::string out = fmt::format(
      "Prediction interval ({:.0f} %) after {} epoch(s): time {} to {}, energy {:.9f} to {:.9f} kWh, "
      "CO2eq {:.6f} to {:.6f} g (at {:.2f} gCO2eq/kWh for the epochs to come).",
      f.confidence * 100, f.after_epochs, outputs::report_time(f.duration_s_low),
      outputs::report_time(f.duration_s_high), kwh_from_j(f.energy_j_low),
      kwh_from_j(f.energy_j_high), f.co2eq_g_low, f.co2eq_g_high, f.intensity_g_per_kwh);
  if (paper && std::abs(paper->energy_j - f.energy_j) > 1e-9 * std::max(1.0, f.energy_j)) {
    out += fmt::format(" The paper's model (epochs x mean of measured epochs) gives {:.9f} kWh.", kwh_from_j(paper->energy_j));
  }
  return out;
}

std::string forecast_log_line(const Forecast& f) {
  return fmt::format("Prediction after {} epoch(s) for {} epoch(s): time {:.1f} s [{:.1f}, {:.1f}], energy {:.9f} kWh "
                     "[{:.9f}, {:.9f}], CO2eq {:.6f} g [{:.6f}, {:.6f}] ({} model, {:.0f} % interval).",
                     f.after_epochs, f.epochs, f.duration_s, f.duration_s_low, f.duration_s_high, kwh_from_j(f.energy_j),
                     kwh_from_j(f.energy_j_low), kwh_from_j(f.energy_j_high), f.co2eq_g, f.co2eq_g_low, f.co2eq_g_high, to_string(f.method),
                     f.confidence * 100);
}

}  // namespace carbontracker::tracker
