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
// - decode(): one line -> the same typed record, its version and the fields it holds damaged, or
//   the reason the line cannot be read (not JSON, nested too deeply, torn last line). A bare NaN /
//   Infinity (Python's json.dumps writes them) does not lose the record: that value is damaged.
//   Lenient, as a reader of killed runs' and older writers' logs must be: a number that is
//   missing, null or not a number decodes as NaN ("not in the line"; a number the tracker writes
//   is never NaN), an energy or CO2eq that is present but unusable (null, NaN, infinite, negative,
//   text) is also named in Decoded::damaged (a negative one keeps its value); an integer missing decodes as its std::nullopt or -1
//   as documented at the field; unknown keys and unknown record types are ignored; a component or
//   method name this version does not know drops that channel. Never throws for bad input.
// - Thread-safe: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "carbontracker/results.hpp"
#include "sensors/sensor_interface.hpp"

namespace carbontracker::outputs {

inline constexpr int kEventLogVersion = 1;

// Every record type of version 1, in the order a run writes them.
enum class EventType { run_start, power, epoch, prediction, budget, warning, intensity_history, run_end };
std::string_view to_string(EventType t) noexcept;
std::optional<EventType> event_type_from_string(std::string_view s) noexcept;

// A process of a distributed job (docs/distributed.md): written only when the process is in one,
// so single-process logs are unchanged. Decoded: integers missing are std::nullopt.
struct JobRecord {
  std::string id;        // "" when the launcher names none
  std::string launcher;  // "torchrun", "slurm", "openmpi", "mpich", "pmix", "explicit"
  std::string host;      // the physical host (CARBONTRACKER_NODE, else the host name)
  std::string node;      // the launcher's node name; may be ""
  std::optional<int> rank, local_rank, world_size, local_world_size;
  int restart = 0;
  bool host_measurer = false;            // this process counts its host's CPU and DRAM
  std::vector<std::string> gpus;         // the GPUs it counts (UUIDs, or channel ids)
  std::vector<std::string> notes;        // who measures what, caveats
};

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
  std::vector<SourceReport> sources;  // every source found or refused; not decoded (no reader needs them)
  std::optional<JobRecord> job;       // a process of a distributed job
  // Decoded only (encode derives "components" from channels): the components the line lists as
  // present, with their device names, in cpu, dram, gpu, psys order; nullopt: no "components".
  struct PresentComponent {
    Component component = Component::cpu;
    std::vector<std::string> devices;
  };
  std::optional<std::vector<PresentComponent>> present;
};

// power: cumulative energy per channel (RunStartEvent::channels order) at t_s since the start.
struct PowerEvent {
  double t_s = 0;
  std::vector<double> energy_j;
};

// epoch: one completed epoch. Decoded: index -1 when the line has none; wall_start/wall_end
// are not read back (the line holds them as ISO text).
struct EpochEvent {
  EpochRecord epoch;
};

// A forecast as the line holds it: the energies in kWh as written (kWh -> J -> kWh does not
// round-trip, so a reader reports the kWh it read, not forecast.energy_j converted back).
// Encoded from `forecast` alone; of() keeps the two equal.
struct ForecastRecord {
  Forecast forecast;
  double energy_kwh = 0, energy_kwh_low = 0, energy_kwh_high = 0;
  static ForecastRecord of(const Forecast& f);
};

// Totals as the line holds them, with energy_kwh (facility) as written; as ForecastRecord.
struct TotalsRecord {
  Totals totals;
  double energy_kwh = 0;
  static TotalsRecord of(const Totals& t);
};

// prediction: every refit; `printed` marks the one printed to the console.
struct PredictionEvent {
  bool printed = false;
  ForecastRecord forecast;  // robust
  ForecastRecord paper;
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
  std::optional<std::size_t> epochs;  // completed (nullopt: not in the line)
  TotalsRecord total;                 // over the completed epochs
  TotalsRecord whole_run;
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
// The `job` object as run_start and the summary JSON hold it.
class JsonWriter;
void write_job(JsonWriter& w, const JobRecord& job);
// The records written on every epoch (and the sampler's power record), appended to `out`
// without the newline: the same text as encode() of the same record, written straight into the
// string (no JsonWriter, no allocation once `out` has grown). The epoch line takes the tracker's
// record as it is (no EpochEvent copy).
void append_epoch_line(std::string& out, const EpochRecord& epoch);
void append_prediction_line(std::string& out, const PredictionEvent& e);
void append_power_line(std::string& out, double t_s, std::span<const double> energy_j);
// append_epoch_line into a new string.
std::string encode_epoch(const EpochRecord& epoch);

// A value present in the line but unusable: field "epoch.energy_j.gpu", why "null" / "NaN" /
// "-5 (negative)" / "missing" (a total's or forecast's energy_kwh, which every such record has).
struct FieldIssue {
  std::string field;
  std::string why;
};

struct Decoded {
  std::optional<Event> event;  // nullopt: a type this version does not know, or `problem`
  std::optional<int> version;  // nullopt: missing or not a small non-negative integer
  std::string problem;         // a record of a known type that cannot be used ("power record without ...")
  std::vector<FieldIssue> damaged;
  [[nodiscard]] const FieldIssue* damage(std::string_view field) const;
};

// `last` says the line had no newline after it (the file's end), so a line cut short by a killed
// run is named as such. Empty lines are the caller's to skip. The string: why the line is skipped.
std::variant<Decoded, std::string> decode(std::string_view line, bool last);

}  // namespace carbontracker::outputs
