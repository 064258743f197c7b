#include "tracker/config_check.hpp"

#include <unistd.h>

#include <cmath>

#include <fmt/format.h>

#include "io/safe_file.hpp"

namespace carbontracker {

ConfigError::ConfigError(const std::string& parameter, const std::string& problem, const std::string& fix)
    : std::invalid_argument(fmt::format("invalid {}: {}; fix: {}", parameter, problem, fix)), parameter_(parameter) {}

namespace tracker {
namespace {

void require(bool ok, const char* parameter, const std::string& problem, const std::string& fix) {
  if (!ok) throw ConfigError(parameter, problem, fix);
}

void check_positive(const std::optional<double>& v, const char* name, const char* unit) {
  if (v) {
    require(std::isfinite(*v) && *v > 0, name, fmt::format("must be a positive number of {}, got {}", unit, *v),
            fmt::format("give the limit in {} (or leave it unset)", unit));
  }
}

std::optional<SimulatedComponent> simulated(const std::optional<std::string>& name, const std::optional<double>& watts,
                                            const std::optional<double>& util, const char* name_param,
                                            const char* watts_param, const char* util_param) {
  if (!name) return std::nullopt;
  require(!name->empty(), name_param, "is empty", "give the simulated component a name");
  require(watts.has_value(), watts_param,
          fmt::format("is required with {} (the Python tool's rule)", name_param),
          fmt::format("set {} to the simulated power in W", watts_param));
  require(std::isfinite(*watts) && *watts >= 0, watts_param, fmt::format("must be >= 0 W, got {}", *watts),
          "give the power in watts");
  const double u = util.value_or(0.5);
  require(std::isfinite(u) && u >= 0 && u <= 1, util_param, fmt::format("must be in [0, 1], got {}", u),
          "give the utilisation as a fraction, e.g. 0.5");
  return SimulatedComponent{*name, *watts, u};
}

}  // namespace

std::set<Component> parse_components(const std::string& text) {
  std::string t;
  for (char ch : text) {
    if (ch != ' ') t += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  if (t == "all") return {Component::cpu, Component::dram, Component::gpu};
  std::set<Component> out;
  std::size_t pos = 0;
  while (pos <= t.size()) {
    const auto comma = t.find(',', pos);
    const std::string name = t.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? t.size() + 1 : comma + 1;
    if (name.empty()) continue;
    const auto c = component_from_string(name);
    require(c && *c != Component::psys, "components", fmt::format("unknown component '{}'", name),
            "use \"all\" or a comma list of gpu, cpu, dram");
    out.insert(*c);
    if (*c == Component::cpu) out.insert(Component::dram);  // the Python tool's "cpu" covers RAPL dram too
  }
  require(!out.empty(), "components", "is empty", "use \"all\" or a comma list of gpu, cpu, dram");
  return out;
}

Derived check_config(const Config& c) {
  Derived d;
  require(c.epochs >= 1, "epochs", fmt::format("must be at least 1, got {}", c.epochs),
          "pass the number of epochs the training will run");
  require(c.epochs_before_pred >= -1, "epochs_before_pred", fmt::format("must be >= -1, got {}", c.epochs_before_pred),
          "give the number of epochs to measure before predicting (0 or -1: never predict)");
  require(c.epochs_before_pred <= c.epochs, "epochs_before_pred",
          fmt::format("({}) is larger than epochs ({}), so no prediction could ever be made", c.epochs_before_pred,
                      c.epochs),
          "use a value between 1 and epochs, or 0 to never predict");
  d.epochs_before_pred = c.epochs_before_pred < 0 ? 0 : c.epochs_before_pred;
  require(c.monitor_epochs != 0, "monitor_epochs", "cannot be zero", "use -1 to monitor all epochs");
  require(c.monitor_epochs >= -1, "monitor_epochs", fmt::format("must be -1 or positive, got {}", c.monitor_epochs),
          "use -1 to monitor all epochs");
  d.monitor_epochs = c.monitor_epochs == -1 ? c.epochs : c.monitor_epochs;
  require(d.monitor_epochs >= d.epochs_before_pred, "monitor_epochs",
          fmt::format("cannot be less than epochs_before_pred ({} < {})", d.monitor_epochs, d.epochs_before_pred),
          "monitor at least as many epochs as are measured before the prediction");
  require(std::isfinite(c.update_interval) && c.update_interval >= 0.01 && c.update_interval <= 3600,
          "update_interval", fmt::format("must be between 0.01 and 3600 s, got {}", c.update_interval),
          "give the sampling interval in seconds (default 1)");
  require(c.decimal_precision >= 0 && c.decimal_precision <= 17, "decimal_precision",
          fmt::format("must be between 0 and 17, got {}", c.decimal_precision), "use e.g. 12 (the default)");
  require(std::isfinite(c.pue) && c.pue >= 1.0 && c.pue <= 5.0, "pue",
          fmt::format("must be between 1.0 and 5.0, got {}", c.pue),
          "use 1.0 for device energy only, or your data centre's PUE (e.g. 1.58, the 2023 global average)");
  check_positive(c.budget.max_energy_kwh, "max_energy_kwh", "kWh");
  check_positive(c.budget.max_co2eq_g, "max_co2eq_g", "g");
  check_positive(c.budget.max_duration_s, "max_duration_s", "s");
  if (c.intensity_g_per_kwh) {
    require(std::isfinite(*c.intensity_g_per_kwh) && *c.intensity_g_per_kwh >= 0, "intensity_g_per_kwh",
            fmt::format("must be >= 0 g/kWh, got {}", *c.intensity_g_per_kwh),
            "give your grid's carbon intensity in gCO2eq/kWh");
  }
  require(c.prediction_confidence > 0 && c.prediction_confidence < 1, "prediction_confidence",
          fmt::format("must be between 0 and 1, got {}", c.prediction_confidence), "use e.g. 0.9");
  if (c.summary_json) {
    // What writing it at the end needs, checked now: a lost summary after the training is too late.
    const Status st = io::check_replaceable(*c.summary_json);
    require(st.is_ok(), "summary_json", st.message(), st.fix());
  }
  d.sensor_options.components = parse_components(c.components);
  d.sensor_options.devices_by_pid = c.devices_by_pid;
  d.sensor_options.root_pid = c.root_pid;
  d.sensor_options.sim_cpu = simulated(c.sim_cpu, c.sim_cpu_tdp, c.sim_cpu_util, "sim_cpu", "sim_cpu_tdp", "sim_cpu_util");
  d.sensor_options.sim_gpu =
      simulated(c.sim_gpu, c.sim_gpu_watts, c.sim_gpu_util, "sim_gpu", "sim_gpu_watts", "sim_gpu_util");
  return d;
}

}  // namespace tracker
}  // namespace carbontracker
