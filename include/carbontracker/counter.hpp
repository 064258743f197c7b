// Cumulative hardware counters: the one place wrap-around and resets are handled.
//
// Two kinds exist:
//  - wrapping counters (RAPL via powercap): values live in [0, range]; after `range` the
//    counter restarts at 0, so the modulus is range + unit, where unit is the counter's
//    increment (powercap publishes max_energy_range_uj = 0xFFFFFFFF * unit).
//  - resetting counters (NVML total energy, perf's kernel-extended 64-bit count): they do not
//    wrap in practice; a value lower than the previous one means the source restarted (a
//    driver reload). The energy of that interval is unknown and is reported as such, never
//    invented.
// Both are unsigned 64-bit. All functions are pure and noexcept.
#pragma once

#include <cstdint>
#include <limits>

namespace carbontracker {

enum class CounterKind : std::uint8_t { wrapping, resetting };

struct CounterSpec {
  CounterKind kind = CounterKind::resetting;
  // Largest value the counter can show (wrapping counters). UINT64_MAX with unit 1 is the
  // natural 2^64 modulus.
  std::uint64_t range = std::numeric_limits<std::uint64_t>::max();
  // The counter's increment, in counter units; the modulus is range + unit.
  std::uint64_t unit = 1;
};

struct CounterDelta {
  std::uint64_t delta = 0;  // counter units elapsed; 0 when !valid
  bool wrapped = false;     // a wrap-around was corrected
  bool valid = true;        // false: reset, or a value outside the published range
};

// Delta from `prev` to `now`. A wrapping counter may wrap at most once between two reads;
// the sampler guarantees that by reading often enough (see Sampler).
constexpr CounterDelta counter_delta(std::uint64_t prev, std::uint64_t now, CounterSpec spec) noexcept {
  if (spec.kind == CounterKind::wrapping && (prev > spec.range || now > spec.range)) {
    return {0, false, false};
  }
  if (now >= prev) return {now - prev, false, true};
  if (spec.kind == CounterKind::resetting) return {0, false, false};
  // now < prev: one wrap. (range - prev) + unit + now cannot overflow because now < prev.
  return {(spec.range - prev) + spec.unit + now, true, true};
}

// Powercap publishes max_energy_range_uj as 0xFFFFFFFF * unit_nj / 1000 with the unit in nJ
// truncated. Recover the unit (in µJ, rounded) so the modulus is exact to within 1 µJ per wrap
// instead of off by one unit; falls back to 1 µJ when the range is not of that form.
constexpr std::uint64_t powercap_unit_uj(std::uint64_t max_energy_range_uj) noexcept {
  constexpr std::uint64_t kRegisterMax = 0xFFFFFFFFull;
  if (max_energy_range_uj < kRegisterMax / 1000 || max_energy_range_uj > UINT64_MAX / 1000) return 1;
  // range == unit_nj * kRegisterMax / 1000 (integer division)  ->  invert and check.
  const std::uint64_t unit_nj = (max_energy_range_uj * 1000 + kRegisterMax / 2) / kRegisterMax;
  if (unit_nj == 0 || unit_nj * kRegisterMax / 1000 != max_energy_range_uj) return 1;
  const std::uint64_t unit_uj = (unit_nj + 500) / 1000;
  return unit_uj == 0 ? 1 : unit_uj;
}

}  // namespace carbontracker
