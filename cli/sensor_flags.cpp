#include <stdexcept>

#include <fmt/format.h>

#include "carbontracker/version.hpp"
#include "core/text.hpp"
#include "commands.hpp"
#include "tracker/config_check.hpp"
#include "tracker/config_keys.hpp"

namespace carbontracker::cli {

void add_version_flag(CLI::App& app) { app.set_version_flag("--version", std::string("carbontracker ") + kVersion); }

void ConfigFlags::add_to(CLI::App& app, const std::vector<std::string>& keys) {
  auto add = [&](const tracker::ConfigKey& k) {
    CLI::Option* opt = nullptr;
    if (!k.flag.sets.empty()) {
      opt = app.add_flag(k.flag.name, k.flag.help);
    } else {
      const bool has_default = values.contains(k.name);
      opt = app.add_option(k.flag.name, values[k.name], k.flag.help);
      // The registry's type in --help ("--pue NUMBER"), not CLI11's TEXT for the string it stores.
      const std::string type = text::to_upper(k.type);
      opt->type_name(k.type.find('|') != std::string::npos ? k.type : type);
      if (has_default) opt->capture_default_str();
    }
    options.emplace_back(opt, &k);
  };
  if (keys.empty()) {
    for (const auto& k : tracker::config_keys()) {
      if (!k.flag.name.empty()) add(k);
    }
    return;
  }
  for (const auto& name : keys) {
    const tracker::ConfigKey* k = tracker::find_config_key(name);
    if (k == nullptr || k->flag.name.empty()) throw std::logic_error("no flag for config key " + name);
    add(*k);
  }
}

void ConfigFlags::apply(Config& config, std::map<std::string, std::string>* origins) const {
  for (const auto& [opt, key] : options) {
    if (opt->count() == 0) continue;
    const std::string& text = key->flag.sets.empty() ? values.at(key->name) : key->flag.sets;
    if (Status st = tracker::set_config_key(config, key->name, text, opt->get_name()); !st) {
      throw CLI::ValidationError(st.to_string());
    }
    if (origins) (*origins)[key->name] = opt->get_name();
  }
}

void SensorFlags::add_to(CLI::App& app) {
  flags.values["components"] = "all";  // shown as the default in --help
  flags.add_to(app, {"components", "devices_by_pid", "sim_cpu", "sim_cpu_tdp", "sim_cpu_util", "sim_gpu",
                     "sim_gpu_watts", "sim_gpu_util"});
}

SensorOptions SensorFlags::to_options() const {
  // The same parser and checks as `run` (tracker/config_keys.hpp, tracker/config_check.hpp).
  Config config;
  flags.apply(config);
  return tracker::check_sensor_config(config);
}

}  // namespace carbontracker::cli
