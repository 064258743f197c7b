// CPU time and peak memory of the real `carbontracker monitor`, run as a child process.
//
// For each setup (fixtures: the intel-2socket sysfs tree + 8 fake NVML GPUs; host: whatever
// this machine has) it runs `monitor --duration ~0` a few times (start-up, probe, shutdown),
// then `monitor --interval I --duration D` for each interval, and takes CPU time
// (ru_utime + ru_stime) and peak RSS (ru_maxrss) from wait4(). Steady-state CPU is the run's
// CPU time minus the median near-zero run's, over the D seconds in between; it is printed as
// a percentage of one core. The monitor's rows go to /dev/null.
//
// Usage: monitor_overhead [--duration S] [--intervals 1,0.1] [--setup fixtures|host|both]
//                         [--baseline-runs N] [--repeat N] [--binary PATH]
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "child_process.hpp"

namespace {

using carbontracker::bench::run_child;
using carbontracker::bench::Usage;
using carbontracker::bench::usage_of;

constexpr double kNearZeroDuration_s = 0.001;

struct Options {
  std::string binary = CARBONTRACKER_BENCH_BINARY;
  std::string sysfs_root = CARBONTRACKER_BENCH_SYSFS_FIXTURE;
  std::string nvml_library = FAKE_NVML_LIBRARY;
  std::string nvml_config = CARBONTRACKER_BENCH_NVML_CONFIG;
  double duration_s = 30;
  std::vector<double> intervals_s{1.0, 0.1};
  std::vector<std::string> setups{"fixtures", "host"};
  int baseline_runs = 5;
  int repeat = 1;
};

[[noreturn]] void usage_error(const std::string& what) {
  if (!what.empty()) std::cerr << "monitor_overhead: " << what << "\n";
  (what.empty() ? std::cout : std::cerr)
            << "usage: monitor_overhead [--duration S (30)] [--intervals 1,0.1] [--setup fixtures|host|both]\n"
            << "                        [--baseline-runs N (5)] [--repeat N (1)] [--binary PATH]\n"
            << "                        [--sysfs-root DIR] [--nvml-library SO] [--nvml-config FILE]\n";
  std::exit(what.empty() ? 0 : 2);
}

double parse_number(const std::string& flag, const std::string& text) {
  try {
    std::size_t used = 0;
    const double v = std::stod(text, &used);
    if (used != text.size() || !(v > 0)) throw std::invalid_argument(text);
    return v;
  } catch (const std::exception&) {
    usage_error(flag + " needs a positive number, got '" + text + "'");
  }
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "-h" || flag == "--help") usage_error("");
    if (i + 1 >= argc) usage_error(flag + " needs a value");
    const std::string value = argv[++i];
    if (flag == "--duration") {
      o.duration_s = parse_number(flag, value);
    } else if (flag == "--intervals") {
      o.intervals_s.clear();
      std::size_t start = 0;
      while (start <= value.size()) {
        const auto comma = value.find(',', start);
        const auto item = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!item.empty()) o.intervals_s.push_back(parse_number(flag, item));
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      if (o.intervals_s.empty()) usage_error("--intervals is empty");
    } else if (flag == "--setup") {
      if (value == "both") {
        o.setups = {"fixtures", "host"};
      } else if (value == "fixtures" || value == "host") {
        o.setups = {value};
      } else {
        usage_error("--setup must be fixtures, host or both");
      }
    } else if (flag == "--baseline-runs") {
      o.baseline_runs = static_cast<int>(parse_number(flag, value));
    } else if (flag == "--repeat") {
      o.repeat = static_cast<int>(parse_number(flag, value));
    } else if (flag == "--binary") {
      o.binary = value;
    } else if (flag == "--sysfs-root") {
      o.sysfs_root = value;
    } else if (flag == "--nvml-library") {
      o.nvml_library = value;
    } else if (flag == "--nvml-config") {
      o.nvml_config = value;
    } else {
      usage_error("unknown option " + flag);
    }
  }
  return o;
}

