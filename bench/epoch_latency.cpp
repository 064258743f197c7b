// What epoch_start() and epoch_end() cost on the training thread, epoch by epoch, over a whole
// run of the tracker facade configured as a user would (epochs = N, the prediction refitted
// after every epoch, optionally log_dir with the three carbontracker logs and the JSONL event
// log flushed every epoch).
//
// Setup "fixtures": the intel-2socket sysfs tree (4 counted powercap zones) and the fake
// libnvidia-ml with 8 counter GPUs, probed through the product's own path; "host": whatever
// this machine has (estimates on a VM). The tracker runs on a clock that is the real one plus
// an offset the benchmark advances by a simulated epoch length (60 s by default, 1 % jitter)
// between epoch_start and epoch_end, so every epoch looks like a real one (no "below
// resolution" notes, a sampler thread that ticks at its real 1 s cadence, power records
// spilled to the event log) while N epochs take seconds. The fake GPUs' counters advance by
// a jittered 300 W x the epoch's length, so the prediction sees realistic, noisy epochs.
//
// Latency is std::chrono::steady_clock around each call; the calling thread's CPU time around
// it too, so a call that another process preempted (wall far above CPU) shows as such. "cold"
// writes a buffer larger than L2 before each call, as a training step between two epoch
// boundaries would. The last epoch_end also runs the final report and stop(): shown apart.
//
// It also times the prediction refit alone (predict_robust + predict_paper after k epochs, from
// an ObservedHistory as Tracker::Impl::refit calls them) for a few k, to show what dominates
// epoch_end.
//
// --epochs-list 1000,10000,100000 runs one tracker per length and prints, per length, epoch_end's
// p50/p99 over the last 10 % of its epochs (the steady state a long run reaches), the peak RSS of
// that run (VmHWM, reset before each run through /proc/self/clear_refs), the size of its summary
// JSON (summary_json is set in this mode) and the run's wall time: flat rows mean a cost per epoch
// that does not grow with the epoch count (issue 15). The clock is simulated as above (60 s
// epochs), so a 100,000-epoch run "lasts" 70 days and takes seconds.
//
// --work-us W: the training thread spins W µs of real time inside each epoch (between epoch_start
// and epoch_end). With 0 (the default) the calls run back to back, which leaves a refit handed to
// the tracker's worker thread (tracker/refit_worker.hpp) no time to run: the next epoch_end then
// computes or waits for it. A real epoch lasts milliseconds at least; --work-us 1000 models the
// shortest (a script that reports 1 ms steps as epochs).
//
// Usage: epoch_latency [--epochs N (1000)] [--setup fixtures|host|both (fixtures)] [--logs on|off|both]
//                      [--cache hot|cold|both] [--epoch-s S (60)] [--evict-kib K (16384)]
//                      [--repeat R (1)] [--csv FILE] [--no-refit-table] [--epochs-list N,N,...]
//                      [--work-us W (0)]
#include <sys/stat.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench_options.hpp"
#include "carbontracker/tracker.hpp"
#include "fake_nvml_control.hpp"
#include "prediction/predictor.hpp"

namespace carbontracker::bench {
namespace {

using Steady = std::chrono::steady_clock;

struct Options {
  int epochs = 1000;
  std::vector<std::string> setups{"fixtures"};
  std::vector<bool> logs{true, false};
  std::vector<bool> cold{false, true};
  double epoch_s = 60;
  std::size_t evict_kib = 16384;
  int repeat = 1;
  std::string csv;
  bool refit_table = true;
  std::vector<int> epochs_list;  // --epochs-list: the flatness table instead of the buckets
  double work_us = 0;            // real time spent inside each epoch (--work-us)
};

// The real clocks plus an offset that only the benchmark moves. The sampler thread waits in
// real time, so it ticks at its real cadence whatever the offset does; a jump of the offset
// only makes its next deadline come early, as a long epoch's many ticks would.
class OffsetClock final : public Clock {
 public:
  [[nodiscard]] MonoTime monotonic() const noexcept override {
    return real_clock().monotonic() + MonoTime(offset_ns_.load(std::memory_order_relaxed));
  }
  [[nodiscard]] std::chrono::system_clock::time_point wall() const noexcept override {
    return std::chrono::time_point_cast<std::chrono::system_clock::duration>(
        real_clock().wall() + MonoTime(offset_ns_.load(std::memory_order_relaxed)));
  }
  bool wait_until(MonoTime deadline, std::stop_token stop) noexcept override {
    std::unique_lock lock(mutex_);
    while (!stop.stop_requested()) {
      const MonoTime now = monotonic();
      if (now >= deadline) return true;
      cv_.wait_for(lock, stop, deadline - now, [] { return false; });
    }
    return false;
  }
  void advance(double seconds) noexcept { offset_ns_.fetch_add(from_seconds(seconds).count()); }

