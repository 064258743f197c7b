#include <fmt/format.h>

#include "carbontracker/version.hpp"
#include "commands.hpp"
#include "tracker/config_check.hpp"
#include "tracker/config_keys.hpp"

namespace carbontracker::cli {

void add_version_flag(CLI::App& app) { app.set_version_flag("--version", std::string("carbontracker ") + kVersion); }

void SensorFlags::add_to(CLI::App& app) {
  app.add_option("--components", components,
                 "What to measure: all, or a comma list of cpu, dram, gpu (cpu alone also measures dram, as in "
                 "the Python carbontracker)")
      ->capture_default_str();
  app.add_flag("--devices-by-pid", devices_by_pid,
               "Count only GPUs that run a process of this process tree");
  auto value = [&](const std::string& flag, const std::string& key, const std::string& help) {
    options.emplace_back(app.add_option(flag, values[key], help), key);
  };
  value("--sim-cpu", "sim_cpu", "Simulate a CPU with this name instead of measuring it");
  value("--sim-cpu-tdp", "sim_cpu_tdp", "Simulated CPU's TDP in W (needed with --sim-cpu)");
  value("--sim-cpu-util", "sim_cpu_util", "Simulated CPU utilisation, 0..1 (default 0.5)");
  value("--sim-gpu", "sim_gpu", "Simulate a GPU with this name instead of measuring it");
  value("--sim-gpu-watts", "sim_gpu_watts", "Simulated GPU power in W (needed with --sim-gpu)");
  value("--sim-gpu-util", "sim_gpu_util", "Simulated GPU utilisation, 0..1 (default 0.5)");
}

SensorOptions SensorFlags::to_options() const {
  // The same parser and checks as `run` (tracker/config_keys.hpp, tracker/config_check.hpp).
  Config config;
  auto check = [](const Status& st) {
    if (!st) throw CLI::ValidationError(st.to_string());
  };
  check(tracker::set_config_key(config, "components", components, "--components"));
  config.devices_by_pid = devices_by_pid;
  for (const auto& [opt, key] : options) {
    if (opt->count() > 0) check(tracker::set_config_key(config, key, values.at(key), opt->get_name()));
  }
  return tracker::check_sensor_config(config);
}

}  // namespace carbontracker::cli
