// What one sampling round costs, and how much of it is the sampler's own bookkeeping.
//
// Setup: the sensors carbontracker probes on a 2-socket Intel node with 8 GPUs, faked at the
// OS boundary: the intel-2socket sysfs fixture (4 counted powercap zones: 2 packages + 2 DRAM)
// and the fake libnvidia-ml with 8 counter GPUs (bench/fixtures/fake_nvml_8gpus.conf), both
// loaded through the product's own probe path.
//
//   raw_reads/*   the sensors' read() calls alone, no sampler
//   tick/*        Sampler::tick(): what the sampler thread does every interval
//   mark/*        Sampler::mark(): what epoch_start/epoch_end cost on the caller's thread
//   replay/*      the same over in-memory sensors with the same channels: bookkeeping alone
//
// After the run a summary prints tick - raw_reads (the bookkeeping) in ns and as a share of
// the round, and the replay figures, which measure the same thing without any I/O.
// Use --benchmark_out=FILE --benchmark_out_format=json for machine-readable results.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "fake_nvml_control.hpp"
#include "sampler/sampler.hpp"
#include "sensors/registry.hpp"

namespace carbontracker::bench {
namespace {

// A clock that moves one sampling interval per monotonic() call, so every tick() is due for a
// timeline point, as each tick of the sampler thread is. wait_until() only returns on stop, so
// the sampler thread that start() launches stays asleep and the benchmark thread alone ticks.
class SteppingClock final : public Clock {
 public:
  explicit SteppingClock(double step_s) : step_(from_seconds(step_s)) {}
  [[nodiscard]] MonoTime monotonic() const noexcept override {
    return MonoTime(now_ns_.fetch_add(step_.count(), std::memory_order_relaxed) + step_.count());
  }
  [[nodiscard]] std::chrono::system_clock::time_point wall() const noexcept override {
    return std::chrono::system_clock::now();
  }
  bool wait_until(MonoTime /*deadline*/, std::stop_token stop) noexcept override {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, stop, [] { return false; });
    return false;
  }

 private:
  MonoTime step_;
  mutable std::atomic<MonoTime::rep> now_ns_{0};
  std::mutex mutex_;
  std::condition_variable_any cv_;
};

// The fixture advertises a perf power PMU (type 27) that this machine does not have; on a
// machine where type 27 is some other PMU the real syscall could open it. Refusing perf keeps
// the benchmark on powercap everywhere.
class NoPerf final : public sensors::PerfEventApi {
 public:
  Result<int> open(std::uint32_t, std::uint64_t, int) noexcept override {
    return Status(StatusCode::not_found, "perf disabled in the benchmark");
  }
  Result<std::uint64_t> read(int) noexcept override { return Status(StatusCode::not_found, "perf disabled"); }
  void close(int) noexcept override {}
};

// The same channels as a real sensor, read from memory: each read advances every counter by a
// fixed step (so counter_delta does real work) and costs a few ns.
class ReplaySensor final : public Sensor {
 public:
  explicit ReplaySensor(Sensor& real) : channels_(real.channels()) {
    std::vector<Reading> first;
    first.reserve(channels_.size());
    (void)real.read(first);
    for (Reading r : first) {
      r.state = ReadingState::ok;
      readings_.push_back(r);
    }
  }
  [[nodiscard]] std::string_view name() const noexcept override { return "replay"; }
  [[nodiscard]] const std::vector<ChannelInfo>& channels() const noexcept override { return channels_; }
  Status read(std::vector<Reading>& out) noexcept override {
    for (Reading& r : readings_) {
      r.counter += 1000;
      out.push_back(r);
    }
    return Status::ok();
  }

 private:
  std::vector<ChannelInfo> channels_;
  std::vector<Reading> readings_;
};

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

enum class Which { all, powercap, nvml };

// Probes the fixture node. Holds the fake NVML's control handle for as long as the sensors
// live (declared first, destroyed last).
struct Node {
  testing::FakeNvml nvml;
  std::vector<std::unique_ptr<Sensor>> sensors;