 private:
  std::atomic<MonoTime::rep> offset_ns_{0};
  std::mutex mutex_;
  std::condition_variable_any cv_;
};

// Discards what the tracker prints but still pays for the formatting and the stream calls.
class NullBuffer final : public std::streambuf {
 protected:
  int_type overflow(int_type c) override { return traits_type::not_eof(c); }
  std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

double thread_cpu_us() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) * 1e-3;
}

// Nearest-rank percentile of sorted values.
double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

struct Stats {
  std::size_t n = 0;
  double p50_us = 0, p99_us = 0, max_us = 0, mean_us = 0;
};

Stats stats_of(std::vector<double> us) {
  Stats s;
  s.n = us.size();
  if (us.empty()) return s;
  std::sort(us.begin(), us.end());
  s.p50_us = percentile(us, 50);
  s.p99_us = percentile(us, 99);
  s.max_us = us.back();
  double sum = 0;
  for (double v : us) sum += v;
  s.mean_us = sum / static_cast<double>(us.size());
  return s;
}

// Walks a buffer larger than L2 with stores, so the next call finds its data and code evicted
// from L1/L2 (and partly from L3, which a VM may report far larger than its share).
class CacheEvictor {
 public:
  explicit CacheEvictor(std::size_t kib) : buffer_(kib * 1024 / sizeof(std::uint64_t), 1) {}
  void run() {
    if (buffer_.empty()) return;
    for (std::size_t i = 0; i < buffer_.size(); i += 8) buffer_[i] = buffer_[i] * 3 + 1;  // one store per line
    sink_ = buffer_[buffer_.size() / 2];
  }

 private:
  std::vector<std::uint64_t> buffer_;
  volatile std::uint64_t sink_ = 0;
};

struct RunResult {
  std::vector<double> start_us, end_us;  // wall time per epoch, epoch 1 first
  std::vector<double> start_cpu_us, end_cpu_us;  // the calling thread's CPU time
  double construct_ms = 0;
  double last_end_ms = 0;  // the last epoch_end, which also runs the final report and stop
  std::string channels;
  std::vector<int> notes;  // notes per epoch (0 expected)
  double run_s = 0;                 // construction to the tracker's destruction
  double peak_rss_mb = 0;           // VmHWM after the run (reset before it where the kernel allows)
  std::uintmax_t summary_bytes = 0;  // the summary JSON's size (when summary_json was set)
};

// VmHWM / VmRSS of this process in MB (0 when /proc is not there).
double proc_status_mb(const char* key) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key, 0) == 0) return std::stod(line.substr(std::string(key).size())) / 1024.0;
  }
  return 0;
}

// Resets VmHWM to the current RSS (Linux >= 4.0); false where it cannot.
bool reset_peak_rss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

std::string describe_channels(const std::vector<ChannelInfo>& channels) {
  std::map<std::string, int> counts;
  for (const auto& c : channels) {
    ++counts[fmt::format("{}/{} {}", c.source, to_string(c.method), to_string(c.component))];
  }
  std::string out;
  for (const auto& [what, n] : counts) out += fmt::format("{}{} x{}", out.empty() ? "" : ", ", what, n);
  return out;
}

bool fixture_channels_ok(const std::vector<ChannelInfo>& channels) {
  int powercap = 0, nvml = 0;
  for (const auto& c : channels) {
    if (c.source == "powercap" && c.method == Method::counter) ++powercap;
    if (c.source == "nvml" && c.method == Method::counter) ++nvml;
  }
  return powercap == 4 && nvml == 8 && channels.size() == 12;
}

