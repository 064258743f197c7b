// A long run simulated in process, shared by faults_test and bench/load: the real Tracker, with
// its sampler thread at 10 Hz on 8 fake GPUs (the fake libnvidia-ml) and the 4 RAPL zones of the
// intel-2socket fixture, on a HorizonClock: every wait of the sampler thread jumps straight to
// its deadline, so one simulated tick costs one sampling round of real time, but never past a
// horizon the calling thread moves one simulated minute at a time. The calling thread plays the
// training: at each minute it moves every GPU's counter by a known amount (through the fake's
// control API, which is thread-safe), marks an epoch every `epoch_minutes`, and samples the
// event log's size each hour, all while the sampler thread waits at the horizon, so the run is
// the same however the two threads are scheduled.
//
// Measured: ticks done, RSS (/proc/self/statm) at the start and end of the second half, the
// event log's size at every simulated hour, and the tracker's totals against the known sum.
// Not thread-safe; one run at a time (the fake NVML is process-wide).
#pragma once

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "carbontracker/tracker.hpp"
#include "fake_nvml_control.hpp"
#include "test_support.hpp"

namespace carbontracker::faults {

// Monotonic time that jumps to each waiter's deadline, up to `horizon`; a wait for a later
// deadline blocks until the horizon moves past it (or stop). wall() follows monotonic().
class HorizonClock final : public Clock {
 public:
  explicit HorizonClock(MonoTime start) : now_(start.count()), horizon_(start.count()) {}
  MonoTime monotonic() const noexcept override { return MonoTime(now_.load()); }
  std::chrono::system_clock::time_point wall() const noexcept override {
    return std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000)) +
           std::chrono::duration_cast<std::chrono::system_clock::duration>(monotonic());
  }
  bool wait_until(MonoTime deadline, std::stop_token stop) noexcept override {
    std::unique_lock lock(m_);
    if (deadline.count() > horizon_) {
      parked_ = true;
      cv_.notify_all();
      cv_.wait(lock, stop, [&] { return deadline.count() <= horizon_; });
      parked_ = false;
      if (stop.stop_requested()) return false;
    }
    if (deadline.count() > now_.load()) now_ = deadline.count();
    return !stop.stop_requested();
  }
  // Lets time run up to `h`, then blocks until a waiter is parked beyond it: the sampler thread
  // has done every round up to h and waits. (Or until `timeout` passes: the thread is gone.)
  void run_until(MonoTime h, std::chrono::seconds timeout = std::chrono::seconds(30)) {
    std::unique_lock lock(m_);
    horizon_ = h.count();
    parked_ = false;
    cv_.notify_all();
    cv_.wait_for(lock, timeout, [&] { return parked_; });
    if (now_.load() < h.count()) now_ = h.count();  // no waiter (the sampler has stopped)
  }

 private:
  std::atomic<std::int64_t> now_;
  std::int64_t horizon_;
  bool parked_ = false;
  std::mutex m_;
  std::condition_variable_any cv_;
};

struct LoadOptions {
  double hours = 24;
  double epoch_minutes = 10;
  int gpus = 8;
  double interval_s = 0.1;          // the sampler's cadence (10 Hz)
  double gpu_w = 300;               // each GPU's known power, applied once per simulated second
};

struct LoadResult {
  double simulated_s = 0;
  double wall_s = 0;
  double ticks = 0;                         // simulated time / interval (one sampling round each)
  std::uint64_t gpu_energy_reads = 0;       // nvmlDeviceGetTotalEnergyConsumption calls
  long rss_second_half_start_kb = 0;
  long rss_end_kb = 0;
  long rss_peak_kb = 0;                     // VmHWM
  std::vector<std::uintmax_t> event_log_bytes_at_hour;  // index h: size after h simulated hours
  std::uintmax_t event_log_bytes = 0, std_log_bytes = 0, output_log_bytes = 0;
  double expected_gpu_j = 0;                // the known counter increments, summed
  Snapshot snapshot;
};

inline long rss_kb() {
  std::ifstream in("/proc/self/statm");
  long size = 0, resident = 0;
  in >> size >> resident;
  return resident * (::sysconf(_SC_PAGESIZE) / 1024);
}

inline long peak_rss_kb() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

inline std::uintmax_t size_of_suffix(const std::filesystem::path& dir, const std::string& suffix) {
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().filename().string().ends_with(suffix)) return e.file_size();
  }
  return 0;
}

