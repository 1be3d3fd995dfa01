#include "lib/stats/lift.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"
#include "lib/stats/distributions.h"
#include "tests/stats/simulation.h"

namespace holdfast::stats {
namespace {

// Fixed per-entry rows: {y, m, x, c, z}.
const std::vector<EntryValues> kTreatment = {
    {12, 4, 1, 1.3, 5}, {0, 0, 0, 0.1, 0},   {0, 0, 0, 0.1, 20}, {35.5, 9, 1, 3.65, 30},
    {0, 0, 0, 0.1, 0},  {8.25, 2, 1, 0.925, 0}, {0, 0, 0, 0.2, 0}, {0, 0, 0, 0.1, 3},
    {60, 18, 1, 6.1, 44}, {0, 0, 0, 0.1, 0}, {4, 1, 1, 0.5, 0},  {0, 0, 0, 0.1, 0}};
const std::vector<EntryValues> kHoldout = {
    {0, 0, 0, 0, 0},  {0, 0, 0, 0, 8},  {10, 3, 1, 0, 12}, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 0},
    {0, 0, 0, 0, 0},  {22, 7, 1, 0, 25}, {0, 0, 0, 0, 0},  {0, 0, 0, 0, 4}, {0, 0, 0, 0, 0}};

GroupMoments Build(const std::vector<EntryValues>& rows) {
  GroupMoments g;
  for (const EntryValues& r : rows) g.Add(r);
  return g;
}

double MeanOf(const std::vector<EntryValues>& rows, double (*f)(const EntryValues&)) {
  double s = 0;
  for (const auto& r : rows) s += f(r);
  return s / rows.size();
}
double CovOf(const std::vector<EntryValues>& rows, double (*f)(const EntryValues&),
             double (*g)(const EntryValues&)) {
  const double mf = MeanOf(rows, f), mg = MeanOf(rows, g);
  double s = 0;
  for (const auto& r : rows) s += (f(r) - mf) * (g(r) - mg);
  return s / (rows.size() - 1);
}
double Y(const EntryValues& e) { return e.y; }
double C(const EntryValues& e) { return e.c; }

TEST(LiftTest, RevenueLiftMatchesScipyWelch) {
  absl::StatusOr<LiftResult> r = ComputeLift(Build(kTreatment), Build(kHoldout), 0.0, {});
  ASSERT_TRUE(r.ok()) << r.status();
  // scipy.stats.ttest_ind(equal_var=False) on the y columns (estimators_test.cc).
  EXPECT_NEAR(r->revenue_per_entry_lift.value, 6.779166666666666, 1e-12);
  EXPECT_NEAR(r->revenue_per_entry_lift.p_value, 0.2690677754513398, 1e-10);
  EXPECT_NEAR(r->revenue_per_entry_lift.lower, -5.820730106501757, 1e-9);
  EXPECT_NEAR(r->incremental_revenue.value, 12 * 6.779166666666666, 1e-10);
  EXPECT_NEAR(r->incremental_revenue.upper, 12 * 19.37906343983509, 1e-8);
  EXPECT_EQ(r->treatment.entries, 12);
  EXPECT_DOUBLE_EQ(r->treatment.conversions, 5);
  EXPECT_TRUE(r->warnings.too_few_entries);
}

TEST(LiftTest, ConversionUsesUnpooledNormal) {
  absl::StatusOr<LiftResult> r = ComputeLift(Build(kTreatment), Build(kHoldout), 0.0, {});
  ASSERT_TRUE(r.ok());
  const double pt = 5.0 / 12, pc = 2.0 / 10;
  const double se = std::sqrt(pt * (1 - pt) / 12 + pc * (1 - pc) / 10);
  EXPECT_NEAR(r->conversion_rate_lift.value, pt - pc, 1e-15);
  EXPECT_NEAR(r->conversion_rate_lift.std_error, se, 1e-15);
  EXPECT_NEAR(r->conversion_rate_lift.p_value, 2 * (1 - NormalCdf((pt - pc) / se)), 1e-12);
  EXPECT_NEAR(r->incremental_conversions.value, 12 * (pt - pc), 1e-12);
  // Relative: delta method, p-value from the difference test.
  const double rel_se = std::sqrt(pt * (1 - pt) / 12 + (pt / pc) * (pt / pc) * pc * (1 - pc) / 10) / pc;
  EXPECT_NEAR(r->conversion_rate_relative_lift.value, pt / pc - 1, 1e-14);
  EXPECT_NEAR(r->conversion_rate_relative_lift.std_error, rel_se, 1e-12);
  EXPECT_EQ(r->conversion_rate_relative_lift.p_value, r->conversion_rate_lift.p_value);
}

TEST(LiftTest, IroasDeltaMethodIncludesRevenueCostCovariance) {
  const double fixed = 6.0;
  absl::StatusOr<LiftResult> r = ComputeLift(Build(kTreatment), Build(kHoldout), fixed, {});
  ASSERT_TRUE(r.ok());
  const double nt = 12, nc = 10;
  const double k = MeanOf(kTreatment, C) + fixed / nt;
  const double d = MeanOf(kTreatment, Y) - MeanOf(kHoldout, Y);
  const double ratio = d / k;
  EXPECT_NEAR(r->treatment_cost, MeanOf(kTreatment, C) * nt + fixed, 1e-12);
  EXPECT_NEAR(r->iroas.value, ratio, 1e-12);
  EXPECT_NEAR(r->iroas.value, nt * d / r->treatment_cost, 1e-12);
  const double var_t = CovOf(kTreatment, Y, Y) - 2 * ratio * CovOf(kTreatment, Y, C) +
                       ratio * ratio * CovOf(kTreatment, C, C);
  const double se = std::sqrt(var_t / nt + CovOf(kHoldout, Y, Y) / nc) / k;
  EXPECT_NEAR(r->iroas.std_error, se, 1e-12);
  const double se_without_cov = std::sqrt((CovOf(kTreatment, Y, Y) + ratio * ratio *
                                           CovOf(kTreatment, C, C)) / nt +
                                          CovOf(kHoldout, Y, Y) / nc) / k;
  EXPECT_GT(std::fabs(se_without_cov / se - 1), 0.05);
  EXPECT_NEAR(r->attributed_roas, MeanOf(kTreatment, Y) * nt / r->treatment_cost, 1e-12);
}

// DESIGN.md "p-values for ratios": relative lift and iROAS take their
// p-values from the difference tests; break-even from revenue minus cost.
TEST(LiftTest, RatioPValuesComeFromDifferenceTests) {
  const double fixed = 6.0;
  const GroupMoments t = Build(kTreatment), c = Build(kHoldout);
  absl::StatusOr<LiftResult> r = ComputeLift(t, c, fixed, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->revenue_per_entry_relative_lift.p_value, r->revenue_per_entry_lift.p_value);
  EXPECT_EQ(r->iroas.p_value, r->revenue_per_entry_lift.p_value);
  EXPECT_EQ(r->margin_iroas.p_value, r->margin_per_entry_lift.p_value);
  // Break-even: Welch test of mean(y_T - c_T) - F/n_T - mean(y_C) = 0.
  std::vector<EntryValues> net = kTreatment;
  for (auto& e : net) e.y -= e.c + fixed / 12;
  const double d = MeanOf(net, Y) - MeanOf(kHoldout, Y);
  Contrast k{d, CovOf(net, Y, Y) / 12, CovOf(kHoldout, Y, Y) / 10, 12, 10};
  EXPECT_NEAR(r->iroas.break_even_p_value, WelchEstimate(k, 0.95).p_value, 1e-12);
}

// "0 is in the Fieller set" <=> "the difference test does not reject", for the
// relative revenue lift (same critical value), over many random datasets.
TEST(LiftTest, FiellerAgreesWithDifferenceTest) {
  testing::Rng rng(99);
  int rejections = 0;
  for (int run = 0; run < 300; ++run) {
    testing::Scenario s;
    s.n_treatment = 1500;
    s.n_holdout = 1000;
    s.p_treatment = 0.05 + 0.001 * (run % 40);
    s.p_holdout = 0.05;
    GroupMoments t, c;
    testing::SimulateGroups(s, rng, t, c);
    absl::StatusOr<LiftResult> r = ComputeLift(t, c, 0.0, {});
    ASSERT_TRUE(r.ok());
    const RatioEstimate& rel = r->revenue_per_entry_relative_lift;
    const FiellerSet& f = rel.fieller;
    ASSERT_TRUE(f.shape == FiellerShape::kBounded || f.shape == FiellerShape::kExclusive);
    const bool zero_inside = f.shape == FiellerShape::kBounded
                                 ? f.lower <= 0.0 && 0.0 <= f.upper
                                 : 0.0 <= f.lower || 0.0 >= f.upper;
    EXPECT_EQ(zero_inside, rel.p_value >= 0.05) << run;
    rejections += rel.p_value < 0.05;
    // And the absolute interval agrees with the same test.
    const Estimate& d = r->revenue_per_entry_lift;
    EXPECT_EQ(d.lower <= 0.0 && 0.0 <= d.upper, d.p_value >= 0.05);
  }
  EXPECT_GT(rejections, 10);  // both branches exercised
  EXPECT_LT(rejections, 290);
}

TEST(LiftTest, ZeroHoldoutMeanMakesRelativeUnreliable) {
  GroupMoments t = Build(kTreatment), c;
  c.AddRepeated({0, 0, 0, 0, 0}, 400);
  c.Add({5, 1, 1, 0, 0});
  c.Add({-5, -1, 0, 0, 0});  // a refund
  absl::StatusOr<LiftResult> r = ComputeLift(t, c, 0.0, {});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->warnings.revenue_relative_unreliable);
  EXPECT_NE(r->revenue_per_entry_relative_lift.fieller.shape, FiellerShape::kBounded);
  EXPECT_TRUE(r->revenue_per_entry_lift.defined);
  const std::vector<std::string> text = DescribeWarnings(r->warnings);
  EXPECT_FALSE(text.empty());
}

