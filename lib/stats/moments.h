// Per-group sufficient statistics for the lift report: count, means, and all
// second- and third-order central co-moments of the six per-entry metrics
// (revenue y, margin m, converted x, cost c, pre-period revenue z, incentive
// i: the coupons and discounts granted on the window's orders).
//
// Every estimator in lib/stats is a function of these numbers only, so the
// same report can be computed from rows streamed out of SQLite today and from
// partial aggregates merged across workers later (Merge is exact up to
// rounding and order-independent in exact arithmetic), or from plain SUM
// aggregates a database computes per group (FromShiftedSums).
//
// Numerics: central co-moments are updated with Welford/Pebay one-pass
// formulas and combined with Chan et al.'s pairwise formulas. Raw power sums
// (sum of y^2) would lose every significant digit of the variance when the
// mean is large against the spread (mean 1e9, sd 1); co-moments do not.
// Means are kept as shift + mean of (value - shift), the shift being the
// first value seen, so a running mean of values near 1e9 does not random-walk
// by ulp(1e9) per update, and ContrastOfMeans subtracts the shifts before the
// small parts: a lift of 0.01 on a mean of 1e9 keeps ~12 digits.
//
// Example:
//   GroupMoments treatment;
//   for (const Row& r : rows) treatment.Add({r.revenue, r.margin, r.converted,
//                                            r.cost, r.pre_revenue});
//   double mean_revenue = treatment.Mean(Metric::kRevenue);
//
// Thread-safety: a GroupMoments is a plain value; concurrent reads are safe,
// writes need external synchronization (or one instance per thread + Merge).
#ifndef HOLDFAST_LIB_STATS_MOMENTS_H_
#define HOLDFAST_LIB_STATS_MOMENTS_H_

#include <array>
#include <cstdint>

namespace holdfast::stats {

// One entry (the unit of analysis) of a journey: outcomes summed over its
// attribution window. See DESIGN.md "Estimands".
struct EntryValues {
  double y = 0.0;  // revenue in [t0, t0 + window), refunds negative
  double m = 0.0;  // margin in the window
  double x = 0.0;  // 1 if converted in the window, else 0
  double c = 0.0;  // cost of the entry's sends in the window
  double z = 0.0;  // pre-period revenue (CUPED covariate)
  // Incentives granted on the window's orders (ORDER incentive_cost): the
  // "ROAS with discount" cost, whose third moments with the revenue give
  // that ratio its skewness-corrected interval.
  double incentive = 0.0;
};

// Index of a metric inside GroupMoments. The numeric values are the storage
// order and are stable.
enum class Metric : int {
  kRevenue = 0,
  kMargin = 1,
  kConverted = 2,
  kCost = 3,
  kPreRevenue = 4,
  kIncentive = 5,
};
inline constexpr int kNumMetrics = 6;

// Coefficients of a linear combination sum_a w[a] * metric_a, indexed by Metric.
using MetricWeights = std::array<double, kNumMetrics>;

class GroupMoments {
 public:
  // Number of distinct second- and third-order co-moments of 6 variables.
  static constexpr int kNumM2 = 21;
  static constexpr int kNumM3 = 56;

  GroupMoments() = default;

  // Adds one entry. O(1), no allocation. Non-finite values are the caller's
  // responsibility (they propagate into every statistic).
  void Add(const EntryValues& v);

  // Adds `count` identical entries in O(1) (count >= 0). Equivalent to calling
  // Add(v) count times, up to rounding.
  void AddRepeated(const EntryValues& v, int64_t count);

  // Adds all entries summarized by `other` (Chan et al. pairwise update).
  void Merge(const GroupMoments& other);

  // Sums of a group's values about a shift s (one constant per metric, any
  // value; close to the group's mean keeps the digits): what a database
  // computes with plain SUM aggregates, partial sums of parallel workers
  // simply adding up. Packed as M2Index / M3Index.
  struct ShiftedSums {
    int64_t n = 0;
    std::array<double, kNumMetrics> shift{};
    std::array<double, kNumMetrics> s1{};  // sum_i (v_ia - s_a)
    std::array<double, kNumM2> s2{};       // sum_i (v_ia - s_a)(v_ib - s_b), a <= b
    std::array<double, kNumM3> s3{};       // sum_i (v_ia - s_a)(v_ib - s_b)(v_ic - s_c), a <= b <= c
  };
  // The moments of those entries: equal to Add-ing each of them, up to
  // rounding (n = 0: an empty group; a negative n is the caller's error and
  // also gives an empty group). The result keeps s.shift as its shift, so
  // Mean / ContrastOfMeans are as precise as after Add and Merge works on it.
  // Precision: central moments come out as differences of the raw shifted
  // sums, so about log10((|mean - shift| / sd)^k) digits of the order-k
  // moments are lost; a shift within a few sd of the mean (e.g. any one
  // entry's value) loses next to none, a shift of 0 at mean 1e9 loses all.
  static GroupMoments FromShiftedSums(const ShiftedSums& s);