  explicit Node(Which which) {
    nvml.load_config(read_text(CARBONTRACKER_BENCH_NVML_CONFIG));
    SensorContext ctx;
    ctx.sysfs_root = CARBONTRACKER_BENCH_SYSFS_FIXTURE;
    ctx.procfs_root = CARBONTRACKER_BENCH_PROCFS_FIXTURE;
    ctx.nvml_library = testing::FakeNvml::kFull;
    ctx.clock = &real_clock();
    ctx.getenv = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
    sensors::ProbeHooks hooks;
    hooks.perf = std::make_shared<NoPerf>();
    auto inventory = sensors::probe_all(ctx, hooks);
    std::size_t powercap = 0;
    std::size_t nvml_channels = 0;
    for (auto& s : inventory.sensors) {
      for (const auto& c : s->channels()) {
        if (c.source == "powercap" && c.method == Method::counter) ++powercap;
        if (c.source == "nvml" && c.method == Method::counter) ++nvml_channels;
      }
    }
    if (powercap != 4 || nvml_channels != 8 || inventory.sensors.size() != 2) {
      throw std::runtime_error(fmt::format("expected 4 powercap + 8 nvml counter channels in 2 sensors, probed {} + {} "
                                           "in {} sensors",
                                           powercap, nvml_channels, inventory.sensors.size()));
    }
    for (auto& s : inventory.sensors) {
      const bool keep = which == Which::all || (which == Which::powercap && s->name() == "powercap") ||
                        (which == Which::nvml && s->name() == "nvml");
      if (keep) sensors.push_back(std::move(s));
    }
    if (sensors.empty()) throw std::runtime_error("no sensor left after filtering by name");
  }

