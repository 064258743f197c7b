// The perf_event_open(2) system call behind an interface: the real kernel in production, a
// fake in tests (the sysfs side of the PMU is faked with a fixture tree; the syscall cannot be).
#pragma once

#include <cstdint>
#include <memory>

#include "core/status.hpp"

namespace carbontracker::sensors {

class PerfEventApi {
 public:
  virtual ~PerfEventApi() = default;
  // System-wide counting event on `cpu` (pid = -1, no group, PERF_FLAG_FD_CLOEXEC). Returns the fd.
  // Errors: permission_denied (EACCES/EPERM: paranoid level / missing CAP_PERFMON),
  // not_found (ENOENT/ENODEV: no such PMU or event), unavailable otherwise.
  virtual Result<int> open(std::uint32_t type, std::uint64_t config, int cpu) noexcept = 0;
  // The 64-bit count. Must not allocate.
  virtual Result<std::uint64_t> read(int fd) noexcept = 0;
  virtual void close(int fd) noexcept = 0;
};

std::shared_ptr<PerfEventApi> real_perf_event_api();

}  // namespace carbontracker::sensors