RunResult run_tracker(const Options& o, const std::string& setup, bool logs, bool cold, bool summary = false) {
  std::optional<testing::FakeNvml> nvml;  // held for the tracker's lifetime
  auto ctx = std::make_shared<SensorContext>();
  ctx->getenv = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  if (setup == "fixtures") {
    nvml.emplace();
    // Counters move only when the benchmark says so (step 0), by a jittered epoch's energy.
    std::string config;
    for (int i = 0; i < 8; ++i) config += "gpu name=\"NVIDIA A100-SXM4-80GB\" energy_mj=1000000 energy_step_mj=0\n";
    nvml->load_config(config);
    ctx->sysfs_root = CARBONTRACKER_BENCH_SYSFS_FIXTURE;
    ctx->procfs_root = CARBONTRACKER_BENCH_PROCFS_FIXTURE;
    ctx->nvml_library = testing::FakeNvml::kFull;
  }
  std::optional<TempLogDir> dir;
  Config cfg;
  cfg.epochs = o.epochs;
  if (logs || summary) dir.emplace();
  if (logs) cfg.log_dir = dir->path();
  if (summary) cfg.summary_json = dir->path() / "summary.json";
  NullBuffer null_buffer;
  std::ostream console(&null_buffer);
  OffsetClock clock;
  TrackerEnvironment env;
  env.clock = &clock;
  env.console = &console;
  env.sensors = ctx;

  RunResult r;
  CacheEvictor evictor(cold ? o.evict_kib : 0);
  std::mt19937_64 rng(12345);
  std::normal_distribution<double> jitter(0.0, 0.01);
  std::vector<std::uint64_t> gpu_mj(8, 1000000);

  const auto t0 = Steady::now();
  std::optional<Tracker> holder(std::in_place, cfg, env);
  Tracker& tracker = *holder;
  r.construct_ms = std::chrono::duration<double, std::milli>(Steady::now() - t0).count();
  const auto channels = tracker.snapshot().channels;
  r.channels = describe_channels(channels);
  if (setup == "fixtures" && !fixture_channels_ok(channels)) {
    throw std::runtime_error("the fixture setup should give 4 powercap + 8 nvml counter channels, got " + r.channels +
                             " (a perf power PMU with the fixture's type number on this machine would take over)");
  }
  // Wall time inside, the thread's CPU time outside: a call whose wall time far exceeds its
  // CPU time was preempted (another process took the CPU), which says nothing about our code.
  auto timed = [&](auto&& call, std::vector<double>& wall_us, std::vector<double>& cpu_us) {
    const double c0 = thread_cpu_us();
    const auto t = Steady::now();
    call();
    const double wall = std::chrono::duration<double, std::micro>(Steady::now() - t).count();
    wall_us.push_back(wall);
    cpu_us.push_back(std::min(thread_cpu_us() - c0, wall));
  };
  for (int e = 1; e <= o.epochs; ++e) {
    if (cold) evictor.run();
    timed([&] { tracker.epoch_start(); }, r.start_us, r.start_cpu_us);

    const double length_s = o.epoch_s * (1.0 + jitter(rng));
    clock.advance(length_s);
    if (nvml) {
      for (unsigned g = 0; g < 8; ++g) {
        gpu_mj[g] += static_cast<std::uint64_t>(300e3 * length_s * (1.0 + jitter(rng)));
        nvml->set_energy_mj(g, gpu_mj[g]);
      }
    }
    if (o.work_us > 0) {  // the epoch's own work, in real time
      const auto until = Steady::now() + std::chrono::duration<double, std::micro>(o.work_us);
      while (Steady::now() < until) {
      }
    }
    if (cold) evictor.run();
    std::size_t notes = 0;
    timed([&] { notes = tracker.epoch_end().notes.size(); }, r.end_us, r.end_cpu_us);
    r.notes.push_back(static_cast<int>(notes));
  }
  // The last epoch_end also runs the final report and stop(): apart from the per-epoch figures.
  r.last_end_ms = r.end_us.back() / 1000.0;
  r.end_us.pop_back();
  r.end_cpu_us.pop_back();
  if (!tracker.finished()) throw std::runtime_error("the tracker did not finish after its last epoch");
  r.peak_rss_mb = proc_status_mb("VmHWM:");
  holder.reset();
  r.run_s = std::chrono::duration<double>(Steady::now() - t0).count();
  if (cfg.summary_json) {
    std::error_code ec;
    r.summary_bytes = std::filesystem::file_size(*cfg.summary_json, ec);
  }
  return r;
}

