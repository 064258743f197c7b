// A hook that hears every energy increment the sampler counts, for accounting that must weigh
// each increment by something in force at the moment it was counted (the emissions meter,
// emissions/emissions_meter.hpp, weighs it by the grid's carbon intensity). The sampler knows
// nothing of what the listener does with it.
//
// Contract (the sampler's side)
//  - on_channels(n) is called once, by the Sampler's constructor, before any other call: the
//    listener sizes its per-channel state there (channels are numbered 0..n-1 in
//    Sampler::channels() order).
//  - on_energy(channel, energy_j) is called once per counted increment (a counter delta, a
//    trapezoid or rectangle of sampled or estimated power; also 0 J ones), in the order they are
//    counted, under the lock of the sensor that owns the channel: calls for one channel never
//    overlap; calls for channels of different sensors may run at the same time on different
//    threads (the sampler thread, the thread that calls mark()). The sum of a channel's
//    increments is its energy_j (up to rounding: a counter's energy is an exact integer count).
//  - tally(channel) is read by Sampler::mark() under the same lock, right after the channel's
//    energy: a mark's listener_tally and energy_j cover exactly the same increments.
//  - on_energy and tally must be cheap (they run under a lock mark() waits on), must not block
//    and cannot throw. The listener outlives the sampler.
#pragma once

#include <cstddef>
#include <cstdint>

namespace carbontracker {

class EnergyListener {
 public:
  virtual ~EnergyListener() = default;
  virtual void on_channels(std::size_t count) = 0;
  virtual void on_energy(std::uint32_t channel, double energy_j) noexcept = 0;
  [[nodiscard]] virtual double tally(std::uint32_t channel) const noexcept = 0;
};

}  // namespace carbontracker
