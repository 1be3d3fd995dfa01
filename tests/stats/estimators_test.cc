#include "lib/stats/estimators.h"

#include <cmath>

#include "gtest/gtest.h"
#include "lib/stats/distributions.h"

namespace holdfast::stats {
namespace {

// Reference numbers from scipy 1.10 (stats.ttest_ind(equal_var=False),
// stats.t.ppf) for
//   a = {12, 0, 0, 35.5, 0, 8.25, 0, 0, 60, 0, 4, 0}, b = {0, 0, 10, 0, 0, 0, 22, 0, 0, 0}.
TEST(EstimatorsTest, WelchMatchesScipyOnFixedVectors) {
  const double a[] = {12, 0, 0, 35.5, 0, 8.25, 0, 0, 60, 0, 4, 0};
  const double b[] = {0, 0, 10, 0, 0, 0, 22, 0, 0, 0};
  auto mean_var = [](const double* v, int n, double* mean, double* var) {
    double s = 0;
    for (int i = 0; i < n; ++i) s += v[i];
    *mean = s / n;
    double ss = 0;
    for (int i = 0; i < n; ++i) ss += (v[i] - *mean) * (v[i] - *mean);
    *var = ss / (n - 1);
  };
  double ma, va, mb, vb;
  mean_var(a, 12, &ma, &va);
  mean_var(b, 10, &mb, &vb);
  const Estimate e = WelchEstimate({ma - mb, va / 12, vb / 10, 12, 10}, 0.95);
  ASSERT_TRUE(e.defined);
  EXPECT_NEAR(e.value, 6.779166666666666, 1e-12);
  EXPECT_NEAR(e.std_error, 5.903038482062189, 1e-12);
  EXPECT_NEAR(e.df, 14.759658847021704, 1e-10);
  EXPECT_NEAR(e.lower, -5.820730106501757, 1e-9);
  EXPECT_NEAR(e.upper, 19.37906343983509, 1e-9);
  EXPECT_NEAR(e.p_value, 0.2690677754513398, 1e-10);
}

TEST(EstimatorsTest, WelchUndefinedWithoutVariance) {
  EXPECT_FALSE(WelchEstimate({1.0, 0.0, 0.0, 10, 10}, 0.95).defined);
  EXPECT_FALSE(WelchEstimate({1.0, 0.5, 0.5, 1, 10}, 0.95).defined);
  EXPECT_TRUE(std::isnan(WelchDf({0.0, 0.1, kNaN, 5, 5})));
  // One group without variance: df comes from the other group alone.
  EXPECT_DOUBLE_EQ(WelchDf({0.0, 0.25, 0.0, 8, 1}), 7.0);
}

TEST(EstimatorsTest, NormalEstimateAndCriticalValues) {
  const Estimate e = NormalEstimate(1.0, 0.5, 0.95);
  EXPECT_NEAR(e.lower, 1.0 - 0.5 * 1.959963984540054, 1e-12);
  EXPECT_NEAR(e.upper, 1.0 + 0.5 * 1.959963984540054, 1e-12);
  EXPECT_NEAR(e.p_value, 0.04550026389635857, 1e-12);
  EXPECT_TRUE(std::isinf(e.df));
  EXPECT_NEAR(TwoSidedCritical(0.95, 10), 2.2281388519649385, 1e-9);
  EXPECT_NEAR(StudentTTwoSidedP(2.5, 7.3), 0.039650234665600415, 1e-12);
  EXPECT_NEAR(ChiSquaredSurvival(7.5, 2), 0.023517745856009114, 1e-14);
  EXPECT_TRUE(std::isnan(StudentTQuantile(1.5, 3)));
  EXPECT_FALSE(NormalEstimate(1.0, 0.0, 0.95).defined);
}

TEST(EstimatorsTest, ScaledKeepsPValueAndOrdersBounds) {
  const Estimate e = NormalEstimate(2.0, 1.0, 0.9);
  const Estimate s = Scaled(e, 1000);
  EXPECT_DOUBLE_EQ(s.value, 2000);
  EXPECT_DOUBLE_EQ(s.lower, 1000 * e.lower);
  EXPECT_DOUBLE_EQ(s.p_value, e.p_value);
  const Estimate neg = Scaled(e, -1);
  EXPECT_LT(neg.lower, neg.upper);
  EXPECT_GT(neg.std_error, 0);
}

struct FiellerCase {
  double num, den, v_num, v_den, cov, q;
  FiellerShape shape;
};

TEST(EstimatorsTest, FiellerShapesAndEndpoints) {
  const FiellerCase cases[] = {
      {10.0, 5.0, 1.0, 0.25, 0.1, 1.96, FiellerShape::kBounded},
      {-3.0, 2.0, 0.5, 0.04, -0.02, 1.96, FiellerShape::kBounded},
      {10.0, 0.5, 1.0, 0.25, 0.0, 1.96, FiellerShape::kExclusive},  // den not significant
      {1.0, 0.5, 1.0, 0.25, 0.0, 1.96, FiellerShape::kWholeLine},   // neither is
  };
  for (const FiellerCase& c : cases) {
    const FiellerSet f = Fieller(c.num, c.den, c.v_num, c.v_den, c.cov, c.q);
    EXPECT_EQ(f.shape, c.shape);
    if (f.shape == FiellerShape::kWholeLine) continue;
    // Both endpoints solve (num - r den)^2 = q^2 var(num - r den).
    for (double r : {f.lower, f.upper}) {
      const double lhs = (c.num - r * c.den) * (c.num - r * c.den);
      const double rhs = c.q * c.q * (c.v_num - 2 * r * c.cov + r * r * c.v_den);
      EXPECT_NEAR(lhs, rhs, 1e-9 * (1 + lhs));
    }
    const double point = c.num / c.den;
    if (f.shape == FiellerShape::kBounded) {
      EXPECT_LT(f.lower, point);
      EXPECT_GT(f.upper, point);
    } else {
      EXPECT_TRUE(point <= f.lower || point >= f.upper);
    }
  }
  // Exact denominator: Fieller equals the delta interval num/den +- q se/den.
  const FiellerSet exact = Fieller(10.0, 4.0, 1.0, 0.0, 0.0, 2.0);
  EXPECT_NEAR(exact.lower, 2.5 - 2.0 * 1.0 / 4.0, 1e-12);
  EXPECT_NEAR(exact.upper, 2.5 + 2.0 * 1.0 / 4.0, 1e-12);
}

TEST(EstimatorsTest, HallInverseRoundTripsAndIsMonotone) {
  for (double a : {-3.0, -0.4, -1e-9, 0.0, 1e-12, 0.05, 0.7, 2.5}) {
    double prev = -kInf;
    for (double u = -6.0; u <= 6.0; u += 0.25) {
      const double t = HallInverse(u, a);
      EXPECT_NEAR(HallTransform(t, a), u, 1e-9 * (1 + std::fabs(u))) << "a=" << a << " u=" << u;
      EXPECT_GT(t, prev);
      prev = t;
    }
  }
}

TEST(EstimatorsTest, HallWithoutSkewIsThePlainTInterval) {
  const Estimate plain = WelchEstimate({3.0, 1.0, 0.44, 40, 30}, 0.95);
  const Estimate hall = HallSkewCorrected(3.0, plain.std_error, plain.df, 0.0, 0.95);
  EXPECT_NEAR(hall.lower, plain.lower, 1e-12);
  EXPECT_NEAR(hall.upper, plain.upper, 1e-12);
  EXPECT_NEAR(hall.p_value, plain.p_value, 1e-12);
}

// A small holdout with right-skewed revenue makes D-hat left-skewed (a < 0):
// the studentized error has a long right tail, and the corrected interval
// moves down, which is where the Welch interval misses (DESIGN.md).
TEST(EstimatorsTest, HallShiftsTheIntervalAgainstTheSkew) {
  const Estimate plain = NormalEstimate(5.0, 1.0, 0.95);
  const Estimate left = HallSkewCorrected(5.0, 1.0, kInf, -0.3, 0.95);
  EXPECT_LT(left.upper, plain.upper);
  EXPECT_LT(left.lower, plain.lower);
  const Estimate right = HallSkewCorrected(5.0, 1.0, kInf, 0.3, 0.95);
  EXPECT_GT(right.upper, plain.upper);
  EXPECT_GT(right.lower, plain.lower);
}

}  // namespace
}  // namespace holdfast::stats
