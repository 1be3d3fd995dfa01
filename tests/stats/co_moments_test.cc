#include "lib/stats/co_moments.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace holdfast::stats {
namespace {

constexpr int kN = 4;  // revenue, orders, unsubscribed, cost
using Moments = CoMoments<kN>;
using Values = Moments::Values;

std::vector<Values> RandomRows(int n, uint64_t seed, double offset = 0.0) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> norm(0.0, 1.0);
  std::poisson_distribution<int> orders(0.4);
  std::vector<Values> rows;
  for (int i = 0; i < n; ++i) {
    const double a = norm(rng), b = norm(rng);
    const double k = orders(rng);
    rows.push_back({offset + k * std::exp(a), k, b > 1.2 ? 1.0 : 0.0, 0.05 + 0.01 * b * b});
  }
  return rows;
}

Values Unit(int a) {
  Values w{};
  w[a] = 1.0;
  return w;
}

// Central co-moment sum_i (v_ia - mean_a)(v_ib - mean_b) (the class keeps
// them; only the sample covariance is public).
double CoMoment2(const Moments& g, int a, int b) {
  return g.SampleCovarianceOf(Unit(a), Unit(b)) * static_cast<double>(g.count() - 1);
}

struct TwoPass {
  double n = 0;
  Values mean{};
  std::array<std::array<double, kN>, kN> m2{};
};
TwoPass Reference(const std::vector<Values>& rows) {
  TwoPass r;
  r.n = static_cast<double>(rows.size());
  for (const Values& v : rows)
    for (int a = 0; a < kN; ++a) r.mean[a] += v[a];
  for (int a = 0; a < kN; ++a) r.mean[a] /= r.n;
  for (const Values& v : rows)
    for (int a = 0; a < kN; ++a)
      for (int b = 0; b < kN; ++b) r.m2[a][b] += (v[a] - r.mean[a]) * (v[b] - r.mean[b]);
  return r;
}

// What `SELECT count(*), sum(v_a - :s_a), sum((v_a - :s_a) * (v_b - :s_b))`
// returns for rows [begin, end).
Moments::ShiftedSums SumsAbout(const std::vector<Values>& rows, const Values& shift,
                               size_t begin = 0, size_t end = SIZE_MAX) {
  end = std::min(end, rows.size());
  Moments::ShiftedSums s;
  s.n = static_cast<int64_t>(end - begin);
  s.shift = shift;
  for (size_t i = begin; i < end; ++i) {
    Values u;
    for (int a = 0; a < kN; ++a) {
      u[a] = rows[i][a] - shift[a];
      s.s1[a] += u[a];
    }
    for (int a = 0; a < kN; ++a)
      for (int b = a; b < kN; ++b) s.s2[a][b] += u[a] * u[b];
  }
  return s;
}

Moments::ShiftedSums Plus(Moments::ShiftedSums x, const Moments::ShiftedSums& y) {
  x.n += y.n;
  for (int a = 0; a < kN; ++a) {
    x.s1[a] += y.s1[a];
    for (int b = a; b < kN; ++b) x.s2[a][b] += y.s2[a][b];
  }
  return x;
}

// got == want; as in moments_test.cc, a co-moment's rounding scales with
// n sd_a sd_b (its Cauchy-Schwarz bound), a mean's with sd + |mean|.
void ExpectSameMoments(const Moments& got, const Moments& want, double tol1, double tol2) {
  ASSERT_EQ(got.count(), want.count());
  const double n = static_cast<double>(want.count());
  Values sd;
  for (int a = 0; a < kN; ++a) {
    sd[a] = std::sqrt(CoMoment2(want, a, a) / n);
    ASSERT_GT(sd[a], 0.0) << a;
    EXPECT_NEAR(got.Mean(a), want.Mean(a), tol1 * (sd[a] + std::fabs(want.Mean(a)))) << a;
  }
  for (int a = 0; a < kN; ++a)
    for (int b = 0; b < kN; ++b)
      EXPECT_NEAR(CoMoment2(got, a, b), CoMoment2(want, a, b), tol2 * n * sd[a] * sd[b])
          << a << "," << b;
  // Revenue per order's numerator and denominator, as the report pairs them.
  const PairMoments p = got.Pair({1, 0, 0, -1}, {0, 1, 0, 0});
  const PairMoments q = want.Pair({1, 0, 0, -1}, {0, 1, 0, 0});
  EXPECT_NEAR(p.var_a, q.var_a, tol2 * q.var_a);
  EXPECT_NEAR(p.var_b, q.var_b, tol2 * q.var_b);
  EXPECT_NEAR(p.cov_ab, q.cov_ab, tol2 * std::sqrt(q.var_a * q.var_b));
}