// The child's environment: ours without anything that would change what carbontracker probes,
// plus the setup's variables.
std::vector<std::string> child_environment(const Options& o, const std::string& setup) {
  using namespace carbontracker::bench;
  return clean_environment(setup == "fixtures" ? fixture_settings(o.sysfs_root, o.nvml_library, o.nvml_config)
                                               : std::vector<std::string>{});
}

// What merely waking up at `interval_s` costs on this machine: a forked child that sleeps to
// absolute deadlines (one wake-up per interval, as the monitor's main thread does) and nothing
// else. On a VM the timer and scheduler work behind a wake-up is a large part of the monitor's
// own cost, so this floor puts the monitor's figure in context.
Usage wakeup_floor(double interval_s, double duration_s) {
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    timespec next{};
    ::clock_gettime(CLOCK_MONOTONIC, &next);
    const auto step_ns = static_cast<long long>(interval_s * 1e9);
    const auto n = static_cast<long long>(duration_s / interval_s);
    for (long long i = 0; i < n; ++i) {
      long long ns = next.tv_nsec + step_ns;
      next.tv_sec += static_cast<time_t>(ns / 1000000000LL);
      next.tv_nsec = static_cast<long>(ns % 1000000000LL);
      while (::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr) == EINTR) {
      }
    }
    ::_exit(0);
  }
  int status = 0;
  rusage ru{};
  while (::wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
  }
  const auto t1 = std::chrono::steady_clock::now();
  return usage_of(ru, t1 - t0);
}

std::vector<std::string> monitor_args(const Options& o, double interval_s, double duration_s, bool json) {
  std::vector<std::string> a{o.binary, "monitor", "--interval", fmt::format("{}", interval_s), "--duration",
                             fmt::format("{}", duration_s)};
  if (json) a.emplace_back("--json");
  return a;
}

// Runs a near-zero monitor with --json and counts its channels by "source/method component".
std::map<std::string, int> probe_channels(const Options& o, const std::vector<std::string>& env) {
  // A temporary file, not a pipe: the child can write any amount without waiting for us.
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::tmpfile(), &std::fclose);
  if (!file) throw std::runtime_error(std::string("tmpfile: ") + std::strerror(errno));
  run_child(monitor_args(o, 1.0, kNearZeroDuration_s, true), env, ::fileno(file.get()));
  std::rewind(file.get());
  std::string out;
  char buf[4096];
  for (std::size_t n = 0; (n = std::fread(buf, 1, sizeof buf, file.get())) > 0;) out.append(buf, n);
  const auto first = out.substr(0, out.find('\n'));
  std::map<std::string, int> counts;
  const auto j = nlohmann::json::parse(first);
  for (const auto& c : j.at("channels")) {
    ++counts[c.at("source").get<std::string>() + "/" + c.at("method").get<std::string>() + " " +
             c.at("component").get<std::string>()];
  }
  return counts;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

std::optional<double> cpu_target_pct(double interval_s) {
  if (interval_s == 1.0) return 0.1;
  if (interval_s == 0.1) return 1.0;
  return std::nullopt;
}

constexpr double kRssTarget_mb = 10.0;  // MB = 10^6 bytes

double kib_to_mb(long kib) { return static_cast<double>(kib) * 1024.0 / 1e6; }

bool fixture_channels_ok(const std::map<std::string, int>& channels) {
  const std::map<std::string, int> expected{
      {"powercap/counter cpu", 2}, {"powercap/counter dram", 2}, {"nvml/counter gpu", 8}};
  return channels == expected;
}

