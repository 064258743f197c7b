// NVIDIA GPUs through NVML (libnvidia-ml loaded with dlopen; see nvml_library.hpp).
//
// Contract
//  - One channel per selected GPU, id "nvml:<uuid>", component gpu, source "nvml", path = the
//    library name. Energy comes from nvmlDeviceGetTotalEnergyConsumption (Method::counter, mJ
//    since driver load, 1e-3 J per unit, a resetting counter: a lower value means a driver
//    reload and the sampler marks that interval unknown). GPUs without that counter fall back
//    to nvmlDeviceGetPowerUsage (Method::power, mW converted to W). Both update about every
//    100 ms, published as resolution_s = 0.1. max_power_w = 2 x the highest settable power limit
//    (nvmlDeviceGetPowerManagementLimitConstraints, optional), the GPU's plausibility bound.
//  - read() makes one cheap NVML call per channel, never a process list, and does not allocate.
//    NVML_ERROR_GPU_IS_LOST ends that channel (ReadingState::lost, no further NVML calls for
//    it); any other error is ReadingState::failed for that read only. read() returns ok: the
//    per-reading states carry the errors.
//  - GPU selection follows CUDA_VISIBLE_DEVICES with CUDA's rules (select_visible_gpus below).
//    Unselected GPUs are reported "available, not counted".
//  - devices_by_pid: slow_tick() (sampler thread, slow cadence) lists compute and graphics
//    processes per GPU and the process tree from the injected procfs root; channels_in_use()
//    answers from the last slow_tick() and is nullopt before the first one, when the option is
//    off, or when the library lacks the process calls. A GPU whose process list could not be
//    read counts as in use (unknown is not "idle"). Limitation: NVML lists host PIDs, so inside
//    a container with its own PID namespace no GPU matches the tree.
//  - Threading: read() and slow_tick() may run on different threads (NVML is thread-safe; the
//    "lost" flags are atomic and the in-use answer is guarded by a mutex).
//  - The sensor owns the library: destroying it calls nvmlShutdown and closes the library.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "sensors/sensor_interface.hpp"
#include "sensors/nvml_library.hpp"

namespace carbontracker::sensors {

struct GpuIdentity {
  std::string uuid;  // "GPU-..."
  std::string name;  // model
};

struct VisibleSelection {
  std::vector<std::size_t> selected;               // NVML indices in CUDA's order, each once
  std::vector<std::vector<std::string>> gpu_notes;  // per NVML index (MIG slices mapped to it)
  std::vector<std::string> notes;                   // for every GPU of this probe
};

// Maps a "MIG-..." id to the NVML index of its GPU. not_found: no such MIG device (an invalid
// entry for CUDA too); any other error: it exists but cannot be mapped (say why).
using MigResolver = std::function<Result<std::size_t>(const std::string& mig_id)>;

// CUDA's rules: unset -> every GPU; empty -> none; a comma list of indices (NVML index = PCI
// order), "GPU-<uuid>" (a unique prefix is enough) or "MIG-<uuid>" / legacy
// "MIG-GPU-<uuid>/<gi>/<ci>" (whole parent GPU); the list stops at the first invalid entry.
VisibleSelection select_visible_gpus(const std::optional<std::string>& cuda_visible_devices,
                                     const std::optional<std::string>& cuda_device_order,
                                     const std::vector<GpuIdentity>& gpus, const MigResolver& resolve_mig);

class NvmlSensor final : public Sensor {
 public:
  struct Gpu {
    nvml::Device device = nullptr;
    ChannelInfo info;
  };
  struct ByPid {
    bool enabled = false;  // devices_by_pid asked for and the library has the process calls
    std::filesystem::path procfs_root;
    int root_pid = 0;  // resolved (never 0)
  };

  NvmlSensor(std::unique_ptr<nvml::NvmlLibrary> lib, std::vector<Gpu> gpus, ByPid by_pid);

  [[nodiscard]] std::string_view name() const noexcept override { return "nvml"; }
  [[nodiscard]] const std::vector<ChannelInfo>& channels() const noexcept override { return channels_; }
  Status read(std::vector<Reading>& out) noexcept override;
  void slow_tick() noexcept override;
  [[nodiscard]] bool has_slow_work() const noexcept override { return by_pid_.enabled; }
  [[nodiscard]] std::optional<std::vector<bool>> channels_in_use() const override;

 private:
  // Some process of `tree` (sorted) runs on the device; true when the list cannot be read.
  bool device_in_use(nvml::Device device, const std::vector<int>& tree);

  std::unique_ptr<nvml::NvmlLibrary> lib_;
  std::vector<ChannelInfo> channels_;
  std::vector<nvml::Device> devices_;
  std::unique_ptr<std::atomic<bool>[]> lost_;
  ByPid by_pid_;
  std::vector<nvml::ProcessInfo> processes_;  // slow_tick's buffer
  mutable std::mutex in_use_mutex_;
  std::optional<std::vector<bool>> in_use_;
};

}  // namespace carbontracker::sensors