// Epoch ranges the prediction's cost depends on: it refits over the kMaxWindowEpochs (128) most
// recent epochs (plus running sums), so its cost grows up to epoch 129 and not after.
struct Bucket {
  const char* name;
  int first, last;  // 1-based, inclusive
};

std::vector<Bucket> buckets(int epochs) {
  const int last = epochs - 1;  // the last epoch_end runs the final report: reported apart
  std::vector<Bucket> b{{"1-10", 1, std::min(10, last)}, {"11-128", 11, std::min(128, last)}};
  if (last > 128) b.push_back({last > 1000 ? "129-1000" : "129+", 129, std::min(1000, last)});
  if (last > 1000) b.push_back({"1001+", 1001, last});
  b.push_back({"all", 1, last});
  return b;
}

std::vector<double> slice(const std::vector<double>& v, const Bucket& b) {
  std::vector<double> out;
  for (int e = b.first; e <= b.last && e <= static_cast<int>(v.size()); ++e) {
    out.push_back(v[static_cast<std::size_t>(e - 1)]);
  }
  return out;
}

// predict_robust + predict_paper after k epochs, as the tracker calls them after epoch k (from
// its ObservedHistory, appended once per epoch); the median time per call pair.
double refit_us(int k, int epochs) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> jitter(0.0, 0.01);
  prediction::ObservedHistory observed;
  const prediction::ForecastSettings settings{epochs, 473, 0.9};
  for (int i = 0; i < k; ++i) {
    const double d = 60 * (1 + jitter(rng));
    const double j = 8 * 300 * d * (1 + jitter(rng));
    observed.append({d, j, j / 3.6e6 * 473});
  }
  std::vector<double> us;
  const auto until = Steady::now() + std::chrono::milliseconds(50);
  do {
    const auto t = Steady::now();
    const Forecast robust = prediction::predict_robust(observed, settings);
    const Forecast paper = prediction::predict_paper(observed, settings);
    us.push_back(std::chrono::duration<double, std::micro>(Steady::now() - t).count());
    if (!(robust.energy_j > 0) || !(paper.energy_j > 0)) throw std::runtime_error("refit gave no forecast");
  } while (Steady::now() < until || us.size() < 5);
  std::sort(us.begin(), us.end());
  return percentile(us, 50);
}

void write_csv(const std::string& path, const std::string& label, const RunResult& r, bool header) {
  std::ofstream out(path, header ? std::ios::trunc : std::ios::app);
  if (!out) throw std::runtime_error("cannot write " + path);
  if (header) out << "run,epoch,epoch_start_us,epoch_start_cpu_us,epoch_end_us,epoch_end_cpu_us\n";
  for (std::size_t i = 0; i < r.end_us.size(); ++i) {
    out << fmt::format("{},{},{:.2f},{:.2f},{:.2f},{:.2f}\n", label, i + 1, r.start_us[i], r.start_cpu_us[i],
                       r.end_us[i], r.end_cpu_us[i]);
  }
}

constexpr double kTargetP99_us = 50.0;
// Wall time this far above the thread's CPU time: the call was preempted (counted, not excluded).
constexpr double kPreempted_us = 500.0;

