#include "carbontracker/counter.hpp"

#include <gtest/gtest.h>

namespace carbontracker {
namespace {

constexpr std::uint64_t kEsu14RangeUj = 262143328850ull;  // 0xFFFFFFFF * 61.035 uJ
constexpr std::uint64_t kEsu16RangeUj = 65532610987ull;   // 0xFFFFFFFF * 15.258 uJ

TEST(CounterDelta, ForwardIsPlainDifference) {
  auto d = counter_delta(100, 350, {CounterKind::wrapping, kEsu14RangeUj, 61});
  EXPECT_TRUE(d.valid);
  EXPECT_FALSE(d.wrapped);
  EXPECT_EQ(d.delta, 250u);
}

TEST(CounterDelta, WrapUsesRangePlusOneUnit) {
  const CounterSpec spec{CounterKind::wrapping, kEsu14RangeUj, 61};
  // 1000 uJ before the top, 500 uJ after the restart: 1000 + 61 (the step past the top) + 500.
  auto d = counter_delta(kEsu14RangeUj - 1000, 500, spec);
  EXPECT_TRUE(d.valid);
  EXPECT_TRUE(d.wrapped);
  EXPECT_EQ(d.delta, 1000u + 61u + 500u);
}

TEST(CounterDelta, WrapAtTheFullUnsigned64BitRange) {
  const CounterSpec spec{CounterKind::wrapping, UINT64_MAX, 1};
  auto d = counter_delta(UINT64_MAX - 9, 5, spec);
  EXPECT_TRUE(d.wrapped);
  EXPECT_EQ(d.delta, 15u);  // 10 steps to reach 2^64 (= 0), then 5 more
}

TEST(CounterDelta, ResettingCounterThatGoesBackIsNotInventedEnergy) {
  auto d = counter_delta(5'000'000, 1'200, {CounterKind::resetting});
  EXPECT_FALSE(d.valid);
  EXPECT_EQ(d.delta, 0u);
}

TEST(CounterDelta, ValueAboveThePublishedRangeIsRejected) {
  auto d = counter_delta(10, kEsu16RangeUj + 5, {CounterKind::wrapping, kEsu16RangeUj, 15});
  EXPECT_FALSE(d.valid);
}

TEST(CounterDelta, EqualValuesAreZero) {
  auto d = counter_delta(42, 42, {CounterKind::wrapping, 1000, 1});
  EXPECT_TRUE(d.valid);
  EXPECT_EQ(d.delta, 0u);
}

TEST(PowercapUnit, RecoveredFromTheKernelsRangeFormula) {
  EXPECT_EQ(powercap_unit_uj(kEsu14RangeUj), 61u);
  EXPECT_EQ(powercap_unit_uj(kEsu16RangeUj), 15u);
  EXPECT_EQ(powercap_unit_uj(1000), 1u);           // not of the form: 1 uJ
  EXPECT_EQ(powercap_unit_uj(262143328851ull), 1u);  // off by one: not of the form
}

}  // namespace
}  // namespace carbontracker
