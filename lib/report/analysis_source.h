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
#include <functional>
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
#include "lib/storage/analysis.h"

namespace holdfast::report {

// The per-entry types are lib/storage's (analysis.h): one definition shared
// by every Store, every AnalysisSource and the builder.
using holdfast::AnalysisEntry;
using holdfast::AnalysisQuery;
using holdfast::EntryGroup;
using holdfast::JourneyDiagnostics;
using holdfast::JourneyWindow;

// Asked by a source between rows; true stops the scan with CANCELLED (a
// report whose caller went away or whose deadline passed). Empty: never.
using CancelCheck = holdfast::CancelCheck;

// Half-open time range [from, to) in UnixMicros. The default is everything.
struct TimeRange {
  UnixMicros from = kMinTimeMicros;
  UnixMicros to = kMaxTimeMicros;
  bool Contains(UnixMicros t) const { return t >= from && t < to; }
};

// The five metrics of an entry as the moments take them.
inline stats::EntryValues ValuesOf(const AnalysisEntry& e) {
  return {e.y, e.m, static_cast<double>(e.x), e.c, e.z};
}

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
  // Checked every few hundred rows; true ends ForEachProgramUnit with CANCELLED.
  CancelCheck cancelled;
};

class AnalysisSource {
 public:
  virtual ~AnalysisSource() = default;

  // Calls `fn` for every entry of the query's journeys with from <= t0 < to
  // (Store::ForEachAnalysisEntry semantics), in any order, including washout
  // entries (flagged) and global-holdout entries (the builder decides what
  // to exclude and counts it). The entry is valid only during the call.
  [[nodiscard]] virtual absl::Status ForEachEntry(
      const AnalysisQuery& query, absl::FunctionRef<void(const AnalysisEntry&)> fn) = 0;

  // Entry counts and contamination of `journey` over entries with t0 in
  // `range` and sends before `as_of`, and its fixed cost pro-rated to
  // `cost_range` (Store::GetJourneyDiagnostics); the journey's rotation
  // bounds each entry's period.
  [[nodiscard]] virtual absl::StatusOr<JourneyDiagnostics> GetJourneyTotals(
      const JourneySpec& journey, const TimeRange& range, const TimeRange& cost_range,
      UnixMicros as_of) = 0;
  // The same with fixed costs over `range` and every stored send.
  [[nodiscard]] absl::StatusOr<JourneyDiagnostics> GetJourneyTotals(const JourneySpec& journey,
                                                                    const TimeRange& range) {
    return GetJourneyTotals(journey, range, range, kMaxTimeMicros);
  }

  // Refunds with time in `range` whose order_id names no stored CONVERSION
  // or ORDER of the same unit (Store::CountOrphanRefunds).
  [[nodiscard]] virtual absl::StatusOr<int64_t> OrphanRefunds(const TimeRange& range) = 0;

  // Calls `fn` once per unit with an entry of the query's journeys in range.
  [[nodiscard]] virtual absl::Status ForEachProgramUnit(
      const ProgramUnitQuery& query, absl::FunctionRef<void(const ProgramUnit&)> fn) = 0;
};

}  // namespace holdfast::report

#endif  // HOLDFAST_LIB_REPORT_ANALYSIS_SOURCE_H_
