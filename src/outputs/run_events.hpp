// The run events: what the tracker tells its outputs (outputs/sink.hpp), and the only thing it
// tells them. The tracker decides *what happened*; each sink decides how that looks (console and
// Python-format logs, JSON Lines event log, summary JSON, later Prometheus or PDF).
//
// A run emits, in this order: RunStarted; then per epoch EpochEnded, PredictionMade (each refit
// once the prediction starts), BudgetDecided (a limit crossed); at any time Note, Warning,
// IntensityChanged, OutputFailed; last RunFinished or RunAbandoned (warnings may follow it), and
// on rank 0 of a distributed job JobPredicted (once, after an EpochEnded) and JobFinished after
// RunFinished.
//
// Why a std::variant and not a visitor interface with one virtual per type: an event is a value
// the dispatcher can copy into a queue for a deferred sink (OwnedRunEvent), and a sink handles
// the types it cares about with std::get_if or an overload set, ignoring the rest, so a new
// event type touches no sink that does not want it.
//
// One data model: where the event log has a record for an event (outputs/event_codec.hpp), that
// record is the event's payload; there is no second copy of it here.
//
// Lifetime: EpochEnded and RunFinished point at the tracker's own records (not copied per
// epoch); the pointers are valid during the sink call only. A sink that keeps anything copies it.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "carbontracker/results.hpp"
#include "core/status.hpp"
#include "outputs/event_codec.hpp"

namespace carbontracker::outputs {

using WallTime = std::chrono::system_clock::time_point;

// The components and channels, the sources found or refused, the intensity plan in force and the
// configuration facts the report prints (record), plus what only the text report needs.
struct RunStarted {
  WallTime wall;
  RunStartEvent record;
  std::set<Component> wanted;  // the components asked for: the measurement sentence names each
  int decimal_precision = 12;
  bool interpretable = true;
  bool open_ended = false;  // run mode: the whole command's breakdown, updated predictions
};

struct EpochEnded {
  WallTime wall;
  const EpochRecord* epoch = nullptr;  // the ledger's entry, never null
};

// record.printed: the first prediction (printed); later ones are updates.
struct PredictionMade {
  WallTime wall;
  PredictionEvent record;
  std::string note;  // a line printed after the first prediction (run mode), or empty
};

struct BudgetDecided {
  WallTime wall;
  BudgetDecisionEvent record;  // outcome asked: the answer comes later (Tracker::decide)
};

struct IntensityChanged {
  WallTime wall;
  IntensityInfo intensity;
};

// A line for the logs that is neither a result nor a warning.
enum class NoteLevel {
  log,     // the std log only
  output,  // the output log, and the console when verbose
  prompt,  // the output log and the console whatever verbose says (a question, its answer)
};
struct Note {
  WallTime wall;
  NoteLevel level = NoteLevel::log;
  std::string text;
};

struct Warning {
  WallTime wall;
  std::string message;
};

// An output stopped working (a log no longer writable, a sink that threw): said once, on the
// console only (the failed output may be the log it would go to).
struct OutputFailed {
  Status status;
};

struct RunFinished {
  WallTime wall;
  const Snapshot* final_snapshot = nullptr;  // never null
  int planned_epochs = 0;                    // Config::epochs at the end (run mode may learn it late)
  std::optional<IntensityHistoryEvent> intensity_history;  // the provider's day, when it has one
};

// Rank 0 of a distributed job, after its own RunFinished: the job's figures, summed over every
// rank's event log in the shared log_dir (tracker/job_summary.hpp). For the console: the logs
// stay per process (`carbontracker report` sums them).
struct JobTotals {
  std::string job_id;
  std::string launcher;
  std::optional<int> world_size;
  std::vector<int> ranks;             // ranks counted (rank 0 included)
  std::vector<int> missing_ranks;     // of 0..world_size-1: no log of this job
  std::vector<int> unfinished_ranks;  // counted, but with fewer completed epochs than rank 0 when the wait ended
  std::vector<int> unmeasured_ranks;  // run_end "not measured"
  std::size_t hosts = 0;
  int epochs = 0;                     // the most completed epochs of a rank
  double duration_s = 0;              // the longest rank's (clocks of other hosts are not compared)
  Totals total;                       // over the ranks' completed epochs (run_end, else the epochs logged)
  double waited_s = 0;
};
// Rank 0 of a distributed job: the job's forecast, from the epochs every rank has completed (the
// longest rank's time, the ranks' summed energy and CO2eq per epoch). For the console; printed once.
struct JobPredicted {
  WallTime wall;
  std::string job_id;
  Forecast forecast;
  std::size_t ranks = 0;
  double pue = 1.0;
};

struct JobFinished {
  WallTime wall;
  JobTotals job;
};

// Nothing is reported as measured (the run could not be measured; a Warning says why).
struct RunAbandoned {
  WallTime wall;
  std::string reason;
};

using RunEvent = std::variant<RunStarted, EpochEnded, PredictionMade, BudgetDecided, IntensityChanged, Note, Warning,
                              OutputFailed, RunFinished, RunAbandoned, JobPredicted, JobFinished>;

// An event that owns what it points to: what a deferred sink receives, after the tracker's
// records have moved on. Not copyable (the event points into it).
class OwnedRunEvent {
 public:
  explicit OwnedRunEvent(const RunEvent& event);
  OwnedRunEvent(const OwnedRunEvent&) = delete;
  OwnedRunEvent& operator=(const OwnedRunEvent&) = delete;
  [[nodiscard]] const RunEvent& event() const noexcept { return event_; }

 private:
  std::optional<EpochRecord> epoch_;
  std::optional<Snapshot> snapshot_;
  RunEvent event_;
};

}  // namespace carbontracker::outputs
