// ObservedHistory (running sums + a bounded window) against the whole series: the forecasts a
// long run's refit makes in O(window) are the ones the whole history gave (bitwise; the CO2eq of
// epochs whose own CO2eq was unusable differs by rounding only).
#include "prediction/observed_history.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "core/units.hpp"
#include "prediction/epoch_estimate.hpp"
#include "prediction/numbers.hpp"
#include "prediction/predictor.hpp"

namespace carbontracker::prediction {
namespace {

// The predictors as they were before ObservedHistory (every epoch walked at every refit), kept
// verbatim as the reference.
Forecast reference_paper(const PredictionInputs& in) {
  Forecast f;
  f.method = ForecastMethod::paper;
  f.after_epochs = static_cast<int>(std::min<std::size_t>(in.observed.size(), std::numeric_limits<int>::max()));
  f.epochs = std::max(in.total_epochs, f.after_epochs);
  f.confidence = 0.0;
  f.intensity_g_per_kwh = in.future_intensity_g_per_kwh;
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
  f.duration_s = f.duration_s_low = f.duration_s_high = duration;
  f.energy_j = f.energy_j_low = f.energy_j_high = energy;
  f.co2eq_g = f.co2eq_g_low = f.co2eq_g_high = co2;
  return f;
}

Forecast reference_robust(const PredictionInputs& in) {
  Forecast f;
  f.method = ForecastMethod::robust;
  const auto& obs = in.observed;
  f.after_epochs = static_cast<int>(std::min<std::size_t>(obs.size(), std::numeric_limits<int>::max()));
  f.epochs = std::max(in.total_epochs, f.after_epochs);
  f.confidence = std::isnan(in.confidence) ? 0.9 : std::clamp(in.confidence, 0.0, 0.999);
  f.intensity_g_per_kwh = in.future_intensity_g_per_kwh;
  const double remaining = static_cast<double>(f.epochs - f.after_epochs);
  const double intensity = in.future_intensity_g_per_kwh;
  std::vector<double> durations, energies;
  double duration_seen = 0, energy_seen = 0, co2_seen = 0;
  double duration_unknown = 0, energy_unknown = 0, co2_unknown = 0;
  bool co2_seen_ok = true;
  for (const auto& o : obs) {
    durations.push_back(o.duration_s);
    energies.push_back(o.energy_j);
    if (usable(o.duration_s)) duration_seen += o.duration_s; else ++duration_unknown;
    if (usable(o.energy_j)) energy_seen += o.energy_j; else ++energy_unknown;
    if (usable(o.co2eq_g)) {
      co2_seen += o.co2eq_g;
    } else if (usable(o.energy_j)) {
      if (usable(intensity)) co2_seen += kwh_from_j(o.energy_j) * intensity; else co2_seen_ok = false;
    } else {
      ++co2_unknown;
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
  const double co2_count = remaining + co2_unknown;
  if (!co2_seen_ok || (co2_count > 0 && !usable(intensity))) {
    f.co2eq_g = f.co2eq_g_low = f.co2eq_g_high = kNaN;
  } else {
    const SumInterval c = future_sum(energy_est, co2_count, f.confidence);
    const double per_j = co2_count > 0 ? kwh_from_j(1.0) * intensity : 0.0;
    f.co2eq_g = co2_seen + c.point * per_j;
    f.co2eq_g_low = co2_seen + c.low * per_j;
    f.co2eq_g_high = co2_seen + c.high * per_j;
  }
  return f;
}

bool same_bits(double a, double b) {
  if (std::isnan(a) && std::isnan(b)) return true;
  return std::memcmp(&a, &b, sizeof a) == 0;
}

bool within_rounding(double a, double b) {
  if (same_bits(a, b)) return true;
  if (!std::isfinite(a) || !std::isfinite(b)) return false;
  return std::fabs(a - b) <= 1e-12 * std::max(std::fabs(a), std::fabs(b));
}

// Every field of the two forecasts: bitwise, except the CO2eq fields when `co2_rounding`.
void expect_same(const Forecast& got, const Forecast& want, bool co2_rounding, const std::string& where) {
  EXPECT_EQ(got.method, want.method) << where;
  EXPECT_EQ(got.after_epochs, want.after_epochs) << where;
  EXPECT_EQ(got.epochs, want.epochs) << where;
  const std::pair<const char*, std::pair<double, double>> exact[] = {
      {"confidence", {got.confidence, want.confidence}},
      {"duration_s", {got.duration_s, want.duration_s}},
      {"duration_s_low", {got.duration_s_low, want.duration_s_low}},
      {"duration_s_high", {got.duration_s_high, want.duration_s_high}},
      {"energy_j", {got.energy_j, want.energy_j}},
      {"energy_j_low", {got.energy_j_low, want.energy_j_low}},
      {"energy_j_high", {got.energy_j_high, want.energy_j_high}},
      {"intensity", {got.intensity_g_per_kwh, want.intensity_g_per_kwh}},
  };
  for (const auto& [name, v] : exact) EXPECT_TRUE(same_bits(v.first, v.second)) << where << " " << name << ": " << v.first << " vs " << v.second;
  const std::pair<const char*, std::pair<double, double>> co2[] = {
      {"co2eq_g", {got.co2eq_g, want.co2eq_g}},
      {"co2eq_g_low", {got.co2eq_g_low, want.co2eq_g_low}},
      {"co2eq_g_high", {got.co2eq_g_high, want.co2eq_g_high}},
  };
  for (const auto& [name, v] : co2) {
    if (co2_rounding) {
      EXPECT_TRUE(within_rounding(v.first, v.second)) << where << " " << name << ": " << v.first << " vs " << v.second;
    } else {
      EXPECT_TRUE(same_bits(v.first, v.second)) << where << " " << name << ": " << v.first << " vs " << v.second;
    }
  }
}

// A generated run: a warm-up epoch, level shifts, noise, isolated spikes, and (by `odd_rate`)
// values that are not measured (NaN, infinite, negative) or zero, and CO2eq values missing
// while the energy is known.
std::vector<EpochObservation> generated_run(std::mt19937_64& rng, int epochs, double odd_rate, double co2_missing_rate) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::normal_distribution<double> z(0.0, 1.0);
  double level_d = 30 + 100 * u(rng), level_e = 1000 + 50000 * u(rng);
  const double noise = 0.002 + 0.08 * u(rng);
  const double intensity = 50 + 500 * u(rng);
  std::vector<EpochObservation> out;
  auto odd = [&](double v) {
    if (u(rng) >= odd_rate) return v;
    switch (static_cast<int>(u(rng) * 5)) {
      case 0: return std::numeric_limits<double>::quiet_NaN();
      case 1: return std::numeric_limits<double>::infinity();
      case 2: return -v;
      case 3: return 0.0;
      default: return v * 20;  // a hiccup
    }
  };
  for (int i = 0; i < epochs; ++i) {
    if (i > 0 && u(rng) < 0.01) {  // a new regime
      level_d *= 0.6 + 0.8 * u(rng);
      level_e *= 0.6 + 0.8 * u(rng);
    }
    const double warm = i == 0 ? 0.5 + u(rng) : 1.0;
    const double d = odd(level_d * warm * (1 + noise * z(rng)));
    const double e = odd(level_e * warm * (1 + noise * z(rng)));
    double c = usable(e) ? kwh_from_j(e) * intensity : std::numeric_limits<double>::quiet_NaN();
    if (u(rng) < co2_missing_rate) c = std::numeric_limits<double>::quiet_NaN();
    out.push_back({d, e, c});
  }
  return out;
}

void check_series(const std::vector<EpochObservation>& series, int total_epochs, double intensity, double confidence,
                  int stride, const std::string& name) {
  ObservedHistory h;
  PredictionInputs in;
  in.total_epochs = total_epochs;
  in.future_intensity_g_per_kwh = intensity;
  in.confidence = confidence;
  const ForecastSettings settings{total_epochs, intensity, confidence};
  for (std::size_t i = 0; i < series.size(); ++i) {
    h.append(series[i]);
    in.observed.push_back(series[i]);
    const bool last = i + 1 == series.size();
    if (!last && (i + 1) % static_cast<std::size_t>(stride) != 0 && i > 140) continue;
    const bool rounding = h.totals().co2_fallback_n > 0;
    const std::string where = name + " after " + std::to_string(i + 1);
    expect_same(predict_robust(h, settings), reference_robust(in), rounding, where + " robust");
    expect_same(predict_paper(h, settings), reference_paper(in), rounding, where + " paper");
    // The whole-series entry points go through a history too.
    expect_same(predict_robust(in), reference_robust(in), rounding, where + " robust (series)");
    if (::testing::Test::HasFailure()) return;
  }
}

TEST(ObservedHistory, ForecastsAreTheWholeSeriesOnes) {
  std::mt19937_64 rng(20240615);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  int series = 0;
  for (int length : {1, 2, 3, 5, 17, 127, 128, 129, 130, 255, 256, 257, 300, 700}) {
    for (int variant = 0; variant < 4; ++variant) {
      const double odd_rate = variant == 0 ? 0.0 : variant == 1 ? 0.05 : variant == 2 ? 0.3 : 0.9;
      const double co2_missing = variant == 3 ? 0.2 : 0.0;
      const auto s = generated_run(rng, length, odd_rate, co2_missing);
      const int total = variant == 2 ? length / 2 : length + static_cast<int>(u(rng) * 1000);
      const double intensity = variant == 3 && length % 2 ? std::numeric_limits<double>::quiet_NaN() : 100 + 400 * u(rng);
      const double confidence = variant == 1 ? std::numeric_limits<double>::quiet_NaN() : 0.5 + 0.49 * u(rng);
      check_series(s, total, intensity, confidence, length > 300 ? 7 : 1,
                   "length " + std::to_string(length) + " variant " + std::to_string(variant));
      ++series;
      if (HasFailure()) return;
    }
  }
  EXPECT_EQ(series, 56);
}

TEST(ObservedHistory, AllUnmeasuredInTheWindowFallsBackOnTheFirstEpochAsBefore) {
  // Epoch 1 measured, then more than a window of unmeasured epochs: the estimate rests on epoch
  // 1, which the window alone no longer holds.
  std::vector<EpochObservation> s{{50.0, 5000.0, 1.0}};
  for (int i = 0; i < 200; ++i) s.push_back({std::nan(""), -1.0, std::nan("")});
  check_series(s, 400, 300, 0.9, 1, "first only");
  ObservedHistory h;
  for (const auto& o : s) h.append(o);
  EXPECT_EQ(h.recent_energies().size(), kMaxWindowEpochs);
  EXPECT_EQ(h.unmeasured_energies(), 200u);
  EXPECT_EQ(h.first().energy_j, 5000.0);
  const Forecast f = predict_robust(h, {400, 300, 0.9});
  EXPECT_NEAR(f.energy_j, 5000.0 * 400, 1e-6);  // every other epoch predicted at epoch 1's value
}

TEST(ObservedHistory, WindowIsTheLastEpochsInOrder) {
  ObservedHistory h;
  EXPECT_TRUE(h.recent_durations().empty());
  for (int i = 1; i <= 1000; ++i) {
    h.append({static_cast<double>(i), 10.0 * i, 0.0});
    const auto w = h.recent_durations();
    ASSERT_EQ(w.size(), std::min<std::size_t>(static_cast<std::size_t>(i), kMaxWindowEpochs));
    ASSERT_EQ(w.back(), static_cast<double>(i));
    ASSERT_EQ(w.front(), static_cast<double>(i - static_cast<int>(w.size()) + 1));
    ASSERT_EQ(h.recent_energies().back(), 10.0 * i);
  }
  EXPECT_EQ(h.size(), 1000u);
  EXPECT_EQ(h.first().duration_s, 1.0);
  EXPECT_EQ(h.totals().duration_sum_s, 500500.0);
  EXPECT_EQ(h.totals().co2_fallback_n, 0u);
}

TEST(ObservedHistory, EstimateFromTheWindowIsTheWholeSeriesEstimate) {
  std::mt19937_64 rng(99);
  for (int length : {1, 2, 129, 400}) {
    const auto s = generated_run(rng, length, 0.2, 0.0);
    std::vector<double> v;
    for (const auto& o : s) v.push_back(o.energy_j);
    int unmeasured = 0;
    for (double x : v) unmeasured += usable(x) ? 0 : 1;
    const std::size_t w = std::min<std::size_t>(v.size(), kMaxWindowEpochs);
    const EpochEstimate whole = estimate_epoch(v, kEnergyPrior);
    const EpochEstimate part = estimate_epoch_recent(v.size(), v[0], std::span<const double>(v).last(w), unmeasured, kEnergyPrior);
    EXPECT_EQ(whole.valid, part.valid);
    EXPECT_TRUE(same_bits(whole.per_epoch, part.per_epoch)) << length;
    EXPECT_TRUE(same_bits(whole.noise_sd, part.noise_sd)) << length;
    EXPECT_EQ(whole.regime_start_epoch, part.regime_start_epoch);
    EXPECT_EQ(whole.unmeasured, part.unmeasured);
    EXPECT_EQ(whole.outliers_excluded, part.outliers_excluded);
  }
}

}  // namespace
}  // namespace carbontracker::prediction