Options parse(int argc, char** argv) {
  Options o;
  ArgReader args("epoch_latency",
                 "usage: epoch_latency [--epochs N (1000)] [--setup fixtures|host|both (fixtures)]\n"
                 "                     [--logs on|off|both] [--cache hot|cold|both] [--epoch-s S (60)]\n"
                 "                     [--evict-kib K (16384)]\n"
                 "                     [--repeat R (1)] [--csv FILE] [--no-refit-table]\n"
                 "                     [--epochs-list N,N,... (e.g. 1000,10000,100000)] [--work-us W (0)]\n",
                 argc, argv);
  while (args.next()) {
    const std::string& flag = args.flag();
    if (flag == "--no-refit-table") {
      o.refit_table = false;
    } else if (flag == "--epochs") {
      o.epochs = static_cast<int>(args.number());
      if (o.epochs < 2) args.fail("--epochs must be at least 2");
    } else if (flag == "--setup") {
      o.setups = args.choice({"fixtures", "host"});
    } else if (flag == "--logs") {
      const auto v = args.choice({"on", "off"});
      o.logs.clear();
      for (const auto& s : v) o.logs.push_back(s == "on");
    } else if (flag == "--cache") {
      const auto v = args.choice({"hot", "cold"});
      o.cold.clear();
      for (const auto& s : v) o.cold.push_back(s == "cold");
    } else if (flag == "--epoch-s") {
      o.epoch_s = args.number();
    } else if (flag == "--evict-kib") {
      o.evict_kib = static_cast<std::size_t>(args.number());
    } else if (flag == "--work-us") {
      o.work_us = args.number();
    } else if (flag == "--repeat") {
      o.repeat = static_cast<int>(args.number());
    } else if (flag == "--epochs-list") {
      o.epochs_list.clear();
      const std::string list = args.value();
      for (std::size_t at = 0; at <= list.size();) {
        const auto comma = std::min(list.find(',', at), list.size());
        const int n = std::atoi(list.substr(at, comma - at).c_str());
        if (n < 20) args.fail("--epochs-list takes epoch counts of at least 20, comma-separated");
        o.epochs_list.push_back(n);
        at = comma + 1;
      }
    } else if (flag == "--csv") {
      o.csv = args.value();
    } else {
      args.fail("unknown option " + flag);
    }
  }
  return o;
}

constexpr double kFlatTargetP99_us = 100.0;

// --epochs-list: one run per length; epoch_end over the last 10 % of each run's epochs.
int run_lengths(const Options& base) {
  std::cout << fmt::format("epoch_end latency by run length (simulated epoch length {} s); p50/p99 over the last 10 % "
                           "of each run's epochs (the last epoch_end, which runs the final report, apart); "
                           "steady_clock, microseconds\n",
                           base.epoch_s);
  std::cout << "| setup | logs | cache | epochs | last 10 %: n | p50 µs | p99 µs | max µs | on-CPU p50 / p99 µs "
               "| all: p50 / p99 µs | epoch_start p50 / p99 µs | final epoch_end ms | peak RSS MB | summary JSON bytes "
               "| run s |\n"
               "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  const bool rss_reset = reset_peak_rss();
  bool met = true;
  for (const auto& setup : base.setups) {
    for (bool logs : base.logs) {
      for (bool cold : base.cold) {
        for (int n : base.epochs_list) {
          Options o = base;
          o.epochs = n;
          reset_peak_rss();
          const RunResult r = run_tracker(o, setup, logs, cold, true);
          const int last = static_cast<int>(r.end_us.size());  // epochs 1..n-1
          const Bucket tail{"last 10 %", last - std::max(1, n / 10) + 1, last};
          const Stats s = stats_of(slice(r.end_us, tail));
          const Stats cpu = stats_of(slice(r.end_cpu_us, tail));  // wall far above it: preempted
          const Stats all = stats_of(r.end_us);
          const Stats st = stats_of(r.start_us);
          if (n == base.epochs_list.back()) met = met && s.p99_us < kFlatTargetP99_us;
          std::cout << fmt::format("| {} | {} | {} | {} | {} | {:.1f} | {:.1f} | {:.1f} | {:.1f} / {:.1f} | {:.1f} / {:.1f} "
                                   "| {:.1f} / {:.1f} | {:.2f} | {:.1f} | {} | {:.1f} |\n",
                                   setup, logs ? "on" : "off", cold ? "cold" : "hot", n, s.n, s.p50_us, s.p99_us,
                                   s.max_us, cpu.p50_us, cpu.p99_us, all.p50_us, all.p99_us, st.p50_us, st.p99_us, r.last_end_ms,
                                   r.peak_rss_mb, r.summary_bytes, r.run_s);
        }
      }
    }
  }
  std::cout << fmt::format("\npeak RSS: {}; epoch_end p99 < {:.0f} µs over the last 10 % of the longest run: {}\n",
                           rss_reset ? "VmHWM, reset before each run" : "VmHWM (could not be reset: the peak so far)",
                           kFlatTargetP99_us, met ? "met" : "MISSED");
  return met ? 0 : 3;
}

