#include "sensors/registry.hpp"

#include <string>

#include "sensors/backends.hpp"

namespace carbontracker::sensors {
namespace {

std::string components_list(const std::set<Component>& cs) {
  std::string s;
  for (auto c : cs) {
    if (!s.empty()) s += ",";
    s += to_string(c);
  }
  return s.empty() ? "none" : s;
}

void report_excluded(Component c, const SensorContext& ctx, ProbeOutput& out) {
  SourceReport r;
  r.info.component = c;
  r.info.method = Method::counter;
  r.info.source = "config";
  r.info.name = std::string(to_string(c));
  r.available = false;
  r.reason = "not measured: excluded by components=" + components_list(ctx.options.components);
  r.fix = "add " + std::string(to_string(c)) + " to components to measure it";
  out.reports.push_back(std::move(r));
}

}  // namespace

Inventory probe_all(const SensorContext& ctx, const ProbeHooks& hooks) {
  ProbeOutput out;
  Coverage coverage;
  const auto& wanted = ctx.options.components;
  for (Component c : {Component::cpu, Component::dram, Component::gpu}) {
    if (!wanted.count(c)) {
      coverage.claim(c, "excluded by components=" + components_list(wanted));
      report_excluded(c, ctx, out);
    }
  }

  const bool want_host = wanted.count(Component::cpu) || wanted.count(Component::dram);
  if (want_host) {
    if (wanted.count(Component::cpu)) probe_simulated_cpu(ctx, coverage, out);
    auto perf = hooks.perf ? hooks.perf : real_perf_event_api();
    if (perf) probe_perf_power(ctx, perf, coverage, out);
    probe_powercap(ctx, coverage, out);
    if (wanted.count(Component::cpu)) probe_estimated_cpu(ctx, coverage, out);
    if (wanted.count(Component::dram)) probe_estimated_dram(ctx, coverage, out);
  }
  if (wanted.count(Component::gpu)) {
    probe_simulated_gpu(ctx, coverage, out);
    probe_nvml(ctx, coverage, out);
  }
  return Inventory{std::move(out.sensors), std::move(out.reports)};
}

}  // namespace carbontracker::sensors
