#include "lib/stats/moments.h"

#include <cmath>
#include <limits>

namespace holdfast::stats {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Pair {
  int a, b;
};
struct Triple {
  int a, b, c;
};

// Sorted index tuples in storage order (see M2Index / M3Index).
constexpr std::array<Pair, GroupMoments::kNumM2> MakePairs() {
  std::array<Pair, GroupMoments::kNumM2> out{};
  int idx = 0;
  for (int i = 0; i < kNumMetrics; ++i)
    for (int j = i; j < kNumMetrics; ++j) out[idx++] = {i, j};
  return out;
}
constexpr std::array<Triple, GroupMoments::kNumM3> MakeTriples() {
  std::array<Triple, GroupMoments::kNumM3> out{};
  int idx = 0;
  for (int i = 0; i < kNumMetrics; ++i)
    for (int j = i; j < kNumMetrics; ++j)
      for (int k = j; k < kNumMetrics; ++k) out[idx++] = {i, j, k};
  return out;
}
constexpr std::array<Pair, GroupMoments::kNumM2> kPairs = MakePairs();
constexpr std::array<Triple, GroupMoments::kNumM3> kTriples = MakeTriples();

// For triple t = (a, b, c): the storage indices of M_bc, M_ac, M_ab.
struct TripleFaces {
  int bc, ac, ab;
};
constexpr std::array<TripleFaces, GroupMoments::kNumM3> MakeFaces() {
  std::array<TripleFaces, GroupMoments::kNumM3> out{};
  for (int t = 0; t < GroupMoments::kNumM3; ++t) {
    const Triple& x = kTriples[t];
    out[t] = {GroupMoments::M2Index(x.b, x.c), GroupMoments::M2Index(x.a, x.c),
              GroupMoments::M2Index(x.a, x.b)};
  }
  return out;
}
constexpr std::array<TripleFaces, GroupMoments::kNumM3> kFaces = MakeFaces();

static_assert(GroupMoments::M2Index(5, 5) == GroupMoments::kNumM2 - 1);
static_assert(GroupMoments::M3Index(5, 5, 5) == GroupMoments::kNumM3 - 1);
static_assert(GroupMoments::M3Index(2, 0, 1) == GroupMoments::M3Index(0, 1, 2));

std::array<double, kNumMetrics> AsArray(const EntryValues& v) {
  return {v.y, v.m, v.x, v.c, v.z, v.incentive};
}

}  // namespace

void GroupMoments::Add(const EntryValues& v) {
  // Pebay's one-pass update, i.e. the pairwise merge below with a one-entry
  // group B (mean v, zero co-moments). Third-order terms use the old
  // second-order co-moments, so they are updated first.
  const std::array<double, kNumMetrics> x = AsArray(v);
  if (n_ == 0) shift_ = x;
  const double n_a = static_cast<double>(n_);
  const double n = n_a + 1.0;
  std::array<double, kNumMetrics> d;
  // x - mean = (x - shift) - dev_mean: x - shift is exact when x is within a
  // factor 2 of the shift (Sterbenz), the usual case for large means.
  for (int i = 0; i < kNumMetrics; ++i) d[i] = (x[i] - shift_[i]) - dev_mean_[i];
  const double w3 = n_a * (n_a - 1.0) / (n * n);
  for (int t = 0; t < kNumM3; ++t) {
    const auto [a, b, c] = kTriples[t];
    const TripleFaces& f = kFaces[t];
    m3_[t] += d[a] * d[b] * d[c] * w3 - (m2_[f.bc] * d[a] + m2_[f.ac] * d[b] + m2_[f.ab] * d[c]) / n;
  }
  const double w2 = n_a / n;
  for (int p = 0; p < kNumM2; ++p) {
    const auto [a, b] = kPairs[p];
    m2_[p] += d[a] * d[b] * w2;
  }
  for (int i = 0; i < kNumMetrics; ++i) dev_mean_[i] += d[i] / n;
  ++n_;
}

