// C++ equivalents of the Python carbontracker's parser functions (carbontracker/parser.py, same
// in v1.x and v2.4.3), with its names and return shapes as C++ types that the Python module
// converts to the same dicts/tuples. Built on text_logs / log_reader, so these read our logs and
// the Python tool's alike.
//
// Shapes (Python -> C++):
//   get_consumption(text) -> (actual, pred), each dict or None -> std::optional<ConsumptionDict>.
//   get_early_stop(text) -> bool;  get_devices(text) -> {comp: [device, ...]};
//   get_epoch_durations(text) -> [s, ...];  get_avg_power_usages(text) -> {comp: [[W, ...] per line]}.
//   parse_logs(dir, std?, out?) -> {comp: {"avg_power_usages (W)", "avg_energy_usages (J)",
//     "epoch_durations (s)", "devices"}} -> std::map<std::string, ComponentLog>.
//   parse_all_logs(dir) -> [{"output_filename", "standard_filename", "components", "early_stop",
//     "actual", "pred"}] -> std::vector<LogEntry>.
//   aggregate_consumption(dir) -> (kWh, g, {unit: value}) -> AggregateConsumption (+ basis).
//   print_aggregate(dir) prints the sentence -> returns it (without the newline).
//
// Same results as the Python parser on the same files (checked against its recorded results on
// logs written by the Python tool itself: tests/fixtures/logs/python-real-*), except for these
// defects of it, fixed here (docs/python.md, "Differences from the Python tool"):
//  1. Actual epoch count: its regex captured none, so "epochs" was always 1 and finished
//     multi-epoch runs were aggregated from their prediction. Here the count is read
//     ("Actual consumption for N epoch(s):"); "Actual consumption:" (no count, written with
//     epochs_before_pred=0) gives 1, as in the Python tool.
//  2. Whole values: a v1.x power array holds one value per device and the Python regex kept only
//     its first number (and only "1" of "1e-05"); here every value is read whole.
//  3. A `None` power is [0.0] for its own component, as in the Python tool (its shapes); a power
//     line the Python regex does not match (nan, a negative number, "[None]") is skipped, as
//     there, with an issue. ComponentLog::epoch_energy_j (ours, not in the Python dict) keeps
//     such epochs unknown (NaN) instead of 0.
//  4. Mismatched epochs: where the Python tool raises MismatchedEpochsError (a component's number
//     of power lines differs from the number of Duration lines), ComponentLog::mismatch holds its
//     message and the energies are std::nullopt; the Python module raises it.
//  5. Pairing: output and standard logs are matched by stem (the Python tool zipped two sorted
//     lists after dropping the unpaired ones, which mispairs when each side lacks a different
//     partner); parse_all_logs drops an unpaired file, as the Python tool.
//  6. Block order: re.search took the first "Actual consumption" block; here the last (final)
//     one, and the first "Predicted consumption" block (the one printed after
//     epochs_before_pred epochs) as before. The Python tool prints one of each.
//  7. aggregate_consumption keeps the Python tool's rule with the real epoch count: a run's
//     actual figures when it stopped early ("Training was interrupted") or its actual block
//     covers the epochs its prediction was for; its prediction when monitoring ended first
//     (monitor_epochs=1, the default before 2.0: "Predicted consumption for 40 epoch(s)" beside
//     "Actual consumption for 1 epoch(s)") or no actual block was printed (report::
//     prediction_covers_more, shared with `carbontracker report`). The choice is visible per run
//     and in total (`basis`). A run with neither is skipped with basis "none"; one whose chosen
//     figures hold a NaN, negative or missing energy (or a negative CO2eq) with basis "damaged".
//     NaN CO2eq is skipped in the CO2eq total as before.
//  8. A file without a final newline: its last line is read, as by the Python tool.
//
// Errors: never throws for bad input; problems go to the optional `issues`. The one exception,
// as the Python tool's FileNotFoundError / NotADirectoryError from os.listdir: a `log_dir` that
// must be listed and does not exist or is not a directory throws std::filesystem::filesystem_error
// (errc::no_such_file_or_directory / errc::not_a_directory) naming it. Thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "report/run_basis.hpp"
#include "report/run_data.hpp"