TEST(CoMomentsTest, AddAndMergeMatchTwoPass) {
  const std::vector<Values> rows = RandomRows(3001, 3);
  const TwoPass r = Reference(rows);
  Moments g, left, right;
  for (size_t i = 0; i < rows.size(); ++i) {
    g.Add(rows[i]);
    (i % 3 ? left : right).Add(rows[i]);
  }
  left.Merge(right);
  for (const Moments* m : {&g, &left}) {
    ASSERT_EQ(m->count(), 3001);
    for (int a = 0; a < kN; ++a) {
      EXPECT_NEAR(m->Mean(a), r.mean[a], 1e-13 * (1 + std::fabs(r.mean[a])));
      for (int b = 0; b < kN; ++b)
        EXPECT_NEAR(CoMoment2(*m, a, b), r.m2[a][b],
                    1e-12 * std::sqrt(r.m2[a][a] * r.m2[b][b]));
    }
  }
}

TEST(CoMomentsTest, FromShiftedSumsMatchesSequentialAdd) {
  for (uint64_t seed : {7, 8, 9}) {
    SCOPED_TRACE(seed);
    const std::vector<Values> rows = RandomRows(2000, seed);
    Moments sequential;
    for (const Values& v : rows) sequential.Add(v);
    ExpectSameMoments(Moments::FromShiftedSums(SumsAbout(rows, rows[0])), sequential, 1e-13,
                      1e-12);
    ExpectSameMoments(Moments::FromShiftedSums(SumsAbout(rows, Values{})), sequential, 1e-13,
                      1e-12);
    // A shift of 100 against means ~1 and sd ~0.01..2: the co-moments are
    // differences of raw sums ~r^2 larger, r = max_a (|mean_a - s_a| + sd_a)
    // / sd_a; the recursive summation bound n eps r^k (k = 1 for the means)
    // covers the rounding (see the GroupMoments test of the same name).
    Values far;
    far.fill(100.0);
    const TwoPass r = Reference(rows);
    double ratio = 0.0;
    for (int a = 0; a < kN; ++a) {
      const double sd = std::sqrt(r.m2[a][a] / r.n);
      ratio = std::max(ratio, (std::fabs(far[a] - r.mean[a]) + sd) / sd);
    }
    const double n_eps = r.n * std::numeric_limits<double>::epsilon();
    ExpectSameMoments(Moments::FromShiftedSums(SumsAbout(rows, far)), sequential, n_eps * ratio,
                      n_eps * ratio * ratio);
  }
}

// Mean 1e9, sd 1: with the shift at the first value every v - s is exact
// (Sterbenz) and ~sd, so neither the variance nor a contrast of two such
// means loses digits to the large mean.
// Sums a database leaves out (NaN: the horizon cells' unread pairs) are
// never read by a covariance whose weights do not touch them, and the result
// is bit-identical to the one from every sum; a weight that touches one gives
// NaN.
TEST(CoMomentsTest, UnweightedUnknownCoMomentsAreNotRead) {
  const std::vector<Values> rows = RandomRows(500, 21);
  Moments::ShiftedSums all = SumsAbout(rows, rows[0]);
  Moments::ShiftedSums partial = all;
  partial.s2[0][1] = std::numeric_limits<double>::quiet_NaN();  // revenue x orders
  partial.s2[1][2] = std::numeric_limits<double>::quiet_NaN();  // orders x unsubscribed
  const Moments a = Moments::FromShiftedSums(all), b = Moments::FromShiftedSums(partial);
  Values revenue_cost{};
  revenue_cost[0] = 1.0;
  revenue_cost[3] = -0.5;
  EXPECT_EQ(b.SampleCovarianceOf(Unit(0), Unit(0)), a.SampleCovarianceOf(Unit(0), Unit(0)));
  EXPECT_EQ(b.SampleCovarianceOf(Unit(0), Unit(3)), a.SampleCovarianceOf(Unit(0), Unit(3)));
  EXPECT_EQ(b.SampleCovarianceOf(revenue_cost, Unit(3)), a.SampleCovarianceOf(revenue_cost, Unit(3)));
  EXPECT_EQ(b.Pair(Unit(0), Unit(3)).cov_ab, a.Pair(Unit(0), Unit(3)).cov_ab);
  EXPECT_TRUE(std::isnan(b.SampleCovarianceOf(Unit(0), Unit(1))));
}

