// Helpers shared by the RAPL tests: fixture copies, report lookup, and a fake perf_event_open
// (the one thing a fixture tree cannot provide).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sensors/sensor_interface.hpp"
#include "sensors/perf_event_api.hpp"
#include "sensors/probe.hpp"
#include "test_support.hpp"

namespace carbontracker::testing {

inline std::filesystem::path copy_fixture(const TempDir& dir, const std::string& machine) {
  const auto to = dir / machine;
  copy_tree(fixtures_dir() / "sysfs" / machine, to);
  return to;
}

inline SensorContext context_for(const std::filesystem::path& sysfs_root,
                                 const std::filesystem::path& procfs_root = "/nonexistent-procfs") {
  SensorContext ctx;
  ctx.sysfs_root = sysfs_root;
  ctx.procfs_root = procfs_root;
  return ctx;
}

// The report with this id; fails the test (and returns a dummy) when there is none or several.
inline const SourceReport& report(const sensors::ProbeOutput& out, const std::string& id) {
  static const SourceReport kMissing;
  const SourceReport* found = nullptr;
  int n = 0;
  for (const auto& r : out.reports) {
    if (r.info.id == id) {
      found = &r;
      ++n;
    }
  }
  EXPECT_EQ(n, 1) << "reports with id " << id;
  return found ? *found : kMissing;
}

inline std::vector<std::string> channel_ids(const Sensor& s) {
  std::vector<std::string> ids;
  for (const auto& c : s.channels()) ids.push_back(c.id);
  return ids;
}

inline std::vector<std::string> counted_ids(const sensors::ProbeOutput& out) {
  std::vector<std::string> ids;
  for (const auto& r : out.reports) {
    if (r.counted) ids.push_back(r.info.id);
  }
  return ids;
}

// In-memory perf counters: fds from 100 up, a value per fd, an optional failure per open/read.
class FakePerf final : public sensors::PerfEventApi {
 public:
  struct OpenCall {
    std::uint32_t type;
    std::uint64_t config;
    int cpu;
  };

  Result<int> open(std::uint32_t type, std::uint64_t config, int cpu) noexcept override {
    opens.push_back({type, config, cpu});
    if (fail_open) {
      Status s = fail_open(type, config, cpu);
      if (!s.is_ok()) return s;
    }
    const int fd = next_fd_++;
    open_fds.insert(fd);
    counters[fd] = 0;
    fd_of[{config, cpu}] = fd;
    return fd;
  }

  Result<std::uint64_t> read(int fd) noexcept override {
    if (!open_fds.count(fd)) return Status(StatusCode::gone, "closed fd");
    if (fail_read.count(fd)) return Status(fail_read[fd], "read failed");
    return counters[fd];
  }

  void close(int fd) noexcept override {
    open_fds.erase(fd);
    closed.push_back(fd);
  }

  std::vector<OpenCall> opens;
  std::set<int> open_fds;
  std::vector<int> closed;
  std::map<int, std::uint64_t> counters;
  std::map<int, StatusCode> fail_read;
  std::map<std::pair<std::uint64_t, int>, int> fd_of;  // (config, cpu) -> fd
  std::function<Status(std::uint32_t, std::uint64_t, int)> fail_open;

 private:
  int next_fd_ = 100;
};

// The probe shares ownership of its PerfEventApi; tests keep the fake on the stack and lend it.
inline std::shared_ptr<sensors::PerfEventApi> borrow(sensors::PerfEventApi& api) {
  return std::shared_ptr<sensors::PerfEventApi>(std::shared_ptr<void>(), &api);
}

}  // namespace carbontracker::testing
