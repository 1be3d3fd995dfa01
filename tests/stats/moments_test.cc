#include "lib/stats/moments.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
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

// --- FromShiftedSums: per-group SUM aggregates computed by a database ---

using Shift = std::array<double, kNumMetrics>;

Shift AsShift(const EntryValues& e) {
  Shift s;
  for (int a = 0; a < kNumMetrics; ++a) s[a] = Rows::Get(e, a);
  return s;
}

// What `SELECT count(*), sum(y - :s_y), sum((y - :s_y) * (m - :s_m)), ...`
// returns for rows [begin, end): per-entry products, summed in row order.
GroupMoments::ShiftedSums SumsAbout(const std::vector<EntryValues>& v, const Shift& shift,
                                    size_t begin = 0, size_t end = SIZE_MAX) {
  end = std::min(end, v.size());
  GroupMoments::ShiftedSums s;
  s.n = static_cast<int64_t>(end - begin);
  s.shift = shift;
  for (size_t i = begin; i < end; ++i) {
    double u[kNumMetrics];
    for (int a = 0; a < kNumMetrics; ++a) {
      u[a] = Rows::Get(v[i], a) - shift[a];
      s.s1[a] += u[a];
    }
    for (int a = 0; a < kNumMetrics; ++a) {
      for (int b = a; b < kNumMetrics; ++b) {
        s.s2[GroupMoments::M2Index(a, b)] += u[a] * u[b];
        for (int c = b; c < kNumMetrics; ++c) s.s3[GroupMoments::M3Index(a, b, c)] += u[a] * u[b] * u[c];
      }
    }
  }
  return s;
}

// Element-wise sum: what a cell split over two workers adds up to.
GroupMoments::ShiftedSums Plus(GroupMoments::ShiftedSums x, const GroupMoments::ShiftedSums& y) {
  x.n += y.n;
  for (int a = 0; a < kNumMetrics; ++a) x.s1[a] += y.s1[a];
  for (int p = 0; p < GroupMoments::kNumM2; ++p) x.s2[p] += y.s2[p];
  for (int t = 0; t < GroupMoments::kNumM3; ++t) x.s3[t] += y.s3[t];
  return x;
}

// Weight vectors the report uses: revenue, revenue - cost (the iROAS
// numerator), a CUPED-like combination, margin - incentive, conversion.
const std::vector<MetricWeights> kCombinations = {
    {1, 0, 0, 0, 0, 0}, {1, 0, 0, -1, 0, 0}, {1, 0, 0, -2, 0.5, 0}, {0, 1, 0, 0, 0, -1},
    {0, 0, 1, 0, 0, 0}};

// got == want up to `tol`, relative to the natural scale of each quantity: a
// co-moment of nearly independent metrics is ~0 and has no relative
// precision of its own, its rounding scales with n sd_a sd_b (the
// Cauchy-Schwarz bound of |M_ab|); likewise n sd_a sd_b sd_c for M_abc and
// (sd + |mean|) for a mean. sd is the n-denominator one of `want`.
void ExpectSameMoments(const GroupMoments& got, const GroupMoments& want, double tol1,
                       double tol2, double tol3) {
  ASSERT_EQ(got.count(), want.count());
  const double n = static_cast<double>(want.count());
  Shift sd;
  for (int a = 0; a < kNumMetrics; ++a) {
    const Metric ma = static_cast<Metric>(a);
    sd[a] = std::sqrt(want.CoMoment2(ma, ma) / n);
    ASSERT_GT(sd[a], 0.0) << a;
    EXPECT_NEAR(got.Mean(ma), want.Mean(ma), tol1 * (sd[a] + std::fabs(want.Mean(ma)))) << a;
  }
  for (int a = 0; a < kNumMetrics; ++a) {
    for (int b = 0; b < kNumMetrics; ++b) {
      const Metric ma = static_cast<Metric>(a), mb = static_cast<Metric>(b);
      EXPECT_NEAR(got.CoMoment2(ma, mb), want.CoMoment2(ma, mb), tol2 * n * sd[a] * sd[b])
          << a << "," << b;
      for (int c = 0; c < kNumMetrics; ++c) {
        const Metric mc = static_cast<Metric>(c);
        EXPECT_NEAR(got.CoMoment3(ma, mb, mc), want.CoMoment3(ma, mb, mc),
                    tol3 * n * sd[a] * sd[b] * sd[c])
            << a << "," << b << "," << c;
      }
    }
  }
  for (const MetricWeights& w : kCombinations) {
    const double var = want.SampleVarianceOf(w);
    EXPECT_NEAR(got.SampleVarianceOf(w), var, tol2 * var);
    EXPECT_NEAR(got.ThirdCentralMomentOf(w), want.ThirdCentralMomentOf(w),
                tol3 * var * std::sqrt(var));
  }
}

