// Emissions of a window: the step after the ledger. The ledger (ledger/ledger.hpp) gives a
// window's energy; this adds its CO2eq from the emissions meter's tallies in the two marks
// (Sampler::Mark::listener_tally, emissions/emissions_meter.hpp) and the intensity that follows.
//
// Contract: pure arithmetic on values (no I/O, no locks), cheap enough for epoch_end().
//  - A window's CO2eq = the sum, over the channels that count in the ledger's totals
//    (ledger::channel_counts), of the difference of the marks' tallies, x pue: each energy
//    increment weighted by the intensity in force when it was counted.
//  - The window's intensity is the energy-weighted mean: CO2eq / facility kWh; when no energy
//    was used, the intensity in force (`fallback`), never 0/0.
//  - window_totals and make_epoch are the ledger's, with the CO2eq (and the epoch's intensity)
//    filled in; everything else in them is the ledger's, unchanged.
#pragma once

#include <chrono>
#include <optional>
#include <vector>

#include "carbontracker/results.hpp"
#include "ledger/ledger.hpp"

namespace carbontracker::emissions {

// Grams of CO2eq over the window (facility: x pue). in_use may be empty (all count).
double window_co2eq_g(const std::vector<ChannelInfo>& channels, const ledger::Window& w,
                      const std::vector<std::optional<bool>>& in_use, double pue);

// Energy-weighted mean intensity of a total (g/kWh); `fallback` when no energy was used.
double effective_intensity(const Totals& t, double fallback);

// ledger::window_totals with the window's CO2eq.
Totals window_totals(const std::vector<ChannelInfo>& channels, const ledger::Window& w,
                     const std::vector<std::optional<bool>>& in_use, double pue);

// ledger::make_epoch with the epoch's CO2eq and intensity (`current_intensity_g_per_kwh` when
// the epoch used no energy).
EpochRecord make_epoch(int index, bool complete, const std::vector<ChannelInfo>& channels, const ledger::Window& w,
                       const std::vector<std::optional<bool>>& in_use, double pue, double current_intensity_g_per_kwh,
                       double start_s, std::chrono::system_clock::time_point wall_start,
                       std::chrono::system_clock::time_point wall_end);

}  // namespace carbontracker::emissions
