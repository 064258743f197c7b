// The numbers the tracker produces: plain value types, copied out to callers (snapshot()),
// outputs and bindings. SI units inside (J, s, g, g/kWh); kWh only where a name says so.
//
// Device energy is what the hardware used; facility energy = device energy x PUE (the data
// centre's overhead). CO2eq is computed from facility energy. "Estimated" energy includes
// estimated and simulated channels; "measured" is counters and sampled power.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "carbontracker/sensor.hpp"

namespace carbontracker {

struct CARBONTRACKER_API EnergyByComponent {
  double cpu_j = 0;
  double dram_j = 0;
  double gpu_j = 0;
  double psys_j = 0;  // platform (RAPL psys), only when it stands in for cpu + dram

  [[nodiscard]] double total_j() const noexcept { return cpu_j + dram_j + gpu_j + psys_j; }
  double& operator[](Component c) noexcept;
  double operator[](Component c) const noexcept;
  EnergyByComponent& operator+=(const EnergyByComponent& o) noexcept;
};

// What an intensity value is (to_string: "assumed", "fixed", "measured", "forecast", "yearly
// average", "marginal"): assumed = a default nobody chose for this place; fixed = the user's
// setting; measured = a provider's live value; forecast = a provider's forecast; yearly average =
// an offline table's value for the place; marginal = a marginal-emissions signal (WattTime).
enum class IntensityKind : std::uint8_t { assumed, fixed, measured, forecast, yearly_average, marginal };
CARBONTRACKER_API std::string_view to_string(IntensityKind k) noexcept;

// Where the carbon intensity came from, shown wherever CO2eq is.
struct IntensityInfo {
  double g_per_kwh = 0;
  std::string source;  // "world average 2024 (Ember)", "user setting", "Energi Data Service DK1", ...
  IntensityKind kind = IntensityKind::assumed;
  std::string why;     // why this one was used ("no location configured")
};

// Energy and time over some span (an epoch, all epochs, the whole run).
struct CARBONTRACKER_API Totals {
  double duration_s = 0;
  EnergyByComponent device_energy_j;
  double measured_j = 0;   // part of device energy from counters / sampled power
  double estimated_j = 0;  // part from estimated or simulated channels
  double facility_energy_j = 0;  // device x PUE
  double co2eq_g = 0;

