#include "outputs/monitor_view.hpp"

#include <fmt/format.h>

#include "carbontracker/units.hpp"
#include "outputs/devices_report.hpp"

namespace carbontracker::outputs {
namespace {

// Suffix that keeps an estimate from passing for a measurement, wherever a number appears.
std::string_view label(Method m) {
  switch (m) {
    case Method::counter:
    case Method::power: return "";
    case Method::estimated: return " est";
    case Method::simulated: return " sim";
  }
  return "";
}

struct Totals {
  double power_w = 0;
  double energy_j = 0;
  double estimated_j = 0;  // estimated or simulated share of energy_j
};

Totals totals(const std::vector<ChannelInfo>& channels, const SamplerSnapshot& snap) {
  Totals t;
  for (std::size_t i = 0; i < channels.size() && i < snap.channels.size(); ++i) {
    const auto& c = snap.channels[i];
    if (!counts_in_totals(c)) continue;
    if (c.power_known) t.power_w += c.power_w;
    t.energy_j += c.energy_j;
    if (channels[i].method == Method::estimated || channels[i].method == Method::simulated) t.estimated_j += c.energy_j;
  }
  return t;
}

}  // namespace

bool counts_in_totals(const ChannelSnapshot& c) noexcept { return !c.in_use.has_value() || *c.in_use; }

void apply_window(SamplerSnapshot& snap, const Sampler::Mark& from, const Sampler::Mark& to) {
  const double dt = to_seconds(to.t - from.t);
  for (std::size_t i = 0; i < snap.channels.size() && i < to.energy_j.size() && i < from.energy_j.size(); ++i) {
    auto& c = snap.channels[i];
    c.energy_j = to.energy_j[i];
    c.power_known = dt > 0 && c.health.state != ChannelState::lost;
    c.power_w = c.power_known ? (to.energy_j[i] - from.energy_j[i]) / dt : 0.0;
  }
}

std::string monitor_header_text(const std::vector<ChannelInfo>& channels) {
  if (channels.empty()) return "No energy source to monitor (see `carbontracker devices`).\n";
  std::string out = "Monitoring:\n";
  for (std::size_t i = 0; i < channels.size(); ++i) {
    const auto& c = channels[i];
    out += fmt::format("  [{}] {:<5} {} ({}, {})\n", i + 1, to_string(c.component), c.name, to_string(c.method),
                       c.source);
  }
  out += "Power per channel over the last interval; 'est' = estimated, 'sim' = simulated.\n";
  return out;
}

std::string monitor_row_text(const std::vector<ChannelInfo>& channels, const SamplerSnapshot& snap) {
  std::string out = fmt::format("{:8.1f} s ", snap.elapsed_s);
  for (std::size_t i = 0; i < channels.size() && i < snap.channels.size(); ++i) {
    const auto& c = snap.channels[i];
    if (c.health.state == ChannelState::lost) {
      out += fmt::format(" [{}] lost", i + 1);
    } else if (!c.power_known) {
      out += fmt::format(" [{}] -", i + 1);
    } else {
      out += fmt::format(" [{}] {:.1f} W{}", i + 1, c.power_w, label(channels[i].method));
    }
  }
  const Totals t = totals(channels, snap);
  out += fmt::format(" | total {:.1f} W, {:.1f} J so far\n", t.power_w, t.energy_j);
  return out;
}

std::string monitor_summary_text(const std::vector<ChannelInfo>& channels, const SamplerSnapshot& snap) {
  std::string out = fmt::format("\nEnergy over {:.1f} s:\n", snap.elapsed_s);
  for (std::size_t i = 0; i < channels.size() && i < snap.channels.size(); ++i) {
    const auto& ch = channels[i];
    const auto& c = snap.channels[i];
    out += fmt::format("  [{}] {:<5} {:<28} {:>12.3f} J  {:.9f} kWh  {}{}{}\n", i + 1, to_string(ch.component),
                       ch.name, c.energy_j, to_kwh(Joules(c.energy_j)).value(), to_string(ch.method),
                       c.health.state == ChannelState::ok ? "" : fmt::format(", {}", to_string(c.health.state)),
                       counts_in_totals(c) ? "" : ", not used by this process tree: not in total");
    if (c.health.unmeasured_s > 0) {
      out += fmt::format("        {:.3f} s of this channel's time were not measured (counter reset or no baseline)\n",
                         c.health.unmeasured_s);
    }
    if (c.health.rejected > 0) {
      out += fmt::format("        {} value(s) not counted: beyond what the device can draw (see the warnings)\n",
                         c.health.rejected);
    }
  }
  const Totals t = totals(channels, snap);
  out += fmt::format("  Total: {:.3f} J ({:.9f} kWh)", t.energy_j, to_kwh(Joules(t.energy_j)).value());
  if (t.estimated_j > 0) out += fmt::format(", of which {:.3f} J estimated or simulated", t.estimated_j);
  out += "\n";
  for (const auto& e : snap.events) out += fmt::format("  warning at {:.1f} s: {}\n", e.t_s, e.message);
  if (snap.events_dropped > 0) out += fmt::format("  ({} more warnings not kept)\n", snap.events_dropped);
  return out;
}

nlohmann::json monitor_channels_json(const std::vector<ChannelInfo>& channels) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& c : channels) arr.push_back(channel_json(c));
  return {{"type", "channels"}, {"channels", std::move(arr)}};
}