TEST(GroupMomentsTest, FromShiftedSumsMatchesSequentialAdd) {
  for (uint64_t seed : {7, 8, 9}) {
    SCOPED_TRACE(seed);
    const Rows r = RandomRows(2000, seed);
    GroupMoments sequential;
    for (const auto& e : r.v) sequential.Add(e);
    // A shift near the mean (the first row, what Add uses) and shift 0 with
    // means of ~1: no cancellation to speak of, so both agree to rounding.
    const GroupMoments first = GroupMoments::FromShiftedSums(SumsAbout(r.v, AsShift(r.v[0])));
    ExpectSameMoments(first, sequential, 1e-13, 1e-12, 1e-12);
    const GroupMoments zero = GroupMoments::FromShiftedSums(SumsAbout(r.v, Shift{}));
    ExpectSameMoments(zero, sequential, 1e-13, 1e-12, 1e-12);
  }
}

// Co-moments no weight touches may be unknown (the analysis cells leave out
// the sums no estimator reads, as NaN): the weighted variance and third
// moment skip them rather than multiply them by 0, and a weight that does
// touch one gives NaN, never a number.
TEST(GroupMomentsTest, UnweightedUnknownCoMomentsAreNotRead) {
  const Rows r = RandomRows(500, 11);
  GroupMoments::ShiftedSums s = SumsAbout(r.v, AsShift(r.v[0]));
  const GroupMoments full = GroupMoments::FromShiftedSums(s);
  // Every pair and triple involving metric 2 (conversion) unknown.
  for (int a = 0; a < kNumMetrics; ++a) {
    for (int b = a; b < kNumMetrics; ++b) {
      if (a == 2 || b == 2) s.s2[GroupMoments::M2Index(a, b)] = std::nan("");
      for (int c = b; c < kNumMetrics; ++c) {
        if (a == 2 || b == 2 || c == 2) s.s3[GroupMoments::M3Index(a, b, c)] = std::nan("");
      }
    }
  }
  const GroupMoments partial = GroupMoments::FromShiftedSums(s);
  const MetricWeights y_minus_c{1, 0, 0, -1, 0, 0};
  EXPECT_EQ(partial.SampleVarianceOf(y_minus_c), full.SampleVarianceOf(y_minus_c));
  EXPECT_EQ(partial.ThirdCentralMomentOf(y_minus_c), full.ThirdCentralMomentOf(y_minus_c));
  EXPECT_EQ(partial.SampleCovarianceOf(y_minus_c, MetricWeights{0, 1, 0, 0, 0, 0}),
            full.SampleCovarianceOf(y_minus_c, MetricWeights{0, 1, 0, 0, 0, 0}));
  const MetricWeights with_x{1, 0, 0.5, 0, 0, 0};
  EXPECT_TRUE(std::isnan(partial.SampleVarianceOf(with_x)));
  EXPECT_TRUE(std::isnan(partial.ThirdCentralMomentOf(with_x)));
}

// A shift far from the mean (100, against means ~1 and sd >= 0.24) leaves
// the central moments as differences of raw sums ~(K / sd)^k times larger:
// a sum of n terms of size ~K^k is rounded to ~n eps K^k (recursive
// summation bound), i.e. n eps r^k relative to n sd^k with
// r = max_a (K_a + sd_a) / sd_a (k = 1 for the means). Measured: ~1e-12,
// ~1e-9 and ~1e-6 for the means, M2 and M3 at r ~ 420; the bounds are
// ~2e-10, ~8e-8 and ~3e-5. Add-ing the rows would not lose
// them: the database should shift by a value near the mean.
TEST(GroupMomentsTest, FromShiftedSumsFarFromTheMeanLosesOnlyTheCancelledDigits) {
  const Rows r = RandomRows(2000, 7);
  GroupMoments sequential;
  for (const auto& e : r.v) sequential.Add(e);
  Shift far;
  far.fill(100.0);
  double ratio = 0.0;
  for (int a = 0; a < kNumMetrics; ++a) {
    const double sd = std::sqrt(r.M2(a, a) / r.v.size());
    ratio = std::max(ratio, (std::fabs(far[a] - r.Mean(a)) + sd) / sd);
  }
  const double n_eps = static_cast<double>(r.v.size()) * std::numeric_limits<double>::epsilon();
  const GroupMoments g = GroupMoments::FromShiftedSums(SumsAbout(r.v, far));
  ExpectSameMoments(g, sequential, n_eps * ratio, n_eps * ratio * ratio,
                    n_eps * ratio * ratio * ratio);
}

