// What `carbontracker run` costs the command it measures: a fixed CPU-bound workload
// (spin_workload: a hash chain on one core, an "Epoch k/N" line every ~0.5 s) run bare and under
// `carbontracker run`, without and with --epoch-pattern, on the fixtures (intel-2socket sysfs
// tree + 8 fake NVML GPUs) and on this machine's own sensors ("host").
//
// Per run it records the workload's own wall and CPU time (measured inside it, main() to its
// last epoch line, so exec and exit are left out whoever started it), the end-to-end wall time
// of what was started (fork to wait4: carbontracker's start-up and final report included), and
// CPU time from wait4(), which covers carbontracker plus the workload it reaped; carbontracker's
// own CPU = that - the workload's own CPU - the same residual of a bare run (exec, loading, exit).
// Runs are interleaved (bare, tracked, ... rotated every round) so drift in the machine's load
// hits every mode alike; the overhead is the median over rounds of (tracked / bare of the same
// round - 1). Every round also runs each mode with a twentieth of the work: two run lengths
// split carbontracker's CPU into a fixed part (start-up, final report) and a steady one per
// second. Each tracked run's summary JSON is checked: the expected channels, and N epochs with
// the pattern (1 without).
//
// Usage: run_overhead [--seconds S (4)] [--epoch-s S (0.5)] [--rounds N (4)]
//                     [--setup fixtures|host|both] [--binary PATH] [--workload PATH]
//                     [--sysfs-root DIR] [--nvml-library SO] [--nvml-config FILE]
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bench_options.hpp"
#include "child_process.hpp"

