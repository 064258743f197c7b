// What `carbontracker report` knows about one run, whichever log it was read from: our JSON
// Lines event log (everything), or carbontracker-compatible text logs written by us or by the
// Python carbontracker v1.x / v2.x (epochs, average powers, the report blocks).
//
// Units: SI (s, J, g) except where a name says kWh. Absent values are std::nullopt, never 0.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "outputs/event_codec.hpp"

namespace carbontracker::report {

// Problems met while reading, never fatal: "file:line: reason (skipped)".
struct ReadIssue {
  std::string file;
  int line = 0;
  std::string message;
};

// A "Predicted consumption" or "Actual consumption" block, as printed.
struct Consumption {
  std::optional<int> epochs;   // the Python parser always said 1 for actual; we read the number
  double duration_s = 0;
  double energy_kwh = 0;       // as printed: facility energy (x PUE)
  double co2eq_g = 0;          // NaN when the log printed nan
  std::map<std::string, double> equivalents;  // unit -> value ("km travelled by car")
  // Set when the block's energy is NaN, infinite, negative or missing (None/null), or its CO2eq
  // is negative: where and what. Such a block is never added to a total (aggregate.hpp).
  std::optional<ReadIssue> damaged;
};

struct EpochData {
  int index = 0;                // 1-based
  double duration_s = 0;
  // Device energy per component, J. From our event log exactly; from text logs as average power x
  // duration of the components the log names ("gpu", "cpu" — the Python tool's cpu includes DRAM).
  std::map<std::string, double> energy_j;
  std::optional<double> facility_energy_j;  // event log only
  std::optional<double> co2eq_g;            // event log only
  std::optional<double> intensity_g_per_kwh;
  std::optional<double> estimated_energy_j; // event log only
  bool complete = true;
  // Set when a value this epoch's energy depends on is NaN, negative or null (a power, a
  // duration, an energy): where and what. Its energy is then unknown, not counted.
  std::optional<ReadIssue> damaged;
};

struct PowerPoint {
  double t_s = 0;                    // since the run started
  std::vector<double> energy_j;      // cumulative, per channel
};

struct ChannelData {
  std::string id, component, name, method, source;
};

struct ForecastData {
  int after_epochs = 0;
  int epochs = 0;
  double duration_s = 0, energy_kwh = 0, energy_kwh_low = 0, energy_kwh_high = 0;
  double co2eq_g = 0, co2eq_g_low = 0, co2eq_g_high = 0;
  double intensity_g_per_kwh = 0;
};

// A carbon-intensity value over an interval (UTC, seconds since the epoch).
struct IntensitySample {
  double start_unix_s = 0;
  double end_unix_s = 0;
  double g_per_kwh = 0;
  std::string kind;  // "measured", "forecast", ...
};

// The distributed job a run was one process of: the event log's run_start `job`, the codec's own
// record (docs/log-format.md). Logs of single processes have none.
using JobIdentity = outputs::JobRecord;

struct RunData {
  std::string file;     // the main file read (event log, or the output log of a pair)
  std::string std_file; // the standard log of a pair, when there is one
  std::string format;   // "carbontracker-cpp-events-v1", "carbontracker-text" (ours or Python v2), "carbontracker-python-v1"
  std::string stem;     // "<prefix_><pid>.<id>_<time>": groups the files of one run
  std::string version;  // "carbontracker version X" when logged
  std::optional<double> pue;
  std::map<std::string, std::vector<std::string>> devices;  // component -> device labels
  std::vector<EpochData> epochs;
  std::optional<Consumption> actual;
  std::optional<Consumption> predicted;
  bool early_stop = false;  // "Training was interrupted" (stopped before monitor_epochs)
  bool finished = false;    // the run ended normally (actual block / run_end record)
  // Event log: the run_end says nothing was measured, and why (`run` whose command could not
  // start; a process of a distributed job whose devices all count elsewhere). Not damage.
  std::optional<std::string> not_measured;
  // Event log only:
  std::vector<ChannelData> channels;
  std::vector<PowerPoint> power;            // the power timeline
  std::vector<ForecastData> predictions;    // every refit, the printed one first flagged below
  std::optional<int> printed_prediction;    // index into predictions
  std::optional<double> intensity_g_per_kwh;
  std::string intensity_source;
  std::string intensity_kind;
  std::optional<double> whole_run_energy_kwh, whole_run_co2eq_g, whole_run_duration_s;
  std::optional<double> measured_energy_j, estimated_energy_j;
  bool stopped_by_budget = false;
  // The provider's history around the run (about the last 24 h), when a live provider had one.
  std::vector<IntensitySample> intensity_history;
  std::vector<std::string> warnings;  // from the run itself (lost GPUs, fallbacks)
  std::optional<JobIdentity> job;     // a process of a distributed job (event log only)
};

struct ReadResult {
  std::vector<RunData> runs;
  std::vector<ReadIssue> issues;
};

}  // namespace carbontracker::report
