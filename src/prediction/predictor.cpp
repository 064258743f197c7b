#include "prediction/predictor.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/units.hpp"
#include "prediction/epoch_estimate.hpp"
#include "prediction/numbers.hpp"

namespace carbontracker::prediction {
namespace {


int planned_epochs(const PredictionInputs& in) noexcept {
  const int k = static_cast<int>(std::min<std::size_t>(in.observed.size(), std::numeric_limits<int>::max()));
  return std::max(in.total_epochs, k);
}

void set_all(double& point, double& low, double& high, double value) noexcept { point = low = high = value; }

}  // namespace

Forecast predict_paper(const PredictionInputs& in) {
  Forecast f;
  f.method = ForecastMethod::paper;
  f.after_epochs = static_cast<int>(std::min<std::size_t>(in.observed.size(), std::numeric_limits<int>::max()));
  f.epochs = planned_epochs(in);
  f.confidence = 0.0;
  f.intensity_g_per_kwh = in.future_intensity_g_per_kwh;

  // Means over the usable values of each metric; an empty mean is unknown (NaN), except that
  // zero planned epochs cost exactly nothing.
  double duration_sum = 0, energy_sum = 0;
  int duration_n = 0, energy_n = 0;
  for (const auto& o : in.observed) {
    if (usable(o.duration_s)) { duration_sum += o.duration_s; ++duration_n; }
    if (usable(o.energy_j)) { energy_sum += o.energy_j; ++energy_n; }
  }
  const double epochs = f.epochs;
  const double duration = f.epochs == 0 ? 0.0 : duration_n > 0 ? epochs * duration_sum / duration_n : kNaN;
  const double energy = f.epochs == 0 ? 0.0 : energy_n > 0 ? epochs * energy_sum / energy_n : kNaN;
  const double intensity = in.future_intensity_g_per_kwh;
  const double co2 = f.epochs == 0 ? 0.0 : usable(intensity) ? kwh_from_j(energy) * intensity : kNaN;
  set_all(f.duration_s, f.duration_s_low, f.duration_s_high, duration);
  set_all(f.energy_j, f.energy_j_low, f.energy_j_high, energy);
  set_all(f.co2eq_g, f.co2eq_g_low, f.co2eq_g_high, co2);
  return f;
}

Forecast predict_robust(const PredictionInputs& in) {
  Forecast f;
  f.method = ForecastMethod::robust;
  const auto& obs = in.observed;
  f.after_epochs = static_cast<int>(std::min<std::size_t>(obs.size(), std::numeric_limits<int>::max()));
  f.epochs = planned_epochs(in);
  f.confidence = std::isnan(in.confidence) ? 0.9 : std::clamp(in.confidence, 0.0, 0.999);
  f.intensity_g_per_kwh = in.future_intensity_g_per_kwh;
  const double remaining = static_cast<double>(f.epochs - f.after_epochs);
  const double intensity = in.future_intensity_g_per_kwh;

  std::vector<double> durations, energies;
  durations.reserve(obs.size());
  energies.reserve(obs.size());
  double duration_seen = 0, energy_seen = 0, co2_seen = 0;
  double duration_unknown = 0, energy_unknown = 0, co2_unknown = 0;  // epochs to predict
  bool co2_seen_ok = true;
  for (const auto& o : obs) {
    durations.push_back(o.duration_s);
    energies.push_back(o.energy_j);
    if (usable(o.duration_s)) duration_seen += o.duration_s; else ++duration_unknown;
    if (usable(o.energy_j)) energy_seen += o.energy_j; else ++energy_unknown;
    if (usable(o.co2eq_g)) {
      co2_seen += o.co2eq_g;
    } else if (usable(o.energy_j)) {
      // Its energy is known; the intensity of that moment is not, so the future one stands in.
      if (usable(intensity)) co2_seen += kwh_from_j(o.energy_j) * intensity; else co2_seen_ok = false;
    } else {
      ++co2_unknown;  // neither known: its CO2eq comes with the predicted energy below
    }
  }

  const EpochEstimate duration_est = estimate_epoch(durations, kDurationPrior);
  const EpochEstimate energy_est = estimate_epoch(energies, kEnergyPrior);

  const SumInterval d = future_sum(duration_est, remaining + duration_unknown, f.confidence);
  f.duration_s = duration_seen + d.point;
  f.duration_s_low = duration_seen + d.low;
  f.duration_s_high = duration_seen + d.high;

  const SumInterval e = future_sum(energy_est, remaining + energy_unknown, f.confidence);
  f.energy_j = energy_seen + e.point;
  f.energy_j_low = energy_seen + e.low;
  f.energy_j_high = energy_seen + e.high;

  // CO2eq = what was accounted + energy still to come x the forecast intensity. The interval
  // comes from the energy one; the intensity is taken as given (docs/prediction.md).
  const double co2_count = remaining + co2_unknown;
  if (!co2_seen_ok || (co2_count > 0 && !usable(intensity))) {
    set_all(f.co2eq_g, f.co2eq_g_low, f.co2eq_g_high, kNaN);
  } else {
    const SumInterval c = future_sum(energy_est, co2_count, f.confidence);
    const double per_j = co2_count > 0 ? kwh_from_j(1.0) * intensity : 0.0;
    f.co2eq_g = co2_seen + c.point * per_j;
    f.co2eq_g_low = co2_seen + c.low * per_j;
    f.co2eq_g_high = co2_seen + c.high * per_j;
  }
  return f;
}

}  // namespace carbontracker::prediction
