#include "lib/stats/power.h"

#include <cmath>

#include "gtest/gtest.h"

namespace holdfast::stats {
namespace {

// The power function is statsmodels NormalIndPower(ratio=0); its solve_power gives
// 2.80158176 (tolerance ~1e-8), scipy brentq on the same equation 2.8015817870135784.
TEST(PowerTest, MultiplierMatchesStatsmodels) {
  absl::StatusOr<double> m = DetectableEffectInStdErrors(PowerSpec{});
  ASSERT_TRUE(m.ok());
  EXPECT_NEAR(*m, 2.8015817870135784, 1e-12);  // brentq on the same power function in scipy
  EXPECT_NEAR(ZTestPower(*m, 0.05), 0.8, 1e-12);
  // At zero effect the two-sided test rejects with probability alpha.
  EXPECT_NEAR(ZTestPower(0.0, 0.05), 0.05, 1e-12);
}

TEST(PowerTest, RejectsBadSpecs) {
  EXPECT_FALSE(DetectableEffectInStdErrors({.alpha = 0.0, .power = 0.8}).ok());
  EXPECT_FALSE(DetectableEffectInStdErrors({.alpha = 0.05, .power = 0.04}).ok());
  EXPECT_FALSE(DetectableEffectInStdErrors({.alpha = 0.05, .power = 1.0}).ok());
  EXPECT_FALSE(PlanForProportion({.baseline_rate = 0.5, .relative_mde = 1.5, .holdout_share = 0.1},
                                 PowerSpec{})
                   .ok());
  EXPECT_FALSE(PlanForMean({.baseline_mean = 1, .baseline_sd = 0, .relative_mde = 0.1,
                            .holdout_share = 0.1},
                           PowerSpec{})
                   .ok());
  EXPECT_FALSE(PeriodsNeeded(SampleSizePlan{}, 0.0).ok());
}

TEST(PowerTest, MeanMdeIsMultiplierTimesStandardError) {
  absl::StatusOr<double> mde = MeanMde(40, 5000, 35, 1000, PowerSpec{});
  ASSERT_TRUE(mde.ok());
  EXPECT_NEAR(*mde, 2.8015817571418333 * std::sqrt(1600.0 / 5000 + 1225.0 / 1000), 1e-7);
}

// Planning and MDE are inverses: the MDE at the planned (unrounded) size is
// the target, and rounding up can only help.
TEST(PowerTest, PlanAndMdeAreInverses) {
  const PowerSpec spec{.alpha = 0.05, .power = 0.8};
  absl::StatusOr<SampleSizePlan> plan = PlanForProportion(
      {.baseline_rate = 0.03, .relative_mde = 0.05, .holdout_share = 0.1}, spec);
  ASSERT_TRUE(plan.ok());
  absl::StatusOr<double> rel =
      RelativeMdeForProportion(0.03, plan->exact_total_entries, 0.1, spec);
  ASSERT_TRUE(rel.ok());
  EXPECT_NEAR(*rel, 0.05, 1e-9);
  EXPECT_GE(plan->holdout_entries, plan->exact_total_entries * 0.1);
  EXPECT_EQ(plan->total_entries, plan->treatment_entries + plan->holdout_entries);

  absl::StatusOr<SampleSizePlan> mean_plan = PlanForMean(
      {.baseline_mean = 4.2, .baseline_sd = 38, .relative_mde = 0.03, .holdout_share = 0.1}, spec);
  ASSERT_TRUE(mean_plan.ok());
  absl::StatusOr<double> mean_rel =
      RelativeMdeForMean(4.2, 38, mean_plan->exact_total_entries, 0.1, spec);
  ASSERT_TRUE(mean_rel.ok());
  EXPECT_NEAR(*mean_rel, 0.03, 1e-9);
  // Halving the holdout share from 10 % needs more entries.
  absl::StatusOr<SampleSizePlan> smaller = PlanForMean(
      {.baseline_mean = 4.2, .baseline_sd = 38, .relative_mde = 0.03, .holdout_share = 0.05}, spec);
  ASSERT_TRUE(smaller.ok());
  EXPECT_GT(smaller->exact_total_entries, mean_plan->exact_total_entries);
}

TEST(PowerTest, PeriodsNeededRoundsUp) {
  SampleSizePlan plan;
  plan.total_entries = 10001;
  absl::StatusOr<int64_t> periods = PeriodsNeeded(plan, 2000);
  ASSERT_TRUE(periods.ok());
  EXPECT_EQ(*periods, 6);
  plan.total_entries = 10000;
  EXPECT_EQ(*PeriodsNeeded(plan, 2000), 5);
}

TEST(PowerTest, ProportionMdeSolvesThePowerEquation) {
  const PowerSpec spec;
  absl::StatusOr<double> d = ProportionMde(0.03, 90000, 10000, spec);
  ASSERT_TRUE(d.ok());
  const double pt = 0.03 + *d;
  const double se = std::sqrt(0.03 * 0.97 / 10000 + pt * (1 - pt) / 90000);
  EXPECT_NEAR(ZTestPower(*d / se, 0.05), 0.8, 1e-9);
  // Tiny groups: nothing is detectable.
  EXPECT_FALSE(ProportionMde(0.5, 1, 1, spec).ok());
}

// At the returned N the standard error se * sqrt(N0 / N) puts the estimate
// m standard errors from the reference: the power equation holds.
TEST(PowerTest, TotalEntriesToRejectSolvesThePowerEquation) {
  const PowerSpec spec;
  absl::StatusOr<double> n = TotalEntriesToReject(1.3, 0.25, 1.0, 20000, spec);
  ASSERT_TRUE(n.ok());
  const double se_at_n = 0.25 * std::sqrt(20000 / *n);
  EXPECT_NEAR(ZTestPower(0.3 / se_at_n, 0.05), 0.8, 1e-9);
  // m = 2.8015818 (MultiplierMatchesStatsmodels): N = 20000 (2.8015818 * 0.25 / 0.3)^2.
  EXPECT_NEAR(*n, 20000 * std::pow(2.8015818 * 0.25 / 0.3, 2), 1e-2);
  // Symmetric around the reference.
  EXPECT_DOUBLE_EQ(*TotalEntriesToReject(0.7, 0.25, 1.0, 20000, spec), *n);
  // At the reference no size decides; bad inputs are errors.
  EXPECT_TRUE(std::isinf(*TotalEntriesToReject(1.0, 0.25, 1.0, 20000, spec)));
  EXPECT_FALSE(TotalEntriesToReject(1.3, 0.0, 1.0, 20000, spec).ok());
  EXPECT_FALSE(TotalEntriesToReject(1.3, 0.25, 1.0, 0, spec).ok());
  EXPECT_FALSE(TotalEntriesToReject(NAN, 0.25, 1.0, 100, spec).ok());
}

}  // namespace
}  // namespace holdfast::stats
