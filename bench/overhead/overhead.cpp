// Whole-process overhead against the physical floor (issue 7, part 2): one fixed CPU workload
// run bare, with the raw counter reads alone (the floor), under the C++ tracker facade, under
// `carbontracker run`, and under the Python module, at each sampling interval (1 Hz and 10 Hz by
// default), on the fixture node (intel-2socket powercap + 8 fake NVML GPUs) or the host.
//
// Each run is a fresh process (fork + execve; CPU and peak RSS from wait4()). The workloads
// (workload.cpp, workload.py) report their own wall time, the CPU of the main thread inside and
// outside the tracker calls, and the CPU of every other thread (the sampler, or the floor's
// reader). From those:
//   steady tracker CPU   = CPU of the threads that are not the training thread, per monitored
//                          minute (api, python, floor); for `run`, carbontracker's own process
//                          CPU (wait4 total - the workload's own - a bare run's residual) minus
//                          its start-up/shut-down cost (a run of zero work), per minute
//   start-up CPU          = Tracker construction (C++), import + construction (Python), the
//                          zero-work run (`run`)
//   peak RSS added        = peak RSS tracked - peak RSS bare (same language); for `run`, the
//                          peak RSS wait4 reports for carbontracker and its child (the larger
//                          of the two: carbontracker's own)
//   ratio                 = steady tracker CPU / steady floor CPU at the same interval
//   wall                  = the work's wall time vs the bare run of the same round
// Modes are interleaved within each round, so drift in the machine's load hits all of them;
// figures are medians over rounds.
//
// Usage: overhead [--seconds S (20)] [--rounds N (3)] [--intervals 1,0.1] [--epochs N (10)]
//                 [--setup fixtures|host] [--no-python] [--python EXE] [--pythonpath DIR]
// Exit: 0 every target met, 3 one missed (see docs/performance.md section 6), 1 error.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "../bench_options.hpp"
#include "../child_process.hpp"

namespace carbontracker::bench {
namespace {

constexpr double kTargetSteadyMsPerMin = 1.0;  // at 1 Hz
constexpr double kTargetStartupMs = 10.0;
constexpr double kTargetRssMib = 5.0;

struct Options {
  std::string binary = CARBONTRACKER_BENCH_BINARY;
  std::string workload = CARBONTRACKER_BENCH_WORKLOAD;
  std::string workload_py = CARBONTRACKER_BENCH_WORKLOAD_PY;
  std::string sysfs_root = CARBONTRACKER_BENCH_SYSFS_FIXTURE;
  std::string nvml_library = FAKE_NVML_LIBRARY;
  std::string nvml_config = CARBONTRACKER_BENCH_NVML_CONFIG;
  std::string python = "/usr/bin/python3";
  std::string pythonpath = CARBONTRACKER_BENCH_PYTHONPATH;
  bool with_python = !std::string(CARBONTRACKER_BENCH_PYTHONPATH).empty();
  double seconds = 20;
  int rounds = 3;
  int epochs = 10;
  std::vector<double> intervals{1.0, 0.1};
  std::string setup = "fixtures";
};

Options parse(int argc, char** argv) {
  Options o;
  const char* usage =
      "usage: overhead [--seconds S (20)] [--rounds N (3)] [--intervals 1,0.1] [--epochs N (10)]\n"
      "                [--setup fixtures|host] [--no-python] [--python EXE] [--pythonpath DIR]\n";
  ArgReader args("overhead", usage, argc, argv);
  while (args.next()) {
    const std::string& flag = args.flag();
    if (flag == "--seconds") o.seconds = args.number();
    else if (flag == "--rounds") o.rounds = static_cast<int>(args.number());
    else if (flag == "--epochs") o.epochs = static_cast<int>(args.number());
    else if (flag == "--intervals") o.intervals = args.numbers();
    else if (flag == "--setup") o.setup = args.choice({"fixtures", "host"}).at(0);
    else if (flag == "--no-python") o.with_python = false;
    else if (flag == "--python") o.python = args.value();
    else if (flag == "--pythonpath") { o.pythonpath = args.value(); o.with_python = true; }
    else args.fail("unknown flag " + flag);
  }
  return o;
}

struct Run {
  Usage usage;
  nlohmann::json result;
};

class Bench {
 public:
  explicit Bench(Options o) : o_(std::move(o)) {
    null_fd_ = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null_fd_ < 0) throw std::runtime_error("cannot open /dev/null");
    std::vector<std::string> extra;
    if (o_.setup == "fixtures") extra = fixture_settings(o_.sysfs_root, o_.nvml_library, o_.nvml_config);
    if (o_.with_python) extra.push_back("PYTHONPATH=" + o_.pythonpath);
    env_ = clean_environment(extra);
  }
  ~Bench() { ::close(null_fd_); }