namespace carbontracker::bench {
namespace {

constexpr double kTargetOverhead = 0.01;  // child wall time within 1 % of bare
constexpr const char* kPattern = "^Epoch \\d+";

struct Options {
  std::string binary = CARBONTRACKER_BENCH_BINARY;
  std::string workload = CARBONTRACKER_BENCH_WORKLOAD;
  std::string sysfs_root = CARBONTRACKER_BENCH_SYSFS_FIXTURE;
  std::string nvml_library = FAKE_NVML_LIBRARY;
  std::string nvml_config = CARBONTRACKER_BENCH_NVML_CONFIG;
  double seconds = 4;
  double epoch_s = 0.5;
  int rounds = 4;
  std::vector<std::string> setups{"fixtures", "host"};
};

Options parse(int argc, char** argv) {
  Options o;
  ArgReader args("run_overhead",
                 "usage: run_overhead [--seconds S (4)] [--epoch-s S (0.5)] [--rounds N (4)]\n"
                 "                    [--setup fixtures|host|both] [--binary PATH] [--workload PATH]\n"
                 "                    [--sysfs-root DIR] [--nvml-library SO] [--nvml-config FILE]\n",
                 argc, argv);
  while (args.next()) {
    const std::string& flag = args.flag();
    if (flag == "--seconds") {
      o.seconds = args.number();
    } else if (flag == "--epoch-s") {
      o.epoch_s = args.number();
    } else if (flag == "--rounds") {
      o.rounds = static_cast<int>(args.number());
    } else if (flag == "--setup") {
      o.setups = args.choice({"fixtures", "host"});
    } else if (flag == "--binary") {
      o.binary = args.value();
    } else if (flag == "--workload") {
      o.workload = args.value();
    } else if (flag == "--sysfs-root") {
      o.sysfs_root = args.value();
    } else if (flag == "--nvml-library") {
      o.nvml_library = args.value();
    } else if (flag == "--nvml-config") {
      o.nvml_config = args.value();
    } else {
      args.fail("unknown option " + flag);
    }
  }
  if (o.rounds < 1) args.fail("--rounds must be at least 1");
  return o;
}

struct Mode {
  std::string setup;  // "" for bare
  bool pattern = false;
  [[nodiscard]] bool tracked() const { return !setup.empty(); }
  [[nodiscard]] std::string name() const {
    return tracked() ? fmt::format("run, {}{}", setup, pattern ? ", --epoch-pattern" : "") : "bare";
  }
};

struct Sample {
  double child_wall_s = 0;  // inside the workload
  double child_cpu_s = 0;
  double outer_wall_s = 0;  // fork to wait4
  double total_cpu_s = 0;   // wait4: what was started + what it reaped
  [[nodiscard]] double residual_cpu_s() const { return total_cpu_s - child_cpu_s; }
};

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Workload {
  unsigned long long iterations = 0;
  unsigned long long epochs = 0;
};

// Checks a tracked run's summary: the channels the setup must give, and the epochs counted.
void check_summary(const std::filesystem::path& path, const Mode& m, const Workload& w) {
  const auto j = nlohmann::json::parse(read_file(path));
  const auto epochs = j.at("total").at("epochs").get<unsigned long long>();
  const auto expected = m.pattern ? w.epochs : 1ULL;
  if (epochs != expected) {
    throw std::runtime_error(fmt::format("[{}] the summary counts {} epochs, expected {}", m.name(), epochs, expected));
  }
  if (m.setup != "fixtures") return;
  std::map<std::string, int> counts;
  for (const char* component : {"cpu", "dram", "gpu", "psys"}) {
    for (const auto& d : j.at("components").at(component).at("devices")) {
      const auto source = d.at("source").get<std::string>();
      ++counts[fmt::format("{} {}/{}", component, source, d.at("method").get<std::string>())];
    }
  }
  const std::map<std::string, int> fixture{
      {"cpu powercap/counter", 2}, {"dram powercap/counter", 2}, {"gpu nvml/counter", 8}};
  if (counts != fixture) {
    throw std::runtime_error(fmt::format("[{}] the fixture setup should give 2 powercap cpu + 2 powercap dram + 8 nvml "
                                         "gpu counters; check --sysfs-root/--nvml-library/--nvml-config",
                                         m.name()));
  }
}

Sample run_once(const Options& o, const Mode& m, const Workload& w, const TempLogDir& dir, int devnull) {
  const auto result = dir.path() / "result.txt";
  const auto summary = dir.path() / "summary.json";
  std::filesystem::remove(result);
  std::filesystem::remove(summary);
  std::filesystem::remove_all(dir.path() / "logs");
  const std::vector<std::string> workload{o.workload, std::to_string(w.iterations), std::to_string(w.epochs),
                                          result.string()};
  std::vector<std::string> args;
  std::vector<std::string> env;
  if (!m.tracked()) {
    args = workload;
    env = clean_environment();
  } else {
    args = {o.binary,  "run", "--log-dir", (dir.path() / "logs").string(), "--summary-json", summary.string(),
            "--epochs", std::to_string(m.pattern ? w.epochs : 1ULL)};
    if (m.pattern) {
      args.emplace_back("--epoch-pattern");
      args.emplace_back(kPattern);
    }
    args.emplace_back("--");
    args.insert(args.end(), workload.begin(), workload.end());
    env = clean_environment(m.setup == "fixtures" ? fixture_settings(o.sysfs_root, o.nvml_library, o.nvml_config)
                                                  : std::vector<std::string>{});
  }
  const Usage u = run_child(args, env, devnull, devnull);
  Sample s;
  std::istringstream in(read_file(result));
  if (!(in >> s.child_wall_s >> s.child_cpu_s)) {
    throw std::runtime_error("unreadable workload result " + result.string());
  }
  s.outer_wall_s = u.wall_s;
  s.total_cpu_s = u.cpu_s();
  if (m.tracked()) check_summary(summary, m, w);
  return s;
}

double calibrate(const Options& o) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::tmpfile(), &std::fclose);
  if (!file) throw std::runtime_error("tmpfile failed");
  run_child({o.workload, "--calibrate", "1"}, clean_environment(), ::fileno(file.get()));
  std::rewind(file.get());
  double rate = 0;
  if (std::fscanf(file.get(), "%lf", &rate) != 1 || !(rate > 0)) throw std::runtime_error("calibration gave no rate");
  return rate;
}

