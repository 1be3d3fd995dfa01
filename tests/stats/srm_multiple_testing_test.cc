#include <cmath>
#include <vector>

#include "gtest/gtest.h"
#include "lib/stats/multiple_testing.h"
#include "lib/stats/srm.h"

namespace holdfast::stats {
namespace {

struct SrmCase {
  std::vector<int64_t> counts;
  std::vector<double> weights;
  double chi2, p;  // scipy.stats.chisquare
};

TEST(SrmTest, MatchesScipyChiSquare) {
  const SrmCase cases[] = {
      {{5100, 4900}, {0.5, 0.5}, 4.0, 0.04550026389635857},
      {{9012, 1088}, {0.9, 0.1}, 6.693069306930693, 0.009678842685126051},
      {{3300, 3350, 3480}, {1, 1, 1}, 5.113524185587364, 0.07755545169030141},
  };
  for (const SrmCase& c : cases) {
    absl::StatusOr<SrmResult> r = SrmTest(c.counts, c.weights);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_NEAR(r->chi_square, c.chi2, 1e-10);
    EXPECT_NEAR(r->p_value, c.p, 1e-12);
    EXPECT_EQ(r->degrees_of_freedom, static_cast<int>(c.counts.size()) - 1);
    EXPECT_FALSE(r->flagged);
  }
}

// Expected values from numpy/scipy: d = sum_k (o_k - n_k p_k),
// V = sum_k n_k (diag p_k - p_k p_k'), chi2 = d' V^-1 d over g - 1 groups,
// scipy.stats.chi2.sf(chi2, g - 1).
TEST(SrmTest, StratifiedMatchesNumpyAndFollowsTheRamp) {
  // A ramp from a 20 % to a 10 % holdout: counts on plan in each period.
  const SrmStratum on_plan[] = {{{1610, 390}, {0.8, 0.2}}, {{1795, 205}, {0.9, 0.1}}};
  std::vector<double> expected;
  absl::StatusOr<SrmResult> r = StratifiedSrmTest(on_plan, &expected);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NEAR(r->chi_square, 0.05, 1e-10);
  EXPECT_NEAR(r->p_value, 0.8230632737581214, 1e-12);
  EXPECT_FALSE(r->flagged);
  ASSERT_EQ(expected.size(), 2u);
  EXPECT_NEAR(expected[0], 3400.0, 1e-9);
  EXPECT_NEAR(expected[1], 600.0, 1e-9);
  // Off plan in both periods.
  const SrmStratum off_plan[] = {{{1700, 300}, {0.8, 0.2}}, {{1850, 150}, {0.9, 0.1}}};
  r = StratifiedSrmTest(off_plan);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->chi_square, 45.0, 1e-9);
  EXPECT_NEAR(r->p_value, 1.970344471179897e-11, 1e-20);
  EXPECT_TRUE(r->flagged);
  // Three groups (two arms + holdout), three strata.
  const SrmStratum three[] = {{{700, 160, 140}, {0.7, 0.15, 0.15}},
                              {{810, 95, 95}, {0.8, 0.1, 0.1}},
                              {{300, 50, 40}, {1, 1, 1}}};
  r = StratifiedSrmTest(three);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->chi_square, 72.13311563580486, 1e-8);
  EXPECT_EQ(r->degrees_of_freedom, 2);
  EXPECT_TRUE(r->flagged);
}

TEST(SrmTest, StratifiedWithOneSplitIsPearson) {
  const SrmStratum one[] = {{{3300, 3350, 3480}, {1, 1, 1}}};
  absl::StatusOr<SrmResult> r = StratifiedSrmTest(one);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->chi_square, 5.113524185587364, 1e-10);
  EXPECT_NEAR(r->p_value, 0.07755545169030141, 1e-12);
  // Two strata with the same split: Pearson on the summed counts.
  const SrmStratum same[] = {{{4000, 500}, {0.9, 0.1}}, {{5012, 588}, {0.9, 0.1}}};
  r = StratifiedSrmTest(same);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->chi_square, 6.693069306930693, 1e-10);
  EXPECT_NEAR(r->p_value, 0.009678842685126051, 1e-12);
}

