#include <fmt/format.h>

#include "carbontracker/version.hpp"
#include "commands.hpp"

namespace carbontracker::cli {

void add_version_flag(CLI::App& app) { app.set_version_flag("--version", std::string("carbontracker ") + kVersion); }

void SensorFlags::add_to(CLI::App& app) {
  app.add_option("--components", components,
                 "What to measure: all, or a comma list of cpu, dram, gpu (cpu alone also measures dram, as in "
                 "the Python carbontracker)")
      ->capture_default_str();
  app.add_flag("--devices-by-pid", devices_by_pid,
               "Count only GPUs that run a process of this process tree");
  app.add_option("--sim-cpu", sim_cpu, "Simulate a CPU with this name instead of measuring it");
  app.add_option("--sim-cpu-tdp", sim_cpu_tdp, "Simulated CPU's TDP in W (needed with --sim-cpu)");
  app.add_option("--sim-cpu-util", sim_cpu_util, "Simulated CPU utilisation, 0..1")->capture_default_str();
  app.add_option("--sim-gpu", sim_gpu, "Simulate a GPU with this name instead of measuring it");
  app.add_option("--sim-gpu-watts", sim_gpu_watts, "Simulated GPU power in W (needed with --sim-gpu)");
  app.add_option("--sim-gpu-util", sim_gpu_util, "Simulated GPU utilisation, 0..1")->capture_default_str();
}

SensorOptions SensorFlags::to_options() const {
  SensorOptions o;
  o.devices_by_pid = devices_by_pid;
  if (components != "all") {
    o.components.clear();
    std::string_view rest = components;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      std::string name(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      name.erase(std::remove(name.begin(), name.end(), ' '), name.end());
      for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (name.empty()) continue;
      const auto c = component_from_string(name);
      if (!c || *c == Component::psys) {
        throw CLI::ValidationError("--components",
                                   fmt::format("unknown component '{}'; use all, or a comma list of cpu, dram, gpu",
                                               name));
      }
      o.components.insert(*c);
      if (*c == Component::cpu) o.components.insert(Component::dram);
    }
    if (o.components.empty()) throw CLI::ValidationError("--components", "is empty; use all, or cpu, dram, gpu");
  }
  if (!sim_cpu.empty()) {
    if (sim_cpu_tdp < 0) throw CLI::ValidationError("--sim-cpu", "needs --sim-cpu-tdp W (the simulated CPU's TDP)");
    o.sim_cpu = SimulatedComponent{sim_cpu, sim_cpu_tdp, sim_cpu_util};
  }
  if (!sim_gpu.empty()) {
    if (sim_gpu_watts < 0) throw CLI::ValidationError("--sim-gpu", "needs --sim-gpu-watts W (the simulated GPU's power)");
    o.sim_gpu = SimulatedComponent{sim_gpu, sim_gpu_watts, sim_gpu_util};
  }
  return o;
}

}  // namespace carbontracker::cli
