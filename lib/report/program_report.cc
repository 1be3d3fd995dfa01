#include "lib/report/program_report.h"

#include <algorithm>
#include <cstring>
#include <map>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/assign/assigner.h"
#include "lib/base/status_macros.h"
#include "lib/report/report_text.h"

namespace holdfast::report {
namespace {

// One customer in one global period, while entries stream in.
struct UnitAcc {
  UnixMicros t0 = 0;
  int64_t period = 0;
  bool global_holdout = false;
  bool inconsistent = false;
  int journeys = 0;
  std::string first_journey;
  stats::EntryValues values;  // of the first entry, c summed over all
  double cost = 0.0;
  int64_t sends = 0;
};

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
    HF_ASSIGN_OR_RETURN(const JourneyTotals t, source.GetJourneyTotals(j, range));
    total += t.fixed_cost;
  }
  return total;
}

std::string RowLabel(int64_t period) {
  return period == kAllPeriods ? "all periods" : absl::StrCat("period ", period);
}

// unit bytes + the period's 8 bytes: one flat key, no pair hashing.
std::string UnitKey(absl::string_view unit, int64_t period) {
  std::string key(unit.data(), unit.size());
  char buf[sizeof(period)];
  std::memcpy(buf, &period, sizeof(period));
  key.append(buf, sizeof(buf));
  return key;
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

  AnalysisQuery query;
  query.range = options.range;
  for (const JourneySpec& j : config.journeys) {
    query.journeys.push_back({j.id, j.attribution_window_us, j.pre_period_us});
  }
  absl::flat_hash_map<std::string, UnitAcc> units;
  HF_RETURN_IF_ERROR(source.ForEachEntry(query, [&](const AnalysisEntry& e) {
    const int64_t period = PeriodIndex(global.rotation, e.t0);
    UnitAcc& u = units[UnitKey(e.unit, period)];
    const bool held = e.group == EntryGroup::kGlobalHoldout;
    if (u.journeys == 0) {
      u.period = period;
      u.global_holdout = held;
    } else if (held != u.global_holdout) {
      u.inconsistent = true;
    }
    // The earliest entry gives the outcomes (ties: smaller journey id, so
    // the result does not depend on stream order).
    if (u.journeys == 0 || e.t0 < u.t0 || (e.t0 == u.t0 && e.journey < u.first_journey)) {
      if (u.journeys > 0 && held != u.global_holdout) {
        u.inconsistent = true;
        u.global_holdout = held;  // membership follows the first entry
      }
      u.t0 = e.t0;
      u.first_journey.assign(e.journey.data(), e.journey.size());
      u.values = e.values;
    }
    u.cost += e.values.c;
    u.sends += e.sends;
    ++u.journeys;
  }));

  std::map<int64_t, PeriodAcc> periods;
  const RotationSpec& rot = global.rotation;
  for (auto& [key, u] : units) {
    if (rot.scheme != RotationScheme::kNone && rot.washout_us > 0 &&
        u.t0 - PeriodStart(rot, u.period) < rot.washout_us) {
      ++result.washout_excluded;
      continue;
    }
    if (u.journeys > 1) ++result.multi_journey_units;
    if (u.inconsistent) ++result.inconsistent_units;
    stats::EntryValues v = u.values;
    v.c = u.cost;
    PeriodAcc& p = periods[u.period];
    if (u.global_holdout) {
      p.holdout.Add(v);
      p.holdout_sends += u.sends;
    } else {
      p.exposed.Add(v);
      p.exposed_sends += u.sends;
    }
  }
  units.clear();

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
          absl::StrFormat("%s: heavy-tailed revenue (lift-estimate skewness %.3g > 0.053); the "
                          "Welch interval %s under-covers; skewness-corrected: %s",
                          where, l.revenue_lift_skewness,
                          FormatInterval(l.revenue_per_entry_lift.lower,
                                         l.revenue_per_entry_lift.upper),
                          FormatInterval(l.revenue_per_entry_lift_skew_corrected.lower,
                                         l.revenue_per_entry_lift_skew_corrected.upper))});
    }
    result.rows.push_back(std::move(row));
    return absl::OkStatus();
  };

  HF_RETURN_IF_ERROR(add_row(kAllPeriods, pooled, options.range));
  for (const auto& [k, p] : periods) {
    TimeRange r = options.range;
    if (rot.scheme != RotationScheme::kNone) {
      r.from = std::max(r.from, PeriodStart(rot, k));
      r.to = std::min(r.to, PeriodStart(rot, k + 1));
    }
    HF_RETURN_IF_ERROR(add_row(k, p, r));
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