  std::uint64_t calibrate(const std::vector<std::string>& argv_prefix) {
    TempLogDir dir;
    const auto out = dir.path() / "rate";
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    auto args = argv_prefix;
    args.insert(args.end(), {"--calibrate", "2"});
    run_child(args, env_, fd);
    ::close(fd);
    std::ifstream in(out);
    double rate = 0;
    in >> rate;
    if (!(rate > 0)) throw std::runtime_error("calibration of " + argv_prefix.back() + " printed no rate");
    return static_cast<std::uint64_t>(rate);
  }

  // mode: bare, floor, api (C++), python-bare, python-api, run; iterations 0 = zero work.
  Run run(const std::string& mode, std::uint64_t iterations, double interval_s) {
    TempLogDir dir;
    const auto result = (dir.path() / "result.json").string();
    const auto logs = (dir.path() / "logs").string();
    const std::string iters = std::to_string(iterations), epochs = std::to_string(o_.epochs),
                      interval = fmt::format("{}", interval_s);
    std::vector<std::string> args;
    if (mode == "bare" || mode == "floor" || mode == "api") {
      args = {o_.workload, mode, iters, epochs, interval, result};
      if (mode == "api") args.push_back(logs);
    } else if (mode == "python-bare" || mode == "python-api") {
      args = {o_.python, o_.workload_py, mode.substr(7), iters, epochs, interval, result};
      if (mode == "python-api") args.push_back(logs);
    } else if (mode == "run") {
      args = {o_.binary, "run", "--epochs", epochs, "--update-interval", interval, "--log-dir", logs,
              "--epoch-pattern", "^Epoch \\d+/", "--verbose", "0", "--", o_.workload, "bare", iters, epochs,
              interval, result};
    } else {
      throw std::logic_error("unknown mode " + mode);
    }
    Run r;
    r.usage = run_child(args, env_, null_fd_, null_fd_);
    std::ifstream in(result);
    if (!in) throw std::runtime_error(mode + " wrote no result file");
    r.result = nlohmann::json::parse(in);
    return r;
  }

  const Options& options() const { return o_; }

 private:
  Options o_;
  int null_fd_ = -1;
  std::vector<std::string> env_;
};

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct Row {
  std::vector<double> steady_ms_per_min, startup_ms, rss_added_mib, wall_vs_bare_pct, calls_us_per_epoch;
  std::optional<double> channels;  // counter channels the tracked process reported; none for `run`
};

}  // namespace
}  // namespace carbontracker::bench

