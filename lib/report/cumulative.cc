#include "lib/report/cumulative.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/stats/co_moments.h"
#include "lib/stats/metric_estimators.h"

namespace holdfast::report {

std::string HorizonLabel(int64_t us) {
  constexpr int64_t kHour = 3600LL * 1000000;
  if (us % kMicrosPerDay == 0) return absl::StrCat(us / kMicrosPerDay, "d");
  if (us % kHour == 0) return absl::StrCat(us / kHour, "h");
  return absl::StrFormat("%gs", static_cast<double>(us) / 1e6);
}

CumulativeGrid CumulativeGrid::For(int64_t max_us) {
  CumulativeGrid g;
  if (max_us <= 0) return g;
  g.max_us = max_us;
  const int64_t span = kMaxCumulativePoints * kMicrosPerDay;
  const int64_t days = (max_us + span - 1) / span;  // >= 1
  g.step_us = days * kMicrosPerDay;
  g.points = (max_us + g.step_us - 1) / g.step_us;
  return g;
}

int64_t CumulativeGrid::PointOffset(int64_t k) const { return std::min(k * step_us, max_us); }

CumulativeAccumulator::CumulativeAccumulator(const CumulativeGrid& grid)
    : grid_(grid),
      n_(static_cast<size_t>(grid.points + 1), 0),
      y_(static_cast<size_t>(grid.points + 1), 0),
      yy_(static_cast<size_t>(grid.points + 1), 0),
      m_(static_cast<size_t>(grid.points + 1), 0),
      mm_(static_cast<size_t>(grid.points + 1), 0) {}

void CumulativeAccumulator::AddRange(int64_t from, int64_t to, double y, double m) {
  if (from >= to || (y == 0.0 && m == 0.0)) return;
  const long double ly = y, lm = m;
  y_[from] += ly;
  y_[to] -= ly;
  yy_[from] += ly * ly;
  yy_[to] -= ly * ly;
  m_[from] += lm;
  m_[to] -= lm;
  mm_[from] += lm * lm;
  mm_[to] -= lm * lm;
}

void CumulativeAccumulator::Add(const std::vector<HorizonEvent>& events, UnixMicros t0,
                                UnixMicros as_of) {
  if (grid_.points == 0) return;
  // Mature points: t0 + t_k <= as_of.
  const int64_t available = as_of - t0;
  int64_t mature;
  if (available >= grid_.max_us) {
    mature = grid_.points;
  } else if (available <= 0) {
    return;
  } else {
    mature = std::min(grid_.points, available / grid_.step_us);
  }
  if (mature == 0) return;
  n_[0] += 1;
  n_[mature] -= 1;
  // The entry's value at point k (index k - 1) sums the events with offset <
  // t_k: an event at offset o first counts at index floor(o / step).
  double y = 0.0, m = 0.0;
  int64_t start = 0;
  for (const HorizonEvent& ev : events) {
    if (ev.offset_us < 0) continue;  // not produced by the stores; defensive
    const int64_t idx = ev.offset_us / grid_.step_us;
    if (idx >= mature) break;
    if (idx > start) {
      AddRange(start, idx, y, m);
      start = idx;
    }
    y += ev.revenue;
    m += ev.margin;
  }
  AddRange(start, mature, y, m);
}

void CumulativeAccumulator::Merge(const CumulativeAccumulator& o) {
  if (o.grid_.points == 0) return;
  if (grid_.points == 0) {
    *this = o;
    return;
  }
  for (size_t i = 0; i < n_.size() && i < o.n_.size(); ++i) {
    n_[i] += o.n_[i];
    y_[i] += o.y_[i];
    yy_[i] += o.yy_[i];
    m_[i] += o.m_[i];
    mm_[i] += o.mm_[i];
  }
}

bool CumulativeAccumulator::AddDifferences(const std::vector<int64_t>& n,
                                           const std::vector<double>& y,
                                           const std::vector<double>& yy,
                                           const std::vector<double>& m,
                                           const std::vector<double>& mm) {
  const size_t size = n_.size();
  if (grid_.points == 0 || n.size() != size || y.size() != size || yy.size() != size ||
      m.size() != size || mm.size() != size) {
    return false;
  }
  for (size_t i = 0; i < size; ++i) {
    n_[i] += n[i];
    y_[i] += y[i];
    yy_[i] += yy[i];
    m_[i] += m[i];
    mm_[i] += mm[i];
  }
  return true;
}

std::vector<CumulativeAccumulator::Point> CumulativeAccumulator::Points() const {
  std::vector<Point> out(static_cast<size_t>(grid_.points));
  Point run;
  for (size_t i = 0; i < out.size(); ++i) {
    run.n += n_[i];
    run.y += y_[i];
    run.yy += yy_[i];
    run.m += m_[i];
    run.mm += mm_[i];
    out[i] = run;
  }
  return out;
}

namespace {

// Mean and sample variance of one group's series at one point.
stats::PairMoments Moments(int64_t n, long double s, long double ss) {
  stats::PairMoments p;
  p.n = static_cast<double>(n);
  if (n == 0) return p;
  const long double mean = s / n;
  p.mean_a = p.mean_b = static_cast<double>(mean);
  if (n >= 2) {
    const long double m2 = std::max<long double>(0.0L, ss - s * mean);
    p.var_a = p.var_b = p.cov_ab = static_cast<double>(m2 / (n - 1));
  }
  return p;
}

}  // namespace

std::vector<CumulativePoint> CumulativeCurve(const CumulativeAccumulator& treatment,
                                             const CumulativeAccumulator& holdout,
                                             double confidence) {
  std::vector<CumulativePoint> out;
  const std::vector<CumulativeAccumulator::Point> t = treatment.Points();
  const std::vector<CumulativeAccumulator::Point> c = holdout.Points();
  const CumulativeGrid& grid = treatment.grid().points > 0 ? treatment.grid() : holdout.grid();
  const size_t n = std::min(t.size(), c.size());
  size_t last = 0;
  for (size_t i = 0; i < n; ++i) {
    if (t[i].n >= 2 && c[i].n >= 2) last = i + 1;
  }
  for (size_t i = 0; i < last; ++i) {
    CumulativePoint p;
    p.offset_us = grid.PointOffset(static_cast<int64_t>(i) + 1);
    p.treatment_entries = t[i].n;
    p.holdout_entries = c[i].n;
    const stats::PairMoments ty = Moments(t[i].n, t[i].y, t[i].yy);
    const stats::PairMoments cy = Moments(c[i].n, c[i].y, c[i].yy);
    const stats::PairMoments tm = Moments(t[i].n, t[i].m, t[i].mm);
    const stats::PairMoments cm = Moments(c[i].n, c[i].m, c[i].mm);
    p.treatment_revenue = ty.mean_a;
    p.holdout_revenue = cy.mean_a;
    p.treatment_margin = tm.mean_a;
    p.holdout_margin = cm.mean_a;
    p.revenue = stats::DifferenceOfMeansEstimate(ty, cy, confidence).estimate;
    p.margin = stats::DifferenceOfMeansEstimate(tm, cm, confidence).estimate;
    out.push_back(p);
  }
  return out;
}

}  // namespace holdfast::report
