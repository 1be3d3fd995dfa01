// Warnings attached to a report: what could make an analyst take a wrong
// decision from the numbers, with the numbers and the remedy in the message.
// Kinds and severities mirror holdfast.v1.Warning (report.proto).
#ifndef HOLDFAST_LIB_REPORT_REPORT_WARNING_H_
#define HOLDFAST_LIB_REPORT_REPORT_WARNING_H_

#include <string>
#include <vector>

namespace holdfast::report {

enum class WarningKind : int {
  kSampleRatioMismatch = 1,
  kContamination = 2,
  kTooFewEntries = 3,
  kUnreliableRelativeInterval = 4,
  kWashoutExcluded = 5,
  kHeavyTail = 6,
  kOrphanRefunds = 7,
  // Per-entry accounting (docs/storage.md); numbered apart from the
  // statistical kinds so both can grow.
  kImmatureExcluded = 20,
  kRefundHorizonOpen = 21,
  kWindowsCut = 22,
  kUnknownConfigVersion = 23,
  // Replicas sharing the store served different config versions during the
  // report's range (config history, ConfigCatalog::MixedServing).
  kReplicasServedDifferentVersions = 24,
  // Guardrails (docs/report.md, "Guardrails").
  kGuardrailHarm = 40,
  kGuardrailUncertain = 41,
  // Horizons (docs/report.md, "Horizons"): entries not mature at a horizon
  // (counted, excluded there), and measured entries whose horizon overlaps
  // the unit's next entry.
  kHorizonImmature = 55,
  kHorizonOverlap = 56,
  // Stage roll-ups: customers in two or more journeys of a stage (or of the
  // programme), whose independence the roll-up's interval assumes.
  kStageSharedCustomers = 60,
  // Trends: a journey's iROAS drifts over its complete buckets.
  kTrendDrift = 61,
  // Program report (docs/report.md, "Program report").
  kProgramJoinedExcluded = 30,
  kUnfinishedPeriod = 31,
  kProgramNotPooled = 32,
};

enum class Severity : int {
  kInfo = 1,      // context; the estimates stand
  kCaution = 2,   // an interval or p-value is less reliable than stated
  kCritical = 3,  // the comparison itself is compromised; do not decide on it
};

struct ReportWarning {
  WarningKind kind = WarningKind::kTooFewEntries;
  Severity severity = Severity::kCaution;
  // Row the warning is about ("" = the whole report / journey / everyone).
  std::string journey;
  std::string arm;
  std::string segment;
  std::string message;
};

// Orders warnings most severe first, then by journey, segment, arm, kind
// (stable for equal keys), so reports and snapshots are deterministic.
void SortWarnings(std::vector<ReportWarning>& warnings);

}  // namespace holdfast::report

#endif  // HOLDFAST_LIB_REPORT_REPORT_WARNING_H_
