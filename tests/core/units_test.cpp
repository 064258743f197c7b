#include "core/units.hpp"

#include <gtest/gtest.h>

namespace carbontracker {
namespace {
using namespace literals;

TEST(Units, PhysicalProductsKeepTheirUnits) {
  constexpr Joules e = 250_W * 3600_s;
  static_assert(std::is_same_v<decltype(250_W * 3600_s), Joules>);
  EXPECT_DOUBLE_EQ(e.value(), 900000.0);
  EXPECT_DOUBLE_EQ((e / 3600_s).value(), 250.0);
  EXPECT_DOUBLE_EQ((e / 250_W).value(), 3600.0);
}

TEST(Units, KilowattHoursOnlyAtTheEdges) {
  EXPECT_DOUBLE_EQ(to_kwh(Joules(3.6e6)).value(), 1.0);
  EXPECT_DOUBLE_EQ(to_joules(KilowattHours(0.5)).value(), 1.8e6);
  const Grams g = KilowattHours(2.0) * GramsPerKwh(473.0);
  EXPECT_DOUBLE_EQ(g.value(), 946.0);
}

TEST(Units, SameUnitArithmeticAndOrdering) {
  Joules a(10), b(4);
  EXPECT_EQ((a + b).value(), 14);
  EXPECT_EQ((a - b).value(), 6);
  EXPECT_EQ((a * 2).value(), 20);
  EXPECT_EQ(a / b, 2.5);
  EXPECT_LT(b, a);
  a += b;
  EXPECT_EQ(a, Joules(14));
}

}  // namespace
}  // namespace carbontracker