  Totals& operator+=(const Totals& o) noexcept;
};

struct EpochRecord {
  int index = 0;  // 1-based
  bool complete = true;  // false: the epoch stop() interrupted
  double start_s = 0;    // since the tracker started (monotonic)
  std::chrono::system_clock::time_point wall_start{};
  std::chrono::system_clock::time_point wall_end{};
  Totals totals;
  std::vector<double> channel_energy_j;  // per channel, Snapshot::channels order
  double intensity_g_per_kwh = 0;        // used for this epoch's CO2eq
  // Honesty notes: channels below their update resolution, unmeasured gaps, lost devices.
  std::vector<std::string> notes;
};

// Sets of values are enums; to_string gives the name every output writes ("robust", "max_energy_kwh").
// robust: ours (warm-up aware, with an interval); paper: epochs x mean of the observed epochs.
enum class ForecastMethod : std::uint8_t { robust, paper };
// What a budget limits (named as its Config key), on which figure it was crossed, what it was
// set to do, and what happened (asked: waiting for the user's answer).
enum class BudgetLimit : std::uint8_t { max_energy_kwh, max_co2eq_g, max_duration_s };
enum class BudgetBasis : std::uint8_t { predicted, actual };
enum class BudgetAction : std::uint8_t { warn, ask, stop };
enum class BudgetOutcome : std::uint8_t { warned, asked, continued, stopped };

CARBONTRACKER_API std::string_view to_string(ForecastMethod m) noexcept;
CARBONTRACKER_API std::string_view to_string(BudgetLimit l) noexcept;
CARBONTRACKER_API std::string_view to_string(BudgetBasis b) noexcept;
CARBONTRACKER_API std::string_view to_string(BudgetAction a) noexcept;
CARBONTRACKER_API std::string_view to_string(BudgetOutcome o) noexcept;

// A forecast of the whole run (all `epochs`), made after `after_epochs` epochs.
struct Forecast {
  ForecastMethod method = ForecastMethod::robust;
  int after_epochs = 0;
  int epochs = 0;
  double confidence = 0.9;  // nominal coverage of the [low, high] intervals
  double duration_s = 0, duration_s_low = 0, duration_s_high = 0;
  double energy_j = 0, energy_j_low = 0, energy_j_high = 0;  // facility energy
  double co2eq_g = 0, co2eq_g_low = 0, co2eq_g_high = 0;
  double intensity_g_per_kwh = 0;  // assumed for the epochs still to come
};

struct BudgetEvent {
  BudgetLimit limit = BudgetLimit::max_energy_kwh;
  BudgetBasis basis = BudgetBasis::predicted;
  double value = 0;      // in the limit's unit (kWh, g, s)
  double limit_value = 0;
  BudgetAction action = BudgetAction::warn;
  BudgetOutcome outcome = BudgetOutcome::warned;
  std::string message;
};

// Completed epochs that a long run's snapshot holds summed instead of one by one (see
// Snapshot::epochs): epochs first_index..last_index, both included.
struct EpochBlock {
  int first_index = 0;  // 1-based
  int last_index = 0;
  double start_s = 0;   // the first epoch's start, since the tracker started (monotonic)
  std::chrono::system_clock::time_point wall_start{};  // the first epoch's start
  std::chrono::system_clock::time_point wall_end{};    // the last epoch's end
  Totals totals;        // summed over the block's epochs
};

// A snapshot's memory (and the summary JSON written from it) is bounded however long the run:
// per-epoch detail for the first and the last kSnapshotEpochsKept completed epochs, the epochs
// between them in at most kSnapshotMaxEpochBlocks blocks (each twice as long as the last time
// the blocks were merged pairwise), and the first and last kSnapshotForecastsKept refits.
inline constexpr int kSnapshotEpochsKept = 1000;
inline constexpr int kSnapshotMaxEpochBlocks = 256;
inline constexpr int kSnapshotForecastsKept = 1000;

struct Snapshot {
  std::vector<ChannelInfo> channels;
  // Completed epochs one by one, in order: all of them while there are at most
  // 2 x kSnapshotEpochsKept; beyond, the first and the last kSnapshotEpochsKept, and the ones
  // between them summed in epoch_blocks (in order). epochs_completed is the exact count.
  std::vector<EpochRecord> epochs;
  std::vector<EpochBlock> epoch_blocks;        // empty until a run passes 2 x kSnapshotEpochsKept epochs
  int epochs_completed = 0;                    // epochs.size() + the blocks' epochs
  std::optional<EpochRecord> interrupted;      // the epoch in progress at stop(), if any
  Totals epochs_total;                         // over completed epochs (all of them, exact)
  Totals whole_run;                            // tracker start to now (or stop), epochs or not
  double pue = 1.58;  // Config::pue's default (the Python tool's PUE_2023)
  IntensityInfo intensity;
  std::optional<Forecast> prediction;          // printed after epochs_before_pred epochs
  std::optional<Forecast> paper_prediction;    // the paper's model at the same moment
  // Every refit (one per epoch from the first prediction on) while there are at most
  // 2 x kSnapshotForecastsKept; beyond, the first and the last kSnapshotForecastsKept, in order.
  // predictions_made is the exact count; the latest refit is always the last element.
  std::vector<Forecast> prediction_history;
  int predictions_made = 0;
  std::vector<BudgetEvent> budget_events;
  bool stopped_by_budget = false;
  std::vector<std::string> warnings;
  bool finished = false;                       // stop() ran or monitor_epochs reached
  // Run mode (`carbontracker run`):
  std::vector<std::string> command;            // the measured command, secrets masked
  std::optional<int> planned_epochs;           // null: unknown (no --epochs and no pattern total)
  std::optional<Totals> setup;                 // before the first epoch started (not an epoch)
  std::optional<Totals> wrap_up;               // after the last planned epoch ended (not an epoch)
};

}  // namespace carbontracker
