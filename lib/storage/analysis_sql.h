// The per-entry accounting rules as SQL: the one definition of an analysis
// entry's window, refunds, maturity and config version (docs/storage.md,
// "Analysis queries"), written once and generated for each SQL backend.
// SqliteStore runs the kSqlite text; a PostgreSQL store runs the kPostgres
// text of the same query (only function names, parameter markers, casts and
// the GROUP BY list differ).
//
// Example:
//   JourneyVersions versions(journey);
//   SQLite::Statement q(db, AnalysisEntrySql(SqlDialect::kSqlite,
//                                            versions.with_own_windows().size()));
//   ... bind the parameters listed below, then per row:
//   FinishAnalysisEntry(query.as_of, &row);
//
// Thread-safety: pure functions.
#ifndef HOLDFAST_LIB_STORAGE_ANALYSIS_SQL_H_
#define HOLDFAST_LIB_STORAGE_ANALYSIS_SQL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"

#include "lib/base/clock.h"
#include "lib/storage/analysis.h"

namespace holdfast {

enum class SqlDialect { kSqlite, kPostgres };

// Parameters of AnalysisEntrySql (numbered markers, ?N or $N):
//   1 journey; 2 from; 3 to (entries with from <= t0 < to; the caller passes
//   min(query.to, query.as_of)); 4 as_of; 5, 6, 7 the journey's fallback
//   window, pre-period and refund horizon (µs); then for version k = 0, 1, ...
//   of JourneyVersions::with_own_windows(): 8 + 4k config_version, 9 + 4k
//   window, 10 + 4k pre-period, 11 + 4k refund horizon. Versions must be
//   distinct.
inline constexpr int kAnalysisParamJourney = 1;
inline constexpr int kAnalysisParamFrom = 2;
inline constexpr int kAnalysisParamTo = 3;
inline constexpr int kAnalysisParamAsOf = 4;
inline constexpr int kAnalysisParamWindow = 5;
inline constexpr int kAnalysisParamPrePeriod = 6;
inline constexpr int kAnalysisParamRefundHorizon = 7;
inline constexpr int kAnalysisParamFirstVersion = 8;
// At most this many versions per journey (4 parameters each; SQLite allows
// 32,766 parameters per statement).
inline constexpr size_t kMaxAnalysisVersions = 4096;

// Result columns of AnalysisEntrySql, in order.
enum AnalysisColumn : int {
  kColUnit = 0,
  kColGroup,
  kColArm,
  kColPeriod,
  kColT0,
  kColInWashout,
  kColAttributes,
  kColConfigVersion,
  kColWindow,         // the entry's full attribution window (µs)
  kColRefundHorizon,  // the entry's refund horizon (µs)
  kColNextT0,         // t0 of the unit's next entry in the journey, or NULL
  kColY,              // revenue of non-refund outcomes in the window
  kColM,
  kColX,
  kColZ,
  kColC,
  kColSends,
  kColRefundY,  // refunds of the window's orders before the deadline
  kColRefundM,
  kColOrders,        // CONVERSION and ORDER outcomes in the window
  kColUnsubscribed,  // 1 when an UNSUBSCRIBE outcome is in the window
  kColComplained,    // 1 when a COMPLAINT outcome is in the window
  kColIncentive,     // incentive_cost of the window's CONVERSION/ORDER outcomes
  // With max_horizon_us > 0 (else NULL): the entry's horizon events as text,
  // "offset revenue margin order" joined by ';' (NULL when none): non-refund
  // outcomes, then refunds at their first counting offset (ParseHorizonEvents).
  kColHorizonEvents,
  kColHorizonRefunds,
  kNumAnalysisColumns,
};

// One row per entry of journey ?1 with ?2 <= t0 < ?3 (docs/storage.md).
// max_horizon_us > 0 fills the horizon columns with the events of [t0, t0 +
// max_horizon_us) (it is written into the SQL as an integer literal).
// next_entry_possible = false leaves out the next-entry lookup (kColNextT0 is
// NULL, no window is cut): exact when the journey has no entry with period > 0
// and t0 < ?4 in the same snapshot (NextEntryPossibleSql), since a next entry
// has a higher period than its entry. It saves two index seeks per entry
// (~18 % of the SQL at 1 M entries; docs/performance.md).
// with_attributes = false returns NULL for kColAttributes (a report without
// segment_by reads no attribute; on PostgreSQL the bytea crosses the wire
// as hex).
// `slice` narrows the rows to a range of units (the PostgreSQL store's
// parallel stream, docs/postgresql.md "Analysis stream"): lower bound
// (units >= it) at parameter AnalysisUnitRangeParam(versions), upper bound
// (units < it) at the next parameter; `ordered` returns the rows in (unit,
// period) order, the key order of entries' primary key in the C collation,
// so slices read one after another give the unsliced stream's rows in the
// same order.
struct AnalysisSlice {
  bool lower = false;
  bool upper = false;
  bool ordered = false;
};
std::string AnalysisEntrySql(SqlDialect dialect, size_t versions, int64_t max_horizon_us = 0,
                             bool next_entry_possible = true, bool with_attributes = true,
                             AnalysisSlice slice = {});
inline int AnalysisUnitRangeParam(size_t versions) {
  return kAnalysisParamFirstVersion + 4 * static_cast<int>(versions);
}

// The config versions of one journey's analysis query. Only the versions
// whose windows differ from the journey's fallback windows go into the SQL's
// per-entry lookup (AnalysisEntrySql's `versions`, bound in this order): an
// entry of any other version, known or not, gets the fallback, which then
// equals its own windows. Typically no version differs (configs change
// shares and arms more often than windows), and the query has no lookup at
// all: -8 % of the SQL at 1 M entries (docs/performance.md). Whether an
// entry's version is known at all (AnalysisEntry::version_known) is answered
// here per entry, from every version.
class JourneyVersions {
 public:
  explicit JourneyVersions(const JourneyWindow& journey);
  const std::vector<const VersionWindow*>& with_own_windows() const { return own_windows_; }
  bool Known(absl::string_view config_version) const {
    return known_.contains(config_version);
  }

