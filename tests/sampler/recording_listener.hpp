// An EnergyListener test double: adds up what it hears per channel, so a test can compare it
// with the energy the sampler counted (sampler/energy_listener.hpp).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sampler/energy_listener.hpp"

namespace carbontracker::testing {

class RecordingListener final : public EnergyListener {
 public:
  void on_channels(std::size_t count) override {
    heard_j.assign(count, 0.0);
    calls.assign(count, 0);
  }
  void on_energy(std::uint32_t channel, double energy_j) noexcept override {
    if (channel >= heard_j.size()) {
      ++out_of_range;
      return;
    }
    heard_j[channel] += energy_j;
    ++calls[channel];
  }
  [[nodiscard]] double tally(std::uint32_t channel) const noexcept override {
    return channel < heard_j.size() ? heard_j[channel] : 0.0;
  }

  // Per channel; written under the sampler's sensor lock, read by the test when no tick runs.
  std::vector<double> heard_j;
  std::vector<std::uint64_t> calls;
  std::atomic<int> out_of_range{0};
};

}  // namespace carbontracker::testing
