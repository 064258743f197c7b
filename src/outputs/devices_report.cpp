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

nlohmann::json channel_json(const ChannelInfo& info) {
  nlohmann::json j;
  j["id"] = info.id;
  j["component"] = to_string(info.component);
  j["name"] = info.name;
  j["method"] = to_string(info.method);
  j["source"] = info.source;
  if (!info.uuid.empty()) j["uuid"] = info.uuid;
  if (!info.path.empty()) j["path"] = info.path;
  if (info.resolution_s > 0) j["resolution_s"] = info.resolution_s;
  if (info.method == Method::counter) {
    j["counter"] = {{"kind", info.counter.kind == CounterKind::wrapping ? "wrapping" : "resetting"},
                    {"range", info.counter.range},
                    {"unit", info.counter.unit},
                    {"joules_per_unit", info.joules_per_unit}};
  }
  j["notes"] = info.notes;
  return j;
}

nlohmann::json devices_json(const std::vector<SourceReport>& reports) {
  nlohmann::json devices = nlohmann::json::array();
  for (const auto& r : reports) {
    nlohmann::json j = channel_json(r.info);
    j["available"] = r.available;
    j["counted"] = r.counted;
    if (!r.reason.empty()) j["reason"] = r.reason;
    if (!r.fix.empty()) j["fix"] = r.fix;
    devices.push_back(std::move(j));
  }
  nlohmann::json summary;
  for (Component c : {Component::cpu, Component::dram, Component::gpu}) {
    summary[std::string(to_string(c))] = coverage_label(reports, c);
  }
  return {{"version", kVersion}, {"devices", std::move(devices)}, {"summary", std::move(summary)}};
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
