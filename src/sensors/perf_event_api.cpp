#include "sensors/perf_event_api.hpp"

#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace carbontracker::sensors {
namespace {

class RealPerfEventApi final : public PerfEventApi {
 public:
  Result<int> open(std::uint32_t type, std::uint64_t config, int cpu) noexcept override {
    perf_event_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = type;
    attr.config = config;
    // Counting only: no sample_period, no read_format, so read() returns one u64.
    const long fd = ::syscall(SYS_perf_event_open, &attr, -1 /* pid: all */, cpu, -1 /* group */,
                              PERF_FLAG_FD_CLOEXEC);
    if (fd >= 0) return static_cast<int>(fd);
    const int err = errno;
    try {
      std::string msg = "perf_event_open(type " + std::to_string(type) + ", config " + std::to_string(config) +
                        ", cpu " + std::to_string(cpu) + "): " + std::strerror(err);
      switch (err) {
        case EACCES:
        case EPERM:
          return Status(StatusCode::permission_denied, std::move(msg));
        case ENOENT:
        case ENODEV:
          return Status(StatusCode::not_found, std::move(msg));
        default:
          return Status(StatusCode::unavailable, std::move(msg));
      }
    } catch (...) {
      return Status(StatusCode::internal, {});
    }
  }

  // Error messages stay within std::string's small buffer: this is the sampler's hot path and
  // must not allocate.
  Result<std::uint64_t> read(int fd) noexcept override {
    std::uint64_t count = 0;
    ssize_t n;
    do {
      n = ::read(fd, &count, sizeof count);
    } while (n < 0 && errno == EINTR);
    if (n == static_cast<ssize_t>(sizeof count)) return count;
    if (n < 0 && errno == EBADF) return Status(StatusCode::gone, "bad perf fd");
    return Status(StatusCode::unavailable, "perf read");
  }

  void close(int fd) noexcept override {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::shared_ptr<PerfEventApi> real_perf_event_api() {
  // Stateless and process-wide; the non-owning shared_ptr lets sensors hold a plain reference
  // without caring who handed it to the probe.
  static RealPerfEventApi api;
  return std::shared_ptr<PerfEventApi>(std::shared_ptr<PerfEventApi>(), &api);
}

}  // namespace carbontracker::sensors