void GroupMoments::AddRepeated(const EntryValues& v, int64_t count) {
  if (count <= 0) return;
  GroupMoments constant;
  constant.n_ = count;
  constant.shift_ = AsArray(v);
  Merge(constant);
}

void GroupMoments::Merge(const GroupMoments& other) {
  if (other.n_ == 0) return;
  if (n_ == 0) {
    *this = other;
    return;
  }
  // Chan, Golub & LeVeque (1979) for second order, Pebay (2008) for third
  // order co-moments, with delta = mean_B - mean_A:
  //   M_ab  = M_ab^A + M_ab^B + d_a d_b nA nB / n
  //   M_abc = M_abc^A + M_abc^B + d_a d_b d_c nA nB (nA - nB) / n^2
  //           + sum over the 3 rotations of d_a (nA M_bc^B - nB M_bc^A) / n
  const double n_a = static_cast<double>(n_);
  const double n_b = static_cast<double>(other.n_);
  const double n = n_a + n_b;
  std::array<double, kNumMetrics> d;
  for (int i = 0; i < kNumMetrics; ++i) {
    d[i] = (other.shift_[i] - shift_[i]) + (other.dev_mean_[i] - dev_mean_[i]);
  }
  const double w3 = n_a * n_b * (n_a - n_b) / (n * n);
  for (int t = 0; t < kNumM3; ++t) {
    const auto [a, b, c] = kTriples[t];
    const TripleFaces& f = kFaces[t];
    const double cross_bc = n_a * other.m2_[f.bc] - n_b * m2_[f.bc];
    const double cross_ac = n_a * other.m2_[f.ac] - n_b * m2_[f.ac];
    const double cross_ab = n_a * other.m2_[f.ab] - n_b * m2_[f.ab];
    m3_[t] += other.m3_[t] + d[a] * d[b] * d[c] * w3 +
              (d[a] * cross_bc + d[b] * cross_ac + d[c] * cross_ab) / n;
  }
  const double w2 = n_a * n_b / n;
  for (int p = 0; p < kNumM2; ++p) {
    const auto [a, b] = kPairs[p];
    m2_[p] += other.m2_[p] + d[a] * d[b] * w2;
  }
  // Keep this group's shift; only the small part moves.
  for (int i = 0; i < kNumMetrics; ++i) dev_mean_[i] += d[i] * (n_b / n);
  n_ += other.n_;
}

GroupMoments GroupMoments::FromShiftedSums(const ShiftedSums& s) {
  GroupMoments g;
  // Leaves shift_ at 0 too, so an empty group's Mean is 0 whatever shift the
  // caller passed.
  if (s.n <= 0) return g;
  const double n = static_cast<double>(s.n);
  std::array<double, kNumMetrics> d;  // mean - shift
  for (int i = 0; i < kNumMetrics; ++i) d[i] = s.s1[i] / n;
  // Central moments from raw moments about the shift (expand
  // sum (u - d)^k with u = v - s):
  //   M_ab  = s2_ab - n d_a d_b
  //   M_abc = s3_abc - (d_a s2_bc + d_b s2_ac + d_c s2_ab) + 2 n d_a d_b d_c
  // The third order reads the raw s2, not the central M2.
  for (int t = 0; t < kNumM3; ++t) {
    const auto [a, b, c] = kTriples[t];
    const TripleFaces& f = kFaces[t];
    g.m3_[t] = s.s3[t] - (d[a] * s.s2[f.bc] + d[b] * s.s2[f.ac] + d[c] * s.s2[f.ab]) +
               2.0 * n * d[a] * d[b] * d[c];
  }
  for (int p = 0; p < kNumM2; ++p) {
    const auto [a, b] = kPairs[p];
    g.m2_[p] = s.s2[p] - n * d[a] * d[b];
  }
  // A sum of squared deviations is >= 0 for any real data (n s2_aa >= s1_a^2,
  // Cauchy-Schwarz), so a negative M2_aa is rounding: the cancellation in
  // s2_aa - n d_a^2 when the spread is tiny against |mean - shift| (a
  // constant metric with a shift elsewhere). Left negative it would turn the
  // standard error and Skewness into NaN instead of "no variance".
  for (int i = 0; i < kNumMetrics; ++i) {
    double& m2 = g.m2_[M2Index(i, i)];
    if (m2 < 0.0) m2 = 0.0;
  }
  g.n_ = s.n;
  g.shift_ = s.shift;
  g.dev_mean_ = d;
  return g;
}

