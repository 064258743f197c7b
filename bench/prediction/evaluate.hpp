// Replays a trace through the prediction models and scores the forecasts against the trace's
// actual totals (bench/prediction/README.md, docs/prediction-accuracy.md).
//
// A forecast after k epochs sees epochs 1..k (duration, facility energy = device energy, PUE 1:
// relative errors do not depend on the PUE) and the CO2eq accounted for them (energy x the
// epoch's intensity). Its future intensity is, separately, the last observed epoch's intensity
// ("last", what the tracker has without a forecast) and the plain mean of the intensities of the
// epochs still to come ("perfect", a perfect forecast). The truth is the sum over every epoch
// the run actually completed.
//
// Contract: pure functions, no I/O, thread-safe; nothing throws except std::bad_alloc.
// Errors are signed percentages ((forecast - actual) / actual x 100); NaN where not defined
// (CO2eq of a trace without intensity, an actual total of 0).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "trace.hpp"

namespace carbontracker::bench {

struct Score {
  std::string trace, scenario, model;  // model: "paper" or "robust"
  int k = 0;
  int horizon_epochs = 0;  // total_epochs given to the model
  int epochs_run = 0;      // epochs the trace completed (the truth)
  bool early_stopped = false;   // the trace ran fewer epochs than planned
  bool horizon_actual = false;  // horizon_epochs = epochs_run although the run planned more
  double err_duration_pct = 0, err_energy_pct = 0, err_co2_last_pct = 0, err_co2_perfect_pct = 0;
  bool has_interval = false;  // robust: the covers and the half-width below mean something
  double energy_half_width_pct = 0;  // (high - low) / 2 of the energy interval, % of the actual total
  bool cover_duration = false, cover_energy = false, cover_co2_last = false, cover_co2_perfect = false;
};

// One Score per model, per k in ks with k < epochs run (something left to predict). An
// early-stopped trace is scored twice per k: horizon = planned epochs (what the tracker knows)
// and horizon = epochs run (the model's accuracy had the stop been known).
std::vector<Score> evaluate_trace(const Trace& trace, std::span<const int> ks, double confidence);

struct Stat {
  int n = 0;
  double median = 0, worst = 0;  // of |error| in %; NaN when n == 0
};
Stat abs_stat(std::vector<double> errors);  // NaNs are left out

}  // namespace carbontracker::bench
