// Per-group count, means and second-order central co-moments of N per-entry
// variables: what the report's generic metrics (rates, ratios of means,
// ratios of differences; lib/stats/metric_estimators.h) need, for any linear
// combination of the variables. GroupMoments (moments.h) keeps third-order
// moments too, for Hall's intervals of the headline metrics; this one stays
// O(N^2) per entry so a report can carry a dozen more variables cheaply.
//
// Numerics as GroupMoments: means are shift (the first value seen, or the
// FromShiftedSums shift) + mean of (value - shift), co-moments are
// Welford-updated and merged with Chan et al.'s pairwise formula, so large
// means do not cost the variance its digits.
//
// Example:
//   CoMoments<3> g;
//   g.Add({revenue, orders, unsubscribed});
//   PairMoments p = g.Pair({1, 0, 0}, {0, 1, 0});  // revenue over orders
//
// Thread-safety: a plain value, as GroupMoments.
#ifndef HOLDFAST_LIB_STATS_CO_MOMENTS_H_
#define HOLDFAST_LIB_STATS_CO_MOMENTS_H_

#include <array>
#include <cstdint>

#include "lib/stats/estimators.h"

namespace holdfast::stats {

// Count, means, sample (n - 1) variances and covariance of two linear
// combinations a = u . v and b = w . v over one group.
struct PairMoments {
  double n = 0.0;
  double mean_a = kNaN;
  double mean_b = kNaN;
  double var_a = kNaN;
  double var_b = kNaN;
  double cov_ab = kNaN;
};

template <int N>
class CoMoments {
 public:
  using Values = std::array<double, N>;
  using Weights = std::array<double, N>;

  void Add(const Values& v) {
    if (n_ == 0) shift_ = v;
    ++n_;
    const double inv = 1.0 / static_cast<double>(n_);
    Values before;  // v - mean before the update
    for (int a = 0; a < N; ++a) {
      before[a] = (v[a] - shift_[a]) - dev_mean_[a];
      dev_mean_[a] += before[a] * inv;
    }
    for (int a = 0; a < N; ++a) {
      const double after = (v[a] - shift_[a]) - dev_mean_[a];
      for (int b = a; b < N; ++b) m2_[a][b] += after * before[b];
    }
  }

  void Merge(const CoMoments& o) {
    if (o.n_ == 0) return;
    if (n_ == 0) {
      *this = o;
      return;
    }
    const double na = static_cast<double>(n_), nb = static_cast<double>(o.n_);
    const double n = na + nb;
    Values delta;  // mean_o - mean_this
    for (int a = 0; a < N; ++a) {
      delta[a] = (o.shift_[a] - shift_[a]) + (o.dev_mean_[a] - dev_mean_[a]);
    }
    for (int a = 0; a < N; ++a) {
      for (int b = a; b < N; ++b) m2_[a][b] += o.m2_[a][b] + delta[a] * delta[b] * na * nb / n;
    }
    for (int a = 0; a < N; ++a) dev_mean_[a] += delta[a] * nb / n;
    n_ += o.n_;
  }

  // Sums of a group's values about a shift s (one constant per variable, any
  // value; close to the group's mean keeps the digits): what a database
  // computes with plain SUM aggregates, partial sums of parallel workers
  // simply adding up. As GroupMoments::ShiftedSums, second order only.
  struct ShiftedSums {
    int64_t n = 0;
    Values shift{};
    Values s1{};                                // sum_i (v_ia - s_a)
    std::array<std::array<double, N>, N> s2{};  // sum_i (v_ia - s_a)(v_ib - s_b); a <= b used
  };
  // The moments of those entries: equal to Add-ing each of them, up to
  // rounding (n <= 0: an empty group). Keeps s.shift as the shift, so means
  // and ContrastOfMeans stay shift-first and Merge works on the result. About
  // log10((|mean - shift| / sd)^2) digits of the co-moments are lost to the
  // subtraction below.
  static CoMoments FromShiftedSums(const ShiftedSums& s) {
    CoMoments g;
    if (s.n <= 0) return g;  // shift_ stays 0: an empty group's mean is 0
    const double n = static_cast<double>(s.n);
    for (int a = 0; a < N; ++a) g.dev_mean_[a] = s.s1[a] / n;
    for (int a = 0; a < N; ++a) {
      for (int b = a; b < N; ++b) {
        g.m2_[a][b] = s.s2[a][b] - n * g.dev_mean_[a] * g.dev_mean_[b];
      }
      // n s2_aa >= s1_a^2 for any real data (Cauchy-Schwarz): a negative
      // diagonal is cancellation when the spread is tiny against
      // |mean - shift|, and would make a variance negative (a NaN standard
      // error) instead of 0.
      if (g.m2_[a][a] < 0.0) g.m2_[a][a] = 0.0;
    }
    g.n_ = s.n;
    g.shift_ = s.shift;
    return g;
  }

