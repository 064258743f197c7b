// Energy per device and component over a window, from two sampler marks.
//
// Contract: pure arithmetic on values (no I/O, no locks), cheap enough for epoch_end().
//  - Multi-device components are summed, never averaged.
//  - A channel that devices_by_pid found unused by this process tree (in_use == false) is
//    left out of every total.
//  - measured_j counts counter and sampled-power channels; estimated_j estimated and simulated.
//  - facility energy = device energy x pue; CO2eq = the marks' CO2eq (each energy increment
//    weighted by the intensity in force when it was read) x pue. The window's intensity is the
//    energy-weighted mean CO2eq / kWh.
//  - Honesty notes: a window shorter than a channel's update period is "below resolution" for
//    that channel (its 0 J means "not resolvable", not "nothing used"); unmeasured time
//    (counter resets) and channels lost during the window are named.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "carbontracker/results.hpp"
#include "sampler/sampler.hpp"

namespace carbontracker::ledger {

struct Window {
  const Sampler::Mark* from = nullptr;
  const Sampler::Mark* to = nullptr;
};

// Totals over the window for these channels. in_use may be empty (all count).
Totals window_totals(const std::vector<ChannelInfo>& channels, const Window& w,
                     const std::vector<std::optional<bool>>& in_use, double pue);

// Energy-weighted mean intensity of a total (g/kWh); `fallback` when no energy was used.
double effective_intensity(const Totals& t, double fallback);

// Honesty notes for the window (see the header comment); empty when there is nothing to say.
std::vector<std::string> window_notes(const std::vector<ChannelInfo>& channels, const Window& w,
                                      const std::vector<std::optional<bool>>& in_use);

EpochRecord make_epoch(int index, bool complete, const std::vector<ChannelInfo>& channels, const Window& w,
                       const std::vector<std::optional<bool>>& in_use, double pue, double current_intensity_g_per_kwh,
                       double start_s, std::chrono::system_clock::time_point wall_start,
                       std::chrono::system_clock::time_point wall_end);

}  // namespace carbontracker::ledger
