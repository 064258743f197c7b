#include "sensors/sensor_interface.hpp"

#include <cstdlib>

namespace carbontracker {

std::string_view to_string(Component c) noexcept {
  switch (c) {
    case Component::cpu: return "cpu";
    case Component::dram: return "dram";
    case Component::gpu: return "gpu";
    case Component::psys: return "psys";
  }
  return "unknown";
}

std::string_view to_string(Method m) noexcept {
  switch (m) {
    case Method::counter: return "counter";
    case Method::power: return "power";
    case Method::estimated: return "estimated";
    case Method::simulated: return "simulated";
  }
  return "unknown";
}

std::optional<Component> component_from_string(std::string_view s) noexcept {
  if (s == "cpu") return Component::cpu;
  if (s == "dram") return Component::dram;
  if (s == "gpu") return Component::gpu;
  if (s == "psys") return Component::psys;
  return std::nullopt;
}

SensorContext SensorContext::from_environment(SensorOptions options) {
  SensorContext ctx;
  auto env = [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (!v) return std::nullopt;
    return std::string(v);
  };
  if (auto v = env("CARBONTRACKER_SYSFS_ROOT"); v && !v->empty()) ctx.sysfs_root = *v;
  if (auto v = env("CARBONTRACKER_PROCFS_ROOT"); v && !v->empty()) ctx.procfs_root = *v;
  if (auto v = env("CARBONTRACKER_NVML_LIBRARY"); v && !v->empty()) ctx.nvml_library = *v;
  ctx.clock = &real_clock();
  ctx.getenv = [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
  ctx.options = std::move(options);
  return ctx;
}

}  // namespace carbontracker