TEST(CoMomentsTest, FromShiftedSumsKeepsDigitsAtLargeMeans) {
  std::mt19937_64 rng(5);
  std::exponential_distribution<double> expo(1.0);
  std::normal_distribution<double> norm(0.0, 1.0);
  const int n = 200000;
  std::vector<Values> t(n), c(n);
  double sum_t = 0, sum_c = 0;
  for (int i = 0; i < n; ++i) {
    t[i] = {1e9 + 0.01 + expo(rng), 1, 0, 1e9 + norm(rng)};
    c[i] = {1e9 + expo(rng), 1, 0, 1e9 + norm(rng)};
    sum_t += t[i][0] - 1e9;  // exact differences
    sum_c += c[i][0] - 1e9;
  }
  const double dt = sum_t / n;
  double m2 = 0, m2_diff = 0, dz = 0;
  for (const Values& v : t) dz += v[3] - 1e9;
  dz /= n;
  for (const Values& v : t) {
    const double u0 = (v[0] - 1e9) - dt, u3 = (v[3] - 1e9) - dz;
    m2 += u0 * u0;
    m2_diff += (u0 - u3) * (u0 - u3);
  }
  const Moments gt = Moments::FromShiftedSums(SumsAbout(t, t[0]));
  const Moments gc = Moments::FromShiftedSums(SumsAbout(c, c[0]));
  EXPECT_NEAR(gt.SampleCovarianceOf(Unit(0), Unit(0)) / (m2 / (n - 1)), 1.0, 1e-9);
  const Values diff{1, 0, 0, -1};
  EXPECT_NEAR(gt.SampleCovarianceOf(diff, diff) / (m2_diff / (n - 1)), 1.0, 1e-9);
  // A lift of 0.01 on 1e9 to 1e-12: >= 9 significant digits.
  EXPECT_NEAR(Moments::ContrastOfMeans(gt, gc, Unit(0)), sum_t / n - sum_c / n, 1e-12);
  EXPECT_NEAR(gt.Mean(0) - 1e9, dt, 2.5e-7);  // the mean alone: ulp(1e9)
}

// Every entry costs the same 0.0008.
TEST(CoMomentsTest, FromShiftedSumsOfAConstantVariableHasNoVariance) {
  std::vector<Values> rows = RandomRows(1000, 23);
  for (Values& v : rows) v[3] = 0.0008;
  const Moments g = Moments::FromShiftedSums(SumsAbout(rows, rows[0]));
  EXPECT_EQ(g.Mean(3), 0.0008);
  EXPECT_EQ(g.SampleCovarianceOf(Unit(3), Unit(3)), 0.0);
  EXPECT_EQ(g.SampleCovarianceOf(Unit(3), Unit(0)), 0.0);
  // Shift 0: s2 - n d^2 is rounding noise of either sign; never negative.
  std::vector<Values> cost(1, Values{0, 0, 0, 0.0008});
  int raw_negative = 0;
  for (int k = 2; k <= 200; ++k) {
    cost.resize(k, cost[0]);
    const Moments::ShiftedSums s = SumsAbout(cost, Values{});
    const double d = s.s1[3] / k;
    if (s.s2[3][3] - k * d * d < 0.0) ++raw_negative;
    const double var = Moments::FromShiftedSums(s).SampleCovarianceOf(Unit(3), Unit(3));
    EXPECT_GE(var, 0.0) << k;
    EXPECT_LE(var, 1e-12 * 0.0008 * 0.0008) << k;
  }
  EXPECT_GT(raw_negative, 0) << "no case exercises the clamp any more";
}

