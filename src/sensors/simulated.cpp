#include "sensors/simulated.hpp"

#include <cmath>
#include <exception>
#include <memory>

#include "core/text.hpp"
#include "io/fs.hpp"
#include "sensors/backends.hpp"
#include "sensors/cpu_table.hpp"

namespace carbontracker::sensors {
namespace {

struct Kind {
  Component component;
  std::string_view option;   // "sim_cpu"
  std::string_view label;    // "CPU"
  std::string_view power;    // the Python parameter holding the watts
  std::string_view util;     // the Python parameter holding the utilisation
};

constexpr Kind kCpu{Component::cpu, "sim_cpu", "CPU", "sim_cpu_tdp", "sim_cpu_util"};
constexpr Kind kGpu{Component::gpu, "sim_gpu", "GPU", "sim_gpu_watts", "sim_gpu_util"};

void probe_simulated(const Kind& kind, const std::optional<SimulatedComponent>& sim, Coverage& coverage,
                     ProbeOutput& out) {
  if (!sim) return;
  try {
    ChannelInfo ch;
    ch.id = "simulated:" + std::string(to_string(kind.component));
    ch.component = kind.component;
    ch.method = Method::simulated;
    ch.name = sim->name;
    ch.source = "simulated";
    SourceReport report;
    if (std::string why = validate_simulated(*sim, kind.option); !why.empty()) {
      report.info = std::move(ch);
      report.available = false;
      report.reason = std::move(why);
      report.fix = "give " + std::string(kind.option) + " a non-empty name, " + std::string(kind.power) +
                   " >= 0 W and " + std::string(kind.util) + " between 0 and 1, or drop " +
                   std::string(kind.option) + " to measure the real " + std::string(kind.label);
      out.reports.push_back(std::move(report));
      return;
    }
    const double power_w = sim->power_w * sim->utilization;
    // The value can never exceed what the user gave; 1 % over it only absorbs rounding.
    ch.max_power_w = sim->power_w * 1.01;
    ch.max_power_basis = "the simulated " + format_decimal(sim->power_w) + " W";
    ch.notes.push_back("simulated " + std::string(kind.label) + ": " + format_decimal(sim->power_w) +
                       " W x utilization " + format_decimal(sim->utilization) + " = " + format_decimal(power_w) +
                       " W, constant; not a measurement");
    report.info = ch;
    report.available = true;
    report.counted = true;
    out.sensors.push_back(std::make_unique<ConstantPowerSensor>("simulated", std::move(ch), power_w));
    out.reports.push_back(std::move(report));
    coverage.claim(kind.component, "simulated " + std::string(kind.label) + " " + sim->name);
  } catch (const std::exception& e) {
    SourceReport r;
    r.info.component = kind.component;
    r.info.method = Method::simulated;
    r.info.source = "simulated";
    r.reason = std::string("internal error while setting up ") + std::string(kind.option) + ": " + e.what();
    r.fix = "report this as a bug";
    out.reports.push_back(std::move(r));
  }
}

}  // namespace

std::string validate_simulated(const SimulatedComponent& sim, std::string_view what) {
  const std::string w(what);
  if (text::trim(sim.name).empty()) return "invalid " + w + ": the name must be a non-empty string";
  if (!std::isfinite(sim.power_w) || sim.power_w < 0) {
    return "invalid " + w + ": power " + format_decimal(sim.power_w) + " W must be a finite number >= 0";
  }
  if (!std::isfinite(sim.utilization) || sim.utilization < 0 || sim.utilization > 1) {
    return "invalid " + w + ": utilization " + format_decimal(sim.utilization) + " must be between 0 and 1";
  }
  return {};
}

void probe_simulated_cpu(const SensorContext& ctx, Coverage& coverage, ProbeOutput& out) {
  probe_simulated(kCpu, ctx.options.sim_cpu, coverage, out);
}

void probe_simulated_gpu(const SensorContext& ctx, Coverage& coverage, ProbeOutput& out) {
  probe_simulated(kGpu, ctx.options.sim_gpu, coverage, out);
}

}  // namespace carbontracker::sensors
