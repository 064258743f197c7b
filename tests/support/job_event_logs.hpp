// Event logs of the processes of a distributed job, written with the codec the tracker writes with
// (outputs::encode): real run_start (with its `job` object), epoch and run_end lines, for the
// report's job tests (tests/report/aggregate, tests/cli). A test linking this needs
// carbontracker::outputs.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "outputs/event_codec.hpp"
#include "test_support.hpp"

namespace carbontracker::testing {

struct JobLogEpoch {
  double duration_s = 10;
  double cpu_j = 0, dram_j = 0, gpu_j = 0;  // device energy
};

struct JobLogSpec {
  std::string job_id = "4242";
  std::string launcher = "slurm";
  std::string host = "node1";
  std::optional<int> rank, local_rank, world_size = 4, local_world_size = 2;
  int restart = 0;
  bool host_measurer = false;
  std::vector<std::string> gpus;
  bool job = true;                 // false: a single process's log (no `job` object)
  double start_unix_s = 1.7e9;     // the process's wall clock at its start
  double pue = 1.5;
  double intensity_g_per_kwh = 200;
  std::vector<JobLogEpoch> epochs;
  bool finished = true;            // false: killed (no run_end)
  int pid = 1000;
};

// Facility energy of an epoch in J (device x PUE), as the tracker writes it.
inline double job_log_facility_j(const JobLogSpec& s, const JobLogEpoch& e) {
  return (e.cpu_j + e.dram_j + e.gpu_j) * s.pue;
}

// The lines of one process's event log.
inline std::string job_event_log(const JobLogSpec& s) {
  using namespace outputs;
  std::string out;
  RunStartEvent start;
  start.carbontracker_version = "test";
  start.pid = s.pid;
  start.start_unix_s = s.start_unix_s;
  start.epochs = static_cast<int>(s.epochs.size());
  start.epochs_before_pred = 1;
  start.monitor_epochs = -1;
  start.update_interval_s = 1;
  start.pue = s.pue;
  start.intensity.g_per_kwh = s.intensity_g_per_kwh;
  start.intensity.source = "user setting";
  start.intensity.kind = IntensityKind::fixed;
  ChannelInfo cpu;
  cpu.id = "powercap:intel-rapl:0";
  cpu.component = Component::cpu;
  cpu.name = "package-0";
  cpu.source = "powercap";
  ChannelInfo dram = cpu;
  dram.id = "powercap:intel-rapl:0:0";
  dram.component = Component::dram;
  dram.name = "dram";
  ChannelInfo gpu;
  gpu.id = "nvml:GPU-test";
  gpu.component = Component::gpu;
  gpu.name = "Fake GPU";
  gpu.source = "nvml";
  start.channels = {cpu, dram, gpu};
  if (s.job) {
    JobRecord j;
    j.id = s.job_id;
    j.launcher = s.launcher;
    j.host = s.host;
    j.node = s.host;
    j.rank = s.rank;
    j.local_rank = s.local_rank;
    j.world_size = s.world_size;
    j.local_world_size = s.local_world_size;
    j.restart = s.restart;
    j.host_measurer = s.host_measurer;
    j.gpus = s.gpus;
    start.job = j;
  }
  out += encode(start) + "\n";
  Totals all;
  double start_s = 0;
  for (std::size_t i = 0; i < s.epochs.size(); ++i) {
    const JobLogEpoch& e = s.epochs[i];
    EpochRecord rec;
    rec.index = static_cast<int>(i) + 1;
    rec.start_s = start_s;
    const auto wall = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::duration<double>(s.start_unix_s + start_s)));
    rec.wall_start = wall;
    rec.wall_end = wall + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                              std::chrono::duration<double>(e.duration_s));
    rec.totals.duration_s = e.duration_s;
    rec.totals.device_energy_j.cpu_j = e.cpu_j;
    rec.totals.device_energy_j.dram_j = e.dram_j;
    rec.totals.device_energy_j.gpu_j = e.gpu_j;
    rec.totals.measured_j = e.cpu_j + e.dram_j + e.gpu_j;
    rec.totals.facility_energy_j = job_log_facility_j(s, e);
    rec.totals.co2eq_g = rec.totals.facility_energy_j / 3.6e6 * s.intensity_g_per_kwh;
    rec.channel_energy_j = {e.cpu_j, e.dram_j, e.gpu_j};
    rec.intensity_g_per_kwh = s.intensity_g_per_kwh;
    out += encode_epoch(rec) + "\n";
    all += rec.totals;
    start_s += e.duration_s;
  }
  if (s.finished) {
    RunEndEvent end;
    end.epochs = s.epochs.size();
    end.total = TotalsRecord::of(all);
    end.whole_run = TotalsRecord::of(all);
    out += encode(end) + "\n";
  }
  return out;
}

// Writes the log as `<dir>/<name>_carbontracker_events.jsonl` (name: "<prefix><pid>.<id>_<time>"
// like the tracker's) and returns its path.
inline std::filesystem::path write_job_event_log(const std::filesystem::path& dir, const JobLogSpec& s,
                                                 const std::string& name) {
  const auto path = dir / (name + "_carbontracker_events.jsonl");
  write_file(path, job_event_log(s));
  return path;
}

// A 2-host x 2-rank job (ranks 0,1 on node1, 2,3 on node2; the lowest local rank of each host
// counts its CPU and DRAM; each rank its own GPU), `epochs` epochs each. Rank r's epoch k uses
// gpu (r+1)*100 + k J, and the host measurer cpu 50 J, dram 5 J per epoch; durations 10 + r s.
inline std::vector<JobLogSpec> two_by_two_job(const std::string& job_id, int epochs = 3) {
  std::vector<JobLogSpec> out;
  for (int r = 0; r < 4; ++r) {
    JobLogSpec s;
    s.job_id = job_id;
    s.host = r < 2 ? "node1" : "node2";
    s.rank = r;
    s.local_rank = r % 2;
    s.host_measurer = r % 2 == 0;
    s.gpus = {fmt::format("GPU-{}-{}", s.host, r % 2)};
    s.pid = 1000 + r;
    for (int k = 1; k <= epochs; ++k) {
      JobLogEpoch e;
      e.duration_s = 10 + r;
      e.gpu_j = (r + 1) * 100.0 + k;
      if (s.host_measurer) {
        e.cpu_j = 50;
        e.dram_j = 5;
      }
      s.epochs.push_back(e);
    }
    out.push_back(s);
  }
  return out;
}

// Device energy of a spec's epochs in J.
inline double job_log_device_j(const JobLogSpec& s) {
  double j = 0;
  for (const auto& e : s.epochs) j += e.cpu_j + e.dram_j + e.gpu_j;
  return j;
}

}  // namespace carbontracker::testing
