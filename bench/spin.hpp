// The fixed CPU work of the process-level benchmarks (spin_workload, overhead_workload):
// splitmix64's finaliser chained. Each round depends on the last, so the chain runs at the
// core's multiply latency and cannot be vectorised or folded away. Header-only.
#pragma once

#include <cstdint>

namespace carbontracker::bench {

inline std::uint64_t spin(std::uint64_t x, std::uint64_t rounds) {
  for (std::uint64_t i = 0; i < rounds; ++i) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    x ^= x >> 31;
  }
  return x;
}

}  // namespace carbontracker::bench