  int64_t count() const { return n_; }
  double Mean(int a) const { return n_ == 0 ? 0.0 : shift_[a] + dev_mean_[a]; }
  double MeanOf(const Weights& w) const {
    double s = 0.0, d = 0.0;
    for (int a = 0; a < N; ++a) {
      s += w[a] * shift_[a];
      d += w[a] * dev_mean_[a];
    }
    return n_ == 0 ? 0.0 : s + d;
  }
  double Sum(int a) const { return Mean(a) * static_cast<double>(n_); }

  // Sample (n - 1) covariance of u . v and w . v; NaN when count() < 2.
  // Co-moments no weight touches are not read (a database's horizon cells
  // leave unread pairs NaN: lib/storage/analysis.h, HorizonPairSummed).
  double SampleCovarianceOf(const Weights& u, const Weights& w) const {
    if (n_ < 2) return kNaN;
    double s = 0.0;
    for (int a = 0; a < N; ++a) {
      if (u[a] == 0.0) continue;
      for (int b = 0; b < N; ++b) {
        if (w[b] == 0.0) continue;
        s += u[a] * w[b] * (a <= b ? m2_[a][b] : m2_[b][a]);
      }
    }
    return s / static_cast<double>(n_ - 1);
  }

  // A variance within kRoundingVariance of the squared distance between the
  // combination's mean and its shift is taken as 0 (and its covariance with
  // it): a value constant in the group but shifted by another group's (the
  // database's cells about the journey's shift, FromShiftedSums then Merge)
  // leaves s2 - n d^2 as rounding, where adding the values one by one (shift
  // = the first value, d = 0) gives exactly 0. A real spread that small
  // against |mean - shift| does not occur for a shift taken from the data.
  static constexpr double kRoundingVariance = 1e-9;

  PairMoments Pair(const Weights& u, const Weights& w) const {
    PairMoments p;
    p.n = static_cast<double>(n_);
    p.mean_a = MeanOf(u);
    p.mean_b = MeanOf(w);
    p.var_a = SampleCovarianceOf(u, u);
    p.var_b = SampleCovarianceOf(w, w);
    p.cov_ab = SampleCovarianceOf(u, w);
    auto dev = [this](const Weights& x) {
      double d = 0.0;
      for (int a = 0; a < N; ++a) d += x[a] * dev_mean_[a];
      return d;
    };
    const double du = dev(u), dw = dev(w);
    if (p.var_a <= kRoundingVariance * du * du) {
      p.var_a = 0.0;
      p.cov_ab = 0.0;
    }
    if (p.var_b <= kRoundingVariance * dw * dw) {
      p.var_b = 0.0;
      p.cov_ab = 0.0;
    }
    return p;
  }

  // mean_t(u . v) - mean_c(u . v), shift-first (as GroupMoments).
  static double ContrastOfMeans(const CoMoments& t, const CoMoments& c, const Weights& u) {
    double shifts = 0.0, devs = 0.0;
    for (int a = 0; a < N; ++a) {
      if (t.n_ > 0) {
        shifts += u[a] * t.shift_[a];
        devs += u[a] * t.dev_mean_[a];
      }
      if (c.n_ > 0) {
        shifts -= u[a] * c.shift_[a];
        devs -= u[a] * c.dev_mean_[a];
      }
    }
    return shifts + devs;
  }

 private:
  int64_t n_ = 0;
  Values shift_{};
  Values dev_mean_{};
  std::array<std::array<double, N>, N> m2_{};  // upper triangle (a <= b)
};

}  // namespace holdfast::stats

#endif  // HOLDFAST_LIB_STATS_CO_MOMENTS_H_
