#include "lib/report/program_report.h"

#include <cmath>
#include <map>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/assign/assigner.h"
#include "lib/base/status_macros.h"
#include "lib/report/report_text.h"

namespace holdfast::report {
namespace {

struct PeriodAcc {
  stats::GroupMoments exposed;
  stats::GroupMoments holdout;
  int64_t exposed_sends = 0;
  int64_t holdout_sends = 0;
};

// Sum of every journey's fixed cost over `range`.
absl::StatusOr<double> ProgramFixedCost(const AssignmentConfig& config, AnalysisSource& source,
                                        const TimeRange& range) {
  double total = 0.0;
  for (const JourneySpec& j : config.journeys) {
    HF_ASSIGN_OR_RETURN(const JourneyDiagnostics t, source.GetJourneyTotals(j, range));
    total += t.fixed_cost;
  }
  return total;
}

std::string RowLabel(int64_t period) {
  return period == kAllPeriods ? "all periods" : absl::StrCat("period ", period);
}


}  // namespace

absl::StatusOr<ProgramReportResult> BuildProgramReport(const AssignmentConfig& config,
                                                       AnalysisSource& source,
                                                       const ProgramReportOptions& options) {
  if (!(options.confidence > 0.0 && options.confidence < 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("confidence: must be in (0, 1), got ", options.confidence));
  }
  if (options.range.from >= options.range.to) {
    return absl::InvalidArgumentError("range: 'from' must be before 'to'");
  }
  const HoldoutSpec& global = config.global_holdout;
  if (global.share_ppm == 0) {
    return absl::FailedPreconditionError(
        "program report: the config has no global holdout (global_holdout.share is 0), so "
        "there is no control group for the program as a whole");
  }

  ProgramReportResult result;
  result.config_version = config.version;
  result.confidence = options.confidence;
  if (config.journeys.empty()) return result;

  ProgramUnitQuery query;
  query.cancelled = options.cancelled;
  for (const JourneySpec& j : config.journeys) {
    query.journeys.push_back(j.id);
    query.window_us = std::max(query.window_us, j.attribution_window_us);
    query.pre_period_us = std::max(query.pre_period_us, j.pre_period_us);
  }
  result.window_us = query.window_us;

  // The global periods to scan: one store query each, so a customer is
  // counted once per period (and may be counted again in the next one).
  const RotationSpec& rot = global.rotation;
  struct Span {
    int64_t period;
    TimeRange range;
  };
  std::vector<Span> spans;
  if (rot.scheme == RotationScheme::kNone) {
    spans.push_back({0, options.range});
  } else {
    const UnixMicros lo = options.range.from == kMinTimeMicros ? std::max(rot.epoch_us, kMinTimeMicros)
                                                               : options.range.from;
    const UnixMicros hi = options.range.to == kMaxTimeMicros ? options.now : options.range.to - 1;
    if (hi == kMaxTimeMicros) {
      return absl::InvalidArgumentError(
          "range: a rotating global holdout needs a bounded range (or the current time)");
    }
    const int64_t first = PeriodIndex(rot, lo), last = PeriodIndex(rot, hi);
    if (last - first + 1 > kMaxProgramPeriods) {
      return absl::InvalidArgumentError(absl::StrCat(
          "range: spans ", last - first + 1, " global periods, at most ", kMaxProgramPeriods,
          " per report; narrow it"));
    }
    for (int64_t k = first; k <= last; ++k) {
      TimeRange r;
      r.from = std::max(options.range.from, PeriodStart(rot, k));
      r.to = std::min(options.range.to, PeriodStart(rot, k + 1));
      if (r.from < r.to) spans.push_back({k, r});
    }
  }

  std::map<int64_t, PeriodAcc> periods;
  for (const Span& span : spans) {
    const UnixMicros period_start = rot.scheme == RotationScheme::kNone ? kMinTimeMicros
                                                                       : PeriodStart(rot, span.period);
    ProgramUnitQuery q = query;
    q.range = span.range;
    HF_RETURN_IF_ERROR(source.ForEachProgramUnit(q, [&](const ProgramUnit& u) {
      if (rot.scheme != RotationScheme::kNone && rot.washout_us > 0 &&
          u.t_first - period_start < rot.washout_us) {
        ++result.washout_excluded;
        return;
      }
      if (u.entries > 1) ++result.multi_journey_units;
      if (u.global_holdout_entries > 0 && u.global_holdout_entries < u.entries) {
        ++result.inconsistent_units;
      }
      PeriodAcc& p = periods[span.period];
      if (u.global_holdout) {
        p.holdout.Add(u.values);
        p.holdout_sends += u.sends;
      } else {
        p.exposed.Add(u.values);
        p.exposed_sends += u.sends;
      }
    }));
  }

  stats::LiftOptions lo;
  lo.confidence = options.confidence;
  lo.expected_treatment_share = 1.0 - static_cast<double>(global.share_ppm) / kShareScale;

  PeriodAcc pooled;
  for (const auto& [k, p] : periods) {
    pooled.exposed.Merge(p.exposed);
    pooled.holdout.Merge(p.holdout);
    pooled.exposed_sends += p.exposed_sends;
    pooled.holdout_sends += p.holdout_sends;
  }
  auto add_row = [&](int64_t period, const PeriodAcc& p,
                     const TimeRange& cost_range) -> absl::Status {
    ProgramRowResult row;
    row.period = period;
    HF_ASSIGN_OR_RETURN(row.fixed_cost, ProgramFixedCost(config, source, cost_range));
    HF_ASSIGN_OR_RETURN(row.lift, stats::ComputeLift(p.exposed, p.holdout, row.fixed_cost, lo));
    row.exposed_sends = p.exposed_sends;
    row.holdout_sends = p.holdout_sends;
    row.holdout_send_cost = p.holdout.Sum(stats::Metric::kCost);
    const std::string where = RowLabel(period);
    const stats::LiftResult& l = row.lift;
    if (l.warnings.srm && l.srm.has_value()) {
      result.warnings.push_back(ReportWarning{
          WarningKind::kSampleRatioMismatch, Severity::kCritical, "", "", "",
          absl::StrFormat("%s: sample ratio mismatch, %d exposed vs %d globally held-out "
                          "customers where the configured global holdout is %g%% (chi-squared "
                          "%.2f, p = %.3g < 0.001)",
                          where, l.treatment.entries, l.holdout.entries,
                          100.0 * global.share_ppm / kShareScale, l.srm->chi_square,
                          l.srm->p_value)});
    }
    if (p.holdout_sends > 0) {
      result.warnings.push_back(ReportWarning{
          WarningKind::kContamination, Severity::kCritical, "", "", "",
          absl::StrFormat("%s: %d sends costing %.2f reached globally held-out customers "
                          "inside their windows; the program's control group was partly treated",
                          where, p.holdout_sends, row.holdout_send_cost)});
    }
    if (l.warnings.too_few_entries) {
      result.warnings.push_back(ReportWarning{
          WarningKind::kTooFewEntries, Severity::kCaution, "", "", "",
          absl::StrFormat("%s: too few customers (%d exposed, %d global holdout) or conversions "
                          "for the normal-approximation intervals",
                          where, l.treatment.entries, l.holdout.entries)});
    }
    if (l.warnings.heavy_tail) {
      result.warnings.push_back(ReportWarning{
          WarningKind::kHeavyTail, Severity::kCaution, "", "", "",
          absl::StrFormat("%s: heavy-tailed revenue (by Hall's first-order term one tail of "
                          "the plain interval misses about %.1f points more often than stated); "
                          "Welch interval %s; skewness-corrected: %s",
                          where, 100.0 * std::fmax(l.revenue_lift_tail_error, l.iroas_tail_error),
                          FormatInterval(l.revenue_per_entry_lift.lower,
                                         l.revenue_per_entry_lift.upper),
                          FormatInterval(l.revenue_per_entry_lift_skew_corrected.lower,
                                         l.revenue_per_entry_lift_skew_corrected.upper))});
    }
    result.rows.push_back(std::move(row));
    return absl::OkStatus();
  };

  // The pooled row's fixed cost covers the scanned periods.
  TimeRange pooled_range = options.range;
  if (!spans.empty()) pooled_range = {spans.front().range.from, spans.back().range.to};
  HF_RETURN_IF_ERROR(add_row(kAllPeriods, pooled, pooled_range));
  for (const Span& span : spans) {
    auto it = periods.find(span.period);
    if (it == periods.end()) continue;  // no customers: nothing to compare
    HF_RETURN_IF_ERROR(add_row(span.period, it->second, span.range));
  }
  if (result.inconsistent_units > 0) {
    result.warnings.push_back(ReportWarning{
        WarningKind::kSampleRatioMismatch, Severity::kCaution, "", "", "",
        absl::StrFormat("%d customers have entries on both sides of the global holdout within "
                        "one period (a config change mid-period); each is counted on the side "
                        "of its first entry",
                        result.inconsistent_units)});
  }
  if (result.washout_excluded > 0) {
    result.warnings.push_back(ReportWarning{
        WarningKind::kWashoutExcluded, Severity::kInfo, "", "", "",
        absl::StrFormat("%d customers whose first entry fell in the global holdout's washout "
                        "were excluded",
                        result.washout_excluded)});
  }
  SortWarnings(result.warnings);
  return result;
}

}  // namespace holdfast::report