TEST(SrmTest, StratifiedRejectsBadInput) {
  EXPECT_FALSE(StratifiedSrmTest({}).ok());
  const SrmStratum ragged[] = {{{1, 2}, {1, 1}}, {{1, 2, 3}, {1, 1, 1}}};
  EXPECT_FALSE(StratifiedSrmTest(ragged).ok());
  const SrmStratum zero_weight[] = {{{1, 2}, {1, 0}}};
  EXPECT_FALSE(StratifiedSrmTest(zero_weight).ok());
  const SrmStratum negative[] = {{{-1, 2}, {1, 1}}};
  EXPECT_FALSE(StratifiedSrmTest(negative).ok());
  const SrmStratum empty[] = {{{0, 0}, {1, 1}}};
  absl::StatusOr<SrmResult> r = StratifiedSrmTest(empty);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->p_value, 1.0);
}

TEST(SrmTest, FlagsBelowOnePerMille) {
  absl::StatusOr<SrmResult> r = SrmTest({9200, 800}, {0.9, 0.1});
  ASSERT_TRUE(r.ok());
  EXPECT_LT(r->p_value, kSrmAlpha);
  EXPECT_TRUE(r->flagged);
}

TEST(SrmTest, RejectsBadInput) {
  EXPECT_FALSE(SrmTest({1, 2}, {0.5}).ok());
  EXPECT_FALSE(SrmTest({1}, {1.0}).ok());
  EXPECT_FALSE(SrmTest({1, -2}, {0.5, 0.5}).ok());
  EXPECT_FALSE(SrmTest({1, 2}, {0.5, 0.0}).ok());
  absl::StatusOr<SrmResult> empty = SrmTest({0, 0}, {0.5, 0.5});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->p_value, 1.0);
}

// statsmodels multipletests(method="holm" / "fdr_bh").
TEST(MultipleTestingTest, MatchesStatsmodels) {
  const std::vector<double> p = {0.01, 0.04, 0.03, 0.2};
  absl::StatusOr<std::vector<double>> holm = HolmAdjust(p);
  absl::StatusOr<std::vector<double>> bh = BenjaminiHochbergAdjust(p);
  ASSERT_TRUE(holm.ok() && bh.ok());
  const std::vector<double> holm_ref = {0.04, 0.09, 0.09, 0.2};
  const std::vector<double> bh_ref = {0.04, 0.05333333333333334, 0.05333333333333334, 0.2};
  for (size_t i = 0; i < p.size(); ++i) {
    EXPECT_NEAR((*holm)[i], holm_ref[i], 1e-15);
    EXPECT_NEAR((*bh)[i], bh_ref[i], 1e-15);
  }
}

TEST(MultipleTestingTest, NaNIsOutsideTheFamily) {
  const std::vector<double> p = {0.02, NAN, 0.01};
  absl::StatusOr<std::vector<double>> holm = HolmAdjust(p);
  ASSERT_TRUE(holm.ok());
  EXPECT_NEAR((*holm)[0], 0.02, 1e-15);  // m = 2, not 3
  EXPECT_TRUE(std::isnan((*holm)[1]));
  EXPECT_NEAR((*holm)[2], 0.02, 1e-15);
}

TEST(MultipleTestingTest, AdjustedValuesAreMonotoneAndCapped) {
  const std::vector<double> p = {0.9, 0.5, 0.001, 0.04, 0.04, 0.7};
  for (auto adjust : {&HolmAdjust, &BenjaminiHochbergAdjust}) {
    absl::StatusOr<std::vector<double>> adj = adjust(p);
    ASSERT_TRUE(adj.ok());
    for (size_t i = 0; i < p.size(); ++i) {
      EXPECT_GE((*adj)[i], p[i]);
      EXPECT_LE((*adj)[i], 1.0);
      for (size_t j = 0; j < p.size(); ++j) {
        if (p[i] < p[j]) {
          EXPECT_LE((*adj)[i], (*adj)[j]);
        }
      }
    }
  }
  EXPECT_FALSE(HolmAdjust(std::vector<double>{0.1, 1.5}).ok());
  EXPECT_FALSE(BenjaminiHochbergAdjust(std::vector<double>{-0.1}).ok());
  absl::StatusOr<std::vector<double>> none = HolmAdjust(std::vector<double>{});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace holdfast::stats
