// The fake host of the tests that run the real `carbontracker` binary on fixtures (tests/cli,
// tests/golden, tests/faults): the intel-2socket powercap tree (2 packages + 2 DRAM zones) copied
// into a temp dir, so the test or its child can move the counters; fake GPUs whose energy
// counters are files (mJ) that the fake libnvidia-ml reads at each query; the Xeon Gold 6248
// procfs fixture.
// Nothing of the real host is measured.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace carbontracker::testing {

class FakeMachine {
 public:
  // `gpus` fake A100s gpu0, gpu1, ... whose counters start at 1'000'000, 2'000'000, ... mJ.
  // `perf_pmu` false removes the tree's perf PMU (its probe would call the host's
  // perf_event_open, whose errors vary by kernel). `last_gpu_keys`: more keys for the last GPU's
  // line of the fake's config (e.g. "lost_after=6", tests/fakes/README.md).
  explicit FakeMachine(int gpus = 2, bool perf_pmu = true, const std::string& last_gpu_keys = "");

  TempDir dir;
  std::filesystem::path sys = dir / "sys";

  // GPU i's counter file.
  [[nodiscard]] std::filesystem::path gpu(int i) const;
  // A powercap zone's energy_uj file ("intel-rapl:0", "intel-rapl:1:0", ...).
  [[nodiscard]] std::filesystem::path zone_file(const std::string& zone) const;
  void set_zone(const std::string& zone, std::uint64_t uj) const;
  // Overrides for run_process: the fake's sysfs and procfs roots, the fake libnvidia-ml and its
  // GPU list; CUDA_VISIBLE_DEVICES removed.
  [[nodiscard]] std::vector<std::string> env() const;
};

}  // namespace carbontracker::testing
