// Read-side queries the report builder runs on a Store: one row per entry
// with its windowed outcomes and costs, per-journey diagnostics (fixed
// cost, contamination, washout, orphan refunds), and the program population. Semantics are specified in
// docs/storage.md ("Analysis queries").
#ifndef HOLDFAST_LIB_STORAGE_ANALYSIS_H_
#define HOLDFAST_LIB_STORAGE_ANALYSIS_H_

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "lib/base/clock.h"
#include "lib/storage/records.h"

namespace holdfast {

// Polled between rows of a long read; true means the caller gave up (a
// cancelled report, a passed deadline) and the read ends with CANCELLED.
// Empty: never.
using CancelCheck = std::function<bool()>;

// The windows of one config version of a journey: entries assigned under
// that version are analysed with them.
struct VersionWindow {
  std::string config_version;
  int64_t attribution_window_us = 0;  // > 0
  int64_t pre_period_us = 0;          // >= 0
  int64_t refund_horizon_us = 0;      // >= 0
};

// A journey to analyse. The windows here are the fallback for entries whose
// config version is not in `versions` (the serving config's).
struct JourneyWindow {
  std::string journey;
  // Outcomes and sends count for an entry when t0 <= at < window end
  // (docs/storage.md: t0 + window, cut by the unit's next entry).
  int64_t attribution_window_us = 0;  // > 0
  // Pre-period revenue z counts outcomes with t0 - pre_period <= at < t0.
  int64_t pre_period_us = 0;  // >= 0
  // A refund counts when it happens before t0 + window + refund_horizon.
  int64_t refund_horizon_us = 0;  // >= 0
  // Known config versions of the journey (distinct), each with its windows.
  std::vector<VersionWindow> versions;
  // The longest outcome horizon the report measures (µs; docs/storage.md,
  // "Horizons"): each entry then carries its horizon_events with offsets
  // below it. 0: none (horizon_events stay empty, no extra work).
  int64_t max_horizon_us = 0;
  // Store::AggregateAnalysis only (docs/storage.md, "Horizons in the
  // database"): every horizon (µs, ascending, distinct, the last one
  // max_horizon_us) and the grid of the cumulative curve, points t_k =
  // min(k * curve_step_us, max_horizon_us) for k = 1..curve_points (the
  // report's CumulativeGrid). Empty / 0 with max_horizon_us = 0.
  std::vector<int64_t> horizons_us;
  int64_t curve_step_us = 0;
  int64_t curve_points = 0;
};

struct AnalysisQuery {
  // Journeys to stream, each once.
  std::vector<JourneyWindow> journeys;
  // Entries with from <= t0 < min(to, as_of).
  UnixMicros from = 0;
  UnixMicros to = 0;
  // Only events with time < as_of count; an entry is mature when
  // t0 + its full window <= as_of. The default counts everything stored.
  UnixMicros as_of = std::numeric_limits<int64_t>::max();
  // Attribute key whose value becomes AnalysisEntry::segment ("" if the
  // entry lacks it or segment_by is empty).
  std::string segment_by;
  // Store::AggregateAnalysis only: split every cell by the UTC day of its
  // entries' t0 as well (AnalysisCell::day), for reports whose trends bucket
  // by calendar week or month. The entry stream ignores it.
  bool cells_by_day = false;
  // The report adapter (lib/report StoreAnalysisSource) polls it every few
  // hundred rows and ends the scan; a Store may poll it too.
  CancelCheck cancelled;
};

// One revenue-bearing event of an entry's horizon (docs/storage.md,
// "Horizons"): it counts at every horizon h > offset_us.
struct HorizonEvent {
  // A non-refund outcome: at - t0. A refund of an order of the horizon: the
  // first horizon at which it counts, max(order.at - t0, refund.at - t0 -
  // refund_horizon_us) (refunds follow their order and arrive within the
  // refund horizon after the horizon ends).
  int64_t offset_us = 0;
  double revenue = 0.0;
  double margin = 0.0;
  // A CONVERSION or ORDER (counts toward orders, retention, repeat purchase).
  bool order = false;
};

// An entry's sums over [t0, t0 + h) (docs/storage.md, "Horizons"): the one
// fold of its horizon_events, used by every report source.
struct HorizonSums {
  double y = 0.0;
  double m = 0.0;
  int64_t orders = 0;
};
// `events` sorted by offset_us (AnalysisEntry::horizon_events is).
inline HorizonSums SumHorizon(const std::vector<HorizonEvent>& events, int64_t horizon_us) {
  HorizonSums s;
  for (const HorizonEvent& ev : events) {
    if (ev.offset_us >= horizon_us) break;
    s.y += ev.revenue;
    s.m += ev.margin;
    s.orders += ev.order ? 1 : 0;
  }
  return s;
}

// One entry with its windowed sums: the one per-entry struct shared by every
// Store, every report AnalysisSource and the report builder (a new per-entry
// field is added here only). The rules are docs/storage.md's ("Analysis
// queries"), written once as SQL in analysis_sql.h. A stream reuses one
// instance for every row: copy what must outlive the callback.
struct AnalysisEntry {
  std::string journey;
  // The customer id.
  std::string unit;
  EntryGroup group = EntryGroup::kTreatment;
  // Arm name for kTreatment; "" otherwise.
  std::string arm;
  // Journey rotation period index (0 without rotation).
  int64_t period = 0;
  UnixMicros t0 = 0;
  // t0 fell in the washout at the start of its period (decided at assignment
  // with the config version the entry was assigned under).
  bool in_washout = false;
  // Version of the config the entry was assigned under, and whether the
  // query knew it (false: the journey's fallback windows were used).
  std::string config_version;
  bool version_known = false;
  // The windows applied (from the entry's version, or the fallback).
  int64_t window_us = 0;
  int64_t refund_horizon_us = 0;
  // t0 of the unit's next entry in the journey (next period index, t0 <
  // as_of), if any.
  std::optional<UnixMicros> next_t0;
  // min(t0 + window_us, next_t0): the end of the entry's (half-open) window.
  UnixMicros window_end = 0;
  // next_t0 cut the window short of t0 + window_us.
  bool window_cut = false;
  // t0 + window_us <= as_of. An immature entry's sums are all zero: it is
  // counted and excluded, never half-measured.
  bool mature = false;
  // Mature, but as_of < t0 + window_us + refund_horizon_us: refunds of its
  // orders may still arrive (its revenue may still fall).
  bool in_refund_horizon = false;
  // Value of the query's segment attribute; "" when absent or no key asked.
  std::string segment;
  // Revenue: non-refund outcomes of the unit with t0 <= at < window_end, plus
  // the (negative) refunds of those CONVERSION/ORDER outcomes that happen
  // before min(t0 + window_us + refund_horizon_us, as_of).
  double y = 0;
  // Margin, same outcomes and refunds.
  double m = 0;
  // 1 if a CONVERSION or ORDER outcome is in [t0, window_end), else 0.
  int x = 0;
  // Sum of the costs of this journey's sends to the unit in [t0, window_end).
  double c = 0;
  // Number of those sends.
  int64_t sends = 0;
  // Revenue of non-refund outcomes in [t0 - pre_period, t0).
  double z = 0;
  // Number of CONVERSION and ORDER outcomes in [t0, window_end) (x is 1 when
  // it is > 0); refunds do not reduce it.
  int64_t orders = 0;
  // 1 if an UNSUBSCRIBE (COMPLAINT) outcome of the unit is in [t0,
  // window_end), else 0: the guardrail rates are shares of entries.
  int unsubscribed = 0;
  int complained = 0;
  // Sum of incentive_cost (coupons, discounts granted) of the CONVERSION and
  // ORDER outcomes in [t0, window_end); refunds do not give it back.
  double incentive = 0;
  // With JourneyWindow::max_horizon_us = H > 0: the entry's horizon events
  // with offset_us < H, sorted by offset_us (ties: as stored), whatever its
  // maturity (the report applies maturity per horizon: t0 + h <= as_of).
  // Non-refund outcomes of the unit with t0 <= at < min(t0 + H, as_of) — not
  // cut by the next entry — and the refunds (at < as_of) of its CONVERSION /
  // ORDER outcomes in [t0, t0 + H), each at its first counting offset.
  // Empty otherwise.
  std::vector<HorizonEvent> horizon_events;
};

// Analysis in the database (docs/storage.md, "Aggregates"): the per-entry
// variables a cell sums, in storage order. The first
// kNumCellThirdOrderVariables are also summed to third order (the report's
// GroupMoments: Hall's intervals read their third moments).
enum CellVariable : int {
  kCellRevenue = 0,   // y, refunds of the window's orders netted
  kCellMargin,        // m
  kCellConverted,     // x
  kCellCost,          // c
  kCellPreRevenue,    // z
  kCellIncentive,     // incentive
  kCellOrders,        // orders
  kCellUnsubscribed,  // unsubscribed
  kCellComplained,    // complained
  kCellDelivered,     // 1 when sends > 0
  kCellSends,         // sends
  kNumCellVariables,
};
inline constexpr int kNumCellThirdOrderVariables = 6;
inline constexpr int kNumCellSecondOrderSums = kNumCellVariables * (kNumCellVariables + 1) / 2;
inline constexpr int kNumCellThirdOrderSums = kNumCellThirdOrderVariables *
                                              (kNumCellThirdOrderVariables + 1) *
                                              (kNumCellThirdOrderVariables + 2) / 6;

// Packed indices of the cell's sums: pairs a <= b and triples a <= b <= c in
// lexicographic order (the order of GroupMoments' M2Index / M3Index for the
// first six variables).
// The packed index of the pair a <= b among n variables.
constexpr int PackedPairIndex(int n, int a, int b) {
  if (a > b) std::swap(a, b);
  int idx = 0;
  for (int i = 0; i < a; ++i) idx += n - i;
  return idx + (b - a);
}
constexpr int CellPairIndex(int a, int b) { return PackedPairIndex(kNumCellVariables, a, b); }
constexpr int CellTripleIndex(int a, int b, int c) {
  if (a > b) std::swap(a, b);
  if (b > c) std::swap(b, c);
  if (a > b) std::swap(a, b);
  int idx = 0;
  for (int i = 0; i < kNumCellThirdOrderVariables; ++i) {
    for (int j = i; j < kNumCellThirdOrderVariables; ++j) {
      for (int k = j; k < kNumCellThirdOrderVariables; ++k) {
        if (i == a && j == b && k == c) return idx;
        ++idx;
      }
    }
  }
  return -1;
}

// Which of those sums the cell statement computes: the ones some estimator
// reads (docs/storage.md, "Aggregates"). Left out, ~30 % of the sums: the
// products of pre-period revenue with the engagement variables (orders to
// sends; CUPED and the generic metrics never pair them), and the third
// moments of conversion and pre-period revenue (Hall's intervals read those
// of revenue, margin, cost and incentive alone). A cell holds NaN for a sum
// left out, so an estimator that starts reading one shows NaN and fails the
// cells-vs-stream tests instead of reading a silent 0.
constexpr bool CellPairSummed(int a, int b) {
  if (a > b) std::swap(a, b);
  return !(a == kCellPreRevenue && b >= kCellOrders);
}
constexpr bool CellTripleSummed(int a, int b, int c) {
  for (int v : {a, b, c}) {
    if (v == kCellConverted || v == kCellPreRevenue) return false;
  }
  return true;
}
inline constexpr double kCellSumLeftOut = std::numeric_limits<double>::quiet_NaN();
// Sums per cell, read back in this order: s1, then the summed pairs and
// triples in CellPairIndex / CellTripleIndex order.
constexpr int NumCellSums() {
  int n = kNumCellVariables;
  for (int a = 0; a < kNumCellVariables; ++a) {
    for (int b = a; b < kNumCellVariables; ++b) n += CellPairSummed(a, b) ? 1 : 0;
  }
  for (int a = 0; a < kNumCellThirdOrderVariables; ++a) {
    for (int b = a; b < kNumCellThirdOrderVariables; ++b) {
      for (int c = b; c < kNumCellThirdOrderVariables; ++c) n += CellTripleSummed(a, b, c) ? 1 : 0;
    }
  }
  return n;
}
// Pair sums before any entry, P = n (n + 1) / 2 of them: 0 where `summed`,
// else kCellSumLeftOut (NaN): the cells' and the horizon cells' rule.
template <size_t P>
constexpr std::array<double, P> EmptyPairSums(int n, bool (*summed)(int, int)) {
  std::array<double, P> s{};
  for (int a = 0; a < n; ++a) {
    for (int b = a; b < n; ++b) {
      if (!summed(a, b)) s[static_cast<size_t>(PackedPairIndex(n, a, b))] = kCellSumLeftOut;
    }
  }
  return s;
}
// A cell's sums before any entry: 0, and NaN where left out.
constexpr std::array<double, kNumCellSecondOrderSums> EmptyCellPairSums() {
  return EmptyPairSums<kNumCellSecondOrderSums>(kNumCellVariables, CellPairSummed);
}
constexpr std::array<double, kNumCellThirdOrderSums> EmptyCellTripleSums() {
  std::array<double, kNumCellThirdOrderSums> s{};
  for (int a = 0; a < kNumCellThirdOrderVariables; ++a) {
    for (int b = a; b < kNumCellThirdOrderVariables; ++b) {
      for (int c = b; c < kNumCellThirdOrderVariables; ++c) {
        if (!CellTripleSummed(a, b, c)) s[CellTripleIndex(a, b, c)] = kCellSumLeftOut;
      }
    }
  }
  return s;
}
static_assert(NumCellSums() == 92, "11 + 61 pairs + 20 triples; update docs/storage.md when it changes");

// The analysis entries of one journey that share every field the lift report
// classifies by (group, arm, period, config version, washout, maturity;
// with AnalysisQuery::cells_by_day the UTC day of t0, with segment_by the
// segment too), summed inside the database: what leaves it instead of one
// row per entry.
// The per-entry values are AnalysisEntry's, by the same rules.
struct AnalysisCell {
  EntryGroup group = EntryGroup::kTreatment;
  std::string arm;
  int64_t period = 0;
  // floor(t0 / 1 day) of every entry of the cell (days since 1970-01-01 UTC)
  // when the query asked for cells by day; else 0.
  int64_t day = 0;
  // With AnalysisQuery::segment_by: the value of that attribute in every
  // entry of the cell (AnalysisEntry::segment's rule: "" when absent).
  // Entries whose attribute sets differ but agree on this value share one
  // cell. Without segment_by: "".
  std::string segment;
  std::string config_version;
  bool version_known = false;
  bool in_washout = false;
  bool mature = false;
  int64_t entries = 0;
  // Entries whose window the next entry cut (AnalysisEntry::window_cut), and
  // mature ones still inside their refund horizon.
  int64_t window_cut = 0;
  int64_t in_refund_horizon = 0;
  UnixMicros first_t0 = 0;
  UnixMicros last_t0 = 0;
  // Sums over the cell's entries (only meaningful when mature: an immature
  // entry is counted, never measured) of the shifted values d_a = v_a -
  // shift[a]: s1[a] = sum d_a, s2[CellPairIndex(a, b)] = sum d_a d_b,
  // s3[CellTripleIndex(a, b, c)] = sum d_a d_b d_c (kCellSumLeftOut, NaN,
  // for the sums the statement leaves out). The shift is the same for
  // every cell of a journey: the values of one of its mature entries, so the
  // central moments keep their digits however large the means (a shift
  // within a few standard deviations of the mean costs a digit or two of
  // the third moments at most; docs/storage.md, "Aggregates").
  std::array<double, kNumCellVariables> shift{};
  std::array<double, kNumCellVariables> s1{};
  std::array<double, kNumCellSecondOrderSums> s2 = EmptyCellPairSums();
  std::array<double, kNumCellThirdOrderSums> s3 = EmptyCellTripleSums();
};

// Horizons in the database (docs/storage.md, "Horizons in the database"):
// the per-entry variables of a horizon h, in the report's HorizonVariable
// order — revenue and margin over [t0, t0 + h) (HorizonSums), retained (1
// when >= 1 order there), repeat (1 when >= 2), orders, and the entry's
// window send cost.
enum HorizonCellVariable : int {
  kHorizonCellRevenue = 0,
  kHorizonCellMargin,
  kHorizonCellRetained,
  kHorizonCellRepeat,
  kHorizonCellOrders,
  kHorizonCellCost,
  kNumHorizonCellVariables,
};
inline constexpr int kNumHorizonCellPairs =
    kNumHorizonCellVariables * (kNumHorizonCellVariables + 1) / 2;
// At most this many horizons per journey (the config's bound, Journey.horizons).
inline constexpr size_t kMaxCellHorizons = 8;
// At most this many points on a cumulative curve's grid (the report's is 366).
inline constexpr int64_t kMaxCellCurvePoints = 4096;
// Packed index of the pair a <= b of horizon variables, lexicographic.
constexpr int HorizonPairIndex(int a, int b) {
  return PackedPairIndex(kNumHorizonCellVariables, a, b);
}
// Which pairs the horizon statement sums: the ones the horizon metrics read
// (each variable's variance, and revenue and margin with cost for the
// iROAS); the other 13 are NaN in a HorizonCellMoments, never 0, as the
// cells' left-out sums (CellPairSummed).
constexpr bool HorizonPairSummed(int a, int b) {
  if (a > b) std::swap(a, b);
  return a == b || (b == kHorizonCellCost && (a == kHorizonCellRevenue || a == kHorizonCellMargin));
}
constexpr std::array<double, kNumHorizonCellPairs> EmptyHorizonPairSums() {
  return EmptyPairSums<kNumHorizonCellPairs>(kNumHorizonCellVariables, HorizonPairSummed);
}
// Sums per horizon row, read back in this order: s1, then the summed pairs
// in HorizonPairIndex order.
constexpr int NumHorizonSums() {
  int n = kNumHorizonCellVariables;
  for (int a = 0; a < kNumHorizonCellVariables; ++a) {
    for (int b = a; b < kNumHorizonCellVariables; ++b) n += HorizonPairSummed(a, b) ? 1 : 0;
  }
  return n;
}
static_assert(NumHorizonSums() == 14, "6 + 8 pairs; update docs/storage.md when it changes");
// The shift of a journey's horizon sums, from its cells' shift (one mature
// entry's window values: close to the horizon means where it matters, at
// revenue, margin, orders and cost; any constant is exact up to rounding).
inline std::array<double, kNumHorizonCellVariables> HorizonShiftOf(
    const std::array<double, kNumCellVariables>& cell_shift) {
  return {cell_shift[kCellRevenue], cell_shift[kCellMargin], cell_shift[kCellConverted], 0.0,
          cell_shift[kCellOrders],  cell_shift[kCellCost]};
}

// One horizon of an AnalysisHorizonCell: the cell's entries mature at it
// (t0 + h <= as_of), those whose horizon overlaps the unit's next entry
// (next t0 - t0 < h), and the sums of their shifted variables d_a = v_a -
// shift[a]: s1[a] = sum d_a, s2[HorizonPairIndex(a, b)] = sum d_a d_b
// (NaN where HorizonPairSummed is false).
struct HorizonCellMoments {
  int64_t entries = 0;
  int64_t overlapping = 0;
  std::array<double, kNumHorizonCellVariables> shift{};
  std::array<double, kNumHorizonCellVariables> s1{};
  std::array<double, kNumHorizonCellPairs> s2 = EmptyHorizonPairSums();
};

// The analysed entries of one journey (window mature, not in washout, not
// global holdout) that share group, arm, period and segment, measured at
// the journey's horizons inside the database: what the report's horizons
// and cumulative curve read instead of each entry's horizon events.
struct AnalysisHorizonCell {
  EntryGroup group = EntryGroup::kTreatment;
  std::string arm;
  int64_t period = 0;
  std::string segment;  // AnalysisCell::segment's rule
  int64_t entries = 0;
  // One per JourneyWindow::horizons_us.
  std::vector<HorizonCellMoments> horizons;
  // The cumulative curve as difference arrays over the grid (index i is
  // point t_{i+1}; size curve_points + 1): an entry mature at the first K
  // points adds 1 to curve_n[0] and -1 to curve_n[K], and its cumulative
  // value V (revenue over [t0, t0 + t_k)) adds V_i^2 - V_{i-1}^2 to
  // curve_yy[i] where it changes and -V_K^2 at K (curve_y, curve_m, curve_mm
  // alike): prefix sums give, per point, the mature entries and the sums
  // and sums of squares of their values.
  std::vector<int64_t> curve_n;
  std::vector<double> curve_y, curve_yy, curve_m, curve_mm;
};

// A horizon cell of no entry yet, sized for `horizons` horizons and a curve
// of `curve_points` points, its moments about `shift`.
inline AnalysisHorizonCell EmptyHorizonCell(EntryGroup group, std::string arm, int64_t period,
                                            std::string segment, size_t horizons,
                                            int64_t curve_points,
                                            const std::array<double, kNumHorizonCellVariables>& shift) {
  AnalysisHorizonCell c;
  c.group = group;
  c.arm = std::move(arm);
  c.period = period;
  c.segment = std::move(segment);
  c.horizons.resize(horizons);
  for (HorizonCellMoments& h : c.horizons) h.shift = shift;
  const size_t n = static_cast<size_t>(curve_points) + 1;
  c.curve_n.assign(n, 0);
  c.curve_y.assign(n, 0.0);
  c.curve_yy.assign(n, 0.0);
  c.curve_m.assign(n, 0.0);
  c.curve_mm.assign(n, 0.0);
  return c;
}

// Units with an analysed entry (mature, not in washout, not global holdout,
// period within [first_period, last_period]) in exactly the journeys of
// `journeys` (bit k = query journey k).
struct AnalysedUnitSet {
  uint64_t journeys = 0;
  int64_t units = 0;
};
// At most this many journeys per query: their bits 0..61 and their sum fit a
// signed 64-bit SQL integer with a bit to spare.
inline constexpr size_t kMaxAnalysedUnitsJourneys = 62;

// Bound parameters of the customer-overlap statement of `query` (an upper
// bound: every version counted as having its own window), and the most
// either SQL backend takes in one statement (SQLite's limit).
inline size_t AnalysedUnitsParams(const AnalysisQuery& query) {
  size_t n = 5;
  for (const JourneyWindow& j : query.journeys) n += 2 + 2 * j.versions.size();
  return n;
}
inline constexpr size_t kMaxAnalysedUnitsParams = 32766;

// Distinct attribute sets (entries.attributes values) of one journey's
// entries in a query's range up to which a segmented analysis runs in the
// database: at most this many sets times a journey's few dozen cells, about
// 1 KB each, leave it.
inline constexpr int64_t kMaxCellAttributeSets = 1024;

// What the analysis in the database gives for a query, from one snapshot:
// the cells of each journey and the customers per set of journeys.
struct AnalysisAggregates {
  // cells[k]: the cells of query.journeys[k], sorted by (group, arm, period,
  // day, segment, config_version, in_washout, mature) so that every run and
  // every replica merges them in the same order.
  std::vector<std::vector<AnalysisCell>> cells;
  // horizon_cells[k]: the horizon cells of query.journeys[k] (empty when it
  // asks for no horizons), sorted by (group, arm, period, segment).
  std::vector<std::vector<AnalysisHorizonCell>> horizon_cells;
  std::vector<AnalysedUnitSet> units;
  // With segment_by: some journey's entries in the range carry more than
  // kMaxCellAttributeSets distinct attribute sets. The database groups by
  // the whole set (it cannot parse one key out of it), so the cells could
  // come close to one per entry; none are computed (cells and units empty)
  // and the caller streams the entries instead.
  bool too_many_attribute_sets = false;
};

// Per-journey facts beside the entry stream.
struct JourneyDiagnosticsQuery {
  std::string journey;
  // Entries examined for counts and contamination: from <= t0 < to.
  UnixMicros from = 0;
  UnixMicros to = 0;
  // Fixed costs are pro-rated to [max(from, cost_from), min(to, cost_to))
  // (the report narrows it to the mature part of its range).
  UnixMicros cost_from = std::numeric_limits<int64_t>::min();
  UnixMicros cost_to = std::numeric_limits<int64_t>::max();
  // Only sends with at < as_of count as contamination.
  UnixMicros as_of = std::numeric_limits<int64_t>::max();
  // The journey's rotation, to bound each entry's period:
  // period k covers [epoch + k * period_us, epoch + (k + 1) * period_us).
  // period_us == 0: no rotation, one period covering all time.
  int64_t period_us = 0;
  UnixMicros epoch_us = 0;
};

struct JourneyDiagnostics {
  // Sum over the journey's fixed costs of amount * |[start,end) ∩ R| /
  // (end - start), R = [max(from, cost_from), min(to, cost_to)).
  double fixed_cost = 0;
  // Entries in the range (any group).
  int64_t entries = 0;
  // Entries in the range flagged in_washout (excluded from analysis).
  int64_t washout_entries = 0;
  // Sends of this journey, within the entry's period, to units whose entry
  // in the range is HOLDOUT or GLOBAL_HOLDOUT: count, summed cost, and how
  // many distinct such entries received at least one.
  int64_t contaminated_sends = 0;
  double contaminated_cost = 0;
  int64_t contaminated_entries = 0;
};

// Program level (global holdout vs everyone else; docs/report.md, "Program
// report"). The comparison is over a population fixed before a global
// period starts, so the store streams every *known* unit — one in the
// customer roster, or seen through any entry, send or outcome — with all of
// its outcomes and sends in the measured span, whatever journey (if any) it
// triggered. These types serve lib/storage and lib/report alike.
struct ProgramQuery {
  // Outcomes and sends with from <= at < to are summed; units known before
  // `to` are streamed (the report keeps those known before the period start
  // and counts the others as joined during the period).
  UnixMicros from = 0;
  UnixMicros to = 0;
  // Polled every few hundred rows by the report adapter; a Store may poll it.
  CancelCheck cancelled;
};

struct ProgramUnitRow {
  std::string unit;
  // When the unit became known: the earliest of its roster first_seen and
  // the times of its stored entries (t0), sends and outcomes (at).
  UnixMicros first_seen = 0;
  // Outcome sums over [from, to) by the outcome's own time, any type:
  // refunds are negative, so y and m are net.
  double y = 0;
  double m = 0;
  // 1 if a CONVERSION or ORDER outcome is in [from, to), else 0.
  int x = 0;
  // Cost and number of the unit's sends of every journey in [from, to).
  double c = 0;
  int64_t sends = 0;
};


// Per-channel sends and last-touch attribution of one journey, and its fixed
// costs by category (docs/storage.md, "Channels and cost components"). The
// entries are the report's analysed ones: TREATMENT or HOLDOUT, not in
// washout, period in [first_period, last_period], from <= t0 < min(to,
// as_of), mature (t0 + the entry's version's window <= as_of); windows and
// refund deadlines as for ForEachAnalysisEntry.
struct ChannelQuery {
  // The journey's fallback windows and its known versions (max_horizon_us is
  // ignored).
  JourneyWindow journey;
  UnixMicros from = 0;
  UnixMicros to = 0;
  UnixMicros as_of = std::numeric_limits<int64_t>::max();
  // Journey rotation periods analysed (inclusive).
  int64_t first_period = std::numeric_limits<int64_t>::min();
  int64_t last_period = std::numeric_limits<int64_t>::max();
  // Fixed costs are pro-rated to [max(from, cost_from), min(to, cost_to)),
  // as JourneyDiagnosticsQuery's.
  UnixMicros cost_from = std::numeric_limits<int64_t>::min();
  UnixMicros cost_to = std::numeric_limits<int64_t>::max();
};

// One (group, arm, channel) of a journey's analysed entries.
struct ChannelAggregate {
  // kTreatment or kHoldout (holdout sends are contamination).
  EntryGroup group = EntryGroup::kTreatment;
  // The entries' arm ("" for the holdout).
  std::string arm;
  // The send channel; "" when `unattributed`.
  std::string channel;
  // Orders in a window with no send of the journey before them in it: their
  // revenue is credited to no channel (sends and send_cost are 0).
  bool unattributed = false;
  // The journey's sends on this channel in the entries' windows.
  int64_t sends = 0;
  double send_cost = 0.0;
  // CONVERSION / ORDER outcomes in the windows whose last prior send of the
  // journey in the window (at < order time; ties: the greater send_id) is on
  // this channel, and their revenue net of their refunds before min(t0 + W +
  // H, as_of) (refunds follow their order, as in AnalysisEntry::y).
  int64_t attributed_orders = 0;
  double attributed_revenue = 0.0;
};

// A fixed-cost category of the journey, pro-rated to the query's cost range.
struct FixedCostCategory {
  std::string category;
  double amount = 0.0;
};

struct JourneyChannels {
  // Sorted by group, arm, unattributed (attributed first), channel (bytes).
  std::vector<ChannelAggregate> channels;
  // Sorted by category (bytes); categories with no overlap are left out.
  std::vector<FixedCostCategory> fixed_costs;
};

// Folds one ChannelAttributionSql row (analysis_sql.h) into out->channels:
// kind 0 adds sends and send cost, kind 1 attributed orders and revenue;
// `channel` nullopt is the unattributed row. Every source folds with it.
inline void AddChannelRow(int kind, int group, const std::string& arm,
                          const std::optional<std::string>& channel, int64_t count, double amount,
                          JourneyChannels* out) {
  const EntryGroup g = static_cast<EntryGroup>(group);
  const bool unattributed = !channel.has_value();
  const std::string name = channel.value_or("");
  ChannelAggregate* row = nullptr;
  for (ChannelAggregate& c : out->channels) {
    if (c.group == g && c.arm == arm && c.unattributed == unattributed && c.channel == name) {
      row = &c;
      break;
    }
  }
  if (row == nullptr) {
    out->channels.push_back({g, arm, name, unattributed});
    row = &out->channels.back();
  }
  if (kind == 0) {
    row->sends += count;
    row->send_cost += amount;
  } else {
    row->attributed_orders += count;
    row->attributed_revenue += amount;
  }
}

// Sorts out->channels and out->fixed_costs as JourneyChannels documents.
inline void SortJourneyChannels(JourneyChannels* out) {
  std::sort(out->channels.begin(), out->channels.end(),
            [](const ChannelAggregate& a, const ChannelAggregate& b) {
              return std::tie(a.group, a.arm, a.unattributed, a.channel) <
                     std::tie(b.group, b.arm, b.unattributed, b.channel);
            });
  std::sort(out->fixed_costs.begin(), out->fixed_costs.end(),
            [](const FixedCostCategory& a, const FixedCostCategory& b) {
              return a.category < b.category;
            });
}

}  // namespace holdfast

#endif  // HOLDFAST_LIB_STORAGE_ANALYSIS_H_
