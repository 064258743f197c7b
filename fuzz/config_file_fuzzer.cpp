// libFuzzer target: the configuration file parser (src/tracker/config_keys.hpp:
// apply_config_file, toml++ then set_config_key per key). apply_config_file reads a path, so each
// input is written to one scratch file (under $TMPDIR) first. Contract: a bad file is a Status
// naming the file, never an exception or a crash;
// every number it accepts is finite.
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>

#include "fuzz_check.hpp"
#include "tracker/config_keys.hpp"

namespace {

std::filesystem::path scratch_file() {
  const char* tmp = std::getenv("TMPDIR");
  const std::filesystem::path dir = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  return dir / ("carbontracker_fuzz_config_" + std::to_string(::getpid()) + ".toml");
}

// Removes the scratch file when the fuzzer exits normally.
struct RemoveScratch {
  ~RemoveScratch() {
    std::error_code ec;
    std::filesystem::remove(scratch_file(), ec);
  }
} remove_scratch;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::filesystem::path path = scratch_file();
  static const std::string path_text = path.string();
  {
    std::FILE* f = std::fopen(path_text.c_str(), "wb");
    FUZZ_CHECK(f != nullptr);
    FUZZ_CHECK(size == 0 || std::fwrite(data, 1, size, f) == size);
    FUZZ_CHECK(std::fclose(f) == 0);
  }
  carbontracker::Config config;
  const carbontracker::Status st = carbontracker::tracker::apply_config_file(config, path);
  if (!st) {
    FUZZ_CHECK(!st.message().empty());
    return 0;
  }
  // Accepted numbers are finite (set_config_key refuses nan/inf: a NaN PUE would poison every total).
  const auto finite = [](const std::optional<double>& v) { return !v || std::isfinite(*v); };
  FUZZ_CHECK(std::isfinite(config.pue) && std::isfinite(config.update_interval));
  FUZZ_CHECK(std::isfinite(config.intensity_refresh_s) && std::isfinite(config.prediction_confidence));
  FUZZ_CHECK(finite(config.budget.max_energy_kwh) && finite(config.budget.max_co2eq_g) && finite(config.budget.max_duration_s));
  FUZZ_CHECK(finite(config.sim_cpu_tdp) && finite(config.sim_cpu_util) && finite(config.sim_gpu_watts));
  FUZZ_CHECK(finite(config.sim_gpu_util) && finite(config.intensity_g_per_kwh));
  return 0;
}

