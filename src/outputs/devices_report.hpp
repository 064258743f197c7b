// Rendering of the sensor inventory (`carbontracker devices`): every source found or refused,
// with how it measures and, for refused ones, the reason and the fix.
//
// Text is for people (grouped: counted, not counted, unavailable); JSON is for programs and is
// stable: {"version", "devices": [{component, name, method, source, available, counted, ...}],
// "summary": {"cpu": "...", "dram": "...", "gpu": "..."}}. Both are locale-independent.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "carbontracker/sensor.hpp"

namespace carbontracker::outputs {

// How each component is covered: "measured (counter)", "measured (sampled power)",
// "estimated", "simulated", or "not measured".
std::string coverage_label(const std::vector<SourceReport>& reports, Component c);

std::string render_devices_text(const std::vector<SourceReport>& reports);
nlohmann::json devices_json(const std::vector<SourceReport>& reports);
nlohmann::json channel_json(const ChannelInfo& info);

}  // namespace carbontracker::outputs
