// The program-level report: the global holdout against everyone else across
// all journeys, per global-holdout period and pooled, answering "what does
// the whole CRM program earn, and does it pay for itself?"
//
// Unit of analysis (docs/report.md, "Program report"): one customer in one
// global period in which they entered at least one journey. The customer's
// first entry in the period sets t_first and their side (global holdout or
// exposed); their outcomes of any journey and the cost of sends of any
// journey are summed once over [t_first, t_first + W), W the longest
// attribution window in the config, however many journeys they entered, so a
// customer in three journeys is not three customers and their order is not
// three orders. Journey holdouts count as exposed: the question is the whole
// program. Program cost = exposed customers' send costs + every journey's
// fixed cost over the period. Customers whose first entry falls in the
// global rotation's washout are excluded and counted; customers whose
// entries disagree on their side (a config change) are counted and flagged.
//
// Thread-safety: reentrant.
#ifndef HOLDFAST_LIB_REPORT_PROGRAM_REPORT_H_
#define HOLDFAST_LIB_REPORT_PROGRAM_REPORT_H_

#include <cstdint>
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
  // Program units whose t0 is in range. Default: everything.
  TimeRange range;
  // In (0, 1). Default 0.95.
  double confidence = 0.95;
  // With a rotating global holdout and an open-ended range, periods up to
  // the one containing `now` are reported (and from the rotation epoch when
  // `from` is open). Default: the end of time, which needs a bounded range.
  UnixMicros now = kMaxTimeMicros;
  // Polled while scanning; true stops the report with CANCELLED. Default: never.
  CancelCheck cancelled;
};

// Longest run of global periods one report scans (one store query each).
inline constexpr int64_t kMaxProgramPeriods = 1000;

struct ProgramRowResult {
  // Global period index, or kAllPeriods.
  int64_t period = kAllPeriods;
  // Treatment = exposed (not globally held out), holdout = global holdout.
  stats::LiftResult lift;
  // Fixed costs of all journeys over the period (pooled: over the range).
  double fixed_cost = 0.0;
  int64_t exposed_sends = 0;
  // Sends to globally held-out units inside their windows (contamination).
  int64_t holdout_sends = 0;
  double holdout_send_cost = 0.0;
};

struct ProgramReportResult {
  std::string config_version;
  double confidence = 0.95;
  // Window W from each customer's first entry, microseconds.
  int64_t window_us = 0;
  // Customers with more than one entry in their period (several journeys,
  // or the same journey in several journey periods), counted once.
  int64_t multi_journey_units = 0;
  // Program units excluded because their first entry was in the global washout.
  int64_t washout_excluded = 0;
  // Program units whose entries disagree on global-holdout membership within
  // one period (a config change mid-period); counted by their first entry.
  int64_t inconsistent_units = 0;
  // Pooled row first, then periods ascending.
  std::vector<ProgramRowResult> rows;
  std::vector<ReportWarning> warnings;
};

// FAILED_PRECONDITION when the config has no global holdout;
// INVALID_ARGUMENT for a bad confidence, an empty range, or more than
// kMaxProgramPeriods global periods in it.
[[nodiscard]] absl::StatusOr<ProgramReportResult> BuildProgramReport(
    const AssignmentConfig& config, AnalysisSource& source, const ProgramReportOptions& options);

}  // namespace holdfast::report

#endif  // HOLDFAST_LIB_REPORT_PROGRAM_REPORT_H_
