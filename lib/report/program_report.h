// The program-level report: the global holdout against everyone else across
// all journeys, per global-holdout period and pooled, answering "what does
// the whole CRM program earn, and does it pay for itself?"
//
// Counting rule (docs/report.md, "Program report", states it exactly):
//   - Periods: each global rotation period overlapping the range (without
//     rotation: the range itself). A rotation period that ends after as_of
//     is not finished and is not reported (listed in unfinished_periods).
//   - Span measured in period k: [max(from, start_k + washout), min(to,
//     end_k, as_of)).
//   - Population of period k: every unit known before start_k (customer
//     roster first_seen, or any entry, send or outcome earlier), whether or
//     not it triggers a journey — a population fixed before the period
//     starts, so messages cannot change who is in it. Units first seen
//     later are excluded from the period (joined_units).
//   - Side: the global holdout hash for period k under the config in force
//     at start_k (options.config_at), i.e. what Assign would have answered.
//   - Per customer: y, m = all of its outcomes in the span by their own time
//     (refunds negative, no window or order linking: the population is
//     randomized); x = converted in the span; c = all of its sends of every
//     journey in the span.
//   - Fixed cost F: every stored journey's fixed costs pro-rated to the span.
//   - Estimates: lib/stats ComputeLift with treatment = exposed customers,
//     holdout = global holdout customers, fixed cost F; so program_cost =
//     Σ_exposed c + F and iROAS = n_exposed · D / program_cost. The
//     all-sends variant charges every send of the span (to the global
//     holdout and to joined units too) as fixed cost.
//
// Thread-safety: reentrant.
#ifndef HOLDFAST_LIB_REPORT_PROGRAM_REPORT_H_
#define HOLDFAST_LIB_REPORT_PROGRAM_REPORT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/assign/assignment_config.h"
#include "lib/report/analysis_source.h"
#include "lib/report/report_warning.h"
#include "lib/stats/lift.h"

namespace holdfast::report {

// Period index of the pooled row.
inline constexpr int64_t kAllPeriods = -1;

struct ProgramReportOptions {
  // The range to measure. Without a rotating global holdout `from` is
  // required (the population is the customers known before it).
  TimeRange range;
  // In (0, 1). Default 0.95.
  double confidence = 0.95;
  // Only events before as_of count, and rotation periods ending after it are
  // not reported; an open `to` ends at as_of. Default: the end of time,
  // which needs a bounded range.
  UnixMicros as_of = kMaxTimeMicros;
  // The config in force at time t (the config catalog), whose global holdout
  // groups a period starting at t. Unset, or returning null: the `config`
  // passed to BuildProgramReport.
  std::function<std::shared_ptr<const AssignmentConfig>(UnixMicros)> config_at;
  // Polled while scanning; true stops the report with CANCELLED. Default: never.
  CancelCheck cancelled;
};

// Longest run of global periods one report scans (one store query each).
inline constexpr int64_t kMaxProgramPeriods = 1000;

struct ProgramRowResult {
  // Global period index (0 without rotation), or kAllPeriods.
  int64_t period = kAllPeriods;
  // Measured span [from, to).
  TimeRange span;
  // Config version whose global split grouped the period ("" pooled over
  // several versions) and its global holdout share in ppm.
  std::string config_version;
  uint32_t share_ppm = 0;
  // Treatment = exposed (not globally held out), holdout = global holdout,
  // one customer of the population each; fixed cost F.
  stats::LiftResult lift;
  // Same estimates with every send of the span (also to the global holdout
  // and to joined units) added to the cost.
  stats::LiftResult lift_all_sends;
  double fixed_cost = 0.0;
  int64_t exposed_sends = 0;
  // Sends to globally held-out customers in the span (contamination).
  int64_t holdout_sends = 0;
  double holdout_send_cost = 0.0;
  // Units first seen after the period start but before the span end:
  // excluded from the period, with their sends in the span.
  int64_t joined_units = 0;
  int64_t joined_sends = 0;
  double joined_send_cost = 0.0;
  // Every send in the span, and its cost plus F.
  int64_t all_sends = 0;
  double total_cost = 0.0;
};

struct ProgramReportResult {
  std::string config_version;
  double confidence = 0.95;
  UnixMicros as_of = kMaxTimeMicros;
  // Pooled row first (absent when the periods' shares differ), then the
  // reported periods ascending.
  std::vector<ProgramRowResult> rows;
  // Rotation periods overlapping the range that end after as_of: not
  // reported, not pooled.
  std::vector<int64_t> unfinished_periods;
  std::vector<ReportWarning> warnings;
};

// FAILED_PRECONDITION when the config has no global holdout;
// INVALID_ARGUMENT for a bad confidence, an empty range, a missing `from`
// without rotation, an unbounded end, or more than kMaxProgramPeriods
// global periods.
[[nodiscard]] absl::StatusOr<ProgramReportResult> BuildProgramReport(
    const AssignmentConfig& config, AnalysisSource& source, const ProgramReportOptions& options);

}  // namespace holdfast::report

#endif  // HOLDFAST_LIB_REPORT_PROGRAM_REPORT_H_
