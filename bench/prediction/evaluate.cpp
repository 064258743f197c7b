#include "evaluate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "prediction/predictor.hpp"

namespace carbontracker::bench {
namespace {

namespace pred = carbontracker::prediction;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kJoulesPerKwh = 3.6e6;

double err_pct(double forecast, double actual) {
  return actual > 0 ? (forecast - actual) / actual * 100.0 : kNaN;
}

bool covers(double low, double high, double actual) {
  // A relative tolerance, so a zero-width interval around an exactly known total covers it.
  const double tol = 1e-9 * std::max(1.0, std::fabs(actual));
  return actual >= low - tol && actual <= high + tol;
}

struct Truth {
  double duration_s = 0, energy_j = 0, co2_g = 0;
};

}  // namespace

std::vector<Score> evaluate_trace(const Trace& trace, std::span<const int> ks, double confidence) {
  std::vector<Score> out;
  const int run = static_cast<int>(trace.epochs.size());
  Truth truth;
  for (const auto& e : trace.epochs) {
    truth.duration_s += e.duration_s;
    truth.energy_j += e.energy_j;
    truth.co2_g += e.energy_j / kJoulesPerKwh * e.intensity_g_per_kwh;
  }
  const bool early = trace.planned_epochs > run;
  for (const int k : ks) {
    if (k < 1 || k >= run) continue;
    pred::PredictionInputs in;
    in.confidence = confidence;
    for (int i = 0; i < k; ++i) {
      const auto& e = trace.epochs[static_cast<std::size_t>(i)];
      in.observed.push_back({e.duration_s, e.energy_j, e.energy_j / kJoulesPerKwh * e.intensity_g_per_kwh});
    }
    const double last_intensity = trace.epochs[static_cast<std::size_t>(k - 1)].intensity_g_per_kwh;
    double future_sum = 0;
    for (int i = k; i < run; ++i) future_sum += trace.epochs[static_cast<std::size_t>(i)].intensity_g_per_kwh;
    const double perfect_intensity = future_sum / (run - k);

    std::vector<std::pair<int, bool>> horizons{{trace.planned_epochs, false}};
    if (early) horizons.emplace_back(run, true);
    for (const auto& [horizon, actual_horizon] : horizons) {
      in.total_epochs = horizon;
      for (const bool robust : {false, true}) {
        in.future_intensity_g_per_kwh = last_intensity;
        const Forecast last = robust ? pred::predict_robust(in) : pred::predict_paper(in);
        in.future_intensity_g_per_kwh = perfect_intensity;
        const Forecast perfect = robust ? pred::predict_robust(in) : pred::predict_paper(in);
        Score s;
        s.trace = trace.name;
        s.scenario = trace.scenario;
        s.model = std::string(to_string(last.method));
        s.k = k;
        s.horizon_epochs = horizon;
        s.epochs_run = run;
        s.early_stopped = early;
        s.horizon_actual = actual_horizon;
        s.err_duration_pct = err_pct(last.duration_s, truth.duration_s);
        s.err_energy_pct = err_pct(last.energy_j, truth.energy_j);
        s.err_co2_last_pct = trace.has_intensity ? err_pct(last.co2eq_g, truth.co2_g) : kNaN;
        s.err_co2_perfect_pct = trace.has_intensity ? err_pct(perfect.co2eq_g, truth.co2_g) : kNaN;
        s.has_interval = robust;
        s.energy_half_width_pct = 0.5 * (last.energy_j_high - last.energy_j_low) / truth.energy_j * 100.0;
        s.cover_duration = covers(last.duration_s_low, last.duration_s_high, truth.duration_s);
        s.cover_energy = covers(last.energy_j_low, last.energy_j_high, truth.energy_j);
        s.cover_co2_last = trace.has_intensity && covers(last.co2eq_g_low, last.co2eq_g_high, truth.co2_g);
        s.cover_co2_perfect = trace.has_intensity && covers(perfect.co2eq_g_low, perfect.co2eq_g_high, truth.co2_g);
        out.push_back(std::move(s));
      }
    }
  }
  return out;
}

Stat abs_stat(std::vector<double> errors) {
  std::vector<double> a;
  a.reserve(errors.size());
  for (const double e : errors) {
    if (!std::isnan(e)) a.push_back(std::fabs(e));
  }
  Stat s;
  s.n = static_cast<int>(a.size());
  if (a.empty()) {
    s.median = s.worst = kNaN;
    return s;
  }
  std::sort(a.begin(), a.end());
  const std::size_t mid = a.size() / 2;
  s.median = a.size() % 2 == 1 ? a[mid] : 0.5 * (a[mid - 1] + a[mid]);
  s.worst = a.back();
  return s;
}

}  // namespace carbontracker::bench
