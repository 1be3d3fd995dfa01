#include "lib/storage/analysis_sql.h"

#include <algorithm>
#include <array>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "lib/base/time_util.h"

namespace holdfast {
namespace {

// Parameter marker n.
std::string P(SqlDialect d, int n) { return absl::StrCat(d == SqlDialect::kSqlite ? "?" : "$", n); }

// The smaller of two values (SQLite's two-argument min is scalar).
std::string Least(SqlDialect d, const std::string& a, const std::string& b) {
  return absl::StrCat(d == SqlDialect::kSqlite ? "min(" : "LEAST(", a, ", ", b, ")");
}

// A sum that is 0.0, not NULL, over no rows.
std::string Total(SqlDialect d, const std::string& x) {
  if (d == SqlDialect::kSqlite) return absl::StrCat("total(", x, ")");
  return absl::StrCat("COALESCE(SUM(", x, "), 0)");
}

// Total(x) over the rows where `cond` holds. A FILTER clause, not
// total(CASE WHEN cond THEN x END): the aggregate is not stepped at all for
// the other rows, which in SQLite is most of the cost of an aggregate over the
// outcome join (each entry without outcomes still yields one NULL row for
// every aggregate). Measured: -15 % of the analysis SQL's time at 1 M entries
// (docs/performance.md).
std::string FilteredTotal(SqlDialect d, const std::string& x, const std::string& cond) {
  if (d == SqlDialect::kSqlite) return absl::StrCat("total(", x, ") FILTER (WHERE ", cond, ")");
  return absl::StrCat("COALESCE(SUM(", x, ") FILTER (WHERE ", cond, "), 0)");
}

// Rows where `cond` holds (0 over none), and 1 when there is any, else 0.
std::string FilteredCount(const std::string& cond) {
  return absl::StrCat("count(*) FILTER (WHERE ", cond, ")");
}
std::string FilteredAny(const std::string& cond) {
  return absl::StrCat("CASE WHEN ", FilteredCount(cond), " > 0 THEN 1 ELSE 0 END");
}

// The per-entry window rules of docs/storage.md as SQL over an entry `e`
// (and, with `lookup`, the versions CTE `v`), for every query that applies
// them: AnalysisEntrySql and ChannelAttributionSql.
struct EntryWindowSql {
  std::string w, h, pre;  // the entry's full window, refund horizon, pre-period
  std::string end;        // window end: t0 + w, cut by the next entry's t0
  std::string deadline;   // refunds count before min(t0 + w + h, as_of)
  std::string mature;     // the full window ended by as_of
};
// `*_param`: the fallback's parameter numbers (pre_param 0: not needed);
// `next_t0`: SQL for the t0 of the unit's next entry, "" when none can exist.
EntryWindowSql EntryWindows(SqlDialect d, bool lookup, int window_param, int horizon_param,
                            int pre_param, const std::string& as_of, const std::string& next_t0) {
  const bool pg = d == SqlDialect::kPostgres;
  // The entry's version's value when the version differs from the fallback
  // (JourneyVersions; the v CTE), else the fallback.
  auto window = [&](const char* column, int fallback) {
    if (lookup) return absl::StrCat("coalesce(v.", column, ", ", P(d, fallback), ")");
    return pg ? absl::StrCat(P(d, fallback), "::bigint") : P(d, fallback);
  };
  EntryWindowSql out;
  out.w = window("w", window_param);
  out.h = window("h", horizon_param);
  if (pre_param != 0) out.pre = window("p", pre_param);
  out.end = next_t0.empty() ? absl::StrCat("(e.t0 + ", out.w, ")")
                            : Least(d, absl::StrCat("e.t0 + ", out.w),
                                    absl::StrCat("coalesce(", next_t0, ", 9223372036854775807)"));
  // A cut does not move the refund deadline.
  out.deadline = Least(d, absl::StrCat("e.t0 + ", out.w, " + ", out.h), as_of);
  out.mature = absl::StrCat("e.t0 + ", out.w, " <= ", as_of);
  return out;
}

// Fixed-cost rows of `fixed_costs` pro-rated to [from, to): the one
// definition of F's pro-rating (the share of each cost's span inside the range).
std::string ProRatedFixedCost(SqlDialect d, const std::string& from, const std::string& to) {
  const bool pg = d == SqlDialect::kPostgres;
  return Total(d, absl::StrCat("amount * (CAST(", Least(d, "\"end\"", to), " - ",
                               pg ? "GREATEST(" : "max(", "start, ", from, ") AS ",
                               pg ? "double precision" : "REAL", ") / (\"end\" - start))"));
}

// Fixed costs of journey ?1 pro-rated to [?2, ?3), per category or in total.
std::string JourneyFixedCostSql(SqlDialect d, bool by_category) {
  const bool pg = d == SqlDialect::kPostgres;
  const std::string from = pg ? "$2::bigint" : "?2", to = pg ? "$3::bigint" : "?3";
  return absl::StrCat("SELECT ", by_category ? "category, " : "", ProRatedFixedCost(d, from, to),
                      "\nFROM fixed_costs\nWHERE journey = ", P(d, 1), " AND start < ", to,
                      " AND \"end\" > ", from, " AND ", from, " < ", to, "\n",
                      by_category ? "GROUP BY category\n" : "");
}

}  // namespace

namespace {

// The per-entry sums of AnalysisEntrySql, columns kColY..kColIncentive, over
// the event rows `o` joined to an entry `e` (aliases: SQLite joins outcomes
// `o` to entries `e`; PostgreSQL reads both from one sorted row `ev`), with
// the entry's window end and refund deadline. `outcome`: the condition that
// a joined row is an outcome, not a send (PostgreSQL's events carry both);
// `send_cost` and `send_count`: the entry's sends in the window.
std::string EntrySumsSql(SqlDialect d, const std::string& e, const std::string& o,
                         const std::string& outcome, const std::string& end,
                         const std::string& deadline, const std::string& send_cost,
                         const std::string& send_count) {
  const std::string t0 = absl::StrCat(e, ".t0"), at = absl::StrCat(o, ".at"),
                    type = absl::StrCat(o, ".type");
  auto col = [&o](const char* name) { return absl::StrCat(o, ".", name); };
  // Inside the window, before the entry (the pre-period), and an order
  // (CONVERSION or ORDER) inside the window. The same text in every
  // aggregate, so SQLite computes the order count once.
  const std::string in_window = absl::StrCat(outcome, at, " >= ", t0);
  const std::string before_entry = absl::StrCat(outcome, at, " < ", t0);
  const std::string order_in_window = absl::StrCat(at, " >= ", t0, " AND ", type, " IN (1, 2)");
  auto refund_sum = [&](const char* column) {
    return absl::StrCat("CASE WHEN ", FilteredCount(order_in_window), " > 0 THEN (SELECT ",
                        Total(d, absl::StrCat("r.", column)),
                        " FROM outcomes r JOIN outcomes od ON od.outcome_id = r.order_id"
                        " WHERE r.unit = ", e, ".unit AND r.type = 3 AND r.at < ", deadline,
                        " AND od.unit = ", e, ".unit AND od.type IN (1, 2) AND od.at >= ", t0,
                        " AND od.at < ", end, ") ELSE 0 END");
  };
  return absl::StrCat(
      "  ", FilteredTotal(d, col("revenue"), in_window), ",\n",
      "  ", FilteredTotal(d, col("margin"), in_window), ",\n",
      "  ", FilteredAny(order_in_window), ",\n",
      "  ", FilteredTotal(d, col("revenue"), before_entry), ",\n",
      "  ", send_cost, ",\n",
      "  ", send_count, ",\n",
      "  ", refund_sum("revenue"), ",\n",
      "  ", refund_sum("margin"), ",\n",
      "  ", FilteredCount(order_in_window), ",\n",
      "  ", FilteredAny(absl::StrCat(at, " >= ", t0, " AND ", type, " = 4")), ",\n",
      "  ", FilteredAny(absl::StrCat(at, " >= ", t0, " AND ", type, " = 5")), ",\n",
      "  ", FilteredTotal(d, col("incentive_cost"), order_in_window), ",\n");
}

}  // namespace

std::string AnalysisEntrySql(SqlDialect d, size_t versions, int64_t max_horizon_us,
                             bool next_entry_possible, bool with_attributes, AnalysisSlice slice) {
  const bool pg = d == SqlDialect::kPostgres;
  // The slice's unit range, on the entries and on the joined outcomes (and
  // PostgreSQL's sends), whose merge join would otherwise read the rows of
  // every unit before the range: PostgreSQL infers no range on o.unit from
  // o.unit = e.unit.
  std::string entry_range, outcome_range, send_range;
  const int range_param = AnalysisUnitRangeParam(versions);
  auto bound = [&](const char* column, const char* op, int param) {
    return absl::StrCat(" AND ", column, " ", op, " ", P(d, param), pg ? "::text" : "");
  };
  if (slice.lower) {
    absl::StrAppend(&entry_range, bound("e.unit", ">=", range_param));
    absl::StrAppend(&outcome_range, bound(pg ? "x.unit" : "o.unit", ">=", range_param));
    absl::StrAppend(&send_range, bound("s.unit", ">=", range_param));
  }
  if (slice.upper) {
    absl::StrAppend(&entry_range, bound("e.unit", "<", range_param + 1));
    absl::StrAppend(&outcome_range, bound(pg ? "x.unit" : "o.unit", "<", range_param + 1));
    absl::StrAppend(&send_range, bound("s.unit", "<", range_param + 1));
  }
  // Versions known to the caller, with their windows.
  std::string values;
  for (size_t k = 0; k < versions; ++k) {
    const int b = kAnalysisParamFirstVersion + 4 * static_cast<int>(k);
    if (pg) {
      absl::StrAppend(&values, k ? ", " : "", "(", P(d, b), "::text, ", P(d, b + 1), "::bigint, ",
                      P(d, b + 2), "::bigint, ", P(d, b + 3), "::bigint)");
    } else {
      absl::StrAppend(&values, k ? ", " : "", "(", P(d, b), ", ", P(d, b + 1), ", ", P(d, b + 2),
                      ", ", P(d, b + 3), ")");
    }
  }
  // The entry's windows: its version's when that differs from the fallback
  // (JourneyVersions), else the fallback; without such versions, no lookup.
  const bool lookup = versions > 0;
  const std::string with_versions =
      lookup ? absl::StrCat("WITH v(version, w, p, h) AS (VALUES ", values, ")\n") : "";
  const std::string join_versions = lookup ? "LEFT JOIN v ON v.version = e.config_version\n" : "";
  const std::string as_of = P(d, kAnalysisParamAsOf);
  // Window end: t0 + window, cut by the unit's next entry in the journey.
  const EntryWindowSql win =
      EntryWindows(d, lookup, kAnalysisParamWindow, kAnalysisParamRefundHorizon,
                   kAnalysisParamPrePeriod, as_of, next_entry_possible ? "nx.t0" : "");
  const std::string entry_filter =
      absl::StrCat("WHERE e.journey = ", P(d, kAnalysisParamJourney), " AND e.t0 >= ",
                   P(d, kAnalysisParamFrom), " AND e.t0 < ", P(d, kAnalysisParamTo), entry_range, "\n");
  // Horizon events (docs/storage.md, "Horizons") of entry `e` (its unit and
  // t0 columns) with refund horizon `h`: not cut by the next entry; refunds of
  // the horizon's orders at their first counting offset max(order offset,
  // refund offset - refund horizon), before as_of.
  auto horizon_columns = [&](const std::string& e, const std::string& h) {
    if (max_horizon_us <= 0) return std::string("  NULL,\n  NULL\n");
    const std::string hmax = absl::StrCat(max_horizon_us);
    const std::string unit = absl::StrCat(e, ".unit"), t0 = absl::StrCat(e, ".t0");
    auto encode = [&](const std::string& off, const std::string& rev, const std::string& mar,
                      const std::string& order) {
      if (pg) return absl::StrCat("string_agg(concat_ws(' ', ", off, ", ", rev, ", ", mar, ", ",
                                  order, "), ';')");
      return absl::StrCat("group_concat(printf('%d %!.17g %!.17g %d', ", off, ", ", rev, ", ", mar,
                          ", ", order, "), ';')");
    };
    return absl::StrCat(
        "  (SELECT ",
        encode(absl::StrCat("ho.at - ", t0), "ho.revenue", "ho.margin",
               "CASE WHEN ho.type IN (1, 2) THEN 1 ELSE 0 END"),
        " FROM outcomes ho WHERE ho.unit = ", unit, " AND ho.type <> 3 AND ho.at >= ", t0,
        " AND ho.at < ", t0, " + ", hmax, " AND ho.at < ", as_of, "),\n",
        "  (SELECT ",
        encode(absl::StrCat("CASE WHEN hd.at > hr.at - ", h, " THEN hd.at - ", t0,
                            " ELSE hr.at - ", h, " - ", t0, " END"),
               "hr.revenue", "hr.margin", "0"),
        " FROM outcomes hr JOIN outcomes hd ON hd.outcome_id = hr.order_id"
        " WHERE hr.unit = ", unit, " AND hr.type = 3 AND hr.at < ", as_of, " AND hr.at < ", t0,
        " + ", hmax, " + ", h, " AND hd.unit = ", unit,
        " AND hd.type IN (1, 2) AND hd.at >= ", t0, " AND hd.at < ", t0, " + ", hmax, ")\n");
  };

  if (!pg) {
    // SQLite: entries joined to their outcomes in [t0 - pre, end), grouped
    // by the entry key, which the join follows (no sort); sends from two
    // correlated lookups (cost, count) on the covering sends_by_unit.
    const std::string sends_of_entry =
        absl::StrCat("FROM sends s WHERE s.unit = e.unit AND s.journey = e.journey"
                     " AND s.at >= e.t0 AND s.at < ", win.end);
    return absl::StrCat(
        with_versions,
        "SELECT e.unit, e.grp, e.arm, e.period, e.t0, e.in_washout, ",
        with_attributes ? "e.attributes" : "NULL", ", e.config_version,\n",
        "  ", win.w, ", ", win.h, ", ", next_entry_possible ? "nx.t0" : "NULL", ",\n",
        EntrySumsSql(d, "e", "o", "", win.end, win.deadline,
                     absl::StrCat("(SELECT ", Total(d, "s.cost"), " ", sends_of_entry, ")"),
                     absl::StrCat("(SELECT count(*) ", sends_of_entry, ")")),
        horizon_columns("e", win.h),
        "FROM entries e\n", join_versions,
        // The next entry: the unit's entry in this journey with the next
        // higher period among those before as_of, looked up once per entry
        // (as a join on the full key whose period is a correlated min()), so
        // its t0 is a plain column below.
        next_entry_possible
            ? absl::StrCat(
                  "LEFT JOIN entries nx ON nx.journey = e.journey AND nx.unit = e.unit AND nx.period =\n",
                  "  (SELECT min(n2.period) FROM entries n2 WHERE n2.journey = e.journey AND n2.unit = e.unit\n",
                  "     AND n2.period > e.period AND n2.t0 < ", as_of, ")\n")
            : "",
        "LEFT JOIN outcomes o ON o.unit = e.unit AND o.type <> 3", outcome_range, "\n",
        "  AND o.at >= e.t0 - ", win.pre, " AND o.at < ", win.end, "\n",
        entry_filter,
        "GROUP BY e.unit, e.period\n",
        slice.ordered ? "ORDER BY e.unit, e.period\n" : "");
  }

  // PostgreSQL: the journey's sends and the non-refund outcomes as one
  // relation of events (a send is type 0 with its cost; an outcome's cost is
  // 0), joined to the entries once on the unit — a merge join of two
  // unit-ordered streams instead of an index probe into sends per entry
  // (docs/performance.md, "One join for sends and outcomes").
  //
  // The sums must add the same values in the same order whatever the plan,
  // so that slices on several connections, replicas and one statement over
  // the whole journey agree to the last bit. A plan may sort the joined rows
  // again on the group key (after a hash join, or to group by the next
  // entry's t0), and PostgreSQL's sort is not stable: so the joined rows are
  // a subquery `ev` ordered on the entry's columns and then on every column
  // of the event, and the GROUP BY names the entry's columns in that same
  // order, which the sorted rows already satisfy (no sort above them). The
  // events come sorted the same way, so the outer sort finds each entry's
  // rows in order (an incremental sort of presorted groups, within the
  // measurement's noise at 1 M entries).
  // The entry's columns of ev (name, SQL over e), in sort order.
  std::vector<std::pair<std::string, std::string>> entry_columns;
  for (const char* c : {"unit", "period", "grp", "arm", "t0", "in_washout", "attributes",
                        "config_version"}) {
    if (std::string(c) == "attributes" && !with_attributes) continue;
    entry_columns.emplace_back(c, absl::StrCat("e.", c));
  }
  // The windows: literals without a version lookup (a constant is no sort
  // key, so it stays out of the ordered columns), else columns of ev.
  std::string w_out = win.w, h_out = win.h;
  if (lookup) {
    entry_columns.emplace_back("w", win.w);
    entry_columns.emplace_back("h", win.h);
    w_out = "ev.w";
    h_out = "ev.h";
  }
  if (next_entry_possible) entry_columns.emplace_back("next_t0", "nx.t0");
  entry_columns.emplace_back("wend", win.end);
  entry_columns.emplace_back("deadline", win.deadline);
  std::vector<std::string> inner_entry, order_by, group_by;
  for (const auto& [name, sql] : entry_columns) {
    inner_entry.push_back(sql == absl::StrCat("e.", name) ? sql : absl::StrCat(sql, " AS ", name));
    order_by.push_back(name);
    group_by.push_back(absl::StrCat("ev.", name));
  }
  const char kEventColumns[] = "at, type, cost, revenue, margin, incentive_cost";
  return absl::StrCat(
      with_versions,
      "SELECT ev.unit, ev.grp, ev.arm, ev.period, ev.t0, ev.in_washout, ",
      with_attributes ? "ev.attributes" : "NULL::bytea", ", ev.config_version,\n",
      "  ", w_out, ", ", h_out, ", ", next_entry_possible ? "ev.next_t0" : "NULL::bigint", ",\n",
      EntrySumsSql(d, "ev", "ev", "ev.type > 0 AND ", "ev.wend", "ev.deadline",
                   FilteredTotal(d, "ev.cost", "ev.type = 0 AND ev.at >= ev.t0"),
                   FilteredCount("ev.type = 0 AND ev.at >= ev.t0")),
      horizon_columns("ev", h_out),
      "FROM (SELECT ", absl::StrJoin(inner_entry, ", "), ",\n",
      "    o.at, o.type, o.cost, o.revenue, o.margin, o.incentive_cost\n",
      "  FROM entries e\n", join_versions,
      // The next entry as one LATERAL index probe (a min() form planned as a
      // hash join over the journey's entries plus a subplan per row: 9.3 s
      // vs 4.0 s at 1 M).
      next_entry_possible
          ? absl::StrCat("  LEFT JOIN LATERAL (SELECT n2.t0 FROM entries n2 WHERE n2.journey = e.journey\n",
                         "    AND n2.unit = e.unit AND n2.period > e.period AND n2.t0 < ", as_of,
                         "\n    ORDER BY n2.period LIMIT 1) nx ON true\n")
          : "",
      "  LEFT JOIN (SELECT s.unit, s.at, 0 AS type, s.cost, 0::float8 AS revenue,"
      " 0::float8 AS margin, 0::float8 AS incentive_cost\n"
      "      FROM sends s WHERE s.journey = ", P(d, kAnalysisParamJourney), send_range, "\n",
      "    UNION ALL SELECT x.unit, x.at, x.type, 0::float8, x.revenue, x.margin, x.incentive_cost\n"
      "      FROM outcomes x WHERE x.type <> 3", outcome_range, "\n",
      "    ORDER BY unit, ", kEventColumns, ") o\n",
      "    ON o.unit = e.unit AND o.at >= e.t0 - ", win.pre, " AND o.at < ", win.end, "\n",
      "  ", entry_filter,
      "  ORDER BY ", absl::StrJoin(order_by, ", "), ", ", kEventColumns, ") ev\n",
      "GROUP BY ", absl::StrJoin(group_by, ", "), "\n",
      slice.ordered ? "ORDER BY ev.unit, ev.period\n" : "");
}

namespace {

// AnalysisEntrySql's columns (AnalysisColumn order), named for the queries
// that read it as a subquery.
constexpr const char kEntryColumnNames[] =
    "unit, grp, arm, period, t0, in_washout, attributes, config_version, w, h, next_t0, y, m, x, "
    "z, c, n, ry, rm, orders, unsub, compl, inc, hev, hrf";

// A row q of AnalysisEntrySql as the cell variables (CellVariable order):
// the values the entry stream's C++ reads from the same columns (y and m with
// their refunds, delivered = sends > 0).
std::array<std::string, kNumCellVariables> CellValues() {
  return {"(q.y + q.ry)", "(q.m + q.rm)", "q.x",     "q.c",
          "q.z",          "q.inc",        "q.orders", "q.unsub",
          "q.compl",      "(CASE WHEN q.n > 0 THEN 1 ELSE 0 END)", "q.n"};
}

// FinishAnalysisEntry's rules over a row q (the same comparisons): mature when
// the full window ended by as_of; cut when the next entry starts inside it;
// the refund horizon still open after a mature window.
std::string CellMature(SqlDialect d) { return absl::StrCat("q.t0 + q.w <= ", P(d, kAnalysisParamAsOf)); }
constexpr const char kCellCut[] = "q.next_t0 IS NOT NULL AND q.next_t0 < q.t0 + q.w";
std::string CellRefundHorizonOpen(SqlDialect d) {
  return absl::StrCat("q.t0 + q.w + q.h > ", P(d, kAnalysisParamAsOf));
}

std::string EntriesAsQ(SqlDialect d, size_t versions, bool next_entry_possible,
                       bool with_attributes, AnalysisSlice slice) {
  slice.ordered = false;
  return absl::StrCat("WITH q(", kEntryColumnNames, ") AS (\n",
                      AnalysisEntrySql(d, versions, 0, next_entry_possible, with_attributes, slice),
                      ")\n");
}

}  // namespace

std::string AnalysisCellSql(SqlDialect d, size_t versions, bool next_entry_possible, bool by_day,
                            bool by_attributes, AnalysisSlice slice) {
  const bool pg = d == SqlDialect::kPostgres;
  const std::array<std::string, kNumCellVariables> values = CellValues();
  // The shifted values, once per row (an inner select), then plain sums of
  // their products: partial sums of parallel workers add up.
  std::string shifted;
  const int shift = AnalysisCellShiftParam(versions, slice);
  for (int a = 0; a < kNumCellVariables; ++a) {
    absl::StrAppend(&shifted, ", ", values[a], " - ", P(d, shift + a), pg ? "::float8" : "",
                    " AS d", a);
  }
  auto sum = [&](const std::string& x) { return Total(d, x); };
  std::string sums;
  for (int a = 0; a < kNumCellVariables; ++a) absl::StrAppend(&sums, ",\n  ", sum(absl::StrCat("d", a)));
  // Only the sums an estimator reads (CellPairSummed, CellTripleSummed).
  for (int a = 0; a < kNumCellVariables; ++a) {
    for (int b = a; b < kNumCellVariables; ++b) {
      if (CellPairSummed(a, b)) absl::StrAppend(&sums, ", ", sum(absl::StrCat("d", a, " * d", b)));
    }
  }
  for (int a = 0; a < kNumCellThirdOrderVariables; ++a) {
    for (int b = a; b < kNumCellThirdOrderVariables; ++b) {
      for (int c = b; c < kNumCellThirdOrderVariables; ++c) {
        if (!CellTripleSummed(a, b, c)) continue;
        absl::StrAppend(&sums, ", ", sum(absl::StrCat("d", a, " * d", b, " * d", c)));
      }
    }
  }
  return absl::StrCat(
      EntriesAsQ(d, versions, next_entry_possible, by_attributes, slice),
      "SELECT grp, arm, period, ", by_day ? "day" : "0", ", ", by_attributes ? "attributes" : "NULL",
      ", config_version, in_washout, mature, count(*),\n",
      "  count(*) FILTER (WHERE cut = 1), count(*) FILTER (WHERE mature = 1 AND open_refunds = 1),\n",
      "  min(t0), max(t0)", sums, "\n",
      "FROM (SELECT q.grp, q.arm, q.period, q.config_version, q.in_washout, q.t0,",
      by_attributes ? " q.attributes," : "", "\n",
      // Both dialects' integer / and % truncate toward zero; the CASE makes
      // the day a floor (times are never negative today, the rule is kept).
      by_day ? absl::StrCat("  q.t0 / ", kDayMicros, " - CASE WHEN q.t0 % ", kDayMicros,
                            " < 0 THEN 1 ELSE 0 END AS day,\n")
             : "",
      "  CASE WHEN ", CellMature(d), " THEN 1 ELSE 0 END AS mature,\n",
      "  CASE WHEN ", kCellCut, " THEN 1 ELSE 0 END AS cut,\n",
      "  CASE WHEN ", CellRefundHorizonOpen(d), " THEN 1 ELSE 0 END AS open_refunds", shifted,
      "\n  FROM q) AS r\n",
      "GROUP BY grp, arm, period, ", by_day ? "day, " : "", by_attributes ? "attributes, " : "",
      "config_version, in_washout, mature\n");
}

std::string AnalysisHorizonSql(SqlDialect d, size_t versions, bool next_entry_possible,
                               bool by_attributes, const std::vector<int64_t>& horizons_us,
                               int64_t curve_step_us, int64_t curve_points, AnalysisSlice slice) {
  const bool pg = d == SqlDialect::kPostgres;
  const std::string as_of = pg ? absl::StrCat(P(d, kAnalysisParamAsOf), "::bigint")
                               : P(d, kAnalysisParamAsOf);
  const std::string hmax = absl::StrCat(horizons_us.empty() ? 0 : horizons_us.back());
  const std::string step = absl::StrCat(curve_step_us), points = absl::StrCat(curve_points);
  const std::string zero = pg ? "0::float8" : "0.0";
  auto sum = [&](const std::string& x) { return Total(d, x); };
  const std::string key = "grp, arm, period, attributes";
  // The entry's columns every row below carries (so no step joins a
  // materialized relation back to the entries: SQLite would scan it once
  // per entry).
  const std::string entry = "unit, period, grp, arm, attributes, t0, next_t0, c, mp";
  auto entry_of = [](const char* alias) {
    return absl::StrCat(alias, ".unit, ", alias, ".period, ", alias, ".grp, ", alias, ".arm, ",
                        alias, ".attributes, ", alias, ".t0, ", alias, ".next_t0, ", alias, ".c, ",
                        alias, ".mp");
  };
  // The horizons as a relation (k, h).
  std::string hk;
  for (size_t k = 0; k < horizons_us.size(); ++k) {
    absl::StrAppend(&hk, k ? ", " : "", "(", k, ", ", horizons_us[k], ")");
  }
  // The analysed entries with the number of grid points they are mature at
  // (CumulativeAccumulator::Add's rule).
  const std::string analysed = absl::StrCat(
      "a AS MATERIALIZED (\n"
      "  SELECT q.unit, q.period, q.grp, q.arm, q.attributes, q.t0, q.next_t0, q.c, q.h,\n"
      "    CASE WHEN ", as_of, " - q.t0 >= ", hmax, " THEN ", points, " ELSE ",
      Least(d, points, absl::StrCat("(", as_of, " - q.t0) / ", step)), " END AS mp\n"
      "  FROM q WHERE ", CellMature(d), " AND q.in_washout = 0 AND q.grp <> ",
      static_cast<int>(EntryGroup::kGlobalHoldout), "\n"
      "),\n");
  // Their horizon events (AnalysisEntrySql's horizon columns, as rows):
  // non-refund outcomes at their offset, refunds of the horizon's orders at
  // their first counting offset.
  const std::string events = absl::StrCat(
      "ev AS MATERIALIZED (\n"
      "  SELECT ", entry_of("a"), ", ho.at - a.t0 AS off,\n"
      "    ho.revenue AS rev, ho.margin AS mar, CASE WHEN ho.type IN (1, 2) THEN 1 ELSE 0 END AS ord\n"
      "  FROM a JOIN outcomes ho ON ho.unit = a.unit AND ho.type <> 3 AND ho.at >= a.t0\n"
      "    AND ho.at < a.t0 + ", hmax, " AND ho.at < ", as_of, "\n"
      "  UNION ALL\n"
      "  SELECT ", entry_of("a"), ",\n"
      "    CASE WHEN hd.at > hr.at - a.h THEN hd.at - a.t0 ELSE hr.at - a.h - a.t0 END,\n"
      "    hr.revenue, hr.margin, 0\n"
      "  FROM a JOIN outcomes hr ON hr.unit = a.unit AND hr.type = 3 AND hr.at < ", as_of, "\n"
      "    AND hr.at < a.t0 + ", hmax, " + a.h\n"
      "  JOIN outcomes hd ON hd.outcome_id = hr.order_id AND hd.unit = a.unit AND hd.type IN (1, 2)\n"
      "    AND hd.at >= a.t0 AND hd.at < a.t0 + ", hmax, "\n"
      "),\n");
  // Per entry with events: revenue, margin and orders over [t0, t0 + h_k)
  // for every horizon k, and its cumulative revenue and margin at its last
  // mature grid point. The entries without events (most: no order within
  // the longest horizon) are all 0 but the cost; kind 3 counts them from a.
  std::string per_entry;
  for (size_t k = 0; k < horizons_us.size(); ++k) {
    const std::string in = absl::StrCat("off < ", horizons_us[k]);
    absl::StrAppend(&per_entry, ",\n    ", FilteredTotal(d, "rev", in), " AS y", k, ", ",
                    FilteredTotal(d, "mar", in), " AS m", k, ", ",
                    FilteredCount(absl::StrCat("ord = 1 AND ", in)), " AS o", k);
  }
  const std::string at_last_point = absl::StrCat("off / ", step, " < mp");
  absl::StrAppend(&per_entry, ",\n    ", FilteredTotal(d, "rev", at_last_point), " AS v, ",
                  FilteredTotal(d, "mar", at_last_point), " AS vm");
  auto pick = [&](const char* var) {
    std::string s = "CASE hk.k";
    for (size_t k = 0; k < horizons_us.size(); ++k) absl::StrAppend(&s, " WHEN ", k, " THEN hs.", var, k);
    return absl::StrCat(s, " END");
  };
  // The horizon variables (HorizonCellVariable order), shifted.
  const int shift = AnalysisCellShiftParam(versions, slice);
  auto shift_of = [&](int v) { return absl::StrCat(P(d, shift + v), pg ? "::float8" : ""); };
  const std::array<std::string, kNumHorizonCellVariables> vars = {
      pick("y"), pick("m"), absl::StrCat("CASE WHEN ", pick("o"), " >= 1 THEN 1 ELSE 0 END"),
      absl::StrCat("CASE WHEN ", pick("o"), " >= 2 THEN 1 ELSE 0 END"), pick("o"), "hs.c"};
  std::string shifted, moment_sums;
  for (int v = 0; v < kNumHorizonCellVariables; ++v) {
    absl::StrAppend(&shifted, ",\n    ", vars[v], " - ", P(d, shift + v), pg ? "::float8" : "",
                    " AS d", v);
    absl::StrAppend(&moment_sums, ", ", sum(absl::StrCat("d", v)));
  }
  for (int a = 0; a < kNumHorizonCellVariables; ++a) {
    for (int b = a; b < kNumHorizonCellVariables; ++b) {
      if (!HorizonPairSummed(a, b)) continue;
      absl::StrAppend(&moment_sums, ", ", sum(absl::StrCat("d", a, " * d", b)));
    }
  }
  // Kinds 1 and 2 fill four sums; the rest are 0.
  std::string padding;
  for (int i = 4; i < NumHorizonSums(); ++i) {
    absl::StrAppend(&padding, ", ", zero);
  }
  const std::string zero_count = pg ? "0::bigint" : "0";
  std::string padding_curve;
  for (int i = 0; i < NumHorizonSums(); ++i) absl::StrAppend(&padding_curve, ", ", zero);
  // Kind 3's sums: the cost's shifted sum and sum of squares; the rest 0.
  std::string quiet_padding;
  for (int i = 2; i < NumHorizonSums(); ++i) absl::StrAppend(&quiet_padding, ", ", zero);
  std::string all_per_horizon;
  const std::string dc = absl::StrCat("(c - ", shift_of(kHorizonCellCost), ")");
  for (size_t k = 0; k < horizons_us.size(); ++k) {
    const std::string mature = absl::StrCat("t0 + ", horizons_us[k], " <= ", as_of);
    absl::StrAppend(&all_per_horizon, ",\n    ", FilteredCount(mature), " AS n", k, ", ",
                    FilteredCount(absl::StrCat(mature, " AND next_t0 IS NOT NULL AND next_t0 - t0 < ",
                                               horizons_us[k])),
                    " AS v", k, ", ", FilteredTotal(d, dc, mature), " AS c", k, ", ",
                    FilteredTotal(d, absl::StrCat(dc, " * ", dc), mature), " AS cc", k);
  }
  auto pick_all = [&](const char* var) {
    std::string s = "CASE hk.k";
    for (size_t k = 0; k < horizons_us.size(); ++k) absl::StrAppend(&s, " WHEN ", k, " THEN al.", var, k);
    return absl::StrCat(s, " END");
  };
  return absl::StrCat(
      EntriesAsQ(d, versions, next_entry_possible, by_attributes, slice), ",\n",
      analysed, events,
      "hk(k, h) AS (VALUES ", hk, "),\n",
      "hs AS MATERIALIZED (\n  SELECT ", entry, per_entry, "\n",
      "  FROM ev GROUP BY ", entry, "\n),\n",
      // The events that count at some mature grid point, with the entry's
      // running sums after each (offset order; ties by value, so any order
      // of equal events gives the same sums).
      "cev AS (\n"
      "  SELECT ", key, ", off / ", step, " AS i, rev, mar,\n"
      "    sum(rev) OVER w AS cy, sum(mar) OVER w AS cm\n"
      "  FROM ev WHERE off / ", step, " < mp\n"
      "  WINDOW w AS (PARTITION BY unit, period ORDER BY off, rev, mar, ord"
      " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)\n"
      ")\n",
      // Kind 0: the horizon moments.
      "SELECT ", kHorizonRowMoments, ", ", key, ", k, count(*),\n"
      "  count(*) FILTER (WHERE next_t0 IS NOT NULL AND next_t0 - t0 < h)", moment_sums, "\n"
      "FROM (SELECT hs.grp, hs.arm, hs.period, hs.attributes, hs.t0, hs.next_t0, hk.k, hk.h", shifted, "\n"
      "  FROM hs JOIN hk ON hs.t0 + hk.h <= ", as_of, ") AS r\n"
      "GROUP BY ", key, ", k\n"
      "UNION ALL\n",
      // Kind 3: every analysed entry's count, overlap and cost per horizon
      // (no join: one pass over a, the horizons as FILTERs).
      "SELECT ", kHorizonRowAllEntries, ", ", key, ", hk.k, ", pick_all("n"), ", ", pick_all("v"), ", ",
      pick_all("c"), ", ", pick_all("cc"), quiet_padding, "\n"
      "FROM (SELECT ", key, all_per_horizon, "\n  FROM a GROUP BY ", key, ") AS al CROSS JOIN hk\n"
      "UNION ALL\n",
      // Kind 1: the entries per number of mature points (counted from a),
      // with their values at the last of them (from hs; 0 without events).
      "SELECT ", kHorizonRowCurveEnd, ", ", key, ", mp, count(*), ", zero_count, padding_curve, "\n"
      "FROM a GROUP BY ", key, ", mp\n"
      "UNION ALL\n"
      "SELECT ", kHorizonRowCurveEnd, ", ", key, ", mp, ", zero_count, ", ", zero_count, ", ", sum("v"),
      ", ", sum("v * v"), ", ", sum("vm"), ", ", sum("vm * vm"), padding, "\n"
      "FROM hs GROUP BY ", key, ", mp\n"
      "UNION ALL\n",
      // Kind 2: each grid index's changes of the values and their squares.
      "SELECT ", kHorizonRowCurveStep, ", ", key, ", i, ", zero_count, ", ", zero_count, ", ",
      sum("rev"), ", ", sum("rev * (2 * cy - rev)"), ", ", sum("mar"), ", ",
      sum("mar * (2 * cm - mar)"), padding, "\n"
      "FROM cev GROUP BY ", key, ", i\n");
}

std::string AnalysisShiftProbeSql(SqlDialect d, size_t versions, bool next_entry_possible,
                                  bool bounded) {
  const std::array<std::string, kNumCellVariables> values = CellValues();
  AnalysisSlice slice;
  slice.lower = bounded;
  slice.upper = bounded;
  // The first mature entry in key order, whatever the plan (so every replica
  // shifts by the same values and their sums round alike). PostgreSQL's
  // entries come in that order, but its events are sorted whole before the
  // first row (1.1 s at 1 M entries), hence its bounded form; SQLite streams
  // in that order too, but it would sort all of q (16 s at 1 M entries)
  // rather than see that, so it gets no ORDER BY.
  return absl::StrCat("WITH q(", kEntryColumnNames, ") AS (\n",
                      AnalysisEntrySql(d, versions, 0, next_entry_possible, false, slice), ")\n",
                      "SELECT ", absl::StrJoin(values, ", "), "\nFROM q WHERE ", CellMature(d), "\n",
                      d == SqlDialect::kPostgres ? "ORDER BY q.unit, q.period\n" : "",
                      "LIMIT 1\n");
}

std::string ShiftProbeBoundSql(SqlDialect d) {
  const bool pg = d == SqlDialect::kPostgres;
  return absl::StrCat("SELECT unit FROM entries WHERE journey = ", P(d, 1), " AND t0 >= ", P(d, 2),
                      pg ? "::bigint" : "", " AND t0 < ", P(d, 3), pg ? "::bigint" : "",
                      " ORDER BY unit, period LIMIT 1 OFFSET ", P(d, 4), pg ? "::bigint" : "", "\n");
}

std::string AttributeSetsSql(SqlDialect d) {
  const bool pg = d == SqlDialect::kPostgres;
  return absl::StrCat("SELECT count(*) FROM (SELECT DISTINCT attributes FROM entries WHERE journey = ",
                      P(d, 1), " AND t0 >= ", P(d, 2), pg ? "::bigint" : "", " AND t0 < ", P(d, 3),
                      pg ? "::bigint" : "", " LIMIT ", P(d, 4), pg ? "::bigint" : "",
                      ") AS attribute_sets\n");
}

std::string AnalysedUnitsSql(SqlDialect d, const std::vector<size_t>& versions) {
  const bool pg = d == SqlDialect::kPostgres;
  auto num = [&](int n) { return pg ? absl::StrCat(P(d, n), "::bigint") : P(d, n); };
  std::string branches;
  int param = kAnalysedUnitsFirstJourneyParam;
  for (size_t k = 0; k < versions.size(); ++k) {
    const int journey = param, window = param + 1;
    std::string values;
    for (size_t v = 0; v < versions[k]; ++v) {
      const int b = param + 2 + 2 * static_cast<int>(v);
      absl::StrAppend(&values, v ? ", " : "", "(", pg ? absl::StrCat(P(d, b), "::text") : P(d, b),
                      ", ", num(b + 1), ")");
    }
    param += 2 + 2 * static_cast<int>(versions[k]);
    const bool lookup = versions[k] > 0;
    // The entry's full window: its version's when that has its own (the
    // entry stream's rule, EntryWindows), else the fallback.
    const std::string w =
        lookup ? absl::StrCat("coalesce(v.w, ", num(window), ")") : num(window);
    absl::StrAppend(
        &branches, k ? "  UNION ALL\n" : "", "  SELECT e.unit, ", uint64_t{1} << k, " AS b FROM entries e\n",
        // VALUES columns are column1, column2 in both dialects (SQLite has
        // no column list on a derived table).
        lookup ? absl::StrCat("  LEFT JOIN (SELECT column1 AS version, column2 AS w FROM (VALUES ", values,
                              ") AS vv) AS v ON v.version = e.config_version\n")
               : "",
        "  WHERE e.journey = ", P(d, journey), " AND e.t0 >= ", num(1), " AND e.t0 < ", num(2),
        " AND e.grp <> ", static_cast<int>(EntryGroup::kGlobalHoldout),
        " AND e.in_washout = 0 AND e.period >= ", num(4), " AND e.period <= ", num(5),
        " AND e.t0 + ", w, " <= ", num(3), "\n");
  }
  // Each journey's bit is its own power of 2, so the sum of a unit's
  // distinct bits is their OR (SQLite has no bit_or).
  return absl::StrCat("SELECT journeys, count(*) FROM (\n SELECT unit, sum(DISTINCT b) AS journeys FROM (\n",
                      branches, " ) AS a GROUP BY unit) AS u\nGROUP BY journeys\n");
}

JourneyVersions::JourneyVersions(const JourneyWindow& journey) {
  for (const VersionWindow& v : journey.versions) {
    known_.insert(v.config_version);
    if (v.attribution_window_us != journey.attribution_window_us ||
        v.pre_period_us != journey.pre_period_us ||
        v.refund_horizon_us != journey.refund_horizon_us) {
      own_windows_.push_back(&v);
    }
  }
}

std::string NextEntryPossibleSql(SqlDialect d) {
  return absl::StrCat("SELECT count(*) FROM (SELECT 1 FROM entries WHERE journey = ", P(d, 1),
                      " AND period > 0 AND t0 < ", P(d, 2), " LIMIT 1) AS any_later_period\n");
}

std::string OrphanRefundsSql(SqlDialect d) {
  return absl::StrCat(
      "SELECT count(*) FROM outcomes r\n"
      "WHERE r.type = 3 AND r.at >= ",
      P(d, 1), " AND r.at < ", P(d, 2),
      "\n  AND NOT EXISTS (SELECT 1 FROM outcomes o WHERE o.outcome_id = r.order_id\n"
      "                  AND o.unit = r.unit AND o.type IN (1, 2))\n");
}

std::string ProgramUnitsSql(SqlDialect d) {
  const std::string from = P(d, 1), to = P(d, 2);
  // PostgreSQL's sum over bigint is numeric: cast the count to bigint, and
  // compare text in the C collation like SQLite so both stores order alike.
  const bool pg = d == SqlDialect::kPostgres;
  return absl::StrCat(
      "WITH seen(unit, t) AS (\n"
      "  SELECT unit, first_seen FROM customers WHERE first_seen < ", to, "\n",
      "  UNION ALL SELECT unit, t0 FROM entries WHERE t0 < ", to, "\n",
      "  UNION ALL SELECT unit, at FROM sends WHERE at < ", to, "\n",
      "  UNION ALL SELECT unit, at FROM outcomes WHERE at < ", to, "\n",
      "),\n"
      "known(unit, first_seen) AS (SELECT unit, min(t) FROM seen GROUP BY unit),\n"
      "o(unit, y, m, x) AS (\n"
      "  SELECT unit, sum(revenue), sum(margin), max(CASE WHEN type IN (1, 2) THEN 1 ELSE 0 END)\n"
      "  FROM outcomes WHERE at >= ", from, " AND at < ", to, " GROUP BY unit\n"
      "),\n"
      "s(unit, c, n) AS (\n"
      "  SELECT unit, sum(cost), count(*) FROM sends WHERE at >= ", from, " AND at < ", to,
      " GROUP BY unit\n"
      ")\n"
      "SELECT k.unit, k.first_seen, coalesce(o.y, 0.0), coalesce(o.m, 0.0), coalesce(o.x, 0),\n"
      "       coalesce(s.c, 0.0), ", pg ? "coalesce(s.n, 0)::bigint" : "coalesce(s.n, 0)", "\n"
      "FROM known k LEFT JOIN o ON o.unit = k.unit LEFT JOIN s ON s.unit = k.unit\n"
      "ORDER BY k.unit\n");
}

std::string AllFixedCostsSql(SqlDialect d) {
  const bool pg = d == SqlDialect::kPostgres;
  const std::string from = pg ? "$1::bigint" : "?1", to = pg ? "$2::bigint" : "?2";
  return absl::StrCat("SELECT ", ProRatedFixedCost(d, from, to), "\nFROM fixed_costs\nWHERE start < ",
                      to, " AND \"end\" > ", from, "\n");
}

absl::Status ParseHorizonEvents(absl::string_view text, AnalysisEntry* e) {
  for (absl::string_view item : absl::StrSplit(text, ';', absl::SkipEmpty())) {
    std::vector<absl::string_view> f = absl::StrSplit(item, ' ');
    HorizonEvent ev;
    int order = 0;
    if (f.size() != 4 || !absl::SimpleAtoi(f[0], &ev.offset_us) ||
        !absl::SimpleAtod(f[1], &ev.revenue) || !absl::SimpleAtod(f[2], &ev.margin) ||
        !absl::SimpleAtoi(f[3], &order)) {
      return absl::InternalError(absl::StrCat("malformed horizon event: ", item.substr(0, 80)));
    }
    ev.order = order != 0;
    e->horizon_events.push_back(ev);
  }
  return absl::OkStatus();
}

void FinishAnalysisEntry(UnixMicros as_of, AnalysisEntry* e) {
  std::stable_sort(e->horizon_events.begin(), e->horizon_events.end(),
                   [](const HorizonEvent& a, const HorizonEvent& b) {
                     return a.offset_us < b.offset_us;
                   });
  const UnixMicros full_end = e->t0 + e->window_us;
  e->window_end = e->next_t0.has_value() ? std::min(full_end, *e->next_t0) : full_end;
  e->window_cut = e->window_end < full_end;
  e->mature = full_end <= as_of;
  e->in_refund_horizon = e->mature && full_end + e->refund_horizon_us > as_of;
  if (!e->mature) {
    e->y = e->m = e->c = e->z = 0;
    e->x = 0;
    e->sends = 0;
    e->orders = 0;
    e->unsubscribed = 0;
    e->complained = 0;
    e->incentive = 0;
  }
}

std::string ChannelAttributionSql(SqlDialect d, size_t versions, bool next_entry_possible) {
  const bool pg = d == SqlDialect::kPostgres;
  // Numeric parameters typed for PostgreSQL (they are bound as text).
  auto num = [&](int n) { return pg ? absl::StrCat(P(d, n), "::bigint") : P(d, n); };
  // The versions with their own windows (JourneyVersions), as in AnalysisEntrySql.
  std::string values;
  for (size_t k = 0; k < versions; ++k) {
    const int b = kChannelParamFirstVersion + 3 * static_cast<int>(k);
    absl::StrAppend(&values, k ? ", " : "", "(", pg ? absl::StrCat(P(d, b), "::text") : P(d, b),
                    ", ", num(b + 1), ", ", num(b + 2), ")");
  }
  const bool lookup = versions > 0;
  const std::string journey = P(d, kChannelParamJourney);
  const std::string as_of = num(kChannelParamAsOf);
  // The same window rules as the entry stream; the next entry (left out when
  // the journey has no later-period entry before as_of) as a correlated
  // probe, evaluated once per entry in the materialized `aw`.
  const EntryWindowSql win = EntryWindows(
      d, lookup, kChannelParamWindow, kChannelParamRefundHorizon, 0, as_of,
      next_entry_possible
          ? absl::StrCat("(SELECT n2.t0 FROM entries n2 WHERE n2.journey = e.journey"
                         " AND n2.unit = e.unit\n       AND n2.period > e.period AND n2.t0 < ",
                         as_of, " ORDER BY n2.period LIMIT 1)")
          : "");
  return absl::StrCat(
      lookup ? absl::StrCat("WITH v(version, w, h) AS (VALUES ", values, "),\n") : "WITH ",
      // The analysed entries (mature, not washout, in range and periods) with
      // their window end and refund deadline; one scan, read by both parts below.
      "aw AS (\n"
      "  SELECT e.unit AS unit, e.grp AS grp, e.arm AS arm, e.t0 AS t0,\n"
      "    ", win.end, " AS wend,\n"
      "    ", win.deadline, " AS rdl\n"
      "  FROM entries e", lookup ? " LEFT JOIN v ON v.version = e.config_version" : "", "\n"
      "  WHERE e.journey = ", journey, " AND e.t0 >= ", num(kChannelParamFrom), " AND e.t0 < ",
      num(kChannelParamTo), "\n"
      "    AND e.grp IN (1, 2) AND e.in_washout = 0 AND e.period >= ", num(kChannelParamFirstPeriod),
      " AND e.period <= ", num(kChannelParamLastPeriod), "\n"
      "    AND ", win.mature, "\n"
      "),\n",
      // Orders in the windows, each credited to the channel of the last send
      // of the journey before it in the window (ties: the greater send_id),
      // with its refunds before the entry's deadline (refunds follow their
      // order). MATERIALIZED: the grouping below must not evaluate the
      // last-send lookup twice per order (once as key, once as value).
      "ord AS MATERIALIZED (\n"
      "  SELECT aw.grp AS grp, aw.arm AS arm,\n"
      "    (SELECT s.channel FROM sends s WHERE s.unit = aw.unit AND s.journey = ", journey,
      "\n       AND s.at >= aw.t0 AND s.at < o.at ORDER BY s.at DESC, s.send_id DESC LIMIT 1) AS ch,\n"
      "    o.revenue + (SELECT ", Total(d, "r.revenue"),
      " FROM outcomes r WHERE r.unit = aw.unit AND r.type = 3\n"
      "       AND r.order_id = o.outcome_id AND r.at < aw.rdl) AS rev\n"
      "  FROM aw JOIN outcomes o ON o.unit = aw.unit AND o.type IN (1, 2)\n"
      "    AND o.at >= aw.t0 AND o.at < aw.wend\n"
      ")\n",
      // Sends of the journey in the windows, per channel.
      "SELECT 0, aw.grp, aw.arm, s.channel, count(*), ", Total(d, "s.cost"), "\n"
      "FROM aw JOIN sends s ON s.unit = aw.unit AND s.journey = ", journey,
      " AND s.at >= aw.t0 AND s.at < aw.wend\n"
      "GROUP BY aw.grp, aw.arm, s.channel\n"
      "UNION ALL\n"
      "SELECT 1, grp, arm, ch, count(*), ", Total(d, "rev"), " FROM ord\n"
      "GROUP BY grp, arm, ch\n");
}

std::string FixedCostCategoriesSql(SqlDialect d) { return JourneyFixedCostSql(d, true); }

std::string JourneyFixedCostSql(SqlDialect d) { return JourneyFixedCostSql(d, false); }

}  // namespace holdfast
