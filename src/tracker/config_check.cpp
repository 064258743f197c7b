#include "tracker/config_check.hpp"

#include <unistd.h>

#include <cmath>

#include <fmt/format.h>

#include "core/text.hpp"
#include "exporter/metrics_server.hpp"
#include "exporter/pushgateway_sink.hpp"
#include "io/safe_file.hpp"
#include "tracker/config_bounds.hpp"

namespace carbontracker {

ConfigError::ConfigError(const std::string& parameter, const std::string& problem, const std::string& fix)
    : std::invalid_argument(fmt::format("invalid {}: {}; fix: {}", parameter, problem, fix)), parameter_(parameter) {}

namespace tracker {
namespace {

void require(bool ok, const char* parameter, const std::string& problem, const std::string& fix) {
  if (!ok) throw ConfigError(parameter, problem, fix);
}

// The shared bounds (config_bounds.hpp): a C++ Config is refused exactly as the same value
// given as a flag, a variable, a file key, C API JSON or a Python argument.
void require_bounds(const char* parameter, double value) {
  if (auto p = number_problem(parameter, value)) throw ConfigError(parameter, p->problem, p->fix);
}

void require_bounds(const char* parameter, const std::optional<double>& value) {
  if (value) require_bounds(parameter, *value);
}

void require_string(const char* parameter, std::string_view value) {
  if (auto p = text_problem(parameter, value)) throw ConfigError(parameter, p->problem, p->fix);
}

void require_text(const char* parameter, const std::optional<std::string>& value) {
  if (value) require_string(parameter, *value);
}

void require_text(const char* parameter, const std::optional<std::filesystem::path>& value) {
  if (value) require_string(parameter, value->native());
}

// The CLI flag of a key: sim_cpu_tdp -> sim-cpu-tdp.
std::string flag_name(std::string key) {
  for (auto& ch : key) {
    if (ch == '_') ch = '-';
  }
  return key;
}

std::optional<SimulatedComponent> simulated(const std::optional<std::string>& name, const std::optional<double>& watts,
                                            const std::optional<double>& util, const char* name_param,
                                            const char* watts_param, const char* util_param) {
  if (!name) return std::nullopt;
  require(!name->empty(), name_param, "is empty", "give the simulated component a name");
  require(watts.has_value(), watts_param,
          fmt::format("is required with {} (the Python tool's rule)", name_param),
          fmt::format("set {} (--{} on the command line) to the simulated power in W", watts_param,
                      flag_name(watts_param)));
  require_bounds(watts_param, *watts);
  const double u = util.value_or(0.5);
  require_bounds(util_param, u);
  return SimulatedComponent{*name, *watts, u};
}

// "all", or a comma list that names dram itself (not only through "cpu").
bool names_dram(const std::string& text) {
  std::string t;
  for (char ch : text) {
    if (ch != ' ') t += text::to_lower(ch);
  }
  if (t == "all") return true;
  return ("," + t + ",").find(",dram,") != std::string::npos;
}

}  // namespace

std::set<Component> parse_components(const std::string& text) {
  std::string t;
  for (char ch : text) {
    if (ch != ' ') t += text::to_lower(ch);
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

SensorOptions check_sensor_config(const Config& c) {
  require_bounds("sim_cpu_tdp", c.sim_cpu_tdp);
  require_bounds("sample_every", c.sample_every);
  require_bounds("sim_cpu_util", c.sim_cpu_util);
  require_bounds("sim_gpu_watts", c.sim_gpu_watts);
  require_bounds("sim_gpu_util", c.sim_gpu_util);
  require_string("components", c.components);
  require_text("sim_cpu", c.sim_cpu);
  require_text("sim_gpu", c.sim_gpu);
  SensorOptions o;
  o.components = parse_components(c.components);
  o.devices_by_pid = c.devices_by_pid;
  o.root_pid = c.root_pid;
  o.sim_cpu = simulated(c.sim_cpu, c.sim_cpu_tdp, c.sim_cpu_util, "sim_cpu", "sim_cpu_tdp", "sim_cpu_util");
  o.sim_gpu = simulated(c.sim_gpu, c.sim_gpu_watts, c.sim_gpu_util, "sim_gpu", "sim_gpu_watts", "sim_gpu_util");
  // The Python tool's simulated CPU replaces the whole "cpu" component (RAPL DRAM included):
  // with sim_cpu, DRAM is counted only when asked for, by "all" or by name (docs/python.md).
  if (o.sim_cpu && !names_dram(c.components)) o.components.erase(Component::dram);
  return o;
}

Derived check_config(const Config& c) {
  Derived d;
  // Each value against its documented range (docs/configuration.md#bounds) ...
  require_bounds("epochs", c.epochs);
  require_bounds("epochs_before_pred", c.epochs_before_pred);
  require_bounds("monitor_epochs", c.monitor_epochs);
  require_bounds("update_interval", c.update_interval);
  require_bounds("verbose", c.verbose);
  require_bounds("decimal_precision", c.decimal_precision);
  require_bounds("pue", c.pue);
  require_bounds("max_energy_kwh", c.budget.max_energy_kwh);
  require_bounds("max_co2eq_g", c.budget.max_co2eq_g);
  require_bounds("max_duration_s", c.budget.max_duration_s);
  require_bounds("intensity_g_per_kwh", c.intensity_g_per_kwh);
  require_bounds("intensity_refresh_s", c.intensity_refresh_s);
  require_bounds("prediction_confidence", c.prediction_confidence);
  require_bounds("rank", c.rank);
  require_bounds("local_rank", c.local_rank);
  require_bounds("world_size", c.world_size);
  require_bounds("job_wait_s", c.job_wait_s);
  require_text("job_id", c.job_id);
  require_text("log_dir", c.log_dir);
  require_string("log_file_prefix", c.log_file_prefix);
  require_text("country", c.country);
  require_text("zone", c.zone);
  require_text("cloud", c.cloud);
  require_text("gb_postcode", c.gb_postcode);
  require_text("provider", c.provider);
  require_text("summary_json", c.summary_json);
  require_text("prometheus", c.prometheus);
  require_text("pushgateway", c.pushgateway);
  if (c.prometheus) {
    const auto where = exporter::parse_listen_address(*c.prometheus);
    require(where.is_ok(), "prometheus", where.status().message(), where.status().fix());
  }
  if (c.pushgateway) {
    const Status st = exporter::check_pushgateway_url(*c.pushgateway);
    require(st.is_ok(), "pushgateway", st.message(), st.fix());
  }
  for (const auto& [provider, key] : c.api_keys) {
    // Never the key itself in the message: it is a secret.
    require(provider.find('\0') == std::string::npos && key.find('\0') == std::string::npos, "api_keys",
            "a provider name or key contains a NUL character, which would cut it short", "give the key without \\0");
  }
  // ... then how they fit together.
  require(c.epochs_before_pred <= c.epochs, "epochs_before_pred",
          fmt::format("({}) is larger than epochs ({}), so no prediction could ever be made", c.epochs_before_pred,
                      c.epochs),
          "use a value between 1 and epochs, or 0 to never predict");
  d.epochs_before_pred = c.epochs_before_pred < 0 ? 0 : c.epochs_before_pred;
  d.monitor_epochs = c.monitor_epochs == -1 ? c.epochs : c.monitor_epochs;
  require(d.monitor_epochs >= d.epochs_before_pred, "monitor_epochs",
          fmt::format("cannot be less than epochs_before_pred ({} < {})", d.monitor_epochs, d.epochs_before_pred),
          "monitor at least as many epochs as are measured before the prediction");
  if (c.summary_json) {
    // What writing it at the end needs, checked now: a lost summary after the training is too late.
    const Status st = io::check_replaceable(*c.summary_json);
    require(st.is_ok(), "summary_json", st.message(), st.fix());
  }
  d.sensor_options = check_sensor_config(c);
  return d;
}

}  // namespace tracker
}  // namespace carbontracker
