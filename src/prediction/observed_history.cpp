#include "prediction/observed_history.hpp"

#include <algorithm>

#include "core/units.hpp"
#include "prediction/epoch_estimate.hpp"
#include "prediction/numbers.hpp"

namespace carbontracker::prediction {

void ObservedTotals::add(const EpochObservation& o) noexcept {
  ++epochs;
  if (usable(o.duration_s)) {
    duration_sum_s += o.duration_s;
    ++duration_n;
  }
  if (usable(o.energy_j)) {
    energy_sum_j += o.energy_j;
    ++energy_n;
  }
  if (usable(o.co2eq_g)) {
    co2_sum_g += o.co2eq_g;
  } else if (usable(o.energy_j)) {
    co2_fallback_kwh += kwh_from_j(o.energy_j);
    ++co2_fallback_n;
  } else {
    ++co2_unknown_n;
  }
}

ObservedHistory::ObservedHistory() {
  durations_.reserve(2 * kMaxWindowEpochs);
  energies_.reserve(2 * kMaxWindowEpochs);
}

void ObservedHistory::append(const EpochObservation& o) {
  if (totals_.epochs == 0) first_ = o;
  totals_.add(o);
  if (durations_.size() == 2 * kMaxWindowEpochs) {
    const auto half = static_cast<std::ptrdiff_t>(kMaxWindowEpochs);
    durations_.erase(durations_.begin(), durations_.begin() + half);
    energies_.erase(energies_.begin(), energies_.begin() + half);
  }
  durations_.push_back(o.duration_s);
  energies_.push_back(o.energy_j);
}

std::span<const double> ObservedHistory::recent(const std::vector<double>& v) const noexcept {
  const std::size_t n = std::min(v.size(), kMaxWindowEpochs);
  return std::span<const double>(v).subspan(v.size() - n);
}

}  // namespace carbontracker::prediction