 private:
  std::vector<const VersionWindow*> own_windows_;
  absl::flat_hash_set<std::string> known_;
};

// Analysis in the database (docs/storage.md, "Aggregates"): the per-entry
// rows of AnalysisEntrySql (same parameters, same numbers; no horizon
// events, no attributes) grouped into AnalysisCells inside the database, so only the
// cells leave it. Then kNumCellVariables shifts (float, CellVariable order)
// from parameter AnalysisCellShiftParam(versions). Result columns:
// kCellCol* below, then s1 (kNumCellVariables), s2
// (kNumCellSecondOrderSums), s3 (kNumCellThirdOrderSums). `by_day` also
// groups by floor(t0 / 1 day) (AnalysisQuery::cells_by_day); without it the
// day column is 0. `by_attributes` also groups by the entry's whole
// attribute set (the segment is read from it in C++: DecodeCell); without it
// the attributes column is NULL.
// `slice` narrows it to a unit range as AnalysisEntrySql's (ordered is
// ignored); a slice with an upper bound must have a lower one too (the
// first slice's lower bound is ''), and the shifts then follow the bounds.
std::string AnalysisCellSql(SqlDialect dialect, size_t versions, bool next_entry_possible,
                            bool by_day = false, bool by_attributes = false,
                            AnalysisSlice slice = {});
inline int AnalysisCellShiftParam(size_t versions, AnalysisSlice slice = {}) {
  return AnalysisUnitRangeParam(versions) + (slice.lower ? 1 : 0) + (slice.upper ? 1 : 0);
}
enum AnalysisCellColumn : int {
  kCellColGroup = 0,
  kCellColArm,
  kCellColPeriod,
  kCellColDay,
  kCellColAttributes,
  kCellColConfigVersion,
  kCellColInWashout,
  kCellColMature,
  kCellColEntries,
  kCellColWindowCut,
  kCellColInRefundHorizon,
  kCellColFirstT0,
  kCellColLastT0,
  kCellColFirstSum,
};
// Horizons in the database (docs/storage.md, "Horizons in the database"):
// the AnalysisHorizonCells of one journey, from the rows of AnalysisEntrySql
// (same parameters; the horizon events by the entry stream's rules) and
// kNumHorizonCellVariables shifts (float, HorizonCellVariable order) from
// parameter AnalysisCellShiftParam(versions). The horizons and the curve's
// grid (JourneyWindow::horizons_us, curve_step_us, curve_points) are written
// into the SQL as integer literals. `by_attributes` as AnalysisCellSql's.
// Four kinds of row (kHorizonCol* below), each per (group, arm, period,
// attribute set) of the analysed entries (window mature, not in washout, not
// global holdout):
//   kind 0, per horizon index k: of the entries with a horizon event, those
//     mature at it, the overlapping ones, then s1 (6) and the summed s2 (8:
//     HorizonPairSummed, HorizonPairIndex order) of the shifted variables;
//   kind 3, per horizon index k: of every analysed entry, those mature at
//     it, the overlapping ones, then the sum of the shifted cost and of its
//     square (the entries without events are 0 in every other variable;
//     FinishHorizonCells adds them from these);
//   kind 1, per index K = points the entries are mature at: entries, then
//     the sums of V, V^2, M, M^2 (V, M: the entry's cumulative revenue and
//     margin at point K); the entries and the sums may come in separate
//     rows;
//   kind 2, per grid index i: the sums of the events counting from point i
//     (revenue, V_after^2 - V_before^2, margin, M_after^2 - M_before^2).
// The unused columns of kinds 1, 2 and 3 are 0.
// `slice` narrows it to a unit range as AnalysisCellSql's (the shifts then
// follow the bounds: AnalysisCellShiftParam(versions, slice)).
std::string AnalysisHorizonSql(SqlDialect dialect, size_t versions, bool next_entry_possible,
                               bool by_attributes, const std::vector<int64_t>& horizons_us,
                               int64_t curve_step_us, int64_t curve_points,
                               AnalysisSlice slice = {});
enum AnalysisHorizonColumn : int {
  kHorizonColKind = 0,
  kHorizonColGroup,
  kHorizonColArm,
  kHorizonColPeriod,
  kHorizonColAttributes,
  kHorizonColIndex,
  kHorizonColEntries,
  kHorizonColOverlapping,
  kHorizonColFirstSum,
  kNumHorizonColumns = kHorizonColFirstSum + NumHorizonSums(),
};
inline constexpr int kHorizonRowMoments = 0;
inline constexpr int kHorizonRowCurveEnd = 1;
inline constexpr int kHorizonRowCurveStep = 2;
inline constexpr int kHorizonRowAllEntries = 3;

// One mature entry's kNumCellVariables values (CellVariable order), or no
// row: the shift of the journey's AnalysisCellSql — the first mature entry
// in (unit, period) order. Same parameters as AnalysisEntrySql; `bounded`
// adds AnalysisSlice's unit range (both bounds) and looks only there.
std::string AnalysisShiftProbeSql(SqlDialect dialect, size_t versions, bool next_entry_possible,
                                  bool bounded = false);
// The unit of the journey's entry at 0-based position ?4 in (unit, period)
// order among those with ?2 <= t0 < ?3 (?1 the journey), or no row: an upper
// bound for a bounded AnalysisShiftProbeSql that still finds the first
// mature entry whenever one of the entries before it is mature.
std::string ShiftProbeBoundSql(SqlDialect dialect);
// How many distinct attribute sets the entries of journey ?1 with ?2 <= t0 <
// ?3 carry, counting at most ?4 (a segmented AnalysisCellSql's bound:
// kMaxCellAttributeSets).
std::string AttributeSetsSql(SqlDialect dialect);

// Units with an analysed entry per set of journeys (AnalysedUnitSet): one
// row (journeys bit mask, units) per set. Parameters: 1 from, 2 to (the
// caller passes min(to, as_of)), 3 as_of, 4 first period, 5 last period
// (inclusive), then per journey k (in order) AnalysedUnitsJourneyParam(...)
// : journey, fallback window, and per version with its own window
// (JourneyVersions) config_version and window. `versions[k]`: the number of
// such versions of journey k; at most 62 journeys (bit 62 is the highest a
// signed 64-bit integer literal holds with room for the sum).
std::string AnalysedUnitsSql(SqlDialect dialect, const std::vector<size_t>& versions);
inline constexpr int kAnalysedUnitsFirstJourneyParam = 6;

// 1 if journey ?1 has an entry with period > 0 and t0 < ?2, else 0: whether
// any entry of the journey can have a next entry before as_of.
std::string NextEntryPossibleSql(SqlDialect dialect);

// Appends the events of a kColHorizonEvents / kColHorizonRefunds value to
// e->horizon_events; INTERNAL on malformed text.
[[nodiscard]] absl::Status ParseHorizonEvents(absl::string_view text, AnalysisEntry* e);

// Refunds with ?1 <= at < ?2 whose order_id names no stored CONVERSION or
// ORDER of the same unit.
std::string OrphanRefundsSql(SqlDialect dialect);

// The program population of ProgramQuery [?1, ?2) (docs/report.md, "Program
// report"): one row per unit known before ?2 — unit, first_seen (the earliest
// of its roster first_seen and its entries', sends' and outcomes' times),
// net revenue y, margin m, converted x (0/1) of its outcomes in [?1, ?2), and
// cost c and count of its sends in [?1, ?2) — ordered by unit.
std::string ProgramUnitsSql(SqlDialect dialect);

// Fixed costs of every journey pro-rated to [?1, ?2): one row, one value.
std::string AllFixedCostsSql(SqlDialect dialect);

// Completes a row read from AnalysisEntrySql, after the caller has set y and
// m to kColY + kColRefundY and kColM + kColRefundM: derives window_end,
// window_cut, mature and in_refund_horizon from t0, window_us,
// refund_horizon_us and next_t0, and zeroes an immature entry's sums (it must
// not be analysed half-measured). Sorts horizon_events by offset (stable)
// and leaves them whatever the maturity: the report applies it per horizon.
void FinishAnalysisEntry(UnixMicros as_of, AnalysisEntry* e);


// Parameters of ChannelAttributionSql (docs/storage.md, "Channels and cost
// components"): 1 journey; 2 from; 3 to (the caller passes min(to, as_of));
// 4 as_of; 5, 6 the journey's fallback window and refund horizon (µs); 7, 8
// first and last period (inclusive); then for version k = 0, 1, ... of
// JourneyVersions::with_own_windows(): 9 + 3k config_version, 10 + 3k window,
// 11 + 3k refund horizon. Versions distinct.
inline constexpr int kChannelParamJourney = 1;
inline constexpr int kChannelParamFrom = 2;
inline constexpr int kChannelParamTo = 3;
inline constexpr int kChannelParamAsOf = 4;
inline constexpr int kChannelParamWindow = 5;
inline constexpr int kChannelParamRefundHorizon = 6;
inline constexpr int kChannelParamFirstPeriod = 7;
inline constexpr int kChannelParamLastPeriod = 8;
inline constexpr int kChannelParamFirstVersion = 9;

// Result columns of ChannelAttributionSql, in order. A row is either a send
// aggregate (kind 0: count = sends, amount = send cost) or an order
// aggregate (kind 1: count = orders, amount = their revenue net of refunds;
// channel NULL = no prior send in the window, unattributed), per (group,
// arm, channel). Order unspecified.
enum ChannelColumn : int {
  kChanColKind = 0,
  kChanColGroup,
  kChanColArm,
  kChanColChannel,
  kChanColCount,
  kChanColAmount,
  kNumChannelColumns,
};

// Per-channel sends and last-touch attributed orders of journey ?1 over its
// analysed entries (ChannelQuery): one query per journey, apart from the
// per-entry AnalysisEntrySql so the report's entry stream does not pay for it.
// next_entry_possible = false leaves out the next-entry lookup (exact when
// NextEntryPossibleSql says the journey has no entry with period > 0 and t0 <
// as_of in the same snapshot), as for AnalysisEntrySql.
std::string ChannelAttributionSql(SqlDialect dialect, size_t versions,
                                  bool next_entry_possible = true);

// Fixed costs of journey ?1 pro-rated to [?2, ?3) by category: rows
// (category, amount), order unspecified; nothing when ?2 >= ?3.
std::string FixedCostCategoriesSql(SqlDialect dialect);
// The same in total: one row, one value (0 when nothing overlaps).
std::string JourneyFixedCostSql(SqlDialect dialect);

}  // namespace holdfast

#endif  // HOLDFAST_LIB_STORAGE_ANALYSIS_SQL_H_