  int64_t count() const { return n_; }
  // Mean of metric `a` (0 for an empty group).
  double Mean(Metric a) const { return shift_[Index(a)] + dev_mean_[Index(a)]; }
  double Sum(Metric a) const { return Mean(a) * static_cast<double>(n_); }

  // Mean of sum_a w[a] * metric_a.
  double MeanOf(const MetricWeights& w) const;

  // mean_t(w_t . v) - mean_c(w_c . v), computed shift-first so that the
  // difference of two large, close means keeps its digits. 0-count groups
  // contribute 0.
  static double ContrastOfMeans(const GroupMoments& t, const MetricWeights& w_t,
                                const GroupMoments& c, const MetricWeights& w_c);

  // Central co-moments: CoMoment2(a, b) = sum_i (a_i - mean_a)(b_i - mean_b);
  // CoMoment3(a, b, c) likewise with three factors. 0 for an empty group.
  double CoMoment2(Metric a, Metric b) const { return m2_[M2Index(Index(a), Index(b))]; }
  double CoMoment3(Metric a, Metric b, Metric c) const {
    return m3_[M3Index(Index(a), Index(b), Index(c))];
  }

  // Sample (n - 1 denominator) variance / covariance; NaN when count() < 2.
  double SampleVariance(Metric a) const { return SampleCovariance(a, a); }
  double SampleCovariance(Metric a, Metric b) const;

  // Sample variance (n - 1 denominator) of sum_a w[a] * metric_a; NaN when
  // count() < 2.
  double SampleVarianceOf(const MetricWeights& w) const;
  // Sample covariance (n - 1 denominator) of u . v and w . v; NaN when
  // count() < 2.
  double SampleCovarianceOf(const MetricWeights& u, const MetricWeights& w) const;

  // Third central moment (n denominator) of sum_a w[a] * metric_a:
  // (1/n) sum_i (w . (v_i - mean))^3. NaN for an empty group.
  double ThirdCentralMomentOf(const MetricWeights& w) const;

  // Moment skewness g1 = m3 / m2^(3/2) with n denominators (as
  // scipy.stats.skew(bias=True)). NaN when count() < 2 or the variance is 0.
  double Skewness(Metric a) const;

  // Storage helpers, public for tests and for serializing partial aggregates.
  static constexpr int Index(Metric a) { return static_cast<int>(a); }
  static constexpr int M2Index(int a, int b);
  static constexpr int M3Index(int a, int b, int c);

 private:
  int64_t n_ = 0;
  std::array<double, kNumMetrics> shift_{};     // first value seen (or the ShiftedSums' shift)
  std::array<double, kNumMetrics> dev_mean_{};  // mean of (value - shift_)
  std::array<double, kNumM2> m2_{};  // upper triangle, a <= b
  std::array<double, kNumM3> m3_{};  // a <= b <= c
};

// Index tables for the packed symmetric tensors: entries are enumerated in
// lexicographic order of sorted index tuples.
constexpr int GroupMoments::M2Index(int a, int b) {
  if (a > b) {
    const int t = a;
    a = b;
    b = t;
  }
  int idx = 0;
  for (int i = 0; i < a; ++i) idx += kNumMetrics - i;
  return idx + (b - a);
}

constexpr int GroupMoments::M3Index(int a, int b, int c) {
  // Sort (a, b, c) ascending.
  if (a > b) { const int t = a; a = b; b = t; }
  if (b > c) { const int t = b; b = c; c = t; }
  if (a > b) { const int t = a; a = b; b = t; }
  int idx = 0;
  for (int i = 0; i < kNumMetrics; ++i) {
    for (int j = i; j < kNumMetrics; ++j) {
      for (int k = j; k < kNumMetrics; ++k) {
        if (i == a && j == b && k == c) return idx;
        ++idx;
      }
    }
  }
  return -1;
}

}  // namespace holdfast::stats

#endif  // HOLDFAST_LIB_STATS_MOMENTS_H_
