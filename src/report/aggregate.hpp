// Per-run figures and totals over many runs, for `carbontracker report` and the paper
// statement. Each run counts once, from the best basis it has:
//   "actual"    — the run finished (or stopped early) and logged its actual consumption;
//   "partial"   — the run did not finish (killed): the sum of the epochs it completed;
//   "predicted" — only a prediction was logged (the Python tool's logs of an unfinished run), or
//                 the run monitored fewer epochs than it predicted for without being interrupted:
//                 the Python tool's old default monitor_epochs=1 logs "Predicted consumption for
//                 40 epoch(s)" and "Actual consumption for 1 epoch(s)" while training went on
//                 unmonitored. Then the prediction covers the whole training and counts (as in
//                 the Python tool's own aggregate_consumption); the measured part is kept beside it.
//                 A run stopped early ("Training was interrupted", a budget stop) counts its actual
//                 figures: the rest of the training did not happen.
//   "damaged"   — the figures that basis needs hold a NaN, infinite, negative or null (None)
//                 energy, or a negative CO2eq: left out of every total, counted, and named with
//                 the file:line of the value;
//   "none"      — nothing usable.
// The basis is part of every output: a total that leans on predictions says so.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "report/run_basis.hpp"
#include "report/run_data.hpp"

namespace carbontracker::report {

inline constexpr int kReportFormatVersion = 1;

// What a run with basis "predicted" measured before monitoring ended (its actual block).
struct MeasuredPart {
  std::optional<int> epochs;
  double duration_s = 0;
  double energy_kwh = 0;  // facility energy; NaN when the log's value was damaged
  double co2eq_g = 0;     // NaN when unknown
};

struct RunFigures {
  std::string file;
  std::string format;
  RunBasis basis = RunBasis::none;  // printed as to_string(basis)
  // Why this basis, when it is not the obvious one ("" otherwise), e.g. "monitored 1 of 40
  // epochs (monitor_epochs) and was not interrupted: counted with its prediction for all 40".
  std::string basis_note;
  int epochs = 0;
  double duration_s = 0;   // NaN for "damaged" / "none"
  double energy_kwh = 0;   // facility energy; NaN for "damaged" / "none"
  std::optional<double> pue;  // as logged: device energy = energy_kwh / pue
  double co2eq_g = 0;      // NaN when unknown
  std::optional<double> intensity_g_per_kwh;
  std::string intensity_source;
  std::string intensity_kind;  // "assumed", "yearly average", "measured", ... ("" when not logged)
  std::optional<double> estimated_share;  // estimated energy / device energy (event logs)
  std::optional<MeasuredPart> measured;   // basis "predicted" with an actual block beside it
  std::optional<ReadIssue> damage;        // basis "damaged": the value and where it is
  std::optional<JobIdentity> job;         // the distributed job the run was a process of
};

struct TotalFigures {
  double energy_kwh = 0;
  // energy_kwh / each run's PUE, summed: the devices' energy. NaN when a counted run states no PUE.
  double device_energy_kwh = 0;
  double co2eq_g = 0;   // over runs with a known CO2eq
  int runs = 0;         // runs counted in energy_kwh
  int runs_actual = 0, runs_partial = 0, runs_predicted = 0, runs_without_co2 = 0;
  double predicted_energy_kwh = 0;  // part of energy_kwh that comes from predictions
  // Predicted runs that measured a part (monitor_epochs below the epochs predicted for), and the
  // facility energy of those measured parts (already inside predicted_energy_kwh's runs).
  int runs_predicted_partly_measured = 0;
  double measured_part_energy_kwh = 0;
  int runs_damaged = 0;  // left out of every figure above
};

// True when a run's actual block covers fewer epochs than its prediction and the run was not
// stopped early: monitoring ended (monitor_epochs) while training went on, so the prediction is
// the figure for the whole training. Shared with python_compat::aggregate_consumption.
bool prediction_covers_more(const RunData& run);

RunFigures figures_for(const RunData& run);
TotalFigures totals_for(const std::vector<RunFigures>& runs);

}  // namespace carbontracker::report