// Mean 1e9, sd 1, skewness 2 (1e9 + Exp(1)): with the shift at the first value
// every v - s is exact (Sterbenz) and of size ~sd, so the sums lose nothing
// to the large mean.
TEST(GroupMomentsTest, FromShiftedSumsKeepsDigitsAtLargeMeans) {
  std::mt19937_64 rng(5);
  std::exponential_distribution<double> expo(1.0);
  std::normal_distribution<double> norm(0.0, 1.0);
  const int n = 200000;
  std::vector<EntryValues> rows(n);
  for (auto& e : rows) {
    e.y = 1e9 + expo(rng);
    e.z = e.y + norm(rng);  // pre-period revenue, correlated
  }
  // Two-pass reference on the exact deviations from 1e9.
  double sum_y = 0, sum_z = 0;
  for (const auto& e : rows) {
    sum_y += e.y - 1e9;
    sum_z += e.z - 1e9;
  }
  const double dy = sum_y / n, dz = sum_z / n;
  double m2y = 0, m3y = 0, m2yz = 0, m2d = 0;
  for (const auto& e : rows) {
    const double uy = (e.y - 1e9) - dy, uz = (e.z - 1e9) - dz;
    m2y += uy * uy;
    m3y += uy * uy * uy;
    m2yz += uy * uz;
    m2d += (uy - uz) * (uy - uz);
  }
  const GroupMoments g = GroupMoments::FromShiftedSums(SumsAbout(rows, AsShift(rows[0])));
  const MetricWeights y{1, 0, 0, 0, 0, 0}, y_minus_z{1, 0, 0, 0, -1, 0};
  EXPECT_NEAR(g.SampleVariance(Metric::kRevenue) / (m2y / (n - 1)), 1.0, 1e-9);
  EXPECT_NEAR(g.ThirdCentralMomentOf(y) / (m3y / n), 1.0, 1e-9);
  EXPECT_NEAR(g.SampleCovariance(Metric::kRevenue, Metric::kPreRevenue) / (m2yz / (n - 1)), 1.0,
              1e-9);
  EXPECT_NEAR(g.SampleVarianceOf(y_minus_z) / (m2d / (n - 1)), 1.0, 1e-9);
  // The mean is 1e9 + the small part, good to ulp(1e9).
  EXPECT_NEAR(g.Mean(Metric::kRevenue) - 1e9, dy, 2.5e-7);
}

// A lift of 0.01 on means of 1e9, each group's sums about its own first
// value: the contrast subtracts the shifts first, as after Add.
TEST(GroupMomentsTest, ContrastOfMeansFromShiftedSumsKeepsDigits) {
  std::mt19937_64 rng(17);
  std::normal_distribution<double> norm(0.0, 1.0);
  const int n = 200000;
  std::vector<EntryValues> t(n), c(n);
  double dev_sum_t = 0, dev_sum_c = 0;
  for (int i = 0; i < n; ++i) {
    t[i].y = 1e9 + 0.01 + norm(rng);
    c[i].y = 1e9 + norm(rng);
    dev_sum_t += t[i].y - 1e9;  // exact differences
    dev_sum_c += c[i].y - 1e9;
  }
  const double exact = dev_sum_t / n - dev_sum_c / n;
  const GroupMoments gt = GroupMoments::FromShiftedSums(SumsAbout(t, AsShift(t[0])));
  const GroupMoments gc = GroupMoments::FromShiftedSums(SumsAbout(c, AsShift(c[0])));
  const MetricWeights w{1, 0, 0, 0, 0, 0};
  // ~0.01 +- 0.003 to 1e-12: >= 9 significant digits.
  EXPECT_NEAR(GroupMoments::ContrastOfMeans(gt, w, gc, w), exact, 1e-12);
}

