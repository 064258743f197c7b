// Per-epoch training traces for the prediction accuracy harness (bench/prediction/README.md).
//
// File format (CSV, one row per completed epoch, in order):
//   # key: value                       optional header comments (scenario, planned_epochs, ...)
//   epoch,duration_s,energy_j_cpu,energy_j_dram,energy_j_gpu[,intensity_g_per_kwh]
//   1,120.5,6000,900,30000,210.4
// Units: s, J (device energy per component), g/kWh. `planned_epochs` (header) is the number of
// epochs the run was configured for; when it exceeds the rows the run stopped early.
//
// Contract: read_trace never throws; a malformed file gives ok = false and a message naming
// the line. Single-threaded use only (plain value types).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace carbontracker::bench {

struct TraceEpoch {
  double duration_s = 0;
  double energy_j = 0;             // cpu + dram + gpu
  double intensity_g_per_kwh = 0;  // 0 when the trace has no intensity column
};

struct Trace {
  std::string name;      // file stem
  std::string scenario;  // header "scenario", else the file stem
  std::map<std::string, std::string> meta;  // every "# key: value" header line
  int planned_epochs = 0;                   // header "planned_epochs", else the row count
  bool has_intensity = false;
  std::vector<TraceEpoch> epochs;
};

struct TraceResult {
  bool ok = false;
  std::string error;
  Trace trace;
};

TraceResult read_trace(const std::filesystem::path& file);

// Every *.csv under each path (a file is taken as is), sorted by path for stable output.
std::vector<std::filesystem::path> collect_trace_files(const std::vector<std::string>& paths);

}  // namespace carbontracker::bench
