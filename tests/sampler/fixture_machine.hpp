// The machine of the sampler's end-to-end tests: a copy of the intel-2socket powercap fixture whose
// energy_uj files a test rewrites, the xeon-gold-6248-2s procfs, the fake libnvidia-ml configured
// with the given GPUs, and a FakeClock. Also the lookups those tests share.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "fake_nvml_control.hpp"
#include "sampler/sampler.hpp"
#include "carbontracker/sensor.hpp"
#include "test_support.hpp"

namespace carbontracker::testing {

struct SamplerFixtureMachine {
  TempDir dir;
  std::filesystem::path sys;
  FakeNvml nvml;
  FakeClock clock;
  SensorContext ctx;

  // `gpus`: the fake NVML's configuration (tests/fakes/README.md), one line per GPU.
  explicit SamplerFixtureMachine(const std::string& gpus) {
    sys = dir / "sys";
    copy_tree(fixtures_dir() / "sysfs" / "intel-2socket", sys);
    nvml.load_config(gpus);
    ctx.sysfs_root = sys;
    ctx.procfs_root = fixtures_dir() / "procfs" / "xeon-gold-6248-2s";
    ctx.nvml_library = nvml.path();
    ctx.clock = &clock;
    ctx.getenv = carbontracker::testing::fixed_env({});
  }
  void set_zone_text(const std::string& zone, const std::string& text) {
    write_file(sys / "class/powercap" / zone / "energy_uj", text);
  }
  void set_zone(const std::string& zone, std::uint64_t uj) { set_zone_text(zone, std::to_string(uj) + "\n"); }
};

// The index of channel `id` among the sampler's channels (a test failure when there is none).
inline std::size_t channel_index(const Sampler& s, const std::string& id) {
  const auto& ch = s.channels();
  for (std::size_t i = 0; i < ch.size(); ++i) {
    if (ch[i].id == id) return i;
  }
  ADD_FAILURE() << "no channel " << id;
  return 0;
}

// Whether any event of the snapshot mentions `text`.
inline bool any_event_has(const SamplerSnapshot& s, std::string_view text) {
  for (const auto& e : s.events) {
    if (e.message.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace carbontracker::testing
