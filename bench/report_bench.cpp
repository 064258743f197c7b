// How long `carbontracker report` takes to read a large log directory: N runs (default 10,000)
// written as Python carbontracker v2.x log pairs (standard + output log, a few epochs each, 1 GPU
// + cpu:0/dram:0, a prediction and an actual block) into one temporary directory, then
//   read_logs(dir)                                 (find, group by stem, read, parse)
//   python_compat::aggregate_consumption(dir)      (the same, plus the per-run basis and totals)
// each timed `--rounds` times (default 3) with std::chrono::steady_clock; the median is printed.
// The first round runs with the files just written, so the page cache is warm for all rounds:
// this measures the reader, not the disk.
//
// Usage: report_bench [--runs N (10000)] [--epochs E (5)] [--rounds R (3)]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench_options.hpp"
#include "report/log_reader.hpp"
#include "report/python_compat.hpp"

namespace {

using carbontracker::bench::ArgReader;
using carbontracker::bench::TempLogDir;

std::string hms(double s) {
  const long r = std::lround(s);
  return fmt::format("{}:{:02d}:{:02d}", r / 3600, (r % 3600) / 60, r % 60);
}

std::string block(const char* desc, double t, double kwh, double g) {
  return fmt::format("\n{}\n\tTime:\t{}\n\tEnergy:\t{:.12f} kWh\n\tCO2eq:\t{:.12f} g\n\tThis is equivalent to:\n"
                     "\t{:.12f} km travelled by car\n",
                     desc, hms(t), kwh, g, g / 106.8);
}

// One Python v2.4.3-style run: ~1 kB standard log, ~0.8 kB output log.
void write_run(const std::filesystem::path& dir, int i, int epochs) {
  const std::string stem = fmt::format("{}.{}_2025-11-18T155354Z", 10000 + i, 100000 + i);
  const std::string ts = "2025-11-18 15:53:54";
  std::string std_log = fmt::format(
      "{0} - carbontracker version 2.4.3\n"
      "{0} - Only predicted and actual consumptions are multiplied by a PUE coefficient of 1.58 (Daniel Bizo, 2023, "
      "Uptime Institute Global Data Center Survey).\n"
      "{0} - The following components were found: GPU with device(s) NVIDIA A100-SXM4-40GB. CPU with device(s) "
      "cpu:0, dram:0.\n"
      "{0} - Monitoring thread started.\n",
      ts);
  double kwh = 0, t = 0, first_kwh = 0, first_t = 0;
  for (int e = 1; e <= epochs; ++e) {
    const double dur = 30.0 + (i + e) % 7, gpu = 250.0 + (i * 7 + e) % 13, cpu = 23.0 + (i + e * 3) % 5;
    std_log += fmt::format("{0} - Epoch {1}:\n{0} - Duration: 0:00:{2:05.2f}\n"
                           "{0} - Average power usage (W) for gpu: {3}\n{0} - Average power usage (W) for cpu: {4}\n",
                           ts, e, dur, gpu, cpu);
    const double ekwh = (gpu + cpu) * dur / 3.6e6 * 1.58;
    kwh += ekwh;
    t += dur;
    if (e == 1) first_kwh = ekwh, first_t = dur;
  }
  std_log += fmt::format("{0} - Average carbon intensity during training was 143.30 gCO2eq/kWh. \n"
                         "{0} - Monitoring thread ended.\n",
                         ts);
  std::string out_log = fmt::format(
      "{0} - CarbonTracker: The following components were found: GPU with device(s) NVIDIA A100-SXM4-40GB. CPU with "
      "device(s) cpu:0, dram:0.\n",
      ts);
  out_log += ts + " - CarbonTracker: " +
             block(fmt::format("Predicted consumption for {} epoch(s):", epochs).c_str(), first_t * epochs,
                   first_kwh * epochs, first_kwh * epochs * 143.3);
  out_log += ts + " - CarbonTracker: Average carbon intensity during training was 143.30 gCO2eq/kWh. \n";
  out_log += ts + " - CarbonTracker: " +
             block(fmt::format("Actual consumption for {} epoch(s):", epochs).c_str(), t, kwh, kwh * 143.3);
  out_log += ts + " - CarbonTracker: Finished monitoring.\n";
  std::ofstream(dir / (stem + "_carbontracker.log"), std::ios::binary) << std_log;
  std::ofstream(dir / (stem + "_carbontracker_output.log"), std::ios::binary) << out_log;
}

template <typename Fn>
double median_s(int rounds, Fn&& fn) {
  std::vector<double> s;
  for (int r = 0; r < rounds; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    s.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(s.begin(), s.end());
  std::cout << "    rounds (s):";
  for (double v : s) std::cout << fmt::format(" {:.3f}", v);
  std::cout << "\n";
  return s[s.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 10000, epochs = 5, rounds = 3;
  ArgReader args("report_bench", "usage: report_bench [--runs N (10000)] [--epochs E (5)] [--rounds R (3)]\n", argc,
                 argv);
  while (args.next()) {
    if (args.flag() == "--runs") runs = static_cast<int>(args.number());
    else if (args.flag() == "--epochs") epochs = static_cast<int>(args.number());
    else if (args.flag() == "--rounds") rounds = static_cast<int>(args.number());
    else args.fail("unknown flag " + args.flag());
  }
  try {
    TempLogDir dir;
    for (int i = 0; i < runs; ++i) write_run(dir.path(), i, epochs);
    std::cout << fmt::format("{} Python v2 log pairs ({} epochs each) in {}\n", runs, epochs, dir.path().string());

    std::size_t n_runs = 0, n_issues = 0;
    std::cout << "read_logs:\n";
    const double read_s = median_s(rounds, [&] {
      const auto r = carbontracker::report::read_logs({dir.path()});
      n_runs = r.runs.size();
      n_issues = r.issues.size();
    });
    std::cout << fmt::format("  median {:.3f} s for {} runs ({} issues: the Python 2.x cpu:0+dram:0 note)\n", read_s,
                             n_runs, n_issues);

    double kwh = 0;
    auto basis = carbontracker::report::python_compat::AggregateBasis::none;
    std::cout << "python_compat::aggregate_consumption:\n";
    const double agg_s = median_s(rounds, [&] {
      const auto a = carbontracker::report::python_compat::aggregate_consumption(dir.path());
      kwh = a.energy_kwh;
      basis = a.basis;
    });
    std::cout << fmt::format("  median {:.3f} s; total {:.6f} kWh, basis {}\n", agg_s, kwh, to_string(basis));
    if (n_runs != static_cast<std::size_t>(runs) ||
        basis != carbontracker::report::python_compat::AggregateBasis::actual) {
      std::cerr << "report_bench: expected " << runs << " runs with an actual basis\n";
      return 1;
    }
  } catch (const std::exception& e) {
    std::cerr << "report_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
