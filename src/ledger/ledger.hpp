// Energy per device and component over a window, from two sampler marks.
//
// Contract: pure arithmetic on values (no I/O, no locks), cheap enough for epoch_end().
//  - Multi-device components are summed, never averaged.
//  - A channel that devices_by_pid found unused by this process tree (in_use == false) is
//    left out of every total.
//  - measured_j counts counter and sampled-power channels; estimated_j estimated and simulated.
//  - facility energy = device energy x pue.
//  - Energy only: Totals::co2eq_g stays 0 and EpochRecord::intensity_g_per_kwh is not set here.
//    The step after the ledger (emissions/emissions.hpp) adds a window's CO2eq and intensity.
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

// Whether channel i counts in a window's totals: not found unused by devices_by_pid (in_use[i]
// false); a channel past the end of in_use counts.
bool channel_counts(const std::vector<std::optional<bool>>& in_use, std::size_t i) noexcept;

// Energy totals over the window for these channels. in_use may be empty (all count).
Totals window_totals(const std::vector<ChannelInfo>& channels, const Window& w,
                     const std::vector<std::optional<bool>>& in_use, double pue);

// Honesty notes for the window (see the header comment); empty when there is nothing to say.
std::vector<std::string> window_notes(const std::vector<ChannelInfo>& channels, const Window& w,
                                      const std::vector<std::optional<bool>>& in_use);

// The epoch's record without its CO2eq and intensity (emissions::make_epoch completes it).
EpochRecord make_epoch(int index, bool complete, const std::vector<ChannelInfo>& channels, const Window& w,
                       const std::vector<std::optional<bool>>& in_use, double pue, double start_s,
                       std::chrono::system_clock::time_point wall_start,
                       std::chrono::system_clock::time_point wall_end);

}  // namespace carbontracker::ledger