double GroupMoments::MeanOf(const MetricWeights& w) const {
  double shift = 0.0, dev = 0.0;
  for (int a = 0; a < kNumMetrics; ++a) {
    shift += w[a] * shift_[a];
    dev += w[a] * dev_mean_[a];
  }
  return shift + dev;
}

double GroupMoments::ContrastOfMeans(const GroupMoments& t, const MetricWeights& w_t,
                                     const GroupMoments& c, const MetricWeights& w_c) {
  double shifts = 0.0, devs = 0.0;
  for (int a = 0; a < kNumMetrics; ++a) {
    const double st = t.n_ > 0 ? t.shift_[a] : 0.0;
    const double sc = c.n_ > 0 ? c.shift_[a] : 0.0;
    // Equal weights: subtract the shifts first (exact for close values).
    shifts += (w_t[a] == w_c[a]) ? w_t[a] * (st - sc) : w_t[a] * st - w_c[a] * sc;
    devs += w_t[a] * t.dev_mean_[a] - w_c[a] * c.dev_mean_[a];
  }
  return shifts + devs;
}

double GroupMoments::SampleCovariance(Metric a, Metric b) const {
  if (n_ < 2) return kNaN;
  return CoMoment2(a, b) / static_cast<double>(n_ - 1);
}

double GroupMoments::SampleVarianceOf(const MetricWeights& w) const {
  if (n_ < 2) return kNaN;
  double s = 0.0;
  for (int a = 0; a < kNumMetrics; ++a) {
    if (w[a] == 0.0) continue;
    for (int b = 0; b < kNumMetrics; ++b) {
      if (w[b] != 0.0) s += w[a] * w[b] * m2_[M2Index(a, b)];  // as ThirdCentralMomentOf
    }
  }
  // Rounding can leave a tiny negative value for a (near-)degenerate
  // combination such as y - c with y == c.
  if (s < 0.0) s = 0.0;
  return s / static_cast<double>(n_ - 1);
}

double GroupMoments::SampleCovarianceOf(const MetricWeights& u, const MetricWeights& w) const {
  if (n_ < 2) return kNaN;
  double s = 0.0;
  for (int a = 0; a < kNumMetrics; ++a) {
    if (u[a] == 0.0) continue;
    for (int b = 0; b < kNumMetrics; ++b) {
      if (w[b] != 0.0) s += u[a] * w[b] * m2_[M2Index(a, b)];
    }
  }
  return s / static_cast<double>(n_ - 1);
}

double GroupMoments::ThirdCentralMomentOf(const MetricWeights& w) const {
  if (n_ == 0) return kNaN;
  double s = 0.0;
  for (int a = 0; a < kNumMetrics; ++a) {
    if (w[a] == 0.0) continue;
    for (int b = 0; b < kNumMetrics; ++b) {
      if (w[b] == 0.0) continue;
      // Zero weights are skipped, not multiplied: a co-moment the caller
      // does not weigh may be unknown (NaN: the analysis cells leave out
      // the third moments no estimator reads).
      for (int c = 0; c < kNumMetrics; ++c) {
        if (w[c] != 0.0) s += w[a] * w[b] * w[c] * m3_[M3Index(a, b, c)];
      }
    }
  }
  return s / static_cast<double>(n_);
}

double GroupMoments::Skewness(Metric a) const {
  if (n_ < 2) return kNaN;
  const double n = static_cast<double>(n_);
  const double m2 = CoMoment2(a, a) / n;
  if (!(m2 > 0.0)) return kNaN;
  const double m3 = CoMoment3(a, a, a) / n;
  return m3 / (m2 * std::sqrt(m2));
}

}  // namespace holdfast::stats
