// The cumulative incremental value curve of a row (docs/report.md,
// "Cumulative incremental value"): at each point t_k of a grid over days
// since entry, the mean over the entries mature at t_k (t0 + t_k <= as_of)
// of their revenue (and margin) over [t0, t0 + t_k) — the horizon sums of
// lib/storage/analysis.h at h = t_k — treatment minus holdout, with a
// pointwise Welch interval. The value at a declared horizon h equals that
// horizon's revenue-per-entry lift.
//
// Memory is bounded by the grid, never by the entries: each group keeps five
// difference arrays (count, sum and sum of squares of revenue and of margin)
// of grid size, and an entry updates them in O(its events) — its cumulative
// value is a step function of t that changes only at its events, so each
// constant stretch is one range update. Sums are long double (64-bit
// mantissa): the raw second moment loses ~mean²/variance relative digits,
// which for revenue per entry (mostly zero, a spread larger than the mean)
// leaves more than 15 digits.
//
// Example:
//   CumulativeGrid grid = CumulativeGrid::For(90 * kDay);
//   CumulativeAccumulator t(grid), c(grid);
//   t.Add(entry.horizon_events, entry.t0, as_of);   // per analysed entry
//   std::vector<CumulativePoint> curve = CumulativeCurve(t, c, 0.95);
//
// Thread-safety: plain values.
#ifndef HOLDFAST_LIB_REPORT_CUMULATIVE_H_
#define HOLDFAST_LIB_REPORT_CUMULATIVE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "lib/stats/estimators.h"
#include "lib/storage/analysis.h"

namespace holdfast::report {

inline constexpr int64_t kMicrosPerDay = 86400LL * 1000000;
// At most this many points: beyond a year the grid step grows to whole
// multiples of a day.
inline constexpr int64_t kMaxCumulativePoints = 366;

// Points t_k = min(k * step_us, max_us), k = 1..points.
struct CumulativeGrid {
  int64_t step_us = kMicrosPerDay;
  int64_t max_us = 0;
  int64_t points = 0;

  // step = ceil(max / 366 days) days (one day up to 366 days), points =
  // ceil(max / step). max_us <= 0 gives an empty grid.
  static CumulativeGrid For(int64_t max_us);
  int64_t PointOffset(int64_t k) const;  // t_k, k in [1, points]
};

class CumulativeAccumulator {
 public:
  CumulativeAccumulator() = default;
  explicit CumulativeAccumulator(const CumulativeGrid& grid);

  // One analysed entry: contributes to every point with t0 + t_k <= as_of.
  // `events` sorted by offset_us.
  void Add(const std::vector<HorizonEvent>& events, UnixMicros t0, UnixMicros as_of);
  void Merge(const CumulativeAccumulator& o);
  // Difference arrays summed elsewhere, one per sum, of size points + 1
  // (AnalysisHorizonCell::curve_*: the analysis in the database). False,
  // and nothing added, when a size differs.
  bool AddDifferences(const std::vector<int64_t>& n, const std::vector<double>& y,
                      const std::vector<double>& yy, const std::vector<double>& m,
                      const std::vector<double>& mm);

  // Per point k = 1..points (index k - 1): entries, sums, sums of squares.
  struct Point {
    int64_t n = 0;
    long double y = 0, yy = 0, m = 0, mm = 0;
  };
  std::vector<Point> Points() const;
  const CumulativeGrid& grid() const { return grid_; }

 private:
  void AddRange(int64_t from, int64_t to, double y, double m);

  CumulativeGrid grid_;
  // Difference arrays, size points + 1.
  std::vector<int64_t> n_;
  std::vector<long double> y_, yy_, m_, mm_;
};

// "30d" for whole days, else "36h", "90s" or "1.5s" style ("%gs").
std::string HorizonLabel(int64_t us);

struct CumulativePoint {
  // Days since entry (t_k in µs).
  int64_t offset_us = 0;
  int64_t treatment_entries = 0;
  int64_t holdout_entries = 0;
  // Mean cumulative revenue / margin per entry in each group.
  double treatment_revenue = stats::kNaN;
  double holdout_revenue = stats::kNaN;
  double treatment_margin = stats::kNaN;
  double holdout_margin = stats::kNaN;
  // Incremental revenue (margin) per entry: the Welch estimate of the
  // difference, pointwise interval.
  stats::Estimate revenue;
  stats::Estimate margin;
};

// The points from t_1 up to the last point where both groups have at least
// two mature entries (points beyond it are left out: "up to the longest
// mature horizon").
std::vector<CumulativePoint> CumulativeCurve(const CumulativeAccumulator& treatment,
                                             const CumulativeAccumulator& holdout,
                                             double confidence);

}  // namespace holdfast::report

#endif  // HOLDFAST_LIB_REPORT_CUMULATIVE_H_
