// The JSON Lines event log's codec: the one place that knows its record types, its version and
// how a record becomes a line and a line becomes a record again (schema: docs/log-format.md).
// The tracker writes through encode() (outputs/event_log.hpp appends the lines); `carbontracker
// report` reads through decode_line() (report/event_log_reader.hpp turns records into a RunData).
//
// Contract:
// - kEventLogVersion is the only copy of the version: every record carries it as `"v"`, and the
//   reader compares against it.
// - encode(): one record -> one line, without the trailing newline. Key order and number
//   formatting are the format (the golden tests pin them byte for byte). Written through
//   JsonWriter, so running out of memory is a std::bad_alloc, never an abort; invalid UTF-8 in a
//   string is replaced, never thrown.
// - decode_line(): one line -> the record's JSON object, its type and version, or the reason it
//   cannot be read (not JSON, nested too deeply, torn last line). A bare NaN / Infinity (Python's
//   json.dumps writes them) is read as the string "NaN" / "Infinity" so the record survives and
//   the value can be reported as damaged. Never throws for bad input.
// - Thread-safe: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "carbontracker/results.hpp"
#include "sensors/sensor_interface.hpp"

namespace carbontracker::outputs {

inline constexpr int kEventLogVersion = 1;

// Every record type of version 1, in the order a run writes them.
enum class EventType { run_start, power, epoch, prediction, budget, warning, intensity_history, run_end };
std::string_view to_string(EventType t) noexcept;
std::optional<EventType> event_type_from_string(std::string_view s) noexcept;

// run_start: what runs, how it is measured and the intensity in force at the start.
struct RunStartEvent {
  std::string carbontracker_version;
  int pid = 0;
  double start_unix_s = 0;
  std::optional<int> epochs;  // planned; null: unknown
  std::vector<std::string> command;
  int epochs_before_pred = 0;
  int monitor_epochs = 0;
  double update_interval_s = 0;
  double pue = 1.0;
  IntensityInfo intensity;
  std::vector<ChannelInfo> channels;  // written twice: per component ("components") and as a list
  std::vector<SourceReport> sources;  // every source found or refused
};

// power: cumulative energy per channel (RunStartEvent::channels order) at t_s since the start.
struct PowerEvent {
  double t_s = 0;
  std::vector<double> energy_j;
};

struct EpochEvent {
  EpochRecord epoch;
};

// prediction: every refit; `printed` marks the one printed to the console.
struct PredictionEvent {
  bool printed = false;
  Forecast forecast;  // robust
  Forecast paper;
  double pue = 1.0;   // for device_energy_kwh beside the facility energy
};

struct BudgetDecisionEvent {
  BudgetEvent event;
};

struct WarningEvent {
  std::string message;
};

struct IntensityPoint {
  double start_unix_s = 0, end_unix_s = 0, g_per_kwh = 0;
  std::string kind;
};
// intensity_history: the intensity over the run's day, as the provider reported it.
struct IntensityHistoryEvent {
  std::string source;
  std::vector<IntensityPoint> points;
};

// run_end of a measured run.
struct RunEndEvent {
  std::size_t epochs = 0;  // completed
  Totals total;            // over the completed epochs
  Totals whole_run;
  std::optional<EpochRecord> interrupted_epoch;
  bool stopped_by_budget = false;
};

// run_end of a run that was abandoned: nothing is reported as measured.
struct RunNotMeasuredEvent {
  std::string reason;
};

using Event = std::variant<RunStartEvent, PowerEvent, EpochEvent, PredictionEvent, BudgetDecisionEvent, WarningEvent,
                           IntensityHistoryEvent, RunEndEvent, RunNotMeasuredEvent>;

std::string encode(const Event& event);

// A line read back: the record object, its type (nullopt: a type this version does not know,
// ignored by design) and its version (nullopt: missing or not a small non-negative integer).
struct DecodedLine {
  nlohmann::json record;
  std::optional<EventType> type;
  std::optional<int> version;
};
// `last` says the line had no newline after it (the file's end), so a line cut short by a killed
// run is named as such. Empty lines are the caller's to skip.
std::variant<DecodedLine, std::string> decode_line(std::string_view line, bool last);

}  // namespace carbontracker::outputs