TEST(CoMomentsTest, MergeOfFromShiftedSumsEqualsTheCombinedSums) {
  const std::vector<Values> rows = RandomRows(3001, 29);
  const Moments::ShiftedSums first = SumsAbout(rows, rows[0], 0, 1200);
  const Moments::ShiftedSums second = SumsAbout(rows, rows[0], 1200);
  const Moments whole = Moments::FromShiftedSums(Plus(first, second));
  Moments merged = Moments::FromShiftedSums(first);
  merged.Merge(Moments::FromShiftedSums(second));
  ExpectSameMoments(merged, whole, 1e-13, 1e-12);
  Moments own = Moments::FromShiftedSums(first);
  own.Merge(Moments::FromShiftedSums(SumsAbout(rows, rows[1200], 1200)));
  ExpectSameMoments(own, whole, 1e-13, 1e-12);
  Moments added;
  for (size_t i = 1200; i < rows.size(); ++i) added.Add(rows[i]);
  Moments mixed = Moments::FromShiftedSums(first);
  mixed.Merge(added);
  ExpectSameMoments(mixed, whole, 1e-13, 1e-12);
}

TEST(CoMomentsTest, FromShiftedSumsOfNoEntriesIsAnEmptyGroup) {
  Moments::ShiftedSums none;
  none.shift.fill(5.0);
  Moments g = Moments::FromShiftedSums(none);
  EXPECT_EQ(g.count(), 0);
  EXPECT_EQ(g.Mean(0), 0.0);
  EXPECT_EQ(g.MeanOf({1, 1, 0, 0}), 0.0);
  EXPECT_TRUE(std::isnan(g.SampleCovarianceOf(Unit(0), Unit(0))));
  Moments one;
  one.Add({3, 0, 0, 0});
  EXPECT_EQ(Moments::ContrastOfMeans(one, g, Unit(0)), 3.0);
  const std::vector<Values> rows = RandomRows(500, 31);
  Moments sequential;
  for (const Values& v : rows) sequential.Add(v);
  g.Merge(sequential);
  ExpectSameMoments(g, sequential, 0.0, 0.0);
  Moments h = sequential;
  h.Merge(Moments::FromShiftedSums(none));
  ExpectSameMoments(h, sequential, 0.0, 0.0);
}

// A value constant in a group but summed about another group's value (the
// database's cells about the journey's shift), in cells of several sizes
// merged: its variance is exactly 0, as when the values are added one by
// one, not the rounding of s2 - n d^2; a real spread beside it is kept.
TEST(CoMomentsTest, AConstantSummedAboutAnotherShiftHasNoVariance) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> norm(0.0, 1.0);
  std::vector<Values> rows;
  for (int i = 0; i < 20000; ++i) {
    // Cost 0.0083 on every entry; revenue varies; orders 1; a tiny real spread.
    rows.push_back({20.0 + 5.0 * norm(rng), 1.0, 0.0083 + 1e-4 * norm(rng), 0.0083});
  }
  const Values shift = {3.0, 0.0, 0.0008, 0.0008};  // another arm's entry
  Moments merged, sequential;
  for (size_t begin = 0, k = 0; begin < rows.size(); begin += 600 + 37 * k, ++k) {
    merged.Merge(Moments::FromShiftedSums(SumsAbout(rows, shift, begin, begin + 600 + 37 * k)));
  }
  for (const Values& r : rows) sequential.Add(r);
  const PairMoments constant = merged.Pair(Unit(3), Unit(1));
  EXPECT_EQ(constant.var_a, 0.0);
  EXPECT_EQ(constant.cov_ab, 0.0);
  EXPECT_EQ(sequential.Pair(Unit(3), Unit(1)).var_a, 0.0);
  EXPECT_NEAR(constant.mean_a, 0.0083, 1e-15);
  // The varying ones keep their variance (to rounding).
  const PairMoments spread = merged.Pair(Unit(2), Unit(0));
  const PairMoments want = sequential.Pair(Unit(2), Unit(0));
  EXPECT_NEAR(spread.var_a, want.var_a, 1e-9 * want.var_a);
  EXPECT_NEAR(spread.var_b, want.var_b, 1e-9 * want.var_b);
  EXPECT_NEAR(spread.cov_ab, want.cov_ab, 1e-9 * std::fabs(want.var_a * want.var_b) + 1e-15);
  EXPECT_GT(spread.var_a, 0.0);
}

}  // namespace
}  // namespace holdfast::stats
