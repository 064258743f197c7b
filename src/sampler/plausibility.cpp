#include "sampler/plausibility.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace carbontracker {

PowerBound plausible_max_power(const ChannelInfo& info) noexcept {
  if (std::isfinite(info.max_power_w) && info.max_power_w > 0) {
    return {info.max_power_w,
            info.max_power_basis.empty() ? std::string_view("published by the sensor")
                                         : std::string_view(info.max_power_basis)};
  }
  switch (info.component) {
    case Component::cpu: return {kMaxCpuPackageW, "default bound for a CPU package"};
    case Component::dram: return {kMaxDramW, "default bound for the DRAM of one package"};
    case Component::psys: return {kMaxPsysW, "default bound for a whole platform (psys)"};
    case Component::gpu: return {kMaxGpuW, "default bound for a GPU without a known power limit"};
  }
  return {kMaxPsysW, "default bound"};
}

std::string_view to_string(StepVerdict v) noexcept {
  switch (v) {
    case StepVerdict::ok: return "ok";
    case StepVerdict::wrapped: return "wrapped";
    case StepVerdict::reset: return "reset";
    case StepVerdict::out_of_range: return "out of range";
    case StepVerdict::glitch: return "glitch";
    case StepVerdict::implausible: return "implausible";
  }
  return "unknown";
}

CounterStep judge_counter_step(std::uint64_t prev, std::uint64_t now, const CounterSpec& spec,
                               double joules_per_unit, double dt_s, double max_power_w,
                               double slack_s) noexcept {
  CounterStep s;
  const double dt = std::isfinite(dt_s) && dt_s > 0 ? dt_s : 0.0;
  const double slack = std::isfinite(slack_s) && slack_s > 0 ? slack_s : 0.0;
  const double jpu = std::isfinite(joules_per_unit) && joules_per_unit > 0 ? joules_per_unit : 0.0;
  // A non-finite or non-positive bound means "no bound known": nothing is rejected as too large.
  const bool bounded = std::isfinite(max_power_w) && max_power_w > 0;
  s.bound_j = bounded ? max_power_w * (dt + slack) : 0.0;
  const CounterDelta d = counter_delta(prev, now, spec);
  if (!d.valid) {
    s.verdict = spec.kind == CounterKind::resetting ? StepVerdict::reset : StepVerdict::out_of_range;
    return s;
  }
  s.energy_j = static_cast<double>(d.delta) * jpu;
  if (bounded && s.energy_j > s.bound_j) {
    s.verdict = d.wrapped ? StepVerdict::glitch : StepVerdict::implausible;
    return s;
  }
  s.verdict = d.wrapped ? StepVerdict::wrapped : StepVerdict::ok;
  s.delta = d.delta;
  return s;
}

CounterStep judge_counter_step(std::uint64_t prev, std::uint64_t now, const ChannelInfo& info,
                               double dt_s) noexcept {
  const double resolution = std::isfinite(info.resolution_s) && info.resolution_s > 0 ? info.resolution_s : 0.0;
  return judge_counter_step(prev, now, info.counter, info.joules_per_unit, dt_s, plausible_max_power(info).max_power_w,
                            kPlausibilitySlackS + resolution);
}

PowerVerdict judge_power_sample(double power_w, double max_power_w) noexcept {
  if (!std::isfinite(power_w)) return PowerVerdict::not_finite;
  if (power_w < 0) return PowerVerdict::negative;
  if (std::isfinite(max_power_w) && max_power_w > 0 && power_w > max_power_w) return PowerVerdict::above_bound;
  return PowerVerdict::ok;
}

std::string describe_rejected_step(const CounterStep& step, std::uint64_t prev, std::uint64_t now, double dt_s,
                                   const ChannelInfo& info) {
  const PowerBound b = plausible_max_power(info);
  const double dt = std::isfinite(dt_s) && dt_s > 0 ? dt_s : 0.0;
  switch (step.verdict) {
    case StepVerdict::glitch:
      return fmt::format(
          "counter stepped back from {} to {} in {:.3f} s; as a wrap-around that would be {:.0f} J, more than "
          "{:.0f} W ({}) could use in that time ({:.0f} J): a glitch or reset, not a wrap; not counted",
          prev, now, dt, step.energy_j, b.max_power_w, b.basis, step.bound_j);
    case StepVerdict::implausible:
      return fmt::format(
          "counter rose from {} to {} in {:.3f} s, {:.0f} J, more than {:.0f} W ({}) could use in that time "
          "({:.0f} J); not counted",
          prev, now, dt, step.energy_j, b.max_power_w, b.basis, step.bound_j);
    case StepVerdict::out_of_range:
      return fmt::format("value {} outside the published range {}", now, info.counter.range);
    default:
      return fmt::format("counter step from {} to {}: {}", prev, now, to_string(step.verdict));
  }
}

std::string describe_rejected_power(PowerVerdict v, double power_w, const ChannelInfo& info) {
  const PowerBound b = plausible_max_power(info);
  switch (v) {
    case PowerVerdict::not_finite: return "power reading is not a finite number; not counted";
    case PowerVerdict::negative: return fmt::format("power reading {:.3f} W is negative; not counted", power_w);
    case PowerVerdict::above_bound:
      return fmt::format("power reading {:.1f} W is above the plausible {:.0f} W ({}); not counted", power_w,
                         b.max_power_w, b.basis);
    case PowerVerdict::ok: break;
  }
  return "power reading accepted";
}

}  // namespace carbontracker
