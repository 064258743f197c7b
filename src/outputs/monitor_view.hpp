// Rendering for `carbontracker monitor`: a header naming the channels, one row per sampling
// interval (power per channel, total power, energy so far), and a final summary with energy
// per channel, how it was obtained (measured / estimated / simulated) and channel health.
// JSON form is JSON Lines: {"type":"channels"}, {"type":"sample"}..., {"type":"summary"}.
//
// A channel with in_use == false (devices_by_pid: never ran our processes) is shown but left
// out of totals.
#pragma once

#include <string>
#include <vector>

#include "sampler/sampler.hpp"

namespace carbontracker::outputs {

bool counts_in_totals(const ChannelSnapshot& c) noexcept;

// Replaces each channel's power with the mean power between two marks (exact for counters)
// and its energy with the later mark's, so a row shows the interval it was printed for.
void apply_window(SamplerSnapshot& snap, const Sampler::Mark& from, const Sampler::Mark& to);

std::string monitor_header_text(const std::vector<ChannelInfo>& channels);
std::string monitor_row_text(const std::vector<ChannelInfo>& channels, const SamplerSnapshot& snap);
std::string monitor_summary_text(const std::vector<ChannelInfo>& channels, const SamplerSnapshot& snap);

// One JSON Lines record each (compact, no newline).
std::string monitor_channels_json(const std::vector<ChannelInfo>& channels);
std::string monitor_sample_json(const std::vector<ChannelInfo>& channels, const SamplerSnapshot& snap);
std::string monitor_summary_json(const std::vector<ChannelInfo>& channels, const SamplerSnapshot& snap);

}  // namespace carbontracker::outputs