nlohmann::json monitor_sample_json(const std::vector<ChannelInfo>& channels, const SamplerSnapshot& snap) {
  nlohmann::json power = nlohmann::json::array();
  nlohmann::json energy = nlohmann::json::array();
  for (std::size_t i = 0; i < channels.size() && i < snap.channels.size(); ++i) {
    const auto& c = snap.channels[i];
    power.push_back(c.power_known ? nlohmann::json(c.power_w) : nlohmann::json(nullptr));
    energy.push_back(c.energy_j);
  }
  const Totals t = totals(channels, snap);
  return {{"type", "sample"},       {"t_s", snap.elapsed_s},           {"power_w", std::move(power)},
          {"energy_j", std::move(energy)}, {"total_power_w", t.power_w}, {"total_energy_j", t.energy_j},
          {"estimated_energy_j", t.estimated_j}};
}

nlohmann::json monitor_summary_json(const std::vector<ChannelInfo>& channels, const SamplerSnapshot& snap) {
  nlohmann::json arr = nlohmann::json::array();
  for (std::size_t i = 0; i < channels.size() && i < snap.channels.size(); ++i) {
    const auto& c = snap.channels[i];
    nlohmann::json j{{"id", channels[i].id},
                     {"component", to_string(channels[i].component)},
                     {"method", to_string(channels[i].method)},
                     {"energy_j", c.energy_j},
                     {"counted", counts_in_totals(c)},
                     {"health",
                      {{"state", to_string(c.health.state)},
                       {"reads", c.health.reads},
                       {"failed_reads", c.health.failed_reads},
                       {"wraps", c.health.wraps},
                       {"resets", c.health.resets},
                       {"rejected", c.health.rejected},
                       {"unmeasured_s", c.health.unmeasured_s}}}};
    arr.push_back(std::move(j));
  }
  nlohmann::json events = nlohmann::json::array();
  for (const auto& e : snap.events) events.push_back({{"t_s", e.t_s}, {"channel", e.channel}, {"message", e.message}});
  const Totals t = totals(channels, snap);
  return {{"type", "summary"},
          {"duration_s", snap.elapsed_s},
          {"channels", std::move(arr)},
          {"total_energy_j", t.energy_j},
          {"estimated_energy_j", t.estimated_j},
          {"events", std::move(events)},
          {"events_dropped", snap.events_dropped}};
}

}  // namespace carbontracker::outputs
