#include "outputs/devices_report.hpp"

#include <fmt/format.h>

#include "carbontracker/version.hpp"

namespace carbontracker::outputs {
namespace {

std::string method_phrase(Method m) {
  switch (m) {
    case Method::counter: return "measured (energy counter)";
    case Method::power: return "measured (sampled power, integrated)";
    case Method::estimated: return "estimated";
    case Method::simulated: return "simulated";
  }
  return "unknown";
}

std::string resolution_phrase(double s) {
  if (s <= 0) return "";
  if (s < 1) return fmt::format(", updates every {:g} ms", s * 1000);
  return fmt::format(", updates every {:g} s", s);
}

std::string display_name(const ChannelInfo& i) {
  std::string n = i.name.empty() ? i.id : i.name;
  if (!i.uuid.empty()) n += " (" + i.uuid + ")";
  return n;
}

}  // namespace

std::string coverage_label(const std::vector<SourceReport>& reports, Component c) {
  std::string best;
  for (const auto& r : reports) {
    if (r.info.component != c || !r.available || !r.counted) continue;
    std::string label = method_phrase(r.info.method);
    if (best.empty()) {
      best = label;
    } else if (best != label) {
      best = "mixed";
    }
  }
  return best.empty() ? "not measured" : best;
}

namespace {

void channel_fields(JsonWriter& w, const ChannelInfo& info) {
  w.field("id", info.id).field("component", to_string(info.component)).field("name", info.name);
  w.field("method", to_string(info.method)).field("source", info.source);
  if (!info.uuid.empty()) w.field("uuid", info.uuid);
  if (!info.path.empty()) w.field("path", info.path);
  if (info.resolution_s > 0) w.field("resolution_s", info.resolution_s);
  if (info.method == Method::counter) {
    w.key("counter").begin_object();
    w.field("kind", info.counter.kind == CounterKind::wrapping ? "wrapping" : "resetting");
    w.field("range", info.counter.range).field("unit", info.counter.unit);
    w.field("joules_per_unit", info.joules_per_unit);
    w.end_object();
  }
  w.field("notes", info.notes);
}

}  // namespace

void write_channel(JsonWriter& w, const ChannelInfo& info) {
  w.begin_object();
  channel_fields(w, info);
  w.end_object();
}

void write_device_reports(JsonWriter& w, const std::vector<SourceReport>& reports) {
  w.begin_array();
  for (const auto& r : reports) {
    w.begin_object();
    channel_fields(w, r.info);
    w.field("available", r.available).field("counted", r.counted);
    if (!r.reason.empty()) w.field("reason", r.reason);
    if (!r.fix.empty()) w.field("fix", r.fix);
    w.end_object();
  }
  w.end_array();
}

std::string devices_json_text(const std::vector<SourceReport>& reports, int indent) {
  JsonWriter w(indent);
  w.begin_object();
  w.field("version", kVersion);
  w.key("devices");
  write_device_reports(w, reports);
  w.key("summary").begin_object();
  for (Component c : {Component::cpu, Component::dram, Component::gpu}) {
    w.field(to_string(c), coverage_label(reports, c));
  }
  w.end_object();
  w.end_object();
  return w.take();
}

std::string render_devices_text(const std::vector<SourceReport>& reports) {
  std::string out = fmt::format("carbontracker {}: energy sources on this machine\n", kVersion);
  auto section = [&](std::string_view title, auto&& pick) {
    bool any = false;
    for (const auto& r : reports) {
      if (!pick(r)) continue;
      if (!any) out += fmt::format("\n{}\n", title);
      any = true;
      const auto& i = r.info;
      out += fmt::format("  {:<5} {:<9} {:<13} {}\n", to_string(i.component), to_string(i.method), i.source,
                         display_name(i));
      if (r.available && r.counted) {
        out += fmt::format("        {}{}\n", method_phrase(i.method), resolution_phrase(i.resolution_s));
      }
      if (!r.reason.empty()) out += fmt::format("        {}: {}\n", r.available ? "not counted" : "unavailable", r.reason);
      if (!r.fix.empty()) out += fmt::format("        fix: {}\n", r.fix);
      for (const auto& n : i.notes) out += fmt::format("        note: {}\n", n);
    }
  };
  section("Counted in totals:", [](const SourceReport& r) { return r.available && r.counted; });
  section("Found but not counted (would double count, or superseded):",
          [](const SourceReport& r) { return r.available && !r.counted; });
  section("Unavailable:", [](const SourceReport& r) { return !r.available; });
  out += "\nSummary:\n";
  for (Component c : {Component::cpu, Component::dram, Component::gpu}) {
    out += fmt::format("  {:<5} {}\n", to_string(c), coverage_label(reports, c));
  }
  return out;
}

}  // namespace carbontracker::outputs
