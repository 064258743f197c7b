// The completed epochs as the predictors need them, kept as the run goes: appended once per
// epoch in O(1) (amortised), read in O(kMaxWindowEpochs) per refit however long the run is.
//
// What is kept: epoch 1 (the warm-up epoch, which the estimate falls back on), the durations and
// energies of the most recent kMaxWindowEpochs epochs (contiguous, oldest first, for
// estimate_epoch_recent), and running sums and counts over every epoch (ObservedTotals). The sums
// are accumulated in epoch order, as a loop over the whole history would, so a forecast from an
// ObservedHistory is bitwise the one from the whole series (tests/prediction checks it); the one
// exception is the CO2eq of epochs whose own CO2eq was not usable but whose energy was (their
// energy is summed, then multiplied by the current intensity: a difference of rounding only).
//
// Contract: a plain value type; not thread-safe (the tracker's training thread owns it). Never
// throws except std::bad_alloc (two small buffers, allocated once).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace carbontracker::prediction {

struct EpochObservation {
  double duration_s = 0;
  double energy_j = 0;  // facility energy of the epoch (already x PUE)
  double co2eq_g = 0;   // CO2eq of the epoch as accounted (energy x the intensity valid then)
};

// Sums and counts over all observed epochs, in epoch order. "Usable": finite and >= 0 (numbers.hpp).
struct ObservedTotals {
  std::size_t epochs = 0;
  double duration_sum_s = 0;   // usable durations
  std::size_t duration_n = 0;
  double energy_sum_j = 0;     // usable energies
  std::size_t energy_n = 0;
  double co2_sum_g = 0;        // usable CO2eq values
  // Epochs whose CO2eq is not usable but whose energy is: their CO2eq is energy x the future
  // intensity at each forecast.
  double co2_fallback_kwh = 0;
  std::size_t co2_fallback_n = 0;
  std::size_t co2_unknown_n = 0;  // neither usable: predicted with the epochs still to come

  void add(const EpochObservation& o) noexcept;
};

class ObservedHistory {
 public:
  ObservedHistory();
  void append(const EpochObservation& o);

  [[nodiscard]] std::size_t size() const noexcept { return totals_.epochs; }
  [[nodiscard]] bool empty() const noexcept { return totals_.epochs == 0; }
  [[nodiscard]] const ObservedTotals& totals() const noexcept { return totals_; }
  // Epoch 1 (size() >= 1).
  [[nodiscard]] const EpochObservation& first() const noexcept { return first_; }
  // The last min(size(), kMaxWindowEpochs) epochs' values, oldest first.
  [[nodiscard]] std::span<const double> recent_durations() const noexcept { return recent(durations_); }
  [[nodiscard]] std::span<const double> recent_energies() const noexcept { return recent(energies_); }
  // Unusable values over all epochs (estimate_epoch's `unmeasured`).
  [[nodiscard]] std::size_t unmeasured_durations() const noexcept { return totals_.epochs - totals_.duration_n; }
  [[nodiscard]] std::size_t unmeasured_energies() const noexcept { return totals_.epochs - totals_.energy_n; }

 private:
  [[nodiscard]] std::span<const double> recent(const std::vector<double>& v) const noexcept;

  ObservedTotals totals_;
  EpochObservation first_;
  // The most recent values; at 2 x kMaxWindowEpochs the older half is dropped (one memmove per
  // kMaxWindowEpochs appends), so the window stays contiguous without a copy per read.
  std::vector<double> durations_, energies_;
};

}  // namespace carbontracker::prediction
