// Shared by the nvml_test sources: a SensorContext pointing at a fake libnvidia-ml with a
// controlled environment, and a probe that returns its output.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>

#include "sensors/sensor_interface.hpp"
#include "sensors/backends.hpp"
#include "sensors/nvml.hpp"

namespace carbontracker::sensors::nvml_testing {

inline SensorContext make_context(const std::string& library, std::map<std::string, std::string> env = {}) {
  SensorContext ctx;
  ctx.nvml_library = library;
  ctx.clock = &real_clock();
  ctx.procfs_root = "/nonexistent-procfs";  // tests that need one set it
  ctx.sysfs_root = "/nonexistent-sysfs";
  ctx.getenv = [env = std::move(env)](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  return ctx;
}

inline ProbeOutput probe(const SensorContext& ctx, Coverage& coverage) {
  ProbeOutput out;
  probe_nvml(ctx, coverage, out);
  return out;
}

inline ProbeOutput probe(const SensorContext& ctx) {
  Coverage coverage;
  return probe(ctx, coverage);
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

inline bool any_note_contains(const ChannelInfo& info, const std::string& needle) {
  for (const auto& n : info.notes) {
    if (contains(n, needle)) return true;
  }
  return false;
}

inline std::vector<Reading> read_all(Sensor& s) {
  std::vector<Reading> out;
  out.reserve(s.channels().size());
  EXPECT_TRUE(s.read(out).is_ok());
  EXPECT_EQ(out.size(), s.channels().size());
  return out;
}

}  // namespace carbontracker::sensors::nvml_testing