int main(int argc, char** argv) try {
  using namespace carbontracker::bench;
  Bench bench(parse(argc, argv));
  const auto& o = bench.options();
  const std::uint64_t cpp_iters = static_cast<std::uint64_t>(static_cast<double>(bench.calibrate({o.workload})) * o.seconds);
  std::uint64_t py_iters = 0;
  if (o.with_python) {
    py_iters = static_cast<std::uint64_t>(static_cast<double>(bench.calibrate({o.python, o.workload_py})) * o.seconds);
  }
  std::fprintf(stderr, "overhead: %s setup, %.0f s of work per run, %d rounds, %d epochs\n", o.setup.c_str(), o.seconds,
               o.rounds, o.epochs);

  // (mode, interval) -> figures; bare runs once per round and language.
  std::map<std::pair<std::string, double>, Row> rows;
  std::vector<double> bare_residual_s, bare_wall_spread;
  for (int round = 0; round < o.rounds; ++round) {
    const Run bare = bench.run("bare", cpp_iters, 1);
    const double bare_wall = bare.result["wall_s"].get<double>();
    const double residual = bare.usage.cpu_s() - bare.result["main_cpu_s"].get<double>();
    bare_residual_s.push_back(residual);
    bare_wall_spread.push_back(bare_wall);
    std::optional<Run> py_bare;
    if (o.with_python) py_bare = bench.run("python-bare", py_iters, 1);
    for (double interval : o.intervals) {
      // The zero-work run gives `run`'s start-up + final report, removed from its steady figure.
      const Run run0 = bench.run("run", 0, interval);
      const double run0_cpu = run0.usage.cpu_s() - run0.result["main_cpu_s"].get<double>() - residual;
      std::vector<std::string> modes{"floor", "api", "run"};
      if (o.with_python) modes.emplace_back("python-api");
      std::rotate(modes.begin(), modes.begin() + (round % static_cast<int>(modes.size())), modes.end());
      for (const auto& mode : modes) {
        const bool py = mode.starts_with("python");
        const Run r = bench.run(mode, py ? py_iters : cpp_iters, interval);
        const Run& base = py ? *py_bare : bare;
        const double wall = r.result["wall_s"].get<double>();
        const double minutes = wall / 60.0;
        Row& row = rows[{mode, interval}];
        row.wall_vs_bare_pct.push_back(100.0 * (wall / base.result["wall_s"].get<double>() - 1.0));
        if (mode == "run") {
          const double tracker_cpu = r.usage.cpu_s() - r.result["main_cpu_s"].get<double>() - residual;
          row.steady_ms_per_min.push_back(1e3 * (tracker_cpu - run0_cpu) / minutes);
          row.startup_ms.push_back(1e3 * run0_cpu);
          row.rss_added_mib.push_back(static_cast<double>(r.usage.maxrss_kib) / 1024.0);
        } else {
          row.steady_ms_per_min.push_back(1e3 * r.result["other_threads_cpu_s"].get<double>() / minutes);
          row.rss_added_mib.push_back(static_cast<double>(r.usage.maxrss_kib - base.usage.maxrss_kib) / 1024.0);
          if (r.result.contains("construct_cpu_s")) {
            row.startup_ms.push_back(1e3 * (r.result["construct_cpu_s"].get<double>() +
                                            r.result.value("import_cpu_s", 0.0)));
            row.calls_us_per_epoch.push_back(1e6 * (r.result["calls_cpu_s"].get<double>() -
                                                    r.result["construct_cpu_s"].get<double>() -
                                                    r.result.value("import_cpu_s", 0.0)) /
                                             o.epochs);
          }
        }
        if (r.result.contains("channels")) row.channels = r.result["channels"].get<double>();
      }
    }
    std::fprintf(stderr, "  round %d/%d done\n", round + 1, o.rounds);
  }

  const auto [lo, hi] = std::minmax_element(bare_wall_spread.begin(), bare_wall_spread.end());
  std::printf("Bare workload: %.2f-%.2f s wall over %d rounds (spread %.1f %%); exec/exit residual %.1f ms CPU\n\n",
              *lo, *hi, o.rounds, 100.0 * (*hi / *lo - 1.0), 1e3 * median(bare_residual_s));
  std::printf("| mode | interval | counters | steady CPU, ms per monitored min | x floor | start-up CPU, ms | "
              "calls, µs CPU per epoch | peak RSS added, MiB | work wall vs bare, %% |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|\n");
  bool met = true;
  for (double interval : o.intervals) {
    const double floor = median(rows[{"floor", interval}].steady_ms_per_min);
    for (const char* mode : {"floor", "api", "run", "python-api"}) {
      auto it = rows.find({mode, interval});
      if (it == rows.end()) continue;
      const Row& row = it->second;
      const double steady = median(row.steady_ms_per_min);
      const bool tracker = std::string(mode) != "floor";
      std::string startup = row.startup_ms.empty() ? "-" : fmt::format("{:.2f}", median(row.startup_ms));
      std::string calls = row.calls_us_per_epoch.empty() ? "-" : fmt::format("{:.1f}", median(row.calls_us_per_epoch));
      std::string rss = std::string(mode) == "run" ? fmt::format("{:.1f} (own process)", median(row.rss_added_mib))
                                                   : fmt::format("{:.2f}", median(row.rss_added_mib));
      const std::string counters = row.channels ? fmt::format("{:.0f}", *row.channels) : "-";
      std::printf("| %s | %g s | %s | %.3f | %s | %s | %s | %s | %+.2f |\n", mode, interval, counters.c_str(), steady,
                  tracker ? fmt::format("{:.2f}", floor > 0 ? steady / floor : 0.0).c_str() : "1", startup.c_str(),
                  calls.c_str(), rss.c_str(), median(row.wall_vs_bare_pct));
      if (!tracker) continue;
      if (interval == 1.0 && steady >= kTargetSteadyMsPerMin) met = false;
      if (!row.startup_ms.empty() && median(row.startup_ms) >= kTargetStartupMs) met = false;
      if (std::string(mode) != "run" && median(row.rss_added_mib) >= kTargetRssMib) met = false;
    }
  }
  std::printf("\nTargets: steady < %.0f ms per monitored minute at 1 Hz, start-up < %.0f ms CPU, peak RSS added < %.0f MiB: %s\n",
              kTargetSteadyMsPerMin, kTargetStartupMs, kTargetRssMib, met ? "met" : "NOT all met");
  return met ? 0 : 3;
} catch (const std::exception& e) {
  std::fprintf(stderr, "overhead: %s\n", e.what());
  return 1;
}
