// Rendering of the sensor inventory (`carbontracker devices`): every source found or refused,
// with how it measures and, for refused ones, the reason and the fix.
//
// Text is for people (grouped: counted, not counted, unavailable); JSON is for programs and is
// stable: {"version", "devices": [{component, name, method, source, available, counted, ...}],
// "summary": {"cpu": "...", "dram": "...", "gpu": "..."}}. Both are locale-independent.
#pragma once

#include <string>
#include <vector>

#include "sensors/sensor_interface.hpp"
#include "outputs/json_writer.hpp"

namespace carbontracker::outputs {

// How each component is covered: "measured (counter)", "measured (sampled power)",
// "estimated", "simulated", or "not measured".
std::string coverage_label(const std::vector<SourceReport>& reports, Component c);

std::string render_devices_text(const std::vector<SourceReport>& reports);
// The whole document, as nlohmann::json::dump(indent) would print it.
std::string devices_json_text(const std::vector<SourceReport>& reports, int indent = 2);
// The "devices" array of that document (the event log's run_start "sources").
void write_device_reports(JsonWriter& w, const std::vector<SourceReport>& reports);
// One channel: {id, component, name, method, source, [uuid, path, resolution_s, counter], notes}.
void write_channel(JsonWriter& w, const ChannelInfo& info);

}  // namespace carbontracker::outputs
