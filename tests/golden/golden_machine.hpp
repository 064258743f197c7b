// A fixed machine and clock for golden runs of the C++ API: a simulated CPU and GPU (constant
// watts), the DRAM estimate from the Xeon procfs fixture, an empty sysfs (no RAPL, no perf PMU),
// the fake libnvidia-ml with one GPU (listed, superseded by the simulated one), a fixed
// carbon intensity, TZ=UTC, and a clock that only the test moves.
//
// The clock's wait_until() sleeps until stop is requested: the sampler thread never wakes, so
// every reading comes from the training thread (epoch_start/epoch_end) and from the sampler's
// final read at stop(). The run is then the same on every machine and every repeat. (A run in
// which the training thread itself waits on the clock would hang: none of the scenarios does.)
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stop_token>
#include <string>

#include "carbontracker/tracker.hpp"
#include "fake_nvml_control.hpp"
#include "golden_files.hpp"
#include "test_support.hpp"

namespace carbontracker::golden {

class SleepingClock final : public Clock {
 public:
  MonoTime monotonic() const noexcept override;
  std::chrono::system_clock::time_point wall() const noexcept override;
  bool wait_until(MonoTime deadline, std::stop_token stop) noexcept override;
  void advance_s(double seconds);

 private:
  std::atomic<std::int64_t> now_ns_{1'000'000'000'000};  // 1000 s, as FakeClock
  std::mutex m_;
  std::condition_variable_any cv_;
};

class GoldenMachine {
 public:
  explicit GoldenMachine(int verbose);

  // 3 epochs, log_dir, summary_json, simulated CPU 100 W x 0.5 and GPU 300 W x 0.8,
  // intensity 250 g/kWh; pue stays the default (1.58).
  [[nodiscard]] Config config() const;
  [[nodiscard]] TrackerEnvironment env();
  void advance_s(double seconds) { clock_.advance_s(seconds); }
  [[nodiscard]] std::filesystem::path logs_dir() const { return dir_ / "logs"; }
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_.path(); }
  [[nodiscard]] const std::string& fake_nvml_path() const { return nvml_.path(); }

  // "console.txt", "files.txt" (the log folder's names, normalised), and each log file under its
  // name without the stem ("carbontracker.log", "carbontracker_output.log", ...) and
  // "summary.json": normalised. Call after the tracker is destroyed.
  [[nodiscard]] std::map<std::string, std::string> outputs();

 private:
  testing::TempDir dir_;
  testing::FakeNvml nvml_;
  SleepingClock clock_;
  std::ostringstream console_;
  std::istringstream input_;
  std::shared_ptr<SensorContext> ctx_ = std::make_shared<SensorContext>();
  int verbose_;
};

// Runs `body` twice, at verbose 1 and 2, and checks the scenario's golden set: the console stream
// and the process's stderr at each level ("console_verbose1.txt", "stderr_verbose1.txt", ...) and
// the files of the verbose-1 run; a file that differs at verbose 2 is pinned as well, as
// "verbose2_<name>".
void expect_golden_run(const std::string& scenario, void (*body)(GoldenMachine&));

}  // namespace carbontracker::golden
