#include "fake_machine.hpp"

namespace carbontracker::testing {

FakeMachine::FakeMachine(int gpus, bool perf_pmu, const std::string& last_gpu_keys) {
  copy_tree(fixtures_dir() / "sysfs" / "intel-2socket", sys);
  if (!perf_pmu) std::filesystem::remove_all(sys / "bus");
  std::string conf;
  for (int i = 0; i < gpus; ++i) {
    write_file(gpu(i), std::to_string((i + 1) * 1'000'000) + "\n");
    conf += "gpu name=\"NVIDIA A100-SXM4-40GB\" energy_file=" + gpu(i).string();
    conf += (i + 1 == gpus && !last_gpu_keys.empty() ? " " + last_gpu_keys : std::string{}) + "\n";
  }
  write_file(dir / "gpus.conf", conf);
}

std::filesystem::path FakeMachine::gpu(int i) const { return dir / ("gpu" + std::to_string(i)); }

std::filesystem::path FakeMachine::zone_file(const std::string& zone) const {
  return sys / "class/powercap" / zone / "energy_uj";
}

void FakeMachine::set_zone(const std::string& zone, std::uint64_t uj) const {
  write_file(zone_file(zone), std::to_string(uj) + "\n");
}

std::vector<std::string> FakeMachine::env() const {
  return {"CARBONTRACKER_SYSFS_ROOT=" + sys.string(),
          "CARBONTRACKER_PROCFS_ROOT=" + (fixtures_dir() / "procfs/xeon-gold-6248-2s").string(),
          "CARBONTRACKER_NVML_LIBRARY=" FAKE_NVML_LIBRARY,
          "CARBONTRACKER_FAKE_NVML_CONFIG=" + (dir / "gpus.conf").string(),
          "CUDA_VISIBLE_DEVICES"};
}

}  // namespace carbontracker::testing