TEST(LiftTest, CupedUsesPooledThetaAndReducesVariance) {
  testing::Rng rng(5);
  GroupMoments t, c, plain_t, plain_c;
  for (int i = 0; i < 4000; ++i) {
    const double value = std::exp(rng.Normal());
    const double z = 10 * value + rng.Normal();       // pre-period revenue
    const double y_c = 10 * value + 2 * rng.Normal();  // strongly related
    (i % 2 ? t : c).Add({y_c + (i % 2 ? 0.5 : 0.0), 0, 0, 0, z});
  }
  absl::StatusOr<LiftResult> r = ComputeLift(t, c, 0.0, {});
  ASSERT_TRUE(r.ok());
  const CupedEstimate& cu = r->cuped_revenue_lift;
  ASSERT_TRUE(cu.defined);
  GroupMoments all = t;
  all.Merge(c);
  EXPECT_NEAR(cu.theta,
              all.CoMoment2(Metric::kRevenue, Metric::kPreRevenue) /
                  all.CoMoment2(Metric::kPreRevenue, Metric::kPreRevenue),
              1e-12);
  EXPECT_GT(cu.variance_reduction, 0.8);
  EXPECT_LT(cu.lift.std_error, 0.5 * r->revenue_per_entry_lift.std_error);
  EXPECT_NEAR(cu.lift.value, 0.5, 0.2);
}