// The machine's load: a measurement taken while other work competes for the CPUs says more
// about that work than about carbontracker.
std::string load_average() {
  double load[3] = {0, 0, 0};
  if (::getloadavg(load, 3) != 3) return "unknown";
  return fmt::format("{:.2f} {:.2f} {:.2f} (1, 5, 15 min) on {} CPUs", load[0], load[1], load[2],
                     ::sysconf(_SC_NPROCESSORS_ONLN));
}

double median(std::vector<double> v) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::pair<double, double> range(const std::vector<double>& v) {
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  return {*lo, *hi};
}

// carbontracker's own CPU in a tracked run: the run's CPU outside the workload, less a bare
// run's (the workload's exec, loading and exit), taken from the same kind of run.
std::vector<double> tracker_cpu_s(const std::vector<Sample>& tracked, const std::vector<Sample>& bare) {
  std::vector<double> bare_residual;
  for (const auto& s : bare) bare_residual.push_back(s.residual_cpu_s());
  std::vector<double> out;
  for (const auto& s : tracked) out.push_back(s.residual_cpu_s() - median(bare_residual));
  return out;
}

std::vector<double> child_wall_s(const std::vector<Sample>& samples) {
  std::vector<double> out;
  for (const auto& s : samples) out.push_back(s.child_wall_s);
  return out;
}

// Prints the table; true when every tracked mode meets the target.
bool report(const std::vector<Mode>& modes, const std::vector<std::vector<Sample>>& runs,
            const std::vector<std::vector<Sample>>& short_runs) {
  std::cout << "\n| mode | child wall s, median [min, max] | child wall vs bare, median of rounds [min, max] "
               "| child CPU s | child off-CPU ms | carbontracker CPU ms (% of child wall) "
               "| of which start + final report ms, steady ms/s | end-to-end wall s (vs bare) | target |\n"
               "|---|---|---|---|---|---|---|---|---|\n";
  bool all_met = true;
  for (std::size_t k = 0; k < modes.size(); ++k) {
    std::vector<double> cpu, off_cpu, outer, ratio, outer_ratio;
    for (std::size_t r = 0; r < runs[k].size(); ++r) {
      const Sample& s = runs[k][r];
      const Sample& bare = runs[0][r];
      cpu.push_back(s.child_cpu_s);
      off_cpu.push_back(s.child_wall_s - s.child_cpu_s);
      outer.push_back(s.outer_wall_s);
      ratio.push_back(s.child_wall_s / bare.child_wall_s - 1);
      outer_ratio.push_back(s.outer_wall_s / bare.outer_wall_s - 1);
    }
    const auto wall = child_wall_s(runs[k]);
    const auto [wall_lo, wall_hi] = range(wall);
    const auto [ratio_lo, ratio_hi] = range(ratio);
    std::string target = "-", vs_bare = "-", ct_cpu = "-", ct_split = "-";
    std::string outer_text = fmt::format("{:.3f}", median(outer));
    if (modes[k].tracked()) {
      const bool met = median(ratio) < kTargetOverhead;
      all_met = all_met && met;
      target = met ? "< 1 %: met" : "< 1 %: MISSED";
      vs_bare = fmt::format("{:+.2f} % [{:+.2f}, {:+.2f}]", 100 * median(ratio), 100 * ratio_lo, 100 * ratio_hi);
      const double long_cpu_s = median(tracker_cpu_s(runs[k], runs[0]));
      const double short_cpu_s = median(tracker_cpu_s(short_runs[k], short_runs[0]));
      const double short_wall_s = median(child_wall_s(short_runs[k]));
      // Two run lengths: CPU = fixed + steady x wall.
      const double steady = (long_cpu_s - short_cpu_s) / (median(wall) - short_wall_s);
      ct_cpu = fmt::format("{:.1f} ({:.3f} %)", 1e3 * long_cpu_s, 100 * long_cpu_s / median(wall));
      ct_split = fmt::format("{:.1f}, {:.2f}", 1e3 * (short_cpu_s - steady * short_wall_s), 1e3 * steady);
      outer_text += fmt::format(" ({:+.1f} %)", 100 * median(outer_ratio));
    }
    std::cout << fmt::format("| {} | {:.3f} [{:.3f}, {:.3f}] | {} | {:.3f} | {:.1f} | {} | {} | {} | {} |\n",
                             modes[k].name(), median(wall), wall_lo, wall_hi, vs_bare, median(cpu),
                             1e3 * median(off_cpu), ct_cpu, ct_split, outer_text, target);
  }
  std::vector<double> bare_residual;
  for (const auto& s : runs[0]) bare_residual.push_back(s.residual_cpu_s());
  std::cout << fmt::format("\nbare run's CPU outside the workload's main() (exec, loading, exit): {:.1f} ms, "
                           "subtracted from the tracked runs' CPU\n",
                           1e3 * median(bare_residual));
  return all_met;
}

