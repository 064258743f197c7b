#include "prediction/epoch_estimate.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "prediction/quantiles.hpp"
#include "prediction/numbers.hpp"

namespace carbontracker::prediction {
namespace {

// Epochs before a candidate change point that the shift test compares against: local, so
// that a second shift is measured against the level just before it, not a mixture.
constexpr std::size_t kPrefixEpochs = 12;

// Median of v (reorders v).
double median_inplace(std::vector<double>& v) noexcept {
  const std::size_t n = v.size();
  if (n == 0) return kNaN;
  auto mid = v.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(v.begin(), mid, v.end());
  const double upper = *mid;
  if (n % 2 == 1) return upper;
  const double lower = *std::max_element(v.begin(), mid);
  return 0.5 * (lower + upper);
}

// Median of an already sorted vector: the same order statistics as median_inplace.
double sorted_median(const std::vector<double>& v) noexcept {
  const std::size_t n = v.size();
  if (n == 0) return kNaN;
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double median_of(std::span<const double> s, std::vector<double>& scratch) {
  scratch.assign(s.begin(), s.end());
  return median_inplace(scratch);
}

// Spread of the residuals around each segment's own median, pooled with the prior guess so
// that a few epochs cannot claim the noise is zero. data_var is the larger of the MAD-based and
// the root-mean-square spread (regime_start computes both): the MAD of a dozen epochs is itself
// noisy, and underestimating the spread is what produces false shifts.
double pooled_sd(double data_var, double data_df, double mp, const EstimatorPrior& prior) {
  const double prior_sd = prior.noise_rel_sd * std::fabs(mp);
  const double df = prior.noise_prior_df + data_df;
  if (df <= 0) return std::sqrt(data_var);
  return std::sqrt((prior.noise_prior_df * prior_sd * prior_sd + data_df * data_var) / df);
}

// Index in s where the current regime starts: the latest point after which at least
// kMinRegimeEpochs epochs (nearly) all sit on the far side of a clear level shift; 0 if none.
std::size_t regime_start(std::span<const double> s, const EstimatorPrior& prior, std::vector<double>& scratch) {
  const std::size_t n = s.size();
  if (n < kMinRegimeEpochs + 1) return 0;
  // Q = s[c, n) grows by one epoch per step as c moves left: keep it sorted (one insertion per
  // step) so its median is a lookup instead of a copy and a selection over up to 124 values.
  std::vector<double> q_sorted(s.begin() + static_cast<std::ptrdiff_t>(n - kMinRegimeEpochs), s.end());
  std::sort(q_sorted.begin(), q_sorted.end());
  // P = the kPrefixEpochs epochs before c slides left with it: kept sorted the same way.
  const auto first_c = n - kMinRegimeEpochs;
  std::size_t p0 = first_c > kPrefixEpochs ? first_c - kPrefixEpochs : 0;
  std::vector<double> p_sorted(s.begin() + static_cast<std::ptrdiff_t>(p0),
                               s.begin() + static_cast<std::ptrdiff_t>(first_c));
  std::sort(p_sorted.begin(), p_sorted.end());
  for (std::size_t c = first_c; c >= 1; --c) {
    if (c < first_c) {
      q_sorted.insert(std::upper_bound(q_sorted.begin(), q_sorted.end(), s[c]), s[c]);
      p_sorted.erase(std::lower_bound(p_sorted.begin(), p_sorted.end(), s[c]));
      if (p0 > 0 && c - p0 < kPrefixEpochs) {
        --p0;
        p_sorted.insert(std::upper_bound(p_sorted.begin(), p_sorted.end(), s[p0]), s[p0]);
      }
    }
    const auto p = s.subspan(p0, c - p0);
    const auto q = s.subspan(c);
    const double mp = sorted_median(p_sorted);
    const double mq = sorted_median(q_sorted);
    const double d = mq - mp;
    // The threshold is at least kShiftRelative x |mp|: a shift below that fails whatever the
    // spread, so the spread (the costly part) is only computed for candidates that can pass.
    if (!(std::fabs(d) > kShiftRelative * std::fabs(mp))) {
      if (c == 1) break;
      continue;
    }
    // The spread is the larger of a MAD-based and a root-mean-square figure (pooled_sd);
    // the RMS one alone gives a lower bound of the threshold in one pass without a selection,
    // and most candidates in a noisy run already fail that.
    double ss = 0;
    for (double x : p) ss += (x - mp) * (x - mp);
    for (double x : q) ss += (x - mq) * (x - mq);
    const double data_df = std::max(static_cast<double>(p.size() + q.size()) - 2.0, 0.0);
    const double rms_var = data_df > 0 ? ss / data_df : 0.0;
    // 1.2533 = sqrt(pi/2): a median's standard error relative to a mean's, for normal data.
    auto threshold_for = [&](double data_var) {
      const double sd = pooled_sd(data_var, data_df, mp, prior);
      const double se = 1.2533 * sd * std::sqrt(1.0 / static_cast<double>(p.size()) + 1.0 / static_cast<double>(q.size()));
      return std::max(kShiftSigmas * se, kShiftRelative * std::fabs(mp));
    };
    if (!(std::fabs(d) > threshold_for(rms_var))) {
      if (c == 1) break;
      continue;
    }
    scratch.clear();
    for (double x : p) scratch.push_back(std::fabs(x - mp));
    for (double x : q) scratch.push_back(std::fabs(x - mq));
    const double mad_sd = kMadToSd * median_inplace(scratch);
    const double threshold = threshold_for(std::max(mad_sd * mad_sd, rms_var));
    if (std::fabs(d) > threshold) {
      const double mid = 0.5 * (mp + mq);
      // Nearly all of Q has moved past the midpoint, and nearly none of P: one epoch in five
      // may stray on either side (noise, a hiccup), so one odd epoch cannot hide a shift.
      const auto q_short = std::count_if(q.begin(), q.end(), [&](double x) { return (x - mid) * d <= 0; });
      const auto p_past = std::count_if(p.begin(), p.end(), [&](double x) { return (x - mid) * d > 0; });
      if (static_cast<std::size_t>(q_short) * 5 <= q.size() && static_cast<std::size_t>(p_past) * 5 <= p.size()) {
        // P may hold strays, so the shift may have begun a little earlier: start the regime
        // at the first of the run of epochs already past the midpoint.
        std::size_t begin = c;
        while (begin > 0 && (s[begin - 1] - mid) * d > 0) --begin;
        return begin;
      }
    }
    if (c == 1) break;
  }
  return 0;
}

}  // namespace

EpochEstimate estimate_epoch(std::span<const double> values, const EstimatorPrior& prior) {
  int unmeasured = 0;
  for (double v : values) unmeasured += usable(v) ? 0 : 1;
  return estimate_epoch_recent(values.size(), values.empty() ? kNaN : values[0], values, unmeasured, prior);
}

EpochEstimate estimate_epoch_recent(std::size_t k, double first_value, std::span<const double> recent,
                                    int unmeasured, const EstimatorPrior& prior) {
  EpochEstimate e;
  e.unmeasured = unmeasured;
  // recent[j] is epoch (offset + j + 1)'s value.
  const std::size_t offset = k - std::min(recent.size(), k);
  if (recent.size() > k) recent = recent.last(k);

  // Estimation set: epochs 2..k once there are two (epoch 1 is warm-up: cuDNN autotuning,
  // caches, clocks ramping), the most recent kMaxWindowEpochs of them, measured ones only.
  const std::size_t first = k >= 2 ? 1 : 0;
  e.warmup_excluded = first == 1;
  std::vector<double> s;
  std::vector<int> epoch_of;  // 1-based epoch number of s[i]
  const std::size_t from =
      std::max({first, k > kMaxWindowEpochs ? k - kMaxWindowEpochs : std::size_t{0}, offset});
  for (std::size_t i = from; i < k; ++i) {
    const double v = recent[i - offset];
    if (!usable(v)) continue;
    s.push_back(v);
    epoch_of.push_back(static_cast<int>(i + 1));
  }
  if (s.empty() && first == 1 && usable(first_value)) {
    // Only the warm-up epoch was measured: it is all there is.
    s.push_back(first_value);
    epoch_of.push_back(1);
    e.warmup_excluded = false;
  }
  if (s.empty()) return e;

  // After one epoch the level itself is uncertain: the first epoch is often cheaper or
  // shorter than the steady state (the paper's appendix). Once a later epoch exists, epoch 1
  // is out of the estimate and so is this term.
  const bool only_first = epoch_of.size() == 1 && epoch_of[0] == 1;

  std::vector<double> scratch;
  scratch.reserve(s.size());
  const std::size_t start = regime_start(s, prior, scratch);
  std::vector<double> regime(s.begin() + static_cast<std::ptrdiff_t>(start), s.end());
  e.regime_start_epoch = epoch_of[start];

  // Isolated extremes: one epoch far above (or below) the rest is a hiccup and is left out
  // of the level; two or more on the same side are a pattern of the run (validation every few
  // epochs, a noisy neighbour) and stay in, so the mean carries their share. An excluded one
  // still widens the interval on its side, by what it would add if it did recur.
  double high_value = kNaN, low_value = kNaN;
  if (regime.size() >= 3) {
    const double m = median_of(regime, scratch);
    scratch.clear();
    for (double x : regime) scratch.push_back(std::fabs(x - m));
    const double scale = std::max(kMadToSd * median_inplace(scratch), kOutlierRelFloor * std::fabs(m));
    const double limit = kOutlierSigmas * scale;
    const auto high = std::count_if(regime.begin(), regime.end(), [&](double x) { return x - m > limit; });
    const auto low = std::count_if(regime.begin(), regime.end(), [&](double x) { return m - x > limit; });
    std::erase_if(regime, [&](double x) {
      if (high == 1 && x - m > limit) {
        high_value = x;
        return true;
      }
      if (low == 1 && m - x > limit) {
        low_value = x;
        return true;
      }
      return false;
    });
    e.outliers_excluded = (high == 1 ? 1 : 0) + (low == 1 ? 1 : 0);
  }

  const double n = static_cast<double>(regime.size());
  double sum = 0;
  for (double x : regime) sum += x;
  const double mean = sum / n;
  double ss = 0;
  for (double x : regime) ss += (x - mean) * (x - mean);

  e.valid = true;
  e.n_used = static_cast<int>(regime.size());
  e.per_epoch = mean;
  // Conjugate pooling of the sample variance with the prior guess (noise_prior_df
  // pseudo-degrees of freedom): with one epoch it is the prior, with many it is the data.
  const double prior_sd = prior.noise_rel_sd * std::fabs(mean);
  e.noise_df = prior.noise_prior_df + n - 1.0;
  e.noise_sd = e.noise_df > 0 ? std::sqrt((prior.noise_prior_df * prior_sd * prior_sd + ss) / e.noise_df) : 0.0;
  if (e.noise_df <= 0) e.noise_df = kInf;
  if (!std::isnan(high_value)) e.upside_per_epoch = std::max(0.0, (sum + high_value) / (n + 1.0) - mean);
  if (!std::isnan(low_value)) e.downside_per_epoch = std::max(0.0, mean - (sum + low_value) / (n + 1.0));
  if (only_first) e.level_sd = prior.warmup_rel_sd * std::fabs(mean);
  return e;
}

SumInterval future_sum(const EpochEstimate& e, double count, double confidence) noexcept {
  if (!(count > 0)) return {};
  if (!e.valid) return {kNaN, kNaN, kNaN};
  SumInterval r;
  r.point = count * e.per_epoch;
  // Each future epoch varies by noise_sd around the level, and the level is known only to
  // noise_sd / sqrt(n) (plus level_sd after one epoch), an error all future epochs share.
  const double v_noise = e.noise_sd * e.noise_sd * (count + count * count / std::max(e.n_used, 1));
  const double v_level = e.level_sd * e.level_sd * count * count;
  const double v = v_noise + v_level;
  if (!(v > 0)) {
    r.low = std::max(0.0, r.point - count * e.downside_per_epoch);
    r.high = r.point + count * e.upside_per_epoch;
    return r;
  }
  // Welch-Satterthwaite: the level prior is taken as exact (infinite df).
  const double df = v_noise > 0 ? v * v / (v_noise * v_noise / e.noise_df) : kInf;
  const double conf = std::isnan(confidence) ? 0.9 : std::clamp(confidence, 0.0, 0.999);
  const double q = student_t_quantile(0.5 + 0.5 * conf, df);
  const double half = q * std::sqrt(v);
  r.low = std::max(0.0, r.point - half - count * e.downside_per_epoch);
  r.high = r.point + half + count * e.upside_per_epoch;
  return r;
}

}  // namespace carbontracker::prediction