TEST(LiftTest, CostPerIncrementalConversionUsesConversionBounds) {
  testing::Rng rng(8);
  testing::Scenario s;
  s.n_treatment = 20000;
  s.n_holdout = 20000;
  s.p_treatment = 0.08;
  s.p_holdout = 0.05;
  GroupMoments t, c;
  testing::SimulateGroups(s, rng, t, c);
  absl::StatusOr<LiftResult> r = ComputeLift(t, c, 100.0, {});
  ASSERT_TRUE(r.ok());
  const Estimate& dp = r->conversion_rate_lift;
  ASSERT_GT(dp.lower, 0);
  const Estimate& cpic = r->cost_per_incremental_conversion;
  ASSERT_TRUE(cpic.defined);
  EXPECT_NEAR(cpic.value, r->treatment_cost / (20000 * dp.value), 1e-9);
  EXPECT_NEAR(cpic.lower, r->treatment_cost / (20000 * dp.upper), 1e-9);
  EXPECT_NEAR(cpic.upper, r->treatment_cost / (20000 * dp.lower), 1e-9);
  EXPECT_FALSE(r->warnings.too_few_entries);
  // MDEs are positive and the conversion MDE solves the power equation.
  EXPECT_GT(r->mde.revenue_per_entry, 0);
  EXPECT_GT(r->mde.conversion_rate, 0);
}

TEST(LiftTest, SrmAndSequentialOptions) {
  GroupMoments t, c;
  t.AddRepeated({0, 0, 0, 0.1, 0}, 9300);
  t.AddRepeated({50, 10, 1, 5.1, 0}, 600);
  c.AddRepeated({0, 0, 0, 0, 0}, 700);
  c.AddRepeated({40, 8, 1, 0, 0}, 40);
  LiftOptions options;
  options.expected_treatment_share = 0.9;
  options.sequential = true;
  absl::StatusOr<LiftResult> r = ComputeLift(t, c, 0.0, options);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->srm.has_value());
  EXPECT_TRUE(r->srm->flagged);  // 9,900 : 740 against 90 : 10
  EXPECT_TRUE(r->warnings.srm);
  const Estimate& seq = r->sequential_revenue_lift;
  ASSERT_TRUE(seq.defined);
  EXPECT_LT(seq.lower, r->revenue_per_entry_lift.lower);
  EXPECT_GT(seq.upper, r->revenue_per_entry_lift.upper);
  EXPECT_GE(seq.p_value, r->revenue_per_entry_lift.p_value);
}

TEST(LiftTest, EmptyGroupsAreUndefinedNotErrors) {
  absl::StatusOr<LiftResult> r = ComputeLift(GroupMoments(), GroupMoments(), 0.0, {});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->revenue_per_entry_lift.defined);
  EXPECT_FALSE(r->conversion_rate_lift.defined);
  EXPECT_FALSE(r->iroas.defined);
  EXPECT_FALSE(r->cuped_revenue_lift.defined);
  EXPECT_TRUE(r->warnings.too_few_entries);
}

TEST(LiftTest, RejectsInvalidOptions) {
  const GroupMoments t = Build(kTreatment), c = Build(kHoldout);
  LiftOptions bad;
  bad.confidence = 1.0;
  EXPECT_FALSE(ComputeLift(t, c, 0.0, bad).ok());
  LiftOptions bad_power;
  bad_power.power = 0.01;
  EXPECT_FALSE(ComputeLift(t, c, 0.0, bad_power).ok());
  EXPECT_FALSE(ComputeLift(t, c, -1.0, {}).ok());
  EXPECT_FALSE(ComputeLift(t, c, NAN, {}).ok());
}

}  // namespace
}  // namespace holdfast::stats
