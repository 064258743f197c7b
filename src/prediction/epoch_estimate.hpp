// The per-epoch model behind predict_robust: from the values one metric (duration or energy)
// took in the completed epochs, a robust estimate of what each remaining epoch will take,
// its uncertainty, and the predictive interval of the sum over the remaining epochs.
// The method, every constant and the reasons are in docs/prediction.md.
//
// Contract: pure functions of their arguments; no I/O, no global state, thread-safe. They
// never throw on odd values (only std::bad_alloc can escape estimate_epoch): a value that is
// NaN, infinite or negative is "not measured" and is left out of the estimate; zero is a
// valid measurement. Units are whatever the caller's values are in (s or J).
#pragma once

#include <cstddef>
#include <limits>
#include <span>

namespace carbontracker::prediction {

// Prior knowledge about one metric, used where the observed epochs cannot tell.
struct EstimatorPrior {
  double noise_rel_sd = 0;    // epoch-to-epoch relative standard deviation
  double noise_prior_df = 0;  // weight of that guess, in degrees of freedom (pseudo-epochs)
  double warmup_rel_sd = 0;   // after 1 epoch only: relative sd of (steady epoch / first epoch)
};

// Justified in docs/prediction.md ("Constants").
inline constexpr EstimatorPrior kDurationPrior{.noise_rel_sd = 0.02, .noise_prior_df = 2.0, .warmup_rel_sd = 0.03};
inline constexpr EstimatorPrior kEnergyPrior{.noise_rel_sd = 0.03, .noise_prior_df = 2.0, .warmup_rel_sd = 0.12};

// Values the estimate rests on: at most this many of the most recent epochs.
inline constexpr std::size_t kMaxWindowEpochs = 128;
// A new regime (level shift) is accepted once this many epochs all show it, and when the
// shift of the median exceeds both of these: standard errors of the difference of the two
// medians, and a fraction of the old level.
inline constexpr std::size_t kMinRegimeEpochs = 4;
inline constexpr double kShiftSigmas = 5.0;
inline constexpr double kShiftRelative = 0.02;
// An epoch is extreme when it lies beyond this many robust sigmas from the median, with the
// sigma floored at a fraction of the median (so tiny wiggles of very steady runs are not).
inline constexpr double kOutlierSigmas = 3.5;
inline constexpr double kOutlierRelFloor = 0.02;
// MAD to standard deviation for normal data.
inline constexpr double kMadToSd = 1.482602218505602;

struct EpochEstimate {
  bool valid = false;  // false: no measured value to extrapolate from; per_epoch is NaN
  double per_epoch = std::numeric_limits<double>::quiet_NaN();  // each remaining epoch
  double noise_sd = 0;  // epoch-to-epoch standard deviation (pooled with the prior)
  double noise_df = std::numeric_limits<double>::infinity();  // its degrees of freedom
  double level_sd = 0;  // extra sd of the level itself (the warm-up prior, after 1 epoch only)
  // Extra room per future epoch above (below) the interval: what an excluded extreme epoch
  // would add if it recurred at the rate seen (the mean with it minus the mean without it).
  double upside_per_epoch = 0;
  double downside_per_epoch = 0;
  int n_used = 0;  // epochs the level rests on
  // Diagnostics, for notes and tests.
  bool warmup_excluded = false;  // epoch 1 left out of the estimate
  int regime_start_epoch = 0;    // 1-based first epoch of the estimation set (0 when invalid)
  int outliers_excluded = 0;     // isolated extreme epochs left out (0, 1 or 2)
  int unmeasured = 0;            // observed epochs whose value was not usable
};

// values[i] is epoch i+1's value.
EpochEstimate estimate_epoch(std::span<const double> values, const EstimatorPrior& prior);

// The same estimate from what it actually reads, so that a long run's refit costs O(window), not
// O(epochs): `epochs` = k, the number of observed epochs; `first_value` = epoch 1's value (read
// only when k >= 1); `recent` = the last recent.size() values, epochs k - recent.size() + 1 .. k,
// with recent.size() >= min(k, kMaxWindowEpochs) (extra older values are ignored); `unmeasured`
// = how many of all k values are not usable. Bitwise the result of estimate_epoch over the whole
// series.
EpochEstimate estimate_epoch_recent(std::size_t epochs, double first_value, std::span<const double> recent,
                                    int unmeasured, const EstimatorPrior& prior);

struct SumInterval {
  double point = 0, low = 0, high = 0;
};

// Sum of `count` future epochs (count >= 0): the point, and an equal-tailed predictive
// interval at `confidence` (clamped to [0, 0.999]; NaN means 0.9), widened on one side by
// count x upside/downside_per_epoch and clamped below at 0. count == 0 gives {0, 0, 0}; an
// invalid estimate with count > 0 gives NaNs.
SumInterval future_sum(const EpochEstimate& e, double count, double confidence) noexcept;

}  // namespace carbontracker::prediction
