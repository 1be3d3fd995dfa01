#include "lib/stats/sequential.h"

#include <cmath>

#include "gtest/gtest.h"
#include "lib/stats/estimators.h"
#include "lib/stats/moments.h"
#include "tests/stats/simulation.h"

namespace holdfast::stats {
namespace {

TEST(SequentialTest, MatchesTheClosedForm) {
  const double alpha = 0.05, n_star = 5000, n = 12000, se = 0.3;
  const double rho2 = (-2 * std::log(alpha) + std::log(-2 * std::log(alpha) + 1)) / n_star;
  const double s2 = se * se * n;
  const double half =
      std::sqrt(s2) * std::sqrt(2 * (n * rho2 + 1) / (n * n * rho2) *
                                std::log(std::sqrt(n * rho2 + 1) / alpha));
  const Estimate e = AlwaysValidEstimate(1.0, se, n, n_star, 0.95);
  ASSERT_TRUE(e.defined);
  EXPECT_NEAR(e.upper - 1.0, half, 1e-12);
  EXPECT_NEAR(1.0 - e.lower, half, 1e-12);
  // Wider than the fixed-horizon z interval at every n.
  for (double m : {10.0, 1000.0, 5000.0, 1e6}) {
    const Estimate s = AlwaysValidEstimate(0.0, 1.0, m, n_star, 0.95);
    EXPECT_GT(s.upper, 1.959963984540054) << m;
  }
}

TEST(SequentialTest, PValueIsConsistentWithTheInterval) {
  for (double value : {0.0, 0.3, 0.7, 0.9, 1.5, 4.0}) {
    const Estimate e = AlwaysValidEstimate(value, 0.3, 8000, 5000, 0.95);
    EXPECT_EQ(e.p_value < 0.05, e.lower > 0.0) << value;
    EXPECT_LE(e.p_value, 1.0);
  }
  EXPECT_FALSE(AlwaysValidEstimate(1.0, 0.0, 100, 5000, 0.95).defined);
  EXPECT_FALSE(AlwaysValidEstimate(1.0, 1.0, 100, 0, 0.95).defined);
}

// Peeking every 250 entries up to 20,000: the confidence sequence keeps the
// chance of ever excluding the truth below alpha; the fixed-horizon Welch
// interval checked at every look does not.
TEST(SequentialTest, StaysValidUnderContinuousMonitoring) {
  testing::Rng rng(2024);
  const int streams = 400;
  int sequential_errors = 0, naive_errors = 0;
  for (int s = 0; s < streams; ++s) {
    GroupMoments t, c;
    bool seq_err = false, naive_err = false;
    for (int i = 1; i <= 20000; ++i) {
      // Revenue-like but not extreme: the asymptotic sequence needs the CLT.
      const double y = rng.Uniform() < 0.3 ? std::exp(2.0 + 0.5 * rng.Normal()) : 0.0;
      (rng.Uniform() < 0.5 ? t : c).Add({y, 0, 0, 0, 0});
      if (i % 250 != 0 || t.count() < 2 || c.count() < 2) continue;
      const MetricWeights w{1, 0, 0, 0, 0};
      const Contrast k{GroupMoments::ContrastOfMeans(t, w, c, w),
                       t.SampleVariance(Metric::kRevenue) / t.count(),
                       c.SampleVariance(Metric::kRevenue) / c.count(),
                       static_cast<double>(t.count()), static_cast<double>(c.count())};
      const Estimate welch = WelchEstimate(k, 0.95);
      const Estimate seq = AlwaysValidEstimate(welch.value, welch.std_error, i, 5000, 0.95);
      naive_err |= welch.lower > 0.0 || welch.upper < 0.0;
      seq_err |= seq.lower > 0.0 || seq.upper < 0.0;
    }
    sequential_errors += seq_err;
    naive_errors += naive_err;
  }
  EXPECT_LE(sequential_errors, 0.05 * streams);
  EXPECT_GT(naive_errors, 0.12 * streams);
}

}  // namespace
}  // namespace holdfast::stats