// Every entry has the same cost 0.0008 (a flat per-send price).
TEST(GroupMomentsTest, FromShiftedSumsOfAConstantMetricHasNoVariance) {
  Rows r = RandomRows(1000, 23);
  for (auto& e : r.v) e.c = 0.0008;
  // Shift at the value: every deviation is exactly 0, so is everything else.
  Shift at = AsShift(r.v[0]);
  const GroupMoments g = GroupMoments::FromShiftedSums(SumsAbout(r.v, at));
  EXPECT_EQ(g.Mean(Metric::kCost), 0.0008);
  EXPECT_EQ(g.SampleVariance(Metric::kCost), 0.0);
  EXPECT_EQ(g.CoMoment2(Metric::kCost, Metric::kRevenue), 0.0);
  EXPECT_EQ(g.CoMoment3(Metric::kCost, Metric::kCost, Metric::kCost), 0.0);
  EXPECT_EQ(g.CoMoment3(Metric::kCost, Metric::kRevenue, Metric::kRevenue), 0.0);
  EXPECT_TRUE(std::isnan(g.Skewness(Metric::kCost)));

  // Shift 0 instead: s2 - n d^2 cancels to rounding noise of either sign
  // (n = 1000 gives -2.9e-17); the variance must still not be negative.
  std::vector<EntryValues> cost(1);
  cost[0].c = 0.0008;
  int raw_negative = 0;
  for (int k = 2; k <= 200; ++k) {
    cost.resize(k, cost[0]);
    const GroupMoments::ShiftedSums s = SumsAbout(cost, Shift{});
    const double d = s.s1[3] / k;
    const int cc = GroupMoments::M2Index(3, 3);
    if (s.s2[cc] - k * d * d < 0.0) ++raw_negative;
    const GroupMoments h = GroupMoments::FromShiftedSums(s);
    EXPECT_GE(h.SampleVariance(Metric::kCost), 0.0) << k;
    EXPECT_LE(h.SampleVariance(Metric::kCost), 1e-12 * 0.0008 * 0.0008) << k;
  }
  EXPECT_GT(raw_negative, 0) << "no case exercises the clamp any more";
}

// The database may return a cell in two parts (two workers, or two
// partitions): their sums add up, and merging the two groups gives the same.
TEST(GroupMomentsTest, MergeOfFromShiftedSumsEqualsTheCombinedSums) {
  const Rows r = RandomRows(3001, 29);
  const Shift s = AsShift(r.v[0]);
  const GroupMoments::ShiftedSums first = SumsAbout(r.v, s, 0, 1200);
  const GroupMoments::ShiftedSums second = SumsAbout(r.v, s, 1200);
  const GroupMoments whole = GroupMoments::FromShiftedSums(Plus(first, second));
  GroupMoments merged = GroupMoments::FromShiftedSums(first);
  merged.Merge(GroupMoments::FromShiftedSums(second));
  ExpectSameMoments(merged, whole, 1e-13, 1e-12, 1e-12);
  // Parts with different shifts (each its own first row) merge as well.
  GroupMoments own = GroupMoments::FromShiftedSums(SumsAbout(r.v, s, 0, 1200));
  own.Merge(GroupMoments::FromShiftedSums(SumsAbout(r.v, AsShift(r.v[1200]), 1200)));
  ExpectSameMoments(own, whole, 1e-13, 1e-12, 1e-12);
  // And a FromShiftedSums group merges with an Add-ed one.
  GroupMoments mixed = GroupMoments::FromShiftedSums(first);
  GroupMoments added;
  for (size_t i = 1200; i < r.v.size(); ++i) added.Add(r.v[i]);
  mixed.Merge(added);
  ExpectSameMoments(mixed, whole, 1e-13, 1e-12, 1e-12);
}

TEST(GroupMomentsTest, FromShiftedSumsOfNoEntriesIsAnEmptyGroup) {
  GroupMoments::ShiftedSums none;
  none.shift.fill(5.0);  // a shift without entries means nothing
  GroupMoments g = GroupMoments::FromShiftedSums(none);
  EXPECT_EQ(g.count(), 0);
  EXPECT_EQ(g.Mean(Metric::kRevenue), 0.0);
  EXPECT_TRUE(std::isnan(g.SampleVariance(Metric::kRevenue)));
  EXPECT_TRUE(std::isnan(g.ThirdCentralMomentOf(MetricWeights{1, 0, 0, 0, 0, 0})));
  const MetricWeights w{1, 0, 0, 0, 0, 0};
  GroupMoments one;
  one.Add({3, 0, 0, 0, 0, 0});
  EXPECT_EQ(GroupMoments::ContrastOfMeans(one, w, g, w), 3.0);

  const Rows r = RandomRows(500, 31);
  GroupMoments sequential;
  for (const auto& e : r.v) sequential.Add(e);
  g.Merge(sequential);
  ExpectSameMoments(g, sequential, 0.0, 0.0, 0.0);
  GroupMoments h = sequential;
  h.Merge(GroupMoments::FromShiftedSums(none));
  ExpectSameMoments(h, sequential, 0.0, 0.0, 0.0);
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
