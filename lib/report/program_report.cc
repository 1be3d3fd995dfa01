#include "lib/report/program_report.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/assign/assigner.h"
#include "lib/base/status_macros.h"
#include "lib/report/report_text.h"

namespace holdfast::report {
namespace {

// One global period to measure.
struct Period {
  // Period index (0 without rotation).
  int64_t k = 0;
  // The population cut: units known before it.
  UnixMicros start = 0;
  TimeRange span;
};

// Everything one period (or the pool of them) sums.
struct PeriodAcc {
  stats::GroupMoments exposed;
  stats::GroupMoments holdout;
  int64_t exposed_sends = 0;
  int64_t holdout_sends = 0;
  double holdout_send_cost = 0.0;
  int64_t joined_units = 0;
  int64_t joined_sends = 0;
  double joined_send_cost = 0.0;
  double fixed_cost = 0.0;

  void Merge(const PeriodAcc& o) {
    exposed.Merge(o.exposed);
    holdout.Merge(o.holdout);
    exposed_sends += o.exposed_sends;
    holdout_sends += o.holdout_sends;
    holdout_send_cost += o.holdout_send_cost;
    joined_units += o.joined_units;
    joined_sends += o.joined_sends;
    joined_send_cost += o.joined_send_cost;
    fixed_cost += o.fixed_cost;
  }
};

std::string RowLabel(int64_t period) {
  return period == kAllPeriods ? "all periods" : absl::StrCat("period ", period);
}

// The periods of the report and the ones left out as unfinished.
absl::StatusOr<std::vector<Period>> PlanPeriods(const RotationSpec& rot,
                                                const ProgramReportOptions& options,
                                                std::vector<int64_t>* unfinished) {
  const TimeRange& range = options.range;
  const UnixMicros end = std::min(range.to, options.as_of);
  if (end == kMaxTimeMicros) {
    return absl::InvalidArgumentError("range: the program report needs a bounded 'to' or an as_of");
  }
  std::vector<Period> periods;
  if (rot.scheme == RotationScheme::kNone) {
    if (range.from == kMinTimeMicros) {
      return absl::InvalidArgumentError(
          "from: required without a rotating global holdout (the program population is the "
          "customers known before it)");
    }
    if (end <= range.from) return absl::InvalidArgumentError("as_of: must be after 'from'");
    periods.push_back({0, range.from, {range.from, end}});
    return periods;
  }
  const UnixMicros lo = range.from == kMinTimeMicros ? rot.epoch_us : range.from;
  if (end <= lo) return absl::InvalidArgumentError("as_of: must be after the range start");
  const int64_t first = PeriodIndex(rot, lo), last = PeriodIndex(rot, end - 1);
  if (last - first + 1 > kMaxProgramPeriods) {
    return absl::InvalidArgumentError(absl::StrCat("range: spans ", last - first + 1,
                                                   " global periods, at most ", kMaxProgramPeriods,
                                                   " per report; narrow it"));
  }
  for (int64_t k = first; k <= last; ++k) {
    const UnixMicros start = PeriodStart(rot, k), stop = PeriodStart(rot, k + 1);
    Period p{k, start, {std::max({range.from, lo, start + rot.washout_us}), std::min(range.to, stop)}};
    if (p.span.to > options.as_of) {
      // Still running at as_of: measuring it now would half-measure it.
      unfinished->push_back(k);
      continue;
    }
    if (p.span.from < p.span.to) periods.push_back(p);
  }
  return periods;
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
  if (config.global_holdout.share_ppm == 0) {
    return absl::FailedPreconditionError(
        "program report: the config has no global holdout (global_holdout.share is 0), so "
        "there is no control group for the program as a whole");
  }

  ProgramReportResult result;
  result.config_version = config.version;
  result.confidence = options.confidence;
  result.as_of = options.as_of;
  HF_ASSIGN_OR_RETURN(std::vector<Period> periods,
                      PlanPeriods(config.global_holdout.rotation, options, &result.unfinished_periods));

  struct Measured {
    Period period;
    std::string version;
    uint32_t share_ppm = 0;
    PeriodAcc acc;
  };
  std::vector<Measured> measured;
  for (const Period& p : periods) {
    // The split Assign would have used at the period start.
    std::shared_ptr<const AssignmentConfig> then;
    if (options.config_at) then = options.config_at(p.start);
    const AssignmentConfig& cfg = then != nullptr ? *then : config;
    const HoldoutSpec& spec = cfg.global_holdout;
    const int64_t k = PeriodIndex(spec.rotation, p.start);
    Measured m{p, cfg.version, spec.ShareAt(k), {}};
    PeriodAcc& acc = m.acc;
    HF_RETURN_IF_ERROR(source.ForEachProgramUnit(
        ProgramQuery{p.span.from, p.span.to, options.cancelled}, [&](const ProgramUnitRow& u) {
          if (u.first_seen >= p.start) {
            // Not known when the period started: not in its population.
            ++acc.joined_units;
            acc.joined_sends += u.sends;
            acc.joined_send_cost += u.c;
            return;
          }
          const stats::EntryValues v{u.y, u.m, static_cast<double>(u.x), u.c, 0.0};
          if (m.share_ppm > 0 && InHoldout(spec, u.unit, k)) {
            acc.holdout.Add(v);
            acc.holdout_sends += u.sends;
            acc.holdout_send_cost += u.c;
          } else {
            acc.exposed.Add(v);
            acc.exposed_sends += u.sends;
          }
        }));
    HF_ASSIGN_OR_RETURN(acc.fixed_cost, source.SumFixedCosts(p.span));
    measured.push_back(std::move(m));
  }

  auto add_row = [&](int64_t period, const TimeRange& span, const std::string& version,
                     uint32_t share_ppm, const PeriodAcc& acc) -> absl::Status {
    stats::LiftOptions lo;
    lo.confidence = options.confidence;
    lo.expected_treatment_share = 1.0 - static_cast<double>(share_ppm) / kShareScale;
    ProgramRowResult row;
    row.period = period;
    row.span = span;
    row.config_version = version;
    row.share_ppm = share_ppm;
    row.fixed_cost = acc.fixed_cost;
    HF_ASSIGN_OR_RETURN(row.lift, stats::ComputeLift(acc.exposed, acc.holdout, acc.fixed_cost, lo));
    // Every send of the span charged: the extra sends enter as a fixed
    // amount (they belong to no customer of the comparison).
    HF_ASSIGN_OR_RETURN(row.lift_all_sends,
                        stats::ComputeLift(acc.exposed, acc.holdout,
                                           acc.fixed_cost + acc.holdout_send_cost + acc.joined_send_cost,
                                           lo));
    row.exposed_sends = acc.exposed_sends;
    row.holdout_sends = acc.holdout_sends;
    row.holdout_send_cost = acc.holdout_send_cost;
    row.joined_units = acc.joined_units;
    row.joined_sends = acc.joined_sends;
    row.joined_send_cost = acc.joined_send_cost;
    row.all_sends = acc.exposed_sends + acc.holdout_sends + acc.joined_sends;
    row.total_cost = row.lift_all_sends.treatment_cost;
    const std::string where = RowLabel(period);
    const stats::LiftResult& l = row.lift;
    if (l.warnings.srm && l.srm.has_value()) {
      result.warnings.push_back(ReportWarning{
          WarningKind::kSampleRatioMismatch, Severity::kCritical, "", "", "",
          absl::StrFormat("%s: sample ratio mismatch, %d exposed vs %d globally held-out "
                          "customers where the configured global holdout is %g%% (chi-squared "
                          "%.2f, p = %.3g < 0.001)",
                          where, l.treatment.entries, l.holdout.entries,
                          100.0 * share_ppm / kShareScale, l.srm->chi_square, l.srm->p_value)});
    }
    if (acc.holdout_sends > 0) {
      result.warnings.push_back(ReportWarning{
          WarningKind::kContamination, Severity::kCritical, "", "", "",
          absl::StrFormat("%s: %d sends costing %.4g reached globally held-out customers; the "
                          "program's control group was partly treated",
                          where, acc.holdout_sends, acc.holdout_send_cost)});
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

  // Pool only periods with one global share: with different shares the
  // pooled groups would mix periods in different proportions, confounding
  // the side with the period (a busy month held out at 10 % vs a quiet one
  // at 2 %).
  bool one_share = !measured.empty();
  for (const Measured& m : measured) one_share &= m.share_ppm == measured.front().share_ppm;
  if (one_share) {
    PeriodAcc pooled;
    bool one_version = true;
    for (const Measured& m : measured) {
      pooled.Merge(m.acc);
      one_version &= m.version == measured.front().version;
    }
    HF_RETURN_IF_ERROR(add_row(kAllPeriods,
                               {measured.front().period.span.from, measured.back().period.span.to},
                               one_version ? measured.front().version : "",
                               measured.front().share_ppm, pooled));
  } else if (!measured.empty()) {
    result.warnings.push_back(ReportWarning{
        WarningKind::kProgramNotPooled, Severity::kInfo, "", "", "",
        "the global holdout share differs between the periods, so they are not pooled (the "
        "pooled groups would mix periods in different proportions); read the per-period rows"});
  }
  for (const Measured& m : measured) {
    HF_RETURN_IF_ERROR(add_row(m.period.k, m.period.span, m.version, m.share_ppm, m.acc));
  }

  int64_t joined = 0;
  for (const Measured& m : measured) joined += m.acc.joined_units;
  if (joined > 0) {
    result.warnings.push_back(ReportWarning{
        WarningKind::kProgramJoinedExcluded, Severity::kInfo, "", "", "",
        absl::StrFormat("%d customers first seen during a period were left out of it (the "
                        "population is fixed at the period start); their sends count only in "
                        "total_cost",
                        joined)});
  }
  if (!result.unfinished_periods.empty()) {
    result.warnings.push_back(ReportWarning{
        WarningKind::kUnfinishedPeriod, Severity::kInfo, "", "", "",
        absl::StrCat("period ", result.unfinished_periods.front(),
                     result.unfinished_periods.size() > 1
                         ? absl::StrCat(" to ", result.unfinished_periods.back())
                         : std::string(),
                     " not finished at as_of: not reported")});
  }
  if (config.global_holdout.rotation.scheme == RotationScheme::kNone && options.range.to > options.as_of) {
    result.warnings.push_back(ReportWarning{
        WarningKind::kUnfinishedPeriod, Severity::kInfo, "", "", "",
        "the range ends after as_of: outcomes and costs are measured up to as_of"});
  }
  SortWarnings(result.warnings);
  return result;
}

}  // namespace holdfast::report
