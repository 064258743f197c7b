// The emissions meter: grams of CO2eq per channel, counted as the energy is.
//
// Contract
//  - It is the sampler's energy listener (sampler/energy_listener.hpp): each energy increment a
//    channel counts is weighted by the carbon intensity in force when it is counted (the value
//    the intensity service publishes in its atomic at that moment), so a channel's grams are the
//    energy-weighted integral of intensity over time, not its energy x a mean or latest value.
//  - An intensity that is not finite or is negative weighs nothing (0 g for that increment):
//    the grams are never NaN. The intensity service publishes only finite values in range.
//  - Device grams, before PUE: emissions/emissions.hpp turns two marks into a window's CO2eq.
//  - Threads as the listener contract says: one channel's calls are serialised by the sampler;
//    channels of different sensors are separate values, updated from different threads.
//  - The intensity atomic outlives the meter, and the meter outlives the sampler it listens to.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sampler/energy_listener.hpp"

namespace carbontracker::emissions {

class EmissionsMeter final : public EnergyListener {
 public:
  explicit EmissionsMeter(const std::atomic<double>& intensity_g_per_kwh) noexcept
      : intensity_g_per_kwh_(intensity_g_per_kwh) {}

  void on_channels(std::size_t count) override;
  void on_energy(std::uint32_t channel, double energy_j) noexcept override;
  // Cumulative grams of the channel since the sampler started (0 for an unknown channel).
  [[nodiscard]] double tally(std::uint32_t channel) const noexcept override;

  // The intensity in force now, in g/J (0 when it is not finite or negative).
  [[nodiscard]] double grams_per_joule() const noexcept;

 private:
  const std::atomic<double>& intensity_g_per_kwh_;
  std::vector<double> grams_;  // per channel; sized once by on_channels, before any increment
};

}  // namespace carbontracker::emissions
