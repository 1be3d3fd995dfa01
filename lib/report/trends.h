// Trends of the journey report: each journey's everyone row (arms pooled)
// split into buckets of entry time — the journey rotation period of the
// entry, or the UTC calendar week (Monday 00:00) or month of its t0 — with
// the lift and iROAS of every bucket and a drift test over the complete
// buckets (docs/report.md "Trends", docs/statistics.md section 17).
//
// The builder feeds every non-global-holdout entry of the range to
// TrendAccumulator::Add from its single pass; BuildTrendSeries then turns
// each journey's buckets into points, asking the source for the fixed cost
// of each bucket's mature span.
//
// Example:
//   TrendAccumulator trends(TrendBy::kMonth, journeys.size());
//   trends.Add(journey_index, entry);
//   absl::StatusOr<TrendSeriesResult> s = BuildTrendSeries(spec, trends.Buckets(i), ...);
//
// Thread-safety: TrendAccumulator is a plain value (one writer).
#ifndef HOLDFAST_LIB_REPORT_TRENDS_H_
#define HOLDFAST_LIB_REPORT_TRENDS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/assign/assignment_config.h"
#include "lib/report/analysis_source.h"
#include "lib/stats/lift.h"
#include "lib/stats/moments.h"

namespace holdfast::report {

enum class TrendBy : int {
  kNone = 0,
  // The journey rotation period index the entry was assigned in.
  kPeriod = 1,
  // The UTC calendar week (Monday 00:00 to Monday 00:00) of t0.
  kWeek = 2,
  // The UTC calendar month of t0.
  kMonth = 3,
};

// At most this many buckets per journey (about 19 years of weeks); more is
// INVALID_ARGUMENT: narrow the range or use a coarser bucket.
inline constexpr size_t kMaxTrendBuckets = 1000;

// Below this p-value of the drift test's slope (or of Cochran's Q) the
// journey gets a TREND_DRIFT warning.
inline constexpr double kTrendDriftAlpha = 0.01;

// The bucket of an entry: the period index (kPeriod), the day number of the
// week's Monday since 1970-01-01 (kWeek), or year * 12 + month - 1 (kMonth).
int64_t TrendBucketKey(TrendBy by, int64_t period, UnixMicros t0);
// The same from the UTC day number of t0 (floor(t0 / 1 day)): weeks and
// months depend on nothing finer, which is what lets the analysis in the
// database bucket cells split by day (AnalysisQuery::cells_by_day).
int64_t TrendBucketKeyOfDay(TrendBy by, int64_t period, int64_t day);
// Whether TrendAccumulator::AddCell needs cells split by day for `by`.
inline bool TrendNeedsDays(TrendBy by) { return by == TrendBy::kWeek || by == TrendBy::kMonth; }
// The time span a bucket covers (kPeriod without rotation: all time).
TimeRange TrendBucketSpan(TrendBy by, int64_t key, const RotationSpec& rotation);
// "period 42", "2026-10-05" (week of that Monday), "2026-10".
std::string TrendBucketLabel(TrendBy by, int64_t key);
// The bucket's position on the trend's x axis in bucket units: the period
// index, weeks or months since 1970 (the drift slope is per bucket).
double TrendBucketPosition(TrendBy by, int64_t key);
// "period", "week", "month"; "" for kNone.
const char* TrendByName(TrendBy by);

struct TrendCell {
  stats::GroupMoments treatment;  // all arms pooled
  stats::GroupMoments holdout;
  int64_t treatment_sends = 0;
  int64_t washout = 0;
  int64_t immature = 0;
};

class TrendAccumulator {
 public:
  TrendAccumulator(TrendBy by, size_t journeys) : by_(by), buckets_(journeys) {}
  // Adds one entry of journey `journey_index` (not a global-holdout one);
  // washout and immature entries are counted, not measured.
  void Add(size_t journey_index, const AnalysisEntry& e);
  // Adds one cell of the analysis in the database instead (split by day when
  // TrendNeedsDays): `moments` and `sends` are its entries' (read only when
  // the cell is mature and not in washout).
  void AddCell(size_t journey_index, const AnalysisCell& c, const stats::GroupMoments& moments,
               int64_t sends);
  const std::map<int64_t, TrendCell>& Buckets(size_t journey_index) const {
    return buckets_[journey_index];
  }
  TrendBy by() const { return by_; }

 private:
  TrendBy by_;
  std::vector<std::map<int64_t, TrendCell>> buckets_;
};

struct TrendPointResult {
  int64_t key = 0;
  std::string label;
  // The bucket's span clipped to the report range (and to as_of).
  TimeRange span;
  // The bucket's entries, lift and iROAS (fixed cost: the journey's fixed
  // costs pro-rated to the bucket's mature span).
  stats::LiftResult lift;
  bool skew_corrected_primary = false;
  double fixed_cost = 0.0;
  int64_t treatment_sends = 0;
  int64_t washout_excluded = 0;
  int64_t immature_excluded = 0;
  // Every entry the bucket can hold had its full window by as_of (span end
  // + the journey's window <= as_of) and none was excluded as immature. Only
  // complete buckets enter the drift test.
  bool complete = false;
};

struct TrendDriftResult {
  // Complete buckets with a defined iROAS (the plain delta estimate).
  int buckets = 0;
  // Inverse-variance weighted mean iROAS over them.
  double weighted_iroas = stats::kNaN;
  // Cochran's Q (B - 1 df): the buckets' iROAS differ by more than chance.
  double q = stats::kNaN;
  double q_p_value = stats::kNaN;
  // Weighted least-squares slope of iROAS per bucket (with >= 3 buckets),
  // its standard error and two-sided normal p-value.
  double slope = stats::kNaN;
  double slope_std_error = stats::kNaN;
  double slope_p_value = stats::kNaN;
};

struct TrendSeriesResult {
  std::string journey;
  // Buckets in time order; only buckets with at least one entry.
  std::vector<TrendPointResult> points;
  TrendDriftResult drift;
};

// The series of one journey. `range` is the journey's effective range
// (report range, period bounds, t0 < as_of); fixed costs of bucket b come
// from source.GetJourneyTotals over span_b and [span_b.from, min(span_b.to,
// as_of - window)).
[[nodiscard]] absl::StatusOr<TrendSeriesResult> BuildTrendSeries(
    const JourneySpec& spec, TrendBy by, const std::map<int64_t, TrendCell>& buckets,
    const TimeRange& range, UnixMicros as_of, const stats::LiftOptions& lift_options,
    AnalysisSource& source);

}  // namespace holdfast::report

#endif  // HOLDFAST_LIB_REPORT_TRENDS_H_
