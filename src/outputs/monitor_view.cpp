#include "outputs/monitor_view.hpp"

#include <fmt/format.h>

#include "core/units.hpp"
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

struct LiveTotals {
  double power_w = 0;
  double energy_j = 0;
  double estimated_j = 0;  // estimated or simulated share of energy_j
};

LiveTotals live_totals(const std::vector<ChannelInfo>& channels, const SamplerSnapshot& snap) {
  LiveTotals t;
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
  const LiveTotals t = live_totals(channels, snap);
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
  const LiveTotals t = live_totals(channels, snap);
  out += fmt::format("  Total: {:.3f} J ({:.9f} kWh)", t.energy_j, to_kwh(Joules(t.energy_j)).value());
  if (t.estimated_j > 0) out += fmt::format(", of which {:.3f} J estimated or simulated", t.estimated_j);
  out += "\n";
  for (const auto& e : snap.events) out += fmt::format("  warning at {:.1f} s: {}\n", e.t_s, e.message);
  if (snap.events_dropped > 0) out += fmt::format("  ({} more warnings not kept)\n", snap.events_dropped);
  return out;
}

std::string monitor_channels_json(const std::vector<ChannelInfo>& channels) {
  JsonWriter w;
  w.begin_object().field("type", "channels");
  w.key("channels").begin_array();
  for (const auto& c : channels) write_channel(w, c);
  w.end_array().end_object();
  return w.take();
}

std::string monitor_sample_json(const std::vector<ChannelInfo>& channels, const SamplerSnapshot& snap) {
  JsonWriter w;
  w.begin_object().field("type", "sample").field("t_s", snap.elapsed_s);
  w.key("power_w").begin_array();
  for (std::size_t i = 0; i < channels.size() && i < snap.channels.size(); ++i) {
    const auto& c = snap.channels[i];
    if (c.power_known) {
      w.value(c.power_w);
    } else {
      w.value(nullptr);
    }
  }
  w.end_array();
  w.key("energy_j").begin_array();
  for (std::size_t i = 0; i < channels.size() && i < snap.channels.size(); ++i) w.value(snap.channels[i].energy_j);
  w.end_array();
  const LiveTotals t = live_totals(channels, snap);
  w.field("total_power_w", t.power_w).field("total_energy_j", t.energy_j).field("estimated_energy_j", t.estimated_j);
  w.end_object();
  return w.take();
}

std::string monitor_summary_json(const std::vector<ChannelInfo>& channels, const SamplerSnapshot& snap) {
  JsonWriter w;
  w.begin_object().field("type", "summary").field("duration_s", snap.elapsed_s);
  w.key("channels").begin_array();
  for (std::size_t i = 0; i < channels.size() && i < snap.channels.size(); ++i) {
    const auto& c = snap.channels[i];
    w.begin_object();
    w.field("id", channels[i].id).field("component", to_string(channels[i].component));
    w.field("method", to_string(channels[i].method)).field("energy_j", c.energy_j);
    w.field("counted", counts_in_totals(c));
    w.key("health").begin_object();
    w.field("state", to_string(c.health.state)).field("reads", c.health.reads);
    w.field("failed_reads", c.health.failed_reads).field("wraps", c.health.wraps);
    w.field("resets", c.health.resets).field("rejected", c.health.rejected);
    w.field("unmeasured_s", c.health.unmeasured_s);
    w.end_object();
    w.end_object();
  }
  w.end_array();
  const LiveTotals t = live_totals(channels, snap);
  w.field("total_energy_j", t.energy_j).field("estimated_energy_j", t.estimated_j);
  w.key("events").begin_array();
  for (const auto& e : snap.events) {
    w.begin_object().field("t_s", e.t_s).field("channel", e.channel).field("message", e.message).end_object();
  }
  w.end_array();
  w.field("events_dropped", snap.events_dropped);
  w.end_object();
  return w.take();
}

}  // namespace carbontracker::outputs
