// The real binary refuses out-of-range and non-numeric values (docs/configuration.md#bounds),
// and `monitor` refuses what `run` refuses: the same sensor and interval checks, the same
// messages. A refused `run` never starts its command.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "cli_test_util.hpp"
#include "test_support.hpp"

namespace carbontracker {
namespace {

using testing::fixtures_dir;
using testing::run_process;
using testing::TempDir;

using testing::kCli;

// An empty machine (no RAPL, no GPU library) and no configuration from the host.
struct Sandbox {
  TempDir dir;
  std::vector<std::string> env(std::vector<std::string> extra = {}) const {
    std::vector<std::string> e{"CARBONTRACKER_SYSFS_ROOT=" + (dir / "sys").string(),
                               "CARBONTRACKER_PROCFS_ROOT=" + (fixtures_dir() / "procfs/vm-xeon-generic").string(),
                               "CARBONTRACKER_NVML_LIBRARY=/nonexistent/libnvidia-ml.so.1",
                               "CARBONTRACKER_CONFIG",
                               "CUDA_VISIBLE_DEVICES"};
    e.insert(e.end(), extra.begin(), extra.end());
    return e;
  }
  // `run [flags] -- sh -c 'touch started'`: returns the result; started() says whether the
  // command ran.
  testing::ProcessResult run(const std::vector<std::string>& flags, std::vector<std::string> extra_env = {}) const {
    std::vector<std::string> argv{kCli, "run", "--log-dir", (dir / "logs").string()};
    // A fixed intensity, so no provider is asked, unless the test gives its own.
    if (std::find(flags.begin(), flags.end(), "--intensity") == flags.end()) argv.insert(argv.end(), {"--intensity", "100"});
    argv.insert(argv.end(), flags.begin(), flags.end());
    for (const char* a : {"--", "/bin/sh", "-c", "touch \"$0\""}) argv.emplace_back(a);
    argv.push_back((dir / "started").string());
    return run_process(argv, env(std::move(extra_env)));
  }
  bool started() const { return std::filesystem::exists(dir / "started"); }
  testing::ProcessResult monitor(const std::vector<std::string>& flags) const {
    std::vector<std::string> argv{kCli, "monitor"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    // Bounded, so a value wrongly accepted ends the test instead of hanging it.
    if (std::find(flags.begin(), flags.end(), "--duration") == flags.end()) {
      argv.insert(argv.end(), {"--duration", "0.3"});
    }
    return run_process(argv, env());
  }
};

struct Pair {
  std::vector<std::string> monitor;  // flags for monitor
  std::vector<std::string> run;      // the same values for run
  std::string words;                 // in both messages
};

TEST(BoundsCli, MonitorRefusesWhatRunRefusesWithTheSameMessage) {
  const std::vector<Pair> pairs{
      {{"--interval", ""}, {"--update-interval", ""}, "expected number, got \"\""},
      {{"--interval", "0"}, {"--update-interval", "0"}, "must be between 0.01 and 3600 s, got 0"},
      {{"--interval", "0.001"}, {"--update-interval", "0.001"}, "must be between 0.01 and 3600 s"},
      {{"--interval", "86400"}, {"--update-interval", "86400"}, "must be between 0.01 and 3600 s, got 86400"},
      {{"--interval", "nan"}, {"--update-interval", "nan"}, "got nan"},
      {{"--interval", "1e400"}, {"--update-interval", "1e400"}, "\"1e400\" is beyond the range of a double"},
      {{"--sim-cpu", "X", "--sim-cpu-tdp", ""}, {"--sim-cpu", "X", "--sim-cpu-tdp", ""},
       "sim_cpu_tdp (--sim-cpu-tdp): expected number, got \"\""},
      {{"--sim-cpu", "X", "--sim-cpu-tdp", "-5"}, {"--sim-cpu", "X", "--sim-cpu-tdp", "-5"},
       "sim_cpu_tdp (--sim-cpu-tdp): must be between 0 and 10000 W, got -5"},
      {{"--sim-cpu", "X", "--sim-cpu-tdp", "65", "--sim-cpu-util", "1.5"},
       {"--sim-cpu", "X", "--sim-cpu-tdp", "65", "--sim-cpu-util", "1.5"},
       "sim_cpu_util (--sim-cpu-util): must be between 0 and 1, got 1.5"},
      {{"--sim-gpu", "G"}, {"--sim-gpu", "G"}, "invalid sim_gpu_watts: is required with sim_gpu"},
      {{"--sim-gpu", "G", "--sim-gpu-watts", "inf"}, {"--sim-gpu", "G", "--sim-gpu-watts", "inf"},
       "sim_gpu_watts (--sim-gpu-watts): must be between 0 and 10000 W, got inf"},
      {{"--sim-gpu", "G", "--sim-gpu-watts", "250", "--sim-gpu-util", ""},
       {"--sim-gpu", "G", "--sim-gpu-watts", "250", "--sim-gpu-util", ""}, "sim_gpu_util (--sim-gpu-util): expected"},
      {{"--components", "tpu"}, {"--components", "tpu"}, "unknown component 'tpu'"},
  };
  for (const auto& p : pairs) {
    Sandbox box;
    const auto m = box.monitor(p.monitor);
    const auto r = box.run(p.run);
    const std::string what = p.monitor[0] + " " + p.monitor[1];
    EXPECT_NE(m.exit_code, 0) << what << ": monitor accepted it; " << m.out;
    EXPECT_NE(r.exit_code, 0) << what << ": run accepted it";
    EXPECT_TRUE(m.out.empty()) << what << ": monitor printed before refusing: " << m.out;
    EXPECT_NE(m.err.find(p.words), std::string::npos) << what << ": monitor said: " << m.err;
    EXPECT_NE(r.err.find(p.words), std::string::npos) << what << ": run said: " << r.err;
    EXPECT_FALSE(box.started()) << what << ": run started the command";
  }
}

TEST(BoundsCli, MonitorNamesItsOwnFlags) {
  Sandbox box;
  auto m = box.monitor({"--interval", ""});
  EXPECT_NE(m.err.find("update_interval (--interval): expected number"), std::string::npos) << m.err;
  m = box.monitor({"--interval", "0"});
  EXPECT_NE(m.err.find("update_interval (--interval)"), std::string::npos) << m.err;
  for (const char* bad : {"", "-1", "1e10", "inf", "abc"}) {
    m = box.monitor({"--duration", bad});
    EXPECT_NE(m.exit_code, 0) << "--duration " << bad;
    EXPECT_NE(m.err.find("--duration"), std::string::npos) << bad << ": " << m.err;
    EXPECT_TRUE(m.out.empty()) << bad;
  }
  // In range: monitor runs and ends by itself.
  m = box.monitor({"--interval", "0.1", "--duration", "0.25", "--sim-cpu", "X", "--sim-cpu-tdp", "10"});
  EXPECT_EQ(m.exit_code, 0) << m.err;
}

TEST(BoundsCli, RunRefusesEveryBadNumberBeforeStartingTheCommand) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"--intensity", ""}, "intensity_g_per_kwh (--intensity): expected number"},
      {{"--intensity", "-5"}, "must be between 0 and 2500 g/kWh"},
      {{"--intensity", "1e6"}, "must be between 0 and 2500 g/kWh"},
      {{"--pue", "0.9"}, "pue (--pue): must be between 1 and 5, got 0.9"},
      {{"--pue", ""}, "pue (--pue): expected number"},
      {{"--epochs", "0"}, "epochs (--epochs): must be between 1 and"},
      {{"--epochs", "1e12"}, "epochs (--epochs): must be between 1 and"},
      {{"--epochs", "99999999999999999999"}, "epochs (--epochs)"},
      {{"--monitor-epochs", "0"}, "monitor_epochs (--monitor-epochs): cannot be 0"},
      {{"--verbose", "-1"}, "verbose (--verbose): must be between 0 and 9"},
      {{"--decimal-precision", "99"}, "decimal_precision (--decimal-precision): must be between 0 and 17"},
      {{"--max-duration-s", "0"}, "max_duration_s (--max-duration-s): must be greater than 0"},
      {{"--max-duration-s", "1e10"}, "at most 1e+09 s"},
      {{"--max-energy-kwh", "-1"}, "max_energy_kwh (--max-energy-kwh)"},
      {{"--max-co2eq-g", "nan"}, "max_co2eq_g (--max-co2eq-g)"},
      {{"--log-file-prefix", "../outside"}, "log_file_prefix (--log-file-prefix): must not contain '/' or \"..\""},
      {{"--log-file-prefix", "a/b"}, "outside log_dir"},
  };
  for (const auto& [flags, words] : cases) {
    Sandbox box;
    const auto r = box.run(flags);
    EXPECT_NE(r.exit_code, 0) << flags[0] << " " << flags[1];
    EXPECT_NE(r.err.find(words), std::string::npos) << flags[0] << " " << flags[1] << ": " << r.err;
    EXPECT_FALSE(box.started()) << flags[0] << " " << flags[1];
    EXPECT_FALSE(std::filesystem::exists(box.dir / "outside")) << "nothing was written outside log_dir";
  }
}

TEST(BoundsCli, EnvironmentAndConfigFileValuesMeetTheSameBounds) {
  Sandbox box;
  auto r = box.run({}, {"CARBONTRACKER_INTENSITY_REFRESH_S=1e10"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("intensity_refresh_s (CARBONTRACKER_INTENSITY_REFRESH_S): must be between 1 and 86400 s"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(box.started());

  testing::write_file(box.dir / "c.toml", "pue = 0.5\n");
  r = box.run({"--config", (box.dir / "c.toml").string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("pue (" + (box.dir / "c.toml").string() + ":1): must be between 1 and 5"), std::string::npos)
      << r.err;
  EXPECT_FALSE(box.started());

  // In range, the command runs.
  r = box.run({"--update-interval", "0.5", "--max-duration-s", "0.4", "--pue", "1.58"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(box.started());
}

}  // namespace
}  // namespace carbontracker
