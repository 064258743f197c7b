// 24 simulated hours of `Tracker` at 10 Hz on 8 fake GPUs + 4 RAPL zones (864,000 sampling
// rounds), as in faults_test's shortened run (tests/faults/load_run.hpp): prints the real time
// taken, RSS at mid-run and at the end, the peak RSS, the event log's growth per simulated hour
// and the final sizes of the logs, and checks the totals against the known counter increments.
// Exit code 1 when a total is off or RSS grew over the second half by more than 1 MiB.
//
// Usage: load_24h [--hours H (24)] [--epoch-minutes M (10)] [--gpus N (8)]
#include <cmath>
#include <cstring>
#include <iostream>
#include <string>

#include <fmt/format.h>

#include "load_run.hpp"

int main(int argc, char** argv) {
  carbontracker::faults::LoadOptions o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--hours") o.hours = std::stod(argv[i + 1]);
    else if (a == "--epoch-minutes") o.epoch_minutes = std::stod(argv[i + 1]);
    else if (a == "--gpus") o.gpus = std::stoi(argv[i + 1]);
    else {
      std::cerr << "usage: load_24h [--hours H] [--epoch-minutes M] [--gpus N]\n";
      return 2;
    }
  }
  const auto r = carbontracker::faults::run_load(o);
  const auto& s = r.snapshot;
  fmt::print("simulated {:.0f} s ({:.0f} ticks at {} Hz) on {} GPUs + 4 RAPL zones in {:.2f} s of real time "
             "({:.1f} us per tick)\n",
             r.simulated_s, r.ticks, 1 / o.interval_s, o.gpus, r.wall_s, r.wall_s / r.ticks * 1e6);
  fmt::print("GPU counter reads: {}\n", r.gpu_energy_reads);
  const long growth = r.rss_end_kb - r.rss_second_half_start_kb;
  fmt::print("RSS: {} kB at mid-run, {} kB at the end ({:+} kB over the second half); peak {} kB\n",
             r.rss_second_half_start_kb, r.rss_end_kb, growth, r.rss_peak_kb);
  fmt::print("event log growth per simulated hour (bytes):");
  for (std::size_t h = 1; h < r.event_log_bytes_at_hour.size(); ++h) {
    fmt::print(" {}", r.event_log_bytes_at_hour[h] - r.event_log_bytes_at_hour[h - 1]);
  }
  fmt::print("\nfinal sizes: event log {} B, standard log {} B, output log {} B\n", r.event_log_bytes, r.std_log_bytes,
             r.output_log_bytes);
  const double gpu_j = s.whole_run.device_energy_j.gpu_j;
  fmt::print("epochs {}; GPU energy: whole run {:.3f} J, epochs {:.3f} J, known increments {:.3f} J\n", s.epochs.size(),
             gpu_j, s.epochs_total.device_energy_j.gpu_j, r.expected_gpu_j);
  bool ok = std::fabs(gpu_j - r.expected_gpu_j) <= r.expected_gpu_j * 1e-12 &&
            std::fabs(s.epochs_total.device_energy_j.gpu_j - r.expected_gpu_j) <= r.expected_gpu_j * 1e-12;
  if (!ok) fmt::print("FAIL: totals differ from the known increments\n");
  if (growth > 1024) {
    fmt::print("FAIL: RSS grew by more than 1 MiB over the second half\n");
    ok = false;
  }
  return ok ? 0 : 1;
}
