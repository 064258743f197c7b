#include "prediction/quantiles.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace carbontracker::prediction {
namespace {

TEST(Quantiles, NormalMatchesTabulatedValues) {
  EXPECT_DOUBLE_EQ(normal_quantile(0.5), 0.0);
  EXPECT_NEAR(normal_quantile(0.95), 1.6448536269514722, 1e-12);
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-12);
  EXPECT_NEAR(normal_quantile(0.001), -3.090232306167813, 1e-11);
  EXPECT_NEAR(normal_quantile(1e-9), -5.997807015007686, 1e-9);
  EXPECT_NEAR(normal_quantile(0.3) + normal_quantile(0.7), 0.0, 1e-14);
}

TEST(Quantiles, NormalEdges) {
  EXPECT_EQ(normal_quantile(0.0), -INFINITY);
  EXPECT_EQ(normal_quantile(1.0), INFINITY);
  EXPECT_EQ(normal_quantile(-3.0), -INFINITY);
  EXPECT_TRUE(std::isnan(normal_quantile(NAN)));
}

TEST(Quantiles, StudentTMatchesClosedFormsAndTables) {
  // df = 1 (Cauchy) and df = 2 have closed forms.
  for (double p : {0.6, 0.9, 0.95, 0.975, 0.995}) {
    EXPECT_NEAR(student_t_quantile(p, 1.0), std::tan(std::numbers::pi * (p - 0.5)), 1e-9 * (1 + std::tan(std::numbers::pi * (p - 0.5))));
    EXPECT_NEAR(student_t_quantile(p, 2.0), (2 * p - 1) / std::sqrt(2 * p * (1 - p)), 1e-10);
    EXPECT_NEAR(student_t_cdf(std::tan(std::numbers::pi * (p - 0.5)), 1.0), p, 1e-12);
  }
  EXPECT_NEAR(student_t_quantile(0.975, 5.0), 2.570581835636314, 1e-10);
  EXPECT_NEAR(student_t_quantile(0.95, 10.0), 1.812461122811676, 1e-10);
  EXPECT_NEAR(student_t_quantile(0.95, 30.0), 1.697260886593627, 1e-10);
  EXPECT_NEAR(student_t_quantile(0.05, 10.0), -1.812461122811676, 1e-10);
  EXPECT_DOUBLE_EQ(student_t_quantile(0.5, 3.0), 0.0);
}

TEST(Quantiles, StudentTFractionalDfRoundTripsAndIsOrdered) {
  double previous = INFINITY;
  for (double df : {0.7, 1.0, 2.5, 7.3, 150.0, 1e5}) {
    for (double p : {0.55, 0.9, 0.95, 0.999}) {
      const double t = student_t_quantile(p, df);
      EXPECT_NEAR(student_t_cdf(t, df), p, 1e-10) << "df " << df << " p " << p;
    }
    const double t95 = student_t_quantile(0.95, df);
    EXPECT_LT(t95, previous);  // heavier tails with fewer degrees of freedom
    EXPECT_GT(t95, normal_quantile(0.95));
    previous = t95;
  }
  EXPECT_NEAR(student_t_quantile(0.95, 1e8), normal_quantile(0.95), 1e-12);
  EXPECT_NEAR(student_t_quantile(0.95, INFINITY), normal_quantile(0.95), 1e-12);
}

TEST(Quantiles, StudentTOddArguments) {
  EXPECT_TRUE(std::isnan(student_t_quantile(0.9, 0.0)));
  EXPECT_TRUE(std::isnan(student_t_quantile(0.9, -1.0)));
  EXPECT_TRUE(std::isnan(student_t_quantile(0.9, NAN)));
  EXPECT_TRUE(std::isnan(student_t_quantile(NAN, 3.0)));
  EXPECT_EQ(student_t_quantile(1.0, 3.0), INFINITY);
  EXPECT_EQ(student_t_quantile(0.0, 3.0), -INFINITY);
  EXPECT_EQ(student_t_cdf(INFINITY, 3.0), 1.0);
  EXPECT_EQ(student_t_cdf(-INFINITY, 3.0), 0.0);
}

}  // namespace
}  // namespace carbontracker::prediction
