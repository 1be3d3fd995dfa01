#include "lib/stats/moments.h"

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace holdfast::stats {
namespace {

// Two-pass reference for one metric pair / triple over explicit rows.
struct Rows {
  std::vector<EntryValues> v;
  static double Get(const EntryValues& e, int a) {
    switch (a) {
      case 0: return e.y;
      case 1: return e.m;
      case 2: return e.x;
      case 3: return e.c;
      case 4: return e.z;
      default: return e.incentive;
    }
  }
  double Mean(int a) const {
    double s = 0;
    for (const auto& e : v) s += Get(e, a);
    return s / v.size();
  }
  double M2(int a, int b) const {
    const double ma = Mean(a), mb = Mean(b);
    double s = 0;
    for (const auto& e : v) s += (Get(e, a) - ma) * (Get(e, b) - mb);
    return s;
  }
  double M3(int a, int b, int c) const {
    const double ma = Mean(a), mb = Mean(b), mc = Mean(c);
    double s = 0;
    for (const auto& e : v) s += (Get(e, a) - ma) * (Get(e, b) - mb) * (Get(e, c) - mc);
    return s;
  }
};

Rows RandomRows(int n, uint64_t seed, double offset = 0.0) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> norm(0.0, 1.0);
  Rows r;
  for (int i = 0; i < n; ++i) {
    const double a = norm(rng), b = norm(rng), c = norm(rng);
    const double x = (a + 0.3 * b) > 0.5 ? 1.0 : 0.0;
    r.v.push_back({offset + std::exp(a), offset + 0.3 * std::exp(a) + b, x, 0.1 * c * c + 0.2 * a,
                   offset + a + c, x * 0.1 * std::exp(a + 0.5 * c)});
  }
  return r;
}

void ExpectMatchesTwoPass(const GroupMoments& g, const Rows& r, double tol) {
  ASSERT_EQ(g.count(), static_cast<int64_t>(r.v.size()));
  for (int a = 0; a < kNumMetrics; ++a) {
    EXPECT_NEAR(g.Mean(static_cast<Metric>(a)), r.Mean(a), tol * (1 + std::fabs(r.Mean(a))));
    for (int b = 0; b < kNumMetrics; ++b) {
      const double ref = r.M2(a, b);
      EXPECT_NEAR(g.CoMoment2(static_cast<Metric>(a), static_cast<Metric>(b)), ref,
                  tol * (1 + std::fabs(ref)))
          << a << "," << b;
      for (int c = 0; c < kNumMetrics; ++c) {
        const double ref3 = r.M3(a, b, c);
        EXPECT_NEAR(g.CoMoment3(static_cast<Metric>(a), static_cast<Metric>(b),
                                static_cast<Metric>(c)),
                    ref3, tol * (1 + std::fabs(ref3)))
            << a << "," << b << "," << c;
      }
    }
  }
}

TEST(GroupMomentsTest, FixedVectorMatchesHandComputation) {
  // y = {1, 2, 3, 10}: mean 4, deviations {-3,-2,-1,6}: M2 = 50, M3 = -27-8-1+216 = 180.
  GroupMoments g;
  for (double y : {1.0, 2.0, 3.0, 10.0}) g.Add({y, 0, 0, 2 * y, 0});
  EXPECT_EQ(g.count(), 4);
  EXPECT_DOUBLE_EQ(g.Mean(Metric::kRevenue), 4.0);
  EXPECT_DOUBLE_EQ(g.CoMoment2(Metric::kRevenue, Metric::kRevenue), 50.0);
  EXPECT_DOUBLE_EQ(g.CoMoment3(Metric::kRevenue, Metric::kRevenue, Metric::kRevenue), 180.0);
  EXPECT_DOUBLE_EQ(g.CoMoment2(Metric::kRevenue, Metric::kCost), 100.0);
  EXPECT_DOUBLE_EQ(g.SampleVariance(Metric::kRevenue), 50.0 / 3.0);
  EXPECT_DOUBLE_EQ(g.Sum(Metric::kCost), 32.0);
  // g1 = (180/4) / (50/4)^1.5
  EXPECT_NEAR(g.Skewness(Metric::kRevenue), 45.0 / std::pow(12.5, 1.5), 1e-15);
  // y - c = -y: variance same as y, third moment negated.
  MetricWeights w{};
  w[0] = 1.0;
  w[3] = -1.0;
  EXPECT_NEAR(g.SampleVarianceOf(w), 50.0 / 3.0, 1e-12);
  EXPECT_NEAR(g.ThirdCentralMomentOf(w), -45.0, 1e-12);
}

TEST(GroupMomentsTest, EmptyAndSingleGroupsAreUndefined) {
  GroupMoments g;
  EXPECT_TRUE(std::isnan(g.SampleVariance(Metric::kRevenue)));
  EXPECT_TRUE(std::isnan(g.ThirdCentralMomentOf(MetricWeights{1, 0, 0, 0, 0})));
  g.Add({5, 0, 0, 0, 0});
  EXPECT_TRUE(std::isnan(g.SampleVariance(Metric::kRevenue)));
  EXPECT_TRUE(std::isnan(g.Skewness(Metric::kRevenue)));
  EXPECT_DOUBLE_EQ(g.Mean(Metric::kRevenue), 5.0);
}

TEST(GroupMomentsTest, AddMatchesTwoPassReference) {
  const Rows r = RandomRows(2000, 7);
  GroupMoments g;
  for (const auto& e : r.v) g.Add(e);
  ExpectMatchesTwoPass(g, r, 1e-10);
}

TEST(GroupMomentsTest, MergeOfChunksMatchesSequentialAdd) {
  const Rows r = RandomRows(3001, 11);
  GroupMoments sequential;
  for (const auto& e : r.v) sequential.Add(e);
  // Uneven chunks, merged in a tree-ish order, including an empty one.
  std::vector<GroupMoments> parts(5);
  for (size_t i = 0; i < r.v.size(); ++i) parts[(i * i) % 4].Add(r.v[i]);
  GroupMoments left = parts[0];
  left.Merge(parts[4]);  // empty
  left.Merge(parts[1]);
  GroupMoments right = parts[2];
  right.Merge(parts[3]);
  left.Merge(right);
  ExpectMatchesTwoPass(left, r, 1e-10);
  GroupMoments empty;
  empty.Merge(sequential);
  ExpectMatchesTwoPass(empty, r, 1e-10);
}

TEST(GroupMomentsTest, AddRepeatedMatchesRepeatedAdd) {
  GroupMoments a, b;
  const EntryValues base{1.5, 0.5, 0, 0.02, 3};
  const EntryValues buyer{80, 20, 1, 8.02, 40};
  for (int i = 0; i < 997; ++i) a.Add(base);
  a.Add(buyer);
  for (int i = 0; i < 13; ++i) a.Add(base);
  b.AddRepeated(base, 997);
  b.Add(buyer);
  b.AddRepeated(base, 13);
  b.AddRepeated(buyer, 0);
  ASSERT_EQ(a.count(), b.count());
  for (int i = 0; i < kNumMetrics; ++i) {
    const Metric m = static_cast<Metric>(i);
    EXPECT_NEAR(a.Mean(m), b.Mean(m), 1e-12 * (1 + std::fabs(a.Mean(m))));
    for (int j = 0; j < kNumMetrics; ++j) {
      const Metric n = static_cast<Metric>(j);
      EXPECT_NEAR(a.CoMoment2(m, n), b.CoMoment2(m, n), 1e-9 * (1 + std::fabs(a.CoMoment2(m, n))));
      EXPECT_NEAR(a.CoMoment3(m, n, m), b.CoMoment3(m, n, m),
                  1e-9 * (1 + std::fabs(a.CoMoment3(m, n, m))));
    }
  }
}

// Mean 1e9, spread 1: naive sum-of-squares variance loses every digit, the
// co-moment accumulator keeps ~1e-7 relative accuracy.
TEST(GroupMomentsTest, StableWithLargeMeans) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> norm(0.0, 1.0);
  const int n = 1000000;
  GroupMoments g;
  GroupMoments half_a, half_b;
  double sum = 0, sum_sq = 0;
  double exact_sum = 0, exact_m2 = 0;
  std::vector<double> dev(n);
  for (int i = 0; i < n; ++i) {
    const double y = 1e9 + norm(rng);
    dev[i] = y - 1e9;  // exact (Sterbenz), so the reference below is exact-ish
    g.Add({y, 0, 0, 0, 0});
    (i % 2 ? half_a : half_b).Add({y, 0, 0, 0, 0});
    sum += y;
    sum_sq += y * y;
    exact_sum += dev[i];
  }
  const double exact_mean_dev = exact_sum / n;
  for (int i = 0; i < n; ++i) exact_m2 += (dev[i] - exact_mean_dev) * (dev[i] - exact_mean_dev);
  const double exact_var = exact_m2 / (n - 1);
  const double naive_var = (sum_sq - sum * sum / n) / (n - 1);
  // The naive formula is wrong by far more than the variance itself ...
  EXPECT_GT(std::fabs(naive_var - exact_var), 0.5);
  // ... the co-moments are not.
  EXPECT_NEAR(g.SampleVariance(Metric::kRevenue) / exact_var, 1.0, 1e-6);
  half_a.Merge(half_b);
  EXPECT_NEAR(half_a.SampleVariance(Metric::kRevenue) / exact_var, 1.0, 1e-6);
  // The running mean itself is only good to a few ulps of 1e9 (1e-12 relative).
  EXPECT_NEAR(g.Mean(Metric::kRevenue) - 1e9, exact_mean_dev, 1e-3);
}

