// Whole-run forecast after some completed epochs: the run's duration, facility energy and
// CO2eq, each with a predictive interval. Two models: the Carbontracker paper's (arXiv
// 2007.03051: epochs x mean of the observed epochs, no interval), kept for comparison, and
// ours (observed epochs as measured + a robust, warm-up-aware estimate for the rest, with an
// interval at the requested confidence). docs/prediction.md has the method and constants.
//
// Contract
//  - Units: s, J (facility energy, already x PUE), g, g/kWh.
//  - Pure functions: no I/O, no global state, thread-safe. Nothing throws except
//    std::bad_alloc (a few small vectors).
//  - Odd inputs never throw; they behave as follows:
//    * total_epochs < k (or <= 0): the forecast is for the k epochs observed (epochs = k).
//    * An epoch value that is NaN, infinite or negative is "not measured": it is left out of
//      every estimate and the epoch counts as one still to predict (its value comes from the
//      per-epoch estimate and its uncertainty widens the interval). Zero is a measurement.
//      An epoch whose CO2eq is not usable but whose energy is gets energy x future intensity.
//    * Nothing measured to extrapolate from (k = 0, or no usable value of a metric) while
//      epochs remain: that metric's point, low and high are NaN (unknown, never 0).
//    * future_intensity_g_per_kwh NaN, infinite or negative: CO2eq is NaN wherever the
//      intensity is needed (epochs to predict, an epoch without a usable CO2eq). Zero is valid.
//    * confidence NaN: 0.9; otherwise clamped to [0, 0.999].
//  - Forecast.confidence: the confidence used ("robust"); 0 for "paper" (a point, no interval).
#pragma once

#include <vector>

#include "carbontracker/results.hpp"
#include "prediction/observed_history.hpp"

namespace carbontracker::prediction {

// What a forecast is for, besides the observed epochs.
struct ForecastSettings {
  int total_epochs = 0;                   // the run's planned epochs (>= k; if < k, predict k)
  double future_intensity_g_per_kwh = 0;  // for the epochs still to come
  double confidence = 0.9;                // nominal coverage of the intervals
};

// The whole series at once (tests, the benchmarks, a distributed job's epochs read from logs).
struct PredictionInputs {
  std::vector<EpochObservation> observed;  // completed epochs, in order (size k >= 1)
  int total_epochs = 0;                    // the run's planned epochs (>= k; if < k, predict k)
  double future_intensity_g_per_kwh = 0;   // for the epochs still to come
  double confidence = 0.9;                 // nominal coverage of the intervals
};

// The paper: total = total_epochs x mean(observed) for energy and duration; CO2eq = predicted
// energy x future intensity. low == high == point (the paper gives no interval). method = "paper".
// O(1) from an ObservedHistory.
Forecast predict_paper(const ObservedHistory& observed, const ForecastSettings& settings);

// Ours: observed epochs count as observed; the remaining ones come from a robust, warm-up-aware
// per-epoch estimate, with a predictive interval at `confidence`. method = "robust".
// O(kMaxWindowEpochs^2) at most from an ObservedHistory, whatever the number of epochs.
Forecast predict_robust(const ObservedHistory& observed, const ForecastSettings& settings);

// The same from the whole series: O(k) to build the history, then as above.
Forecast predict_paper(const PredictionInputs& in);
Forecast predict_robust(const PredictionInputs& in);

}  // namespace carbontracker::prediction
