// What the report builder reads: a stream of analysis entries (one per
// journey entry, outcomes already summed over its attribution window) and the
// few totals a report needs beside them (fixed cost, contamination, orphan
// refunds), plus the program population (every known customer with all of
// its outcomes and sends in a span).
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
using holdfast::AnalysedUnitSet;
using holdfast::AnalysisAggregates;
using holdfast::AnalysisCell;
using holdfast::AnalysisEntry;
using holdfast::AnalysisQuery;
using holdfast::ChannelAggregate;
using holdfast::ChannelQuery;
using holdfast::FixedCostCategory;
using holdfast::JourneyChannels;
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

// The six metrics of an entry as the moments take them.
inline stats::EntryValues ValuesOf(const AnalysisEntry& e) {
  return {e.y, e.m, static_cast<double>(e.x), e.c, e.z, e.incentive};
}

// The program report reads the store's own program types
// (lib/storage/analysis.h): one definition of the program population for
// every backend and the builder.
using holdfast::ProgramQuery;
using holdfast::ProgramUnitRow;

class AnalysisSource {
 public:
  virtual ~AnalysisSource() = default;

  // Calls `fn` for every entry of the query's journeys with from <= t0 < to
  // (Store::ForEachAnalysisEntry semantics), in any order, including washout
  // entries (flagged) and global-holdout entries (the builder decides what
  // to exclude and counts it). The entry is valid only during the call.
  [[nodiscard]] virtual absl::Status ForEachEntry(
      const AnalysisQuery& query, absl::FunctionRef<void(const AnalysisEntry&)> fn) = 0;

  // Analysis in the database (docs/storage.md, "Aggregates"): true when the
  // builder should read Aggregates instead of the entry stream (horizons
  // included: AnalysisAggregates::horizon_cells; Aggregates may still answer
  // too_many_attribute_sets for a segmented query, and the builder streams).
  // Default false: the stream.
  virtual bool PrefersCells() const { return false; }

  // The entries ForEachEntry would give, summed into cells, and the
  // customers per set of journeys (Store::AggregateAnalysis semantics).
  [[nodiscard]] virtual absl::StatusOr<AnalysisAggregates> Aggregates(const AnalysisQuery& query,
                                                                      int64_t first_period,
                                                                      int64_t last_period) = 0;

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

  // Per-channel sends, send cost and last-touch attributed orders over the
  // journey's analysed entries, and its fixed costs by category pro-rated to
  // the query's cost range (Store::GetJourneyChannels; docs/storage.md,
  // "Channels and cost components"). One call per journey, beside the entry
  // stream.
  [[nodiscard]] virtual absl::StatusOr<JourneyChannels> GetJourneyChannels(
      const ChannelQuery& query) = 0;

  // Refunds with time in `range` whose order_id names no stored CONVERSION
  // or ORDER of the same unit (Store::CountOrphanRefunds).
  [[nodiscard]] virtual absl::StatusOr<int64_t> OrphanRefunds(const TimeRange& range) = 0;

  // Calls `fn` once per unit known before query.to (roster first_seen, or
  // any entry, send or outcome before it), with its outcomes and sends in
  // [query.from, query.to); docs/storage.md, "Program level".
  [[nodiscard]] virtual absl::Status ForEachProgramUnit(
      const ProgramQuery& query, absl::FunctionRef<void(const ProgramUnitRow&)> fn) = 0;

  // Fixed costs of every journey pro-rated to `range` (as JourneyTotals).
  [[nodiscard]] virtual absl::StatusOr<double> SumFixedCosts(const TimeRange& range) = 0;
};

}  // namespace holdfast::report

#endif  // HOLDFAST_LIB_REPORT_ANALYSIS_SOURCE_H_