int run(const Options& o) {
  if (!o.epochs_list.empty()) return run_lengths(o);
  std::cout << fmt::format("epoch_start/epoch_end latency over {} epochs of a tracker run (epochs={}), simulated "
                           "epoch length {} s; steady_clock around each call, microseconds\n",
                           o.epochs, o.epochs, o.epoch_s);
  std::cout << "| setup | logs | cache | call | epochs | n | p50 µs | p99 µs | max µs | mean µs "
               "| on-CPU p50 / p99 / max µs | preempted | p99 < 50 µs |\n"
               "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  bool all_met = true;
  bool csv_header = true;
  std::vector<std::string> extra;
  for (int rep = 0; rep < o.repeat; ++rep) {
    for (const auto& setup : o.setups) {
      for (bool logs : o.logs) {
        for (bool cold : o.cold) {
          const RunResult r = run_tracker(o, setup, logs, cold);
          const std::string label = fmt::format("{}/{}/{}", setup, logs ? "logs" : "no-logs", cold ? "cold" : "hot");
          auto row = [&](const char* call, const char* range, const std::vector<double>& wall,
                         const std::vector<double>& cpu, bool judged) {
            const Stats s = stats_of(wall);
            const Stats c = stats_of(cpu);
            std::size_t preempted = 0;
            for (std::size_t i = 0; i < wall.size(); ++i) preempted += wall[i] - cpu[i] > kPreempted_us ? 1 : 0;
            const bool met = s.p99_us < kTargetP99_us;
            if (judged) all_met = all_met && met;
            std::cout << fmt::format(
                "| {} | {} | {} | {} | {} | {} | {:.1f} | {:.1f} | {:.1f} | {:.1f} "
                "| {:.1f} / {:.1f} / {:.1f} | {} | {} |\n",
                setup, logs ? "on" : "off", cold ? "cold" : "hot", call, range, s.n, s.p50_us, s.p99_us, s.max_us,
                s.mean_us, c.p50_us, c.p99_us, c.max_us, preempted, judged ? (met ? "met" : "MISSED") : "-");
          };
          for (const auto& b : buckets(o.epochs)) {
            row("epoch_end", b.name, slice(r.end_us, b), slice(r.end_cpu_us, b), true);
          }
          row("epoch_start", "all", r.start_us, r.start_cpu_us, false);
          int with_notes = 0;
          for (int n : r.notes) with_notes += n > 0 ? 1 : 0;
          extra.push_back(fmt::format("{}: channels {}; tracker construction {:.2f} ms; last epoch_end (final report, "
                                      "stop) {:.2f} ms; epochs with notes {}",
                                      label, r.channels, r.construct_ms, r.last_end_ms, with_notes));
          if (!o.csv.empty()) {
            write_csv(o.csv, fmt::format("{}#{}", label, rep + 1), r, csv_header);
            csv_header = false;
          }
        }
      }
    }
  }
  std::cout << '\n';
  for (const auto& line : extra) std::cout << line << '\n';
  if (o.refit_table) {
    std::cout << "\nPrediction refit alone (predict_robust + predict_paper after k epochs from an ObservedHistory, median of repeated "
                 "calls, hot cache):\n| k | refit µs |\n|---|---|\n";
    for (int k : {1, 2, 5, 10, 32, 64, 128, 129, 256, 999, 9999, 99999}) {
      if (k > o.epochs) break;
      std::cout << fmt::format("| {} | {:.1f} |\n", k, refit_us(k, o.epochs));
    }
  }
  std::cout << "\nepoch_end p99 < 50 µs: " << (all_met ? "met everywhere\n" : "MISSED somewhere\n");
  return all_met ? 0 : 3;
}

}  // namespace
}  // namespace carbontracker::bench

int main(int argc, char** argv) {
  try {
    return carbontracker::bench::run(carbontracker::bench::parse(argc, argv));
  } catch (const std::exception& e) {
    std::cerr << "epoch_latency: " << e.what() << "\n";
    return 1;
  }
}