inline LoadResult run_load(const LoadOptions& o) {
  testing::TempDir dir;
  testing::copy_tree(testing::fixtures_dir() / "sysfs" / "intel-2socket", dir / "sys");
  testing::FakeNvml nvml;
  std::string conf;
  for (int g = 0; g < o.gpus; ++g) conf += "gpu name=\"NVIDIA H100 80GB HBM3\" energy_mj=1000000 energy_step_mj=0\n";
  nvml.load_config(conf);
  std::vector<std::uint64_t> gpu_mj(static_cast<std::size_t>(o.gpus), 1'000'000);

  auto ctx = std::make_shared<SensorContext>();
  ctx->sysfs_root = dir / "sys";
  ctx->procfs_root = testing::fixtures_dir() / "procfs" / "xeon-gold-6248-2s";
  ctx->nvml_library = nvml.path();
  ctx->getenv = carbontracker::testing::fixed_env({});
  HorizonClock clock(std::chrono::seconds(1000));
  std::ostringstream console;
  std::istringstream input;
  TrackerEnvironment env;
  env.clock = &clock;
  env.console = &console;
  env.input = &input;
  env.sensors = ctx;

  const int epochs = static_cast<int>(o.hours * 60 / o.epoch_minutes);
  Config c;
  c.epochs = epochs;
  c.update_interval = o.interval_s;
  // Counters alone would be read at the epoch ends and once a minute: this run is about the
  // sampler reading at 10 Hz for a day, so it forces that cadence.
  c.sample_every = o.interval_s;
  c.log_dir = dir / "logs";
  c.verbose = 0;

  LoadResult r;
  const auto wall0 = std::chrono::steady_clock::now();
  const MonoTime t0 = clock.monotonic();
  const auto minute = std::chrono::duration_cast<MonoTime>(std::chrono::minutes(1));
  const auto second = std::chrono::duration_cast<MonoTime>(std::chrono::seconds(1));
  // Applied every simulated second, as a real counter climbs: a minute's energy appearing within
  // one 0.1 s read would be beyond any GPU's power, and the sampler rightly refuses that.
  const std::uint64_t per_second_mj = static_cast<std::uint64_t>(o.gpu_w * 1000);
  const int total_minutes = static_cast<int>(o.hours * 60);
  const int minutes_per_epoch = static_cast<int>(o.epoch_minutes);
  std::uint64_t added_mj = 0;
  {
    Tracker t(c, env);
    r.event_log_bytes_at_hour.push_back(size_of_suffix(*c.log_dir, "_events.jsonl"));
    for (int m = 0; m < total_minutes; ++m) {
      if (m % minutes_per_epoch == 0) t.epoch_start();
      for (int sec = 0; sec < 60; ++sec) {
        for (std::size_t g = 0; g < gpu_mj.size(); ++g) {
          gpu_mj[g] += per_second_mj;
          nvml.set_energy_mj(static_cast<unsigned>(g), gpu_mj[g]);
          added_mj += per_second_mj;
        }
        clock.run_until(t0 + minute * m + second * (sec + 1));  // the sampler thread runs this second
      }
      if ((m + 1) % minutes_per_epoch == 0) t.epoch_end();
      if ((m + 1) % 60 == 0) r.event_log_bytes_at_hour.push_back(size_of_suffix(*c.log_dir, "_events.jsonl"));
      if (m + 1 == total_minutes / 2) r.rss_second_half_start_kb = rss_kb();
    }
    r.rss_end_kb = rss_kb();
    t.stop();
    r.simulated_s = to_seconds(clock.monotonic() - t0);
    r.snapshot = t.snapshot();
  }
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  r.ticks = r.simulated_s / o.interval_s;
  r.gpu_energy_reads = nvml.call_count("nvmlDeviceGetTotalEnergyConsumption");
  r.rss_peak_kb = peak_rss_kb();
  r.event_log_bytes = size_of_suffix(*c.log_dir, "_events.jsonl");
  r.std_log_bytes = size_of_suffix(*c.log_dir, "_carbontracker.log");
  r.output_log_bytes = size_of_suffix(*c.log_dir, "_carbontracker_output.log");
  r.expected_gpu_j = static_cast<double>(added_mj) * 1e-3;
  return r;
}

}  // namespace carbontracker::faults
