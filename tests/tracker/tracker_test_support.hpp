// A whole machine for tracker tests: a copy of the intel-2socket sysfs fixture (4 RAPL zones),
// the Xeon procfs fixture, the fake libnvidia-ml with two GPUs, and a FakeClock. Tests move
// counters and time by hand, so every expected joule is exact.
#pragma once

#include <sstream>

#include "carbontracker/tracker.hpp"
#include "fake_nvml_control.hpp"
#include "test_support.hpp"

namespace carbontracker::testing {

struct TrackerRig {
  TempDir dir;
  std::filesystem::path sys;
  FakeNvml nvml;
  FakeClock clock;
  std::ostringstream console;
  std::istringstream input;
  std::shared_ptr<SensorContext> ctx = std::make_shared<SensorContext>();
  std::uint64_t pkg_uj[2] = {1'000'000, 2'000'000};
  std::uint64_t dram_uj[2] = {3'000'000, 4'000'000};
  std::uint64_t gpu_mj[2] = {1'000'000, 2'000'000};

  explicit TrackerRig(const std::string& answers = "") : input(answers) {
    sys = dir / "sys";
    copy_tree(fixtures_dir() / "sysfs" / "intel-2socket", sys);
    nvml.load_config(
        "gpu name=\"NVIDIA H100 80GB HBM3\" energy_mj=1000000 energy_step_mj=0\n"
        "gpu name=\"NVIDIA H100 80GB HBM3\" energy_mj=2000000 energy_step_mj=0\n");
    ctx->sysfs_root = sys;
    ctx->procfs_root = fixtures_dir() / "procfs" / "xeon-gold-6248-2s";
    ctx->nvml_library = nvml.path();
    ctx->getenv = carbontracker::testing::fixed_env({});
    write_counters();
  }

  TrackerEnvironment env() {
    TrackerEnvironment e;
    e.clock = &clock;
    e.console = &console;
    e.input = &input;
    e.sensors = ctx;
    return e;
  }

  void write_counters() {
    for (int p = 0; p < 2; ++p) {
      write_file(sys / ("class/powercap/intel-rapl:" + std::to_string(p)) / "energy_uj", std::to_string(pkg_uj[p]) + "\n");
      write_file(sys / ("class/powercap/intel-rapl:" + std::to_string(p) + ":0") / "energy_uj",
                 std::to_string(dram_uj[p]) + "\n");
      nvml.set_energy_mj(static_cast<unsigned>(p), gpu_mj[p]);
    }
  }

  // Spend energy: joules per package, per DRAM zone, per GPU; then `seconds` pass.
  void spend(double pkg_j, double dram_j, double gpu_j, double seconds) {
    for (int p = 0; p < 2; ++p) {
      pkg_uj[p] += static_cast<std::uint64_t>(pkg_j * 1e6);
      dram_uj[p] += static_cast<std::uint64_t>(dram_j * 1e6);
      gpu_mj[p] += static_cast<std::uint64_t>(gpu_j * 1e3);
    }
    write_counters();
    clock.advance(from_seconds(seconds));
  }
};

}  // namespace carbontracker::testing