namespace carbontracker::report::python_compat {

// {"epochs", "duration (s)", "energy (kWh)", "co2eq (g)", "equivalents"}.
struct ConsumptionDict {
  int epochs = 1;  // 1 for "Actual consumption:" (no count printed), as the Python tool
  double duration_s = 0;
  double energy_kwh = 0;
  double co2eq_g = 0;  // NaN when the log printed nan
  // None when the block has no "This is equivalent to:" line; {} when it has no entries.
  std::optional<std::map<std::string, double>> equivalents;
};

// parse_logs' per-component dict.
struct ComponentLog {
  // "avg_power_usages (W)": one row per power line of this component, in file order: the values
  // as logged (one per device in a v1.x array, one otherwise; [0.0] for None). std::nullopt
  // (None) when the log has no power lines at all.
  std::optional<std::vector<std::vector<double>>> avg_power_usages_w;
  // "avg_energy_usages (J)": each row x its epoch's duration, same shape; std::nullopt when the
  // powers or the durations are, or when their counts differ (see `mismatch`).
  std::optional<std::vector<std::vector<double>>> avg_energy_usages_j;
  // "epoch_durations (s)": every Duration line; std::nullopt when the log has none.
  std::optional<std::vector<double>> epoch_durations_s;
  std::vector<std::string> devices;  // "devices"
  // The component's place in the "components were found" line: the Python tool's dict order.
  std::size_t position = 0;
  // Where the Python tool raises MismatchedEpochsError: its message; "" otherwise.
  std::string mismatch;
  // Ours (not a key of the Python dict): per "Epoch N:" block with a duration, the component's
  // energy summed over its devices; NaN when unknown (None, nan or no power line in that epoch).
  std::vector<double> epoch_energy_j;
};

struct LogEntry {
  std::string output_filename;    // "" when the run has no output log
  std::string standard_filename;  // "" when the run has no standard log
  std::map<std::string, ComponentLog> components;
  bool early_stop = false;
  std::optional<ConsumptionDict> actual, pred;
};

// One run's choice in aggregate_consumption.
struct RunChoice {
  std::string file;  // the run's main file
  // actual, predicted, damaged or none: never partial (that is `carbontracker report`'s, not the
  // Python tool's rule). The Python module gives to_string(basis).
  RunBasis basis = RunBasis::none;
};

// The basis of aggregate_consumption's total, over the runs it counted.
enum class AggregateBasis : std::uint8_t {
  actual,     // every counted run from its actual figures
  predicted,  // every counted run from its prediction
  mixed,      // some of each
  none,       // nothing counted
};
// "actual", "predicted", "mixed" or "none": the words the Python module and the statement give.
constexpr std::string_view to_string(AggregateBasis b) noexcept {
  switch (b) {
    case AggregateBasis::actual: return "actual";
    case AggregateBasis::predicted: return "predicted";
    case AggregateBasis::mixed: return "mixed";
    case AggregateBasis::none: return "none";
  }
  return "none";
}

struct AggregateConsumption {
  double energy_kwh = 0;  // total kWh (facility energy, as logged)
  double co2eq_g = 0;     // total g over runs with a known CO2eq
  std::map<std::string, double> equivalents;
  // Added: the basis of the total, and the choice for each run.
  AggregateBasis basis = AggregateBasis::none;
  std::vector<RunChoice> runs;
};

std::pair<std::optional<ConsumptionDict>, std::optional<ConsumptionDict>> get_consumption(
    std::string_view output_log_text);
bool get_early_stop(std::string_view std_log_text);
// In the order of the log's components line (the Python tool's dict order).
std::vector<std::pair<std::string, std::vector<std::string>>> get_devices(std::string_view std_log_text);
std::vector<double> get_epoch_durations(std::string_view std_log_text);
std::map<std::string, std::vector<std::vector<double>>> get_avg_power_usages(std::string_view std_log_text);

// Without both files: the most recent standard and output logs in `log_dir` (by mtime), as the
// Python tool. A missing or unreadable file gives an empty result and an issue. Components are
// those of the "The following components were found:" line, as in the Python tool.
std::map<std::string, ComponentLog> parse_logs(const std::filesystem::path& log_dir,
                                               const std::optional<std::filesystem::path>& std_log_file = std::nullopt,
                                               const std::optional<std::filesystem::path>& output_log_file = std::nullopt,
                                               std::vector<ReadIssue>* issues = nullptr);
// One entry per pair of standard and output logs (matched by stem); an unpaired file is dropped
// with an issue, as the Python tool drops it.
std::vector<LogEntry> parse_all_logs(const std::filesystem::path& log_dir, std::vector<ReadIssue>* issues = nullptr);
// Reads every run in log_dir (event logs included, via read_logs).
AggregateConsumption aggregate_consumption(const std::filesystem::path& log_dir, std::vector<ReadIssue>* issues = nullptr);
std::string print_aggregate(const std::filesystem::path& log_dir, std::vector<ReadIssue>* issues = nullptr);
// The sentence for given totals (what print_aggregate prints).
std::string aggregate_sentence(const AggregateConsumption& a);

}  // namespace carbontracker::report::python_compat