int run(const Options& o) {
  const int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (devnull < 0) throw std::runtime_error("cannot open /dev/null");
  TempLogDir dir;

  const double rate = calibrate(o);
  Workload w;
  w.epochs = std::max(1ULL, static_cast<unsigned long long>(std::llround(o.seconds / o.epoch_s)));
  w.iterations = static_cast<unsigned long long>(rate * o.seconds) / w.epochs * w.epochs;
  // A twentieth of the work, same epochs: carbontracker's fixed costs (start-up, final report)
  // against its per-second ones.
  const Workload short_w{std::max(w.epochs, w.iterations / 20 / w.epochs * w.epochs), w.epochs};
  std::vector<Mode> modes{{}};
  for (const auto& setup : o.setups) {
    modes.push_back({setup, false});
    modes.push_back({setup, true});
  }
  std::cout << fmt::format(
      "carbontracker run overhead: {}\nworkload: {} ({} iterations, ~{} s, {} epochs of ~{} s; {:.3g} iterations/s)\n"
      "{} rounds of {} modes, interleaved, each with a {}-iteration run too; pattern '{}'\n",
      o.binary, o.workload, w.iterations, o.seconds, w.epochs, o.epoch_s, rate, o.rounds, modes.size(),
      short_w.iterations, kPattern);
  std::cout << "load average at start: " << load_average() << std::endl;

  // Warm-up (not counted): page cache, dynamic loader, and a check of every mode's summary.
  for (const auto& m : modes) (void)run_once(o, m, short_w, dir, devnull);

  std::vector<std::vector<Sample>> runs(modes.size()), short_runs(modes.size());
  for (int r = 0; r < o.rounds; ++r) {
    for (std::size_t i = 0; i < modes.size(); ++i) {
      const std::size_t k = (i + static_cast<std::size_t>(r)) % modes.size();
      runs[k].push_back(run_once(o, modes[k], w, dir, devnull));
      short_runs[k].push_back(run_once(o, modes[k], short_w, dir, devnull));
    }
    std::cerr << fmt::format("round {}/{} done\n", r + 1, o.rounds);
  }
  std::cout << "load average at end: " << load_average() << "\n";

  const bool all_met = report(modes, runs, short_runs);
  std::cout << "child wall time within 1 % of bare: " << (all_met ? "met\n" : "MISSED\n");
  ::close(devnull);
  return all_met ? 0 : 3;
}

}  // namespace
}  // namespace carbontracker::bench

int main(int argc, char** argv) {
  try {
    return carbontracker::bench::run(carbontracker::bench::parse(argc, argv));
  } catch (const std::exception& e) {
    std::cerr << "run_overhead: " << e.what() << "\n";
    return 1;
  }
}
