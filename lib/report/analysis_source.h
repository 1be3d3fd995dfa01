// What the report builder reads: a stream of analysis entries (one per
// journey entry, outcomes already summed over its attribution window) and the
// few totals a report needs beside them (fixed cost, contamination, orphan
// refunds), plus the per-customer stream of the program report.
//
// The SQLite store implements it through StoreAnalysisSource
// (store_analysis_source.h); tests use InMemoryAnalysisSource. Keeping the
// builder on this narrow interface is what lets the same report run over a
// warehouse later: every method is a scan or a sum.
//
// Example:
//   InMemoryAnalysisSource source;
//   source.AddEntry({.journey = "winback", .group = EntryGroup::kHoldout, ...});
//   absl::StatusOr<LiftReportResult> r = BuildLiftReport(config, source, options);
//
// Thread-safety: implementations must allow concurrent calls (the server
// serves reports from several RPC threads).
#ifndef HOLDFAST_LIB_REPORT_ANALYSIS_SOURCE_H_
#define HOLDFAST_LIB_REPORT_ANALYSIS_SOURCE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/assign/assignment_config.h"
#include "lib/base/clock.h"
#include "lib/base/time_util.h"
#include "lib/stats/moments.h"

namespace holdfast::report {

// Same numbering as holdfast::AssignedGroup and holdfast.v1.Group.
enum class EntryGroup : int { kTreatment = 1, kHoldout = 2, kGlobalHoldout = 3 };

// Half-open time range [from, to) in UnixMicros. The default is everything.
struct TimeRange {
  UnixMicros from = kMinTimeMicros;
  UnixMicros to = kMaxTimeMicros;
  bool Contains(UnixMicros t) const { return t >= from && t < to; }
};

// One journey entry with its outcomes. String views are valid only during
// the callback.
struct AnalysisEntry {
  absl::string_view journey;
  // The customer id (the program report counts customers, not entries).
  absl::string_view unit;
  EntryGroup group = EntryGroup::kTreatment;
  // Arm name for kTreatment; "" otherwise.
  absl::string_view arm;
  // Journey rotation period index (0 without rotation).
  int64_t period = 0;
  UnixMicros t0 = 0;
  // t0 fell in the washout at the start of its period (decided at assignment).
  bool in_washout = false;
  // Value of the query's segment attribute; "" when absent or no key asked.
  absl::string_view segment;
  // y, m, x, c over [t0, t0 + attribution window); z over the pre-period.
  // c counts only this journey's sends.
  stats::EntryValues values;
  // Number of sends whose cost makes up values.c.
  int64_t sends = 0;
};

// A journey to stream, with the windows from its config.
struct JourneyWindows {
  std::string journey;
  // Outcomes and sends count when t0 <= at < t0 + attribution_window_us.
  int64_t attribution_window_us = 0;
  // z counts outcome revenue with t0 - pre_period_us <= at < t0.
  int64_t pre_period_us = 0;
};

struct AnalysisQuery {
  // Journeys to stream (non-empty, each once).
  std::vector<JourneyWindows> journeys;
  // Entries with t0 in this range.
  TimeRange range;
  // Entry attribute whose value goes into AnalysisEntry::segment; "" = none.
  std::string segment_key;
};

// Facts about one journey over a report range, beside the entry stream.
struct JourneyTotals {
  // Fixed costs pro-rated to their overlap with the range: a cost over
  // [s, e) contributes amount * |[s, e) ∩ range| / (e - s).
  double fixed_cost = 0.0;
  // Contamination: sends of this journey to units whose entry in the range
  // was HOLDOUT or GLOBAL_HOLDOUT, within that entry's period; their summed
  // cost; and how many such entries received at least one.
  int64_t contaminated_sends = 0;
  double contaminated_cost = 0.0;
  int64_t contaminated_entries = 0;
};

// One customer of the program report over one query range (docs/report.md,
// "Program report"). String views are valid only during the callback.
struct ProgramUnit {
  absl::string_view unit;
  // Group of the unit's first entry in the range.
  bool global_holdout = false;
  // That first entry's time: the windows below start here.
  UnixMicros t_first = 0;
  // The unit's entries in the range, and how many said GLOBAL_HOLDOUT;
  // 0 < global_holdout_entries < entries means it changed sides.
  int64_t entries = 0;
  int64_t global_holdout_entries = 0;
  // y, m, x: outcomes of any journey in [t_first, t_first + window), counted
  // once; c: cost of sends of any journey in that window; z: revenue in
  // [t_first - pre_period, t_first).
  stats::EntryValues values;
  int64_t sends = 0;
};

struct ProgramUnitQuery {
  // Journeys whose entries count (every configured journey).
  std::vector<std::string> journeys;
  // Units with at least one entry with t0 in range.
  TimeRange range;
  // Outcome/send window and pre-period from t_first, microseconds (>= 0).
  int64_t window_us = 0;
  int64_t pre_period_us = 0;
};

class AnalysisSource {
 public:
  virtual ~AnalysisSource() = default;

  // Calls `fn` for every entry of the query's journeys with t0 in range, in
  // any order, including washout entries (flagged) and global-holdout
  // entries (the builder decides what to exclude and counts it).
  [[nodiscard]] virtual absl::Status ForEachEntry(
      const AnalysisQuery& query, absl::FunctionRef<void(const AnalysisEntry&)> fn) = 0;

  // Fixed cost and contamination of `journey` over `range`; the journey's
  // rotation bounds each entry's period.
  [[nodiscard]] virtual absl::StatusOr<JourneyTotals> GetJourneyTotals(
      const JourneySpec& journey, const TimeRange& range) = 0;

  // Refunds in `range` naming an order the store never saw.
  [[nodiscard]] virtual absl::StatusOr<int64_t> OrphanRefunds(const TimeRange& range) = 0;

  // Calls `fn` once per unit with an entry of the query's journeys in range.
  [[nodiscard]] virtual absl::Status ForEachProgramUnit(
      const ProgramUnitQuery& query, absl::FunctionRef<void(const ProgramUnit&)> fn) = 0;
};

}  // namespace holdfast::report

#endif  // HOLDFAST_LIB_REPORT_ANALYSIS_SOURCE_H_
