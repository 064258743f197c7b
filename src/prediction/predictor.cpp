#include "prediction/predictor.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/units.hpp"
#include "prediction/epoch_estimate.hpp"
#include "prediction/numbers.hpp"

namespace carbontracker::prediction {
namespace {

int observed_epochs(const ObservedHistory& h) noexcept {
  return static_cast<int>(std::min<std::size_t>(h.size(), std::numeric_limits<int>::max()));
}

int planned_epochs(const ObservedHistory& h, const ForecastSettings& s) noexcept {
  return std::max(s.total_epochs, observed_epochs(h));
}

void set_all(double& point, double& low, double& high, double value) noexcept { point = low = high = value; }

int int_count(std::size_t n) noexcept {
  return static_cast<int>(std::min<std::size_t>(n, std::numeric_limits<int>::max()));
}

ObservedHistory history_of(const PredictionInputs& in) {
  ObservedHistory h;
  for (const auto& o : in.observed) h.append(o);
  return h;
}

ForecastSettings settings_of(const PredictionInputs& in) noexcept {
  return {in.total_epochs, in.future_intensity_g_per_kwh, in.confidence};
}

}  // namespace

Forecast predict_paper(const ObservedHistory& observed, const ForecastSettings& in) {
  Forecast f;
  f.method = ForecastMethod::paper;
  f.after_epochs = observed_epochs(observed);
  f.epochs = planned_epochs(observed, in);
  f.confidence = 0.0;
  f.intensity_g_per_kwh = in.future_intensity_g_per_kwh;

  // Means over the usable values of each metric; an empty mean is unknown (NaN), except that
  // zero planned epochs cost exactly nothing.
  const ObservedTotals& t = observed.totals();
  const double duration_sum = t.duration_sum_s, energy_sum = t.energy_sum_j;
  const int duration_n = int_count(t.duration_n), energy_n = int_count(t.energy_n);
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

Forecast predict_robust(const ObservedHistory& observed, const ForecastSettings& in) {
  Forecast f;
  f.method = ForecastMethod::robust;
  f.after_epochs = observed_epochs(observed);
  f.epochs = planned_epochs(observed, in);
  f.confidence = std::isnan(in.confidence) ? 0.9 : std::clamp(in.confidence, 0.0, 0.999);
  f.intensity_g_per_kwh = in.future_intensity_g_per_kwh;
  const double remaining = static_cast<double>(f.epochs - f.after_epochs);
  const double intensity = in.future_intensity_g_per_kwh;

  const ObservedTotals& t = observed.totals();
  const double duration_seen = t.duration_sum_s, energy_seen = t.energy_sum_j;
  const double duration_unknown = static_cast<double>(t.epochs - t.duration_n);  // epochs to predict
  const double energy_unknown = static_cast<double>(t.epochs - t.energy_n);
  const double co2_unknown = static_cast<double>(t.co2_unknown_n);  // its CO2eq comes with the predicted energy
  // An epoch whose energy is known but whose CO2eq is not: the intensity of that moment is not
  // known, so the future one stands in.
  double co2_seen = t.co2_sum_g;
  bool co2_seen_ok = true;
  if (t.co2_fallback_n > 0) {
    if (usable(intensity)) co2_seen += t.co2_fallback_kwh * intensity; else co2_seen_ok = false;
  }

  const double first_duration = observed.empty() ? kNaN : observed.first().duration_s;
  const double first_energy = observed.empty() ? kNaN : observed.first().energy_j;
  const EpochEstimate duration_est = estimate_epoch_recent(observed.size(), first_duration, observed.recent_durations(),
                                                           int_count(observed.unmeasured_durations()), kDurationPrior);
  const EpochEstimate energy_est = estimate_epoch_recent(observed.size(), first_energy, observed.recent_energies(),
                                                         int_count(observed.unmeasured_energies()), kEnergyPrior);

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

Forecast predict_paper(const PredictionInputs& in) { return predict_paper(history_of(in), settings_of(in)); }

Forecast predict_robust(const PredictionInputs& in) { return predict_robust(history_of(in), settings_of(in)); }

}  // namespace carbontracker::prediction
