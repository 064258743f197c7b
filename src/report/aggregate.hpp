// Per-run figures and totals over many runs, for `carbontracker report` and the paper
// statement. Each run counts once, from the best basis it has:
//   "actual"    — the run finished (or stopped early) and logged its actual consumption;
//   "partial"   — the run did not finish (killed): the sum of the epochs it completed;
//   "predicted" — only a prediction was logged (the Python tool's logs of an unfinished run).
// The basis is part of every output: a total that leans on predictions says so.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "report/run_data.hpp"

namespace carbontracker::report {

inline constexpr int kReportFormatVersion = 1;

struct RunFigures {
  std::string file;
  std::string format;
  std::string basis;  // "actual", "partial", "predicted", or "none" (nothing usable)
  int epochs = 0;
  double duration_s = 0;
  double energy_kwh = 0;   // facility energy
  double co2eq_g = 0;      // NaN when unknown
  std::optional<double> intensity_g_per_kwh;
  std::string intensity_source;
  std::optional<double> estimated_share;  // estimated energy / device energy (event logs)
};

struct TotalFigures {
  double energy_kwh = 0;
  double co2eq_g = 0;   // over runs with a known CO2eq
  int runs = 0;
  int runs_actual = 0, runs_partial = 0, runs_predicted = 0, runs_without_co2 = 0;
  double predicted_energy_kwh = 0;  // part of energy_kwh that comes from predictions
};

RunFigures figures_for(const RunData& run);
TotalFigures totals_for(const std::vector<RunFigures>& runs);

}  // namespace carbontracker::report
