#include "lib/report/trends.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/assign/assigner.h"
#include "lib/base/time_util.h"
#include "lib/base/status_macros.h"
#include "lib/stats/linear_combination.h"

namespace holdfast::report {
namespace {

constexpr int64_t kDayUs = kDayMicros;

// Howard Hinnant's civil-date algorithms (proleptic Gregorian, UTC).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t& y, int64_t& m, int64_t& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp + (mp < 10 ? 3 : -9);
  y = yoe + era * 400 + (m <= 2 ? 1 : 0);
}

std::string DateText(int64_t day) {
  int64_t y, m, d;
  CivilFromDays(day, y, m, d);
  return absl::StrFormat("%04d-%02d-%02d", y, m, d);
}

TimeRange Intersect(const TimeRange& a, const TimeRange& b) {
  return {std::max(a.from, b.from), std::min(a.to, b.to)};
}

}  // namespace

const char* TrendByName(TrendBy by) {
  switch (by) {
    case TrendBy::kPeriod: return "period";
    case TrendBy::kWeek: return "week";
    case TrendBy::kMonth: return "month";
    case TrendBy::kNone: break;
  }
  return "";
}

int64_t TrendBucketKey(TrendBy by, int64_t period, UnixMicros t0) {
  return TrendBucketKeyOfDay(by, period, FloorDiv(t0, kDayUs));
}

int64_t TrendBucketKeyOfDay(TrendBy by, int64_t period, int64_t day) {
  switch (by) {
    case TrendBy::kPeriod: return period;
    case TrendBy::kWeek:
      // 1970-01-01 was a Thursday: (day + 3) mod 7 is 0 on Mondays.
      return day - (((day + 3) % 7) + 7) % 7;
    case TrendBy::kMonth: {
      int64_t y, m, d;
      CivilFromDays(day, y, m, d);
      return y * 12 + (m - 1);
    }
    case TrendBy::kNone: break;
  }
  return 0;
}

TimeRange TrendBucketSpan(TrendBy by, int64_t key, const RotationSpec& rotation) {
  switch (by) {
    case TrendBy::kPeriod:
      if (rotation.scheme == RotationScheme::kNone) return TimeRange{};
      return {PeriodStart(rotation, key), PeriodStart(rotation, key + 1)};
    case TrendBy::kWeek: return {key * kDayUs, (key + 7) * kDayUs};
    case TrendBy::kMonth: {
      const int64_t y = FloorDiv(key, 12), m = key - 12 * FloorDiv(key, 12) + 1;
      const int64_t next_y = m == 12 ? y + 1 : y, next_m = m == 12 ? 1 : m + 1;
      return {DaysFromCivil(y, m, 1) * kDayUs, DaysFromCivil(next_y, next_m, 1) * kDayUs};
    }
    case TrendBy::kNone: break;
  }
  return TimeRange{};
}

std::string TrendBucketLabel(TrendBy by, int64_t key) {
  switch (by) {
    case TrendBy::kPeriod: return absl::StrCat("period ", key);
    case TrendBy::kWeek: return DateText(key);
    case TrendBy::kMonth:
      return absl::StrFormat("%04d-%02d", FloorDiv(key, 12), key - 12 * FloorDiv(key, 12) + 1);
    case TrendBy::kNone: break;
  }
  return "";
}

double TrendBucketPosition(TrendBy by, int64_t key) {
  return by == TrendBy::kWeek ? static_cast<double>(FloorDiv(key + 3, 7)) : static_cast<double>(key);
}

void TrendAccumulator::Add(size_t journey_index, const AnalysisEntry& e) {
  TrendCell& cell = buckets_[journey_index][TrendBucketKey(by_, e.period, e.t0)];
  if (e.in_washout) {
    ++cell.washout;
    return;
  }
  if (!e.mature) {
    ++cell.immature;
    return;
  }
  if (e.group == EntryGroup::kHoldout) {
    cell.holdout.Add(ValuesOf(e));
  } else {
    cell.treatment.Add(ValuesOf(e));
    cell.treatment_sends += e.sends;
  }
}

void TrendAccumulator::AddCell(size_t journey_index, const AnalysisCell& c,
                               const stats::GroupMoments& moments, int64_t sends) {
  TrendCell& cell = buckets_[journey_index][TrendBucketKeyOfDay(by_, c.period, c.day)];
  if (c.in_washout) {
    cell.washout += c.entries;
    return;
  }
  if (!c.mature) {
    cell.immature += c.entries;
    return;
  }
  if (c.group == EntryGroup::kHoldout) {
    cell.holdout.Merge(moments);
  } else {
    cell.treatment.Merge(moments);
    cell.treatment_sends += sends;
  }
}

absl::StatusOr<TrendSeriesResult> BuildTrendSeries(const JourneySpec& spec, TrendBy by,
                                                   const std::map<int64_t, TrendCell>& buckets,
                                                   const TimeRange& range, UnixMicros as_of,
                                                   const stats::LiftOptions& lift_options,
                                                   AnalysisSource& source) {
  if (buckets.size() > kMaxTrendBuckets) {
    return absl::InvalidArgumentError(absl::StrCat(
        "trend_by: journey ", spec.id, " has ", buckets.size(), " ", TrendByName(by),
        " buckets in the range, more than ", kMaxTrendBuckets,
        "; narrow the range or use a coarser bucket"));
  }
  TrendSeriesResult out;
  out.journey = spec.id;
  std::vector<double> x, y, v;
  for (const auto& [key, cell] : buckets) {
    TrendPointResult p;
    p.key = key;
    p.label = TrendBucketLabel(by, key);
    p.span = Intersect(TrendBucketSpan(by, key, spec.holdout.rotation), range);
    TimeRange cost_span = p.span;
    if (as_of != kMaxTimeMicros) cost_span.to = std::min(cost_span.to, as_of - spec.attribution_window_us);
    if (cost_span.to > cost_span.from) {
      HF_ASSIGN_OR_RETURN(const JourneyDiagnostics totals,
                          source.GetJourneyTotals(spec, p.span, cost_span, as_of));
      p.fixed_cost = totals.fixed_cost;
    }
    HF_ASSIGN_OR_RETURN(p.lift, stats::ComputeLift(cell.treatment, cell.holdout, p.fixed_cost,
                                                   lift_options));
    p.skew_corrected_primary = p.lift.revenue_per_entry_lift_skew_corrected.defined;
    p.treatment_sends = cell.treatment_sends;
    p.washout_excluded = cell.washout;
    p.immature_excluded = cell.immature;
    const bool span_mature =
        p.span.to != kMaxTimeMicros && p.span.to <= as_of - spec.attribution_window_us;
    p.complete = span_mature && cell.immature == 0;
    if (p.complete && p.lift.iroas.defined && p.lift.iroas.std_error > 0.0) {
      x.push_back(TrendBucketPosition(by, key));
      y.push_back(p.lift.iroas.value);
      v.push_back(p.lift.iroas.std_error * p.lift.iroas.std_error);
    }
    out.points.push_back(std::move(p));
  }
  const stats::TrendTest t = stats::InverseVarianceTrend(x, y, v);
  out.drift.buckets = static_cast<int>(y.size());
  out.drift.weighted_iroas = t.weighted_mean;
  out.drift.q = t.q;
  out.drift.q_p_value = t.q_p_value;
  out.drift.slope = t.slope;
  out.drift.slope_std_error = t.slope_std_error;
  out.drift.slope_p_value = t.slope_p_value;
  return out;
}

}  // namespace holdfast::report
