#include "prediction/epoch_estimate.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace carbontracker::prediction {
namespace {

std::vector<double> noisy(int n, double level, double rel_sd, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z(0.0, 1.0);
  std::vector<double> v(static_cast<std::size_t>(n));
  for (double& x : v) x = level * (1.0 + rel_sd * z(rng));
  return v;
}

double mean_of(const std::vector<double>& v, std::size_t from, std::size_t to) {
  double s = 0;
  for (std::size_t i = from; i < to; ++i) s += v[i];
  return s / static_cast<double>(to - from);
}

TEST(EpochEstimate, OneEpochIsTheEstimateWithTheWarmupPrior) {
  const std::vector<double> v = {120.0};
  const EpochEstimate e = estimate_epoch(v, kEnergyPrior);
  ASSERT_TRUE(e.valid);
  EXPECT_DOUBLE_EQ(e.per_epoch, 120.0);
  EXPECT_FALSE(e.warmup_excluded);
  EXPECT_EQ(e.regime_start_epoch, 1);
  EXPECT_DOUBLE_EQ(e.level_sd, kEnergyPrior.warmup_rel_sd * 120.0);
  // No spread to measure: the noise is the prior's.
  EXPECT_DOUBLE_EQ(e.noise_sd, kEnergyPrior.noise_rel_sd * 120.0);
  EXPECT_DOUBLE_EQ(e.noise_df, kEnergyPrior.noise_prior_df);
}

TEST(EpochEstimate, FirstEpochLeftOutOnceASecondExists) {
  const std::vector<double> v = {50.0, 100.0, 100.0, 100.0};
  const EpochEstimate e = estimate_epoch(v, kEnergyPrior);
  EXPECT_TRUE(e.warmup_excluded);
  EXPECT_EQ(e.regime_start_epoch, 2);
  EXPECT_EQ(e.n_used, 3);
  EXPECT_DOUBLE_EQ(e.per_epoch, 100.0);
  EXPECT_DOUBLE_EQ(e.level_sd, 0.0);
  // Constant epochs: the pooled noise is the prior's weight over all degrees of freedom.
  const double prior_sd = kEnergyPrior.noise_rel_sd * 100.0;
  EXPECT_NEAR(e.noise_sd, prior_sd * std::sqrt(kEnergyPrior.noise_prior_df / (kEnergyPrior.noise_prior_df + 2.0)), 1e-12);
}

TEST(EpochEstimate, SingleOutlierIsLeftOutButWidensItsSide) {
  std::vector<double> v = noisy(20, 100.0, 0.01, 7);
  const double clean = estimate_epoch(v, kEnergyPrior).per_epoch;
  v[11] = 300.0;  // a hiccup on a shared node
  const EpochEstimate e = estimate_epoch(v, kEnergyPrior);
  EXPECT_EQ(e.outliers_excluded, 1);
  EXPECT_EQ(e.n_used, 18);
  EXPECT_NEAR(e.per_epoch, clean, 0.005 * clean);
  // If it did recur at 1 in 19 epochs, each future epoch would cost about 200/19 more.
  EXPECT_NEAR(e.upside_per_epoch, (300.0 - e.per_epoch) / 19.0, 1e-9);
  EXPECT_DOUBLE_EQ(e.downside_per_epoch, 0.0);
  const SumInterval with = future_sum(e, 80, 0.9);
  EXPECT_GT(with.high - with.point, with.point - with.low);
}

TEST(EpochEstimate, SingleLowOutlierIsLeftOutToo) {
  std::vector<double> v = noisy(15, 100.0, 0.01, 8);
  v[6] = 20.0;
  const EpochEstimate e = estimate_epoch(v, kDurationPrior);
  EXPECT_EQ(e.outliers_excluded, 1);
  EXPECT_GT(e.downside_per_epoch, 0.0);
  EXPECT_NEAR(e.per_epoch, 100.0, 1.0);
}

TEST(EpochEstimate, PeriodicPatternIsReflectedOnAverage) {
  // Validation every 5th epoch costs 30 % more: a pattern, not a hiccup.
  std::vector<double> v;
  for (int epoch = 1; epoch <= 20; ++epoch) v.push_back(epoch % 5 == 0 ? 130.0 : 100.0);
  const EpochEstimate e = estimate_epoch(v, kEnergyPrior);
  EXPECT_EQ(e.outliers_excluded, 0);
  EXPECT_EQ(e.regime_start_epoch, 2);
  EXPECT_DOUBLE_EQ(e.per_epoch, mean_of(v, 1, 20));
  EXPECT_NEAR(e.per_epoch, 106.0, 0.5);
}

TEST(EpochEstimate, AlternatingEpochsAreNotALevelShift) {
  std::vector<double> v = {80.0};
  for (int epoch = 2; epoch <= 16; ++epoch) v.push_back(epoch % 2 == 0 ? 100.0 : 140.0);
  const EpochEstimate e = estimate_epoch(v, kEnergyPrior);
  EXPECT_EQ(e.regime_start_epoch, 2);
  EXPECT_DOUBLE_EQ(e.per_epoch, mean_of(v, 1, 16));
}

TEST(EpochEstimate, LevelShiftStartsANewRegime) {
  std::vector<double> v = noisy(16, 100.0, 0.005, 11);
  for (std::size_t i = 10; i < v.size(); ++i) v[i] *= 1.2;  // from epoch 11 on
  const EpochEstimate e = estimate_epoch(v, kDurationPrior);
  EXPECT_EQ(e.regime_start_epoch, 11);
  EXPECT_EQ(e.n_used, 6);
  EXPECT_DOUBLE_EQ(e.per_epoch, mean_of(v, 10, 16));
  // Three epochs are not yet enough evidence.
  const std::vector<double> early(v.begin(), v.begin() + 13);
  EXPECT_EQ(estimate_epoch(early, kDurationPrior).regime_start_epoch, 2);
}

TEST(EpochEstimate, OneOddEpochCannotHideAShift) {
  std::vector<double> v = noisy(30, 100.0, 0.005, 12);
  for (std::size_t i = 19; i < v.size(); ++i) v[i] *= 1.15;  // from epoch 20 on
  v[24] = 104.0;  // one epoch of the new regime back near the old level
  v[12] = 113.0;  // and one of the old near the new
  const EpochEstimate e = estimate_epoch(v, kEnergyPrior);
  EXPECT_EQ(e.regime_start_epoch, 20);
  EXPECT_EQ(e.outliers_excluded, 1);  // epoch 25, within the new regime
  EXPECT_NEAR(e.per_epoch, 115.0, 1.0);
}

TEST(EpochEstimate, SecondShiftIsMeasuredAgainstTheLevelJustBeforeIt) {
  std::vector<double> v(40, 100.0);
  for (std::size_t i = 10; i < 25; ++i) v[i] = 130.0;
  for (std::size_t i = 25; i < 40; ++i) v[i] = 115.0;  // between the two earlier levels
  const EpochEstimate e = estimate_epoch(v, kEnergyPrior);
  EXPECT_EQ(e.regime_start_epoch, 26);
  EXPECT_DOUBLE_EQ(e.per_epoch, 115.0);
}

TEST(EpochEstimate, NoiseIsNotAShift) {
  for (double rel_sd : {0.01, 0.03, 0.08}) {
    int restarts = 0;
    for (unsigned seed = 0; seed < 300; ++seed) {
      const EpochEstimate e = estimate_epoch(noisy(40, 100.0, rel_sd, seed), kEnergyPrior);
      restarts += e.regime_start_epoch != 2 ? 1 : 0;
    }
    EXPECT_LE(restarts, 1) << "noise " << rel_sd;
  }
}

TEST(EpochEstimate, UnusableValuesAreSkippedAndCounted) {
  const std::vector<double> v = {90.0, NAN, 100.0, -5.0, INFINITY, 100.0};
  const EpochEstimate e = estimate_epoch(v, kEnergyPrior);
  ASSERT_TRUE(e.valid);
  EXPECT_EQ(e.unmeasured, 3);
  EXPECT_EQ(e.n_used, 2);
  EXPECT_DOUBLE_EQ(e.per_epoch, 100.0);
}

TEST(EpochEstimate, OnlyTheFirstEpochMeasuredFallsBackToIt) {
  const std::vector<double> v = {90.0, NAN, -1.0};
  const EpochEstimate e = estimate_epoch(v, kEnergyPrior);
  ASSERT_TRUE(e.valid);
  EXPECT_FALSE(e.warmup_excluded);
  EXPECT_DOUBLE_EQ(e.per_epoch, 90.0);
  EXPECT_GT(e.level_sd, 0.0);
}

TEST(EpochEstimate, NothingMeasuredIsInvalidAndItsSumsAreNaN) {
  for (const std::vector<double>& v : {std::vector<double>{}, std::vector<double>{NAN, -1.0}}) {
    const EpochEstimate e = estimate_epoch(v, kEnergyPrior);
    EXPECT_FALSE(e.valid);
    EXPECT_TRUE(std::isnan(e.per_epoch));
    const SumInterval s = future_sum(e, 3, 0.9);
    EXPECT_TRUE(std::isnan(s.point) && std::isnan(s.low) && std::isnan(s.high));
    const SumInterval none = future_sum(e, 0, 0.9);
    EXPECT_EQ(none.point, 0.0);
    EXPECT_EQ(none.high, 0.0);
  }
}

TEST(EpochEstimate, ZeroIsAMeasurement) {
  const std::vector<double> v = {0.0, 0.0, 0.0};
  const EpochEstimate e = estimate_epoch(v, kEnergyPrior);
  ASSERT_TRUE(e.valid);
  EXPECT_EQ(e.per_epoch, 0.0);
  const SumInterval s = future_sum(e, 10, 0.9);
  EXPECT_EQ(s.point, 0.0);
  EXPECT_EQ(s.low, 0.0);
  EXPECT_EQ(s.high, 0.0);
}

TEST(EpochEstimate, FutureSumWidthFollowsConfidenceAndStaysNonNegative) {
  const EpochEstimate e = estimate_epoch(noisy(6, 100.0, 0.05, 3), kEnergyPrior);
  const SumInterval s50 = future_sum(e, 40, 0.5);
  const SumInterval s90 = future_sum(e, 40, 0.9);
  const SumInterval s99 = future_sum(e, 40, 0.99);
  EXPECT_DOUBLE_EQ(s50.point, 40 * e.per_epoch);
  EXPECT_LT(s50.high - s50.low, s90.high - s90.low);
  EXPECT_LT(s90.high - s90.low, s99.high - s99.low);
  const SumInterval zero = future_sum(e, 40, 0.0);
  EXPECT_DOUBLE_EQ(zero.low, zero.point);
  EXPECT_DOUBLE_EQ(zero.high, zero.point);
  const SumInterval nan_conf = future_sum(e, 40, NAN);
  EXPECT_DOUBLE_EQ(nan_conf.high, s90.high);
  // A very uncertain single epoch still never predicts negative energy.
  const EpochEstimate one = estimate_epoch(std::vector<double>{1.0}, EstimatorPrior{0.9, 1.0, 0.9});
  EXPECT_EQ(future_sum(one, 10, 0.99).low, 0.0);
}

}  // namespace
}  // namespace carbontracker::prediction
