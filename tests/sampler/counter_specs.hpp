// The counter specs the sampler, plausibility and emissions tests share: a real RAPL package
// counter (max_energy_range_uj as read on a Xeon, 61 µJ units) and NVML's total-energy counter.
#pragma once

#include <cstdint>

#include "carbontracker/counter.hpp"

namespace carbontracker::testing {

inline constexpr std::uint64_t kRaplRangeUj = 262143328850ull;  // a real max_energy_range_uj
inline const CounterSpec kRaplSpec{CounterKind::wrapping, kRaplRangeUj, 61};
inline const CounterSpec kNvmlSpec{CounterKind::resetting};

}  // namespace carbontracker::testing