// A lift of 0.01 on a mean of 1e9: the contrast keeps its digits even
// though each mean alone is only known to ulp(1e9) ~ 1.2e-7.
TEST(GroupMomentsTest, ContrastOfLargeMeansKeepsDigits) {
  std::mt19937_64 rng(17);
  std::normal_distribution<double> norm(0.0, 1.0);
  GroupMoments t, c, t_merged, part;
  double dev_sum_t = 0, dev_sum_c = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double yt = 1e9 + 0.01 + norm(rng);
    const double yc = 1e9 + norm(rng);
    dev_sum_t += yt - 1e9;  // exact differences
    dev_sum_c += yc - 1e9;
    t.Add({yt, 0, 0, 0, 0});
    c.Add({yc, 0, 0, 0, 0});
    (i < n / 3 ? t_merged : part).Add({yt, 0, 0, 0, 0});
  }
  t_merged.Merge(part);
  const double exact = dev_sum_t / n - dev_sum_c / n;
  const MetricWeights w{1, 0, 0, 0, 0};
  EXPECT_NEAR(GroupMoments::ContrastOfMeans(t, w, c, w), exact, 1e-12);
  EXPECT_NEAR(GroupMoments::ContrastOfMeans(t_merged, w, c, w), exact, 1e-12);
  EXPECT_NEAR(t.MeanOf(w), 1e9 + dev_sum_t / n, 2.5e-7);
}

TEST(GroupMomentsTest, IndexTablesAreABijection) {
  std::vector<int> seen2(GroupMoments::kNumM2, 0), seen3(GroupMoments::kNumM3, 0);
  for (int a = 0; a < kNumMetrics; ++a)
    for (int b = a; b < kNumMetrics; ++b) {
      ++seen2[GroupMoments::M2Index(a, b)];
      EXPECT_EQ(GroupMoments::M2Index(a, b), GroupMoments::M2Index(b, a));
      for (int c = b; c < kNumMetrics; ++c) {
        ++seen3[GroupMoments::M3Index(a, b, c)];
        EXPECT_EQ(GroupMoments::M3Index(a, b, c), GroupMoments::M3Index(c, a, b));
      }
    }
  for (int s : seen2) EXPECT_EQ(s, 1);
  for (int s : seen3) EXPECT_EQ(s, 1);
}

}  // namespace
}  // namespace holdfast::stats
