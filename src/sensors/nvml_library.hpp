// The dlopen'd NVML function table (libnvidia-ml), with no link-time dependency and no nvml.h.
//
// Contract
//  - NvmlLibrary::load() opens the library and resolves every symbol; it does not initialise
//    NVML. A library that cannot be loaded or lacks a required symbol is a Status (message +
//    fix), never a crash. Optional symbols may be null; has_*() says which features exist.
//  - init() calls nvmlInit_v2 once; the destructor calls nvmlShutdown if init() succeeded, then
//    the library is closed. NVML reference-counts init/shutdown, so several owners may coexist.
//  - The types below mirror nvml.h (checked against public redeclarations of it): return codes
//    are ints, device handles are opaque pointers, nvmlProcessInfo_t is the 4-field layout the
//    _v3 process calls take. NVML itself is thread-safe; the table is immutable after load().
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.hpp"
#include "io/dynamic_library.hpp"

namespace carbontracker::sensors::nvml {

using Return = int;  // nvmlReturn_t
struct nvmlDevice_st;
using Device = nvmlDevice_st*;  // nvmlDevice_t

inline constexpr Return kSuccess = 0;
inline constexpr Return kErrorUninitialized = 1;
inline constexpr Return kErrorInvalidArgument = 2;
inline constexpr Return kErrorNotSupported = 3;
inline constexpr Return kErrorNoPermission = 4;
inline constexpr Return kErrorNotFound = 6;
inline constexpr Return kErrorInsufficientSize = 7;
inline constexpr Return kErrorDriverNotLoaded = 9;
inline constexpr Return kErrorLibraryNotFound = 12;
inline constexpr Return kErrorFunctionNotFound = 13;
inline constexpr Return kErrorGpuIsLost = 15;
inline constexpr Return kErrorLibRmVersionMismatch = 18;
inline constexpr Return kErrorUnknown = 999;

// NVML_DEVICE_UUID_V2_BUFFER_SIZE and NVML_DEVICE_NAME_V2_BUFFER_SIZE.
inline constexpr unsigned kUuidBufferSize = 96;
inline constexpr unsigned kNameBufferSize = 96;

// nvmlProcessInfo_t as taken by nvmlDevice{Compute,Graphics}RunningProcesses_v3.
struct ProcessInfo {
  unsigned int pid;
  unsigned long long used_gpu_memory;  // bytes
  unsigned int gpu_instance_id;
  unsigned int compute_instance_id;
};
static_assert(sizeof(ProcessInfo) == 24, "nvmlProcessInfo_t layout (LP64)");

struct Functions {
  // Required.
  Return (*init_v2)() = nullptr;
  Return (*shutdown)() = nullptr;
  const char* (*error_string)(Return) = nullptr;
  Return (*device_get_count_v2)(unsigned int*) = nullptr;
  Return (*device_get_handle_by_index_v2)(unsigned int, Device*) = nullptr;
  Return (*device_get_name)(Device, char*, unsigned int) = nullptr;
  Return (*device_get_uuid)(Device, char*, unsigned int) = nullptr;
  Return (*device_get_total_energy_consumption)(Device, unsigned long long*) = nullptr;  // mJ
  Return (*device_get_power_usage)(Device, unsigned int*) = nullptr;                     // mW
  // Optional: the power limit range (mW), for the GPU's plausibility bound.
  Return (*device_get_power_management_limit_constraints)(Device, unsigned int*, unsigned int*) = nullptr;
  // Optional: devices_by_pid.
  Return (*device_get_compute_running_processes_v3)(Device, unsigned int*, ProcessInfo*) = nullptr;
  Return (*device_get_graphics_running_processes_v3)(Device, unsigned int*, ProcessInfo*) = nullptr;
  // Optional: mapping MIG ids in CUDA_VISIBLE_DEVICES to their GPU.
  Return (*device_get_handle_by_uuid)(const char*, Device*) = nullptr;
  Return (*device_is_mig_device_handle)(Device, unsigned int*) = nullptr;
  Return (*device_get_device_handle_from_mig_device_handle)(Device, Device*) = nullptr;
};

class NvmlLibrary {
 public:
  ~NvmlLibrary();
  NvmlLibrary(const NvmlLibrary&) = delete;
  NvmlLibrary& operator=(const NvmlLibrary&) = delete;

  // `name` goes to dlopen as is (a bare soname searches the loader path). Errors:
  // unavailable (cannot be loaded; the message says "not found" for the default soname) or
  // not_found (a required symbol is missing, named in the message; fix: update the driver).
  static Result<std::unique_ptr<NvmlLibrary>> load(const std::string& name);

  // nvmlInit_v2. On failure the Status carries nvmlErrorString's text and a fix for the code.
  Status init();

  [[nodiscard]] const Functions& fn() const noexcept { return fn_; }
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] bool has_process_api() const noexcept {
    return fn_.device_get_compute_running_processes_v3 && fn_.device_get_graphics_running_processes_v3;
  }
  [[nodiscard]] bool has_mig_api() const noexcept {
    return fn_.device_get_handle_by_uuid && fn_.device_is_mig_device_handle &&
           fn_.device_get_device_handle_from_mig_device_handle;
  }
  // Names of the absent optional symbols of a feature, comma-separated ("" when complete).
  [[nodiscard]] std::string missing_process_symbols() const;
  [[nodiscard]] std::string missing_mig_symbols() const;

  // "Driver Not Loaded (NVML error 9)".
  [[nodiscard]] std::string describe(Return code) const;

 private:
  NvmlLibrary() = default;
  io::DynamicLibrary lib_;  // declared first: closed last, after nvmlShutdown
  Functions fn_;
  std::string name_;
  bool initialized_ = false;
};

inline constexpr const char* kDefaultLibrary = "libnvidia-ml.so.1";

// What the user can do about an nvmlInit_v2 failure with this code.
std::string init_failure_fix(Return code);

}  // namespace carbontracker::sensors::nvml