  std::vector<std::unique_ptr<Sensor>> replay() {
    std::vector<std::unique_ptr<Sensor>> out;
    for (auto& s : sensors) out.push_back(std::make_unique<ReplaySensor>(*s));
    return out;
  }
};

std::size_t channel_count(const std::vector<std::unique_ptr<Sensor>>& sensors) {
  std::size_t n = 0;
  for (const auto& s : sensors) n += s->channels().size();
  return n;
}

void raw_reads(benchmark::State& state, std::vector<std::unique_ptr<Sensor>>& sensors) {
  std::vector<std::vector<Reading>> out(sensors.size());
  for (std::size_t i = 0; i < sensors.size(); ++i) out[i].reserve(sensors[i]->channels().size());
  for (auto _ : state) {
    for (std::size_t i = 0; i < sensors.size(); ++i) {
      out[i].clear();
      benchmark::DoNotOptimize(sensors[i]->read(out[i]));
    }
    benchmark::ClobberMemory();
  }
  state.counters["channels"] = static_cast<double>(channel_count(sensors));
}

void run_raw_reads(benchmark::State& state, Which which) {
  try {
    Node node(which);
    raw_reads(state, node.sensors);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

// tick() or mark(), over the node's sensors or (replay) in-memory copies of their channels.
enum class Op { tick, mark };

void run_sampler(benchmark::State& state, Op op, bool replay) {
  try {
    Node node(Which::all);
    auto sensors = replay ? node.replay() : std::move(node.sensors);
    const std::size_t channels = channel_count(sensors);
    SteppingClock clock(1.0);
    Sampler sampler(std::move(sensors), clock, SamplerOptions{});
    if (auto st = sampler.start(); !st) {
      state.SkipWithError(st.to_string().c_str());
      return;
    }
    for (auto _ : state) {
      if (op == Op::tick) {
        sampler.tick();
      } else {
        benchmark::DoNotOptimize(sampler.mark());
      }
    }
    const auto snap = sampler.snapshot();
    for (const auto& c : snap.channels) {
      if (c.health.failed_reads != 0 || c.health.resets != 0) {
        state.SkipWithError("a channel failed during the benchmark: the figures would not be a normal round");
        return;
      }
    }
    state.counters["channels"] = static_cast<double>(channels);
    sampler.stop();
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

void run_replay_reads(benchmark::State& state) {
  try {
    Node node(Which::all);
    auto sensors = node.replay();
    raw_reads(state, sensors);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

constexpr const char* kNode = "4_powercap+8_nvml";

// Console output as usual, plus a summary of the derived figures once every run is in.
class SummaryReporter final : public benchmark::ConsoleReporter {
 public:
  explicit SummaryReporter(OutputOptions options) : ConsoleReporter(options) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& r : runs) {
      if (r.error_occurred) continue;
      // Adjusted times are in the run's unit; every benchmark here reports ns. With
      // --benchmark_report_aggregates_only only the aggregates arrive, so keep their median too.
      if (r.run_type == Run::RT_Iteration) {
        cpu_ns_[r.run_name.function_name].push_back(r.GetAdjustedCPUTime());
      } else if (r.aggregate_name == "median") {
        median_ns_[r.run_name.function_name] = r.GetAdjustedCPUTime();
      }
    }
  }

  void print_summary(std::ostream& os) const {
    auto median = [&](const std::string& name) -> double {
      if (auto m = median_ns_.find(name); m != median_ns_.end()) return m->second;
      auto it = cpu_ns_.find(name);
      if (it == cpu_ns_.end() || it->second.empty()) return -1;
      auto v = it->second;
      std::sort(v.begin(), v.end());
      return v[v.size() / 2];
    };
    const std::string node = kNode;
    const double reads = median("raw_reads/" + node);
    const double tick = median("tick/" + node);
    const double mark = median("mark/" + node);
    const double replay_reads = median("replay/raw_reads");
    const double replay_tick = median("replay/tick");
    const double replay_mark = median("replay/mark");
    os << "\nSummary (CPU time, median of repetitions; " << node << "):\n";
    auto line = [&](const char* what, double total, double io) {
      if (total < 0 || io < 0) {
        os << fmt::format("  {:<34} not run (filtered out or failed)\n", what);
        return;
      }
      const double book = total - io;
      os << fmt::format("  {:<34} {:8.0f} ns round, {:8.0f} ns reads, {:7.0f} ns bookkeeping = {:5.1f} % {}\n",
                        what, total, io, book, 100.0 * book / total,
                        100.0 * book / total < 10.0 ? "(target < 10 %: met)" : "(target < 10 %: missed)");
    };
    line("tick (sensor reads + bookkeeping)", tick, reads);
    line("mark (sensor reads + bookkeeping)", mark, reads);
    auto replay_line = [&](const char* what, double total) {
      if (total < 0 || replay_reads < 0) return;
      os << fmt::format("  {:<34} {:8.0f} ns round, {:8.0f} ns reads, {:7.0f} ns bookkeeping (no I/O)\n", what, total,
                        replay_reads, total - replay_reads);
    };
    replay_line("replay tick (in-memory sensors)", replay_tick);
    replay_line("replay mark (in-memory sensors)", replay_mark);
    os << "  The fixture reads (page-cache file, in-process fake NVML) are far cheaper than real sysfs\n"
          "  and NVML calls, so the share is pessimistic: compare the absolute ns with real read costs\n"
          "  (docs/performance.md).\n";
  }

 private:
  std::map<std::string, std::vector<double>> cpu_ns_;
  std::map<std::string, double> median_ns_;
};

void register_all() {
  const std::string node = kNode;
  auto reg = [](const std::string& name, auto fn) {
    benchmark::RegisterBenchmark(name.c_str(), fn)->Unit(benchmark::kNanosecond);
  };
  reg("raw_reads/" + node, [](benchmark::State& s) { run_raw_reads(s, Which::all); });
  reg("raw_reads/powercap_4_zones", [](benchmark::State& s) { run_raw_reads(s, Which::powercap); });
  reg("raw_reads/nvml_8_gpus", [](benchmark::State& s) { run_raw_reads(s, Which::nvml); });
  reg("tick/" + node, [](benchmark::State& s) { run_sampler(s, Op::tick, false); });
  reg("mark/" + node, [](benchmark::State& s) { run_sampler(s, Op::mark, false); });
  reg("replay/raw_reads", [](benchmark::State& s) { run_replay_reads(s); });
  reg("replay/tick", [](benchmark::State& s) { run_sampler(s, Op::tick, true); });
  reg("replay/mark", [](benchmark::State& s) { run_sampler(s, Op::mark, true); });
}

}  // namespace
}  // namespace carbontracker::bench

int main(int argc, char** argv) {
  // A custom display reporter bypasses --benchmark_color, so honour it here (before Initialize
  // consumes it): auto (the default) colours a terminal only.
  bool color = ::isatty(STDOUT_FILENO) != 0;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--benchmark_color=false" || a == "--benchmark_color=no" || a == "--benchmark_color=0") color = false;
    if (a == "--benchmark_color=true" || a == "--benchmark_color=yes" || a == "--benchmark_color=1") color = true;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  carbontracker::bench::register_all();
  carbontracker::bench::SummaryReporter reporter(color ? benchmark::ConsoleReporter::OO_Color
                                                       : benchmark::ConsoleReporter::OO_None);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_summary(std::cout);
  benchmark::Shutdown();
  return 0;
}
