#include "sensors/nvml_library.hpp"

#include <utility>

namespace carbontracker::sensors::nvml {
namespace {

template <class Fn>
void resolve(const io::DynamicLibrary& lib, const char* symbol, Fn& slot, std::string* missing) {
  slot = lib.function<Fn>(symbol);
  if (!slot && missing) {
    if (!missing->empty()) *missing += ", ";
    *missing += symbol;
  }
}

void append_if_missing(bool present, const char* symbol, std::string& out) {
  if (present) return;
  if (!out.empty()) out += ", ";
  out += symbol;
}

}  // namespace

NvmlLibrary::~NvmlLibrary() {
  if (initialized_ && fn_.shutdown) fn_.shutdown();
}

Result<std::unique_ptr<NvmlLibrary>> NvmlLibrary::load(const std::string& name) {
  auto lib = io::DynamicLibrary::open(name);
  if (!lib) {
    // A bare soname that dlopen cannot find means no driver; an explicit path is a user setting
    // worth naming with dlopen's own words (wrong architecture, missing file, ...).
    if (name.find('/') == std::string::npos) {
      return Status(StatusCode::unavailable, name + " not found (no NVIDIA driver)",
                    "install the NVIDIA driver, or set CARBONTRACKER_NVML_LIBRARY to the library's path");
    }
    return Status(StatusCode::unavailable, lib.status().message(),
                  "set CARBONTRACKER_NVML_LIBRARY to the path of libnvidia-ml.so.1, or unset it to use the "
                  "driver's library");
  }
  std::unique_ptr<NvmlLibrary> nvml(new NvmlLibrary());
  nvml->lib_ = std::move(*lib);
  nvml->name_ = name;
  Functions& f = nvml->fn_;
  const io::DynamicLibrary& l = nvml->lib_;
  std::string missing;
  resolve(l, "nvmlInit_v2", f.init_v2, &missing);
  resolve(l, "nvmlShutdown", f.shutdown, &missing);
  resolve(l, "nvmlErrorString", f.error_string, &missing);
  resolve(l, "nvmlDeviceGetCount_v2", f.device_get_count_v2, &missing);
  resolve(l, "nvmlDeviceGetHandleByIndex_v2", f.device_get_handle_by_index_v2, &missing);
  resolve(l, "nvmlDeviceGetName", f.device_get_name, &missing);
  resolve(l, "nvmlDeviceGetUUID", f.device_get_uuid, &missing);
  resolve(l, "nvmlDeviceGetTotalEnergyConsumption", f.device_get_total_energy_consumption, &missing);
  resolve(l, "nvmlDeviceGetPowerUsage", f.device_get_power_usage, &missing);
  resolve(l, "nvmlDeviceGetPowerManagementLimitConstraints", f.device_get_power_management_limit_constraints,
          nullptr);
  resolve(l, "nvmlDeviceGetComputeRunningProcesses_v3", f.device_get_compute_running_processes_v3, nullptr);
  resolve(l, "nvmlDeviceGetGraphicsRunningProcesses_v3", f.device_get_graphics_running_processes_v3, nullptr);
  resolve(l, "nvmlDeviceGetHandleByUUID", f.device_get_handle_by_uuid, nullptr);
  resolve(l, "nvmlDeviceIsMigDeviceHandle", f.device_is_mig_device_handle, nullptr);
  resolve(l, "nvmlDeviceGetDeviceHandleFromMigDeviceHandle", f.device_get_device_handle_from_mig_device_handle,
          nullptr);
  if (!missing.empty()) {
    return Status(StatusCode::not_found, name + " lacks required symbol(s) " + missing + " (driver too old)",
                  "update the NVIDIA driver");
  }
  return nvml;
}

Status NvmlLibrary::init() {
  if (initialized_) return Status::ok();
  const Return rc = fn_.init_v2();
  if (rc != kSuccess) {
    return Status(StatusCode::unavailable, "nvmlInit_v2 failed: " + describe(rc), init_failure_fix(rc));
  }
  initialized_ = true;
  return Status::ok();
}

std::string NvmlLibrary::missing_process_symbols() const {
  std::string out;
  append_if_missing(fn_.device_get_compute_running_processes_v3 != nullptr,
                 "nvmlDeviceGetComputeRunningProcesses_v3", out);
  append_if_missing(fn_.device_get_graphics_running_processes_v3 != nullptr,
                 "nvmlDeviceGetGraphicsRunningProcesses_v3", out);
  return out;
}

std::string NvmlLibrary::missing_mig_symbols() const {
  std::string out;
  append_if_missing(fn_.device_get_handle_by_uuid != nullptr, "nvmlDeviceGetHandleByUUID", out);
  append_if_missing(fn_.device_is_mig_device_handle != nullptr, "nvmlDeviceIsMigDeviceHandle",
                 out);
  append_if_missing(fn_.device_get_device_handle_from_mig_device_handle != nullptr,
                 "nvmlDeviceGetDeviceHandleFromMigDeviceHandle", out);
  return out;
}

std::string NvmlLibrary::describe(Return code) const {
  const char* text = fn_.error_string ? fn_.error_string(code) : nullptr;
  std::string s = text && *text ? text : "unknown error";
  return s + " (NVML error " + std::to_string(code) + ")";
}

std::string init_failure_fix(Return code) {
  switch (code) {
    case kErrorDriverNotLoaded:
      return "load the NVIDIA kernel driver (`sudo modprobe nvidia`, then check `nvidia-smi`); in a container, "
             "run it with the NVIDIA Container Toolkit (`docker run --gpus all ...`)";
    case kErrorNoPermission:
      return "give this user read/write access to /dev/nvidiactl and /dev/nvidia* (usually the `video` group), "
             "then check `nvidia-smi` as that user";
    case kErrorLibRmVersionMismatch:
      return "the NVIDIA user-space library and kernel module versions differ (driver updated without reboot): "
             "reboot, or reload the module (`sudo rmmod nvidia_uvm nvidia_drm nvidia_modeset nvidia && sudo "
             "modprobe nvidia`)";
    case kErrorLibraryNotFound:
    case kErrorFunctionNotFound:
      return "reinstall the NVIDIA driver so that libnvidia-ml matches it";
    default:
      return "check that `nvidia-smi` works; if it does not, reinstall the NVIDIA driver";
  }
}

}  // namespace carbontracker::sensors::nvml