int run(const Options& o) {
  const int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (devnull < 0) throw std::runtime_error("cannot open /dev/null");
  rusage self{};
  ::getrusage(RUSAGE_SELF, &self);
  std::cout << fmt::format("carbontracker monitor overhead: {}\nper run {} s; near-zero runs: {}; runner's own peak "
                           "RSS {:.1f} MB\n",
                           o.binary, o.duration_s, o.baseline_runs, kib_to_mb(self.ru_maxrss));

  std::map<double, double> floor_ms_per_s;
  const double floor_duration_s = std::min(o.duration_s, 10.0);
  for (double interval_s : o.intervals_s) {
    const Usage u = wakeup_floor(interval_s, floor_duration_s);
    floor_ms_per_s[interval_s] = u.cpu_s() * 1e3 / floor_duration_s;
    std::cout << fmt::format("wake-up floor at {} s: {:.3f} ms CPU per s (a process that only sleeps and wakes)\n",
                             interval_s, floor_ms_per_s[interval_s]);
  }

  bool all_met = true;
  for (const auto& setup : o.setups) {
    const auto env = child_environment(o, setup);
    const auto channels = probe_channels(o, env);
    std::cout << fmt::format("\n[{}] channels:", setup);
    for (const auto& [what, n] : channels) std::cout << fmt::format(" {} x{};", what, n);
    std::cout << "\n";
    if (setup == "fixtures" && !fixture_channels_ok(channels)) {
      std::cerr << "monitor_overhead: the fixture setup should give 2 powercap cpu + 2 powercap dram + 8 nvml gpu "
                   "counters; check --sysfs-root/--nvml-library/--nvml-config (a perf power PMU with the "
                   "fixture's type number on this machine would also take over the CPU)\n";
      return 1;
    }
    std::vector<double> base_cpu;
    std::vector<double> base_wall;
    long base_rss = 0;
    for (int i = 0; i < o.baseline_runs; ++i) {
      const Usage u = run_child(monitor_args(o, 1.0, kNearZeroDuration_s, false), env, devnull);
      base_cpu.push_back(u.cpu_s());
      base_wall.push_back(u.wall_s);
      base_rss = std::max(base_rss, u.maxrss_kib);
    }
    const double base_cpu_s = median(base_cpu);
    std::cout << fmt::format("[{}] near-zero run: CPU {:.1f} ms (median), wall {:.1f} ms, peak RSS {:.1f} MB\n", setup,
                             base_cpu_s * 1e3, median(base_wall) * 1e3, kib_to_mb(base_rss));
    std::cout << "| setup | interval | run s | CPU ms | steady CPU ms/s | % of one core | target "
                 "| wake-up floor ms/s | peak RSS MB |\n"
                 "|---|---|---|---|---|---|---|---|---|\n";
    for (double interval_s : o.intervals_s) {
      for (int r = 0; r < o.repeat; ++r) {
        const Usage u = run_child(monitor_args(o, interval_s, o.duration_s, false), env, devnull);
        const double steady_s = o.duration_s - kNearZeroDuration_s;
        const double steady_cpu_s = u.cpu_s() - base_cpu_s;
        const double pct = 100.0 * steady_cpu_s / steady_s;
        const auto target = cpu_target_pct(interval_s);
        const bool cpu_ok = !target || pct < *target;
        const bool rss_ok = kib_to_mb(u.maxrss_kib) < kRssTarget_mb;
        all_met = all_met && cpu_ok && rss_ok;
        std::cout << fmt::format(
            "| {} | {} s | {:.1f} | {:.1f} | {:.3f} | {:.4f} % | {} | {:.3f} | {:.1f}{} |\n", setup, interval_s,
            u.wall_s, u.cpu_s() * 1e3, steady_cpu_s * 1e3 / steady_s, pct,
            target ? fmt::format("< {} % {}", *target, cpu_ok ? "met" : "MISSED") : "-", floor_ms_per_s[interval_s],
            kib_to_mb(u.maxrss_kib), rss_ok ? "" : " (over 10 MB)");
      }
    }
  }
  std::cout << (all_met ? "\nall targets met\n" : "\nsome targets MISSED\n");
  ::close(devnull);
  return all_met ? 0 : 3;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse(argc, argv));
  } catch (const std::exception& e) {
    std::cerr << "monitor_overhead: " << e.what() << "\n";
    return 1;
  }
}
