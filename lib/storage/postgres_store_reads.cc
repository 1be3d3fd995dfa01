// The read half of PostgresStore: config history and the analysis queries.
// Every read runs on a pooled connection inside one REPEATABLE READ READ
// ONLY transaction (one snapshot, while every replica keeps writing); the
// per-entry rules are the SQLite store's (docs/storage.md, "Analysis
// queries"): each entry's window sums are LATERAL aggregates over the
// covering indexes outcomes_by_unit and sends_by_unit, one bounded index
// range per entry whatever the planner's statistics say (a fresh database
// has none, and a cursor's fast-start planning once picked a nested loop
// over a CTE scan: quadratic). Rows come in key order (the primary key's
// order, no sort), so every replica folds the same rows in the same order
// and their reports agree to the last bit, not just to rounding.
#include <algorithm>
#include <limits>
#include <optional>
#include <utility>

#include <pqxx/pqxx>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/storage/analysis_sql.h"
#include "lib/base/status_macros.h"
#include "lib/storage/internal/attribute_codec.h"
#include "lib/storage/internal/copy_text.h"
#include "lib/storage/internal/postgres_read_session.h"
#include "lib/storage/internal/postgres_rows.h"
#include "lib/storage/internal/postgres_status.h"
#include "lib/storage/internal/postgres_store_impl.h"
#include "lib/storage/internal/row_validation.h"
#include "lib/storage/postgres_store.h"

namespace holdfast {
namespace {

using storage_internal::StatusFromCurrentPqxxException;

// Rows fetched from a cursor per round trip.
constexpr int kFetchRows = 10000;

constexpr const char kEntryCountsSql[] = R"sql(
SELECT count(*), coalesce(sum(in_washout), 0) FROM entries
WHERE journey = $1 AND t0 >= $2 AND t0 < $3
)sql";

// Same as SQLite's kContaminationSql.
constexpr const char kContaminationSql[] = R"sql(
SELECT count(*), coalesce(sum(n), 0), coalesce(sum(cost), 0) FROM (
  SELECT count(*) AS n, sum(s.cost) AS cost
  FROM entries e
  JOIN sends s ON s.unit = e.unit AND s.journey = e.journey
    AND s.at >= (CASE WHEN $4::bigint > 0 THEN $5::bigint + e.period * $4::bigint ELSE $6::bigint END)
    AND s.at <  (CASE WHEN $4::bigint > 0 THEN $5::bigint + (e.period + 1) * $4::bigint ELSE $7::bigint END)
    AND s.at < $8::bigint
  WHERE e.journey = $1 AND e.t0 >= $2 AND e.t0 < $3 AND e.grp IN (2, 3)
  GROUP BY e.unit, e.period
) per_entry
)sql";

using storage_internal::AssignText;
using storage_internal::DoubleOf;
using storage_internal::Int64Of;
using storage_internal::ReadSession;
using storage_internal::ReadTxn;

// Column values of the analysis stream, parsed from COPY's text format with
// absl's parsers (pqxx 6's field::as<double>() goes through a stream and was
// most of the client's ~2 s per 1 M entries, docs/performance.md). Exact:
// PostgreSQL writes the shortest round-trip form of a float8 in COPY as in
// a query result.
bool ParseInt64(absl::string_view text, int64_t* v) { return absl::SimpleAtoi(text, v); }
bool ParseDouble(absl::string_view text, double* v) { return absl::SimpleAtod(text, v); }

std::string SegmentOf(absl::string_view attributes, const std::string& key) {
  if (key.empty()) return "";
  const std::string encoded = storage_internal::FromByteaHex(attributes);
  std::optional<absl::string_view> v = storage_internal::FindAttribute(encoded, key);
  return v.has_value() ? std::string(*v) : std::string();
}

// Rows of the analysis stream between two polls of the caller's CancelCheck
// (as many as one FETCH of the cursor it replaced; StoreAnalysisSource polls
// every 256 rows on its own).
constexpr int64_t kCopyPollRows = 10000;

// Runs `fn` on every row of COPY (`query`) TO STDOUT, one line at a time
// (libpq's PQgetCopyData: client memory stays one row, while the server runs
// ahead of the client by what the socket buffers). COPY rather than a cursor:
// a cursor's server computes a batch only when asked for it, so server and
// client took turns; COPY's query runs to completion on its own, overlapping
// the client's parsing and folding (docs/postgresql.md, "Analysis stream").
// `cancelled` is polled after the first row and every kCopyPollRows rows.
// On an error or cancellation the query is cancelled on the server before
// the stream is closed: pqxx's stream_from reads every remaining line when
// destroyed, which would otherwise let the server finish the whole query.
// The caller then drops the connection (the transaction is aborted).
template <typename Fn>
absl::Status StreamCopy(ReadTxn& txn, pqxx::connection& conn, const std::string& query,
                        size_t columns, const CancelCheck& cancelled, Fn&& fn) {
  // pqxx 6.4's stream_from writes "COPY <table> TO STDOUT" with the name as
  // given (unquoted), which makes "(query)" a COPY of a query; pqxx 7 has
  // stream_from::query for this.
  std::optional<pqxx::stream_from> copy;
  copy.emplace(txn, absl::StrCat("(", query, ")"));
  storage_internal::CopyTextRow row;
  std::string line;
  absl::Status status;
  int64_t n = 0;
  while (copy->get_raw_line(line)) {
    if (n++ % kCopyPollRows == 0 && cancelled && cancelled()) {
      status = absl::CancelledError("report cancelled (caller gone or deadline exceeded)");
      break;
    }
    status = row.Parse(line, columns);
    if (status.ok()) status = fn(row);
    if (!status.ok()) break;
  }
  if (!status.ok()) {
    // The caller's status wins over a failed cancel request (which costs at
    // worst draining the rest of the query).
    try {
      conn.cancel_query();
    } catch (...) {
    }
    copy.reset();  // drains until the server's query_canceled; pqxx records it on the transaction
    return status;
  }
  copy->complete();
  return absl::OkStatus();
}

// Runs `fn` on every row of the open cursor hf_cur, kFetchRows at a time.
// `cancelled` is polled before each round trip: the caller's own polls
// (StoreAnalysisSource, every 256 rows) run between rows, but a FETCH can
// block for a while on a busy server, so a cancelled report should not ask
// for another batch.
template <typename Fn>
absl::Status DrainCursor(ReadTxn& txn, const CancelCheck& cancelled, Fn&& fn) {
  const std::string fetch = absl::StrCat("FETCH FORWARD ", kFetchRows, " FROM hf_cur");
  for (;;) {
    if (cancelled && cancelled()) {
      return absl::CancelledError("report cancelled (caller gone or deadline exceeded)");
    }
    pqxx::result rows = txn.exec(fetch);
    for (const pqxx::row& row : rows) HF_RETURN_IF_ERROR(fn(row));
    if (rows.size() < static_cast<size_t>(kFetchRows)) break;
  }
  txn.exec("CLOSE hf_cur");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<pqxx::connection>> PostgresStore::Impl::AcquireReader() {
  {
    std::lock_guard<std::mutex> lock(readers_mu);
    while (!idle_readers.empty()) {
      std::unique_ptr<pqxx::connection> conn = std::move(idle_readers.back());
      idle_readers.pop_back();
      if (conn->is_open()) return conn;
    }
  }
  try {
    return Connect("reader");
  } catch (...) {
    return StatusFromCurrentPqxxException("opening read connection");
  }
}

void PostgresStore::Impl::ReleaseReader(std::unique_ptr<pqxx::connection> conn) {
  std::lock_guard<std::mutex> lock(readers_mu);
  if (static_cast<int>(idle_readers.size()) < options.max_idle_readers) {
    idle_readers.push_back(std::move(conn));
  }
}

absl::StatusOr<std::vector<ConfigVersionRow>> PostgresStore::ListConfigVersions(int limit) {
  if (limit <= 0) return absl::InvalidArgumentError("limit must be > 0");
  HF_ASSIGN_OR_RETURN(std::unique_ptr<ReadSession> session, ReadSession::Begin(impl_.get()));
  std::vector<ConfigVersionRow> out;
  try {
    pqxx::result r = session->txn().exec_params(
        "SELECT version, loaded_at, source_path, diff_summary, content, replica "
        "FROM config_versions ORDER BY seq DESC LIMIT $1",
        limit);
    for (const pqxx::row& row : r) {
      ConfigVersionRow v;
      v.version = row[0].as<std::string>();
      v.loaded_at = row[1].as<int64_t>();
      v.source_path = row[2].as<std::string>();
      v.diff_summary = row[3].as<std::string>();
      v.content = row[4].as<std::string>();
      v.replica = row[5].as<std::string>();
      out.push_back(std::move(v));
    }
  } catch (...) {
    session->Poison();
    return StatusFromCurrentPqxxException("listing config versions");
  }
  return out;
}

absl::Status PostgresStore::ForEachAnalysisEntry(const AnalysisQuery& query,
                                                 const AnalysisEntryFn& fn) {
  HF_RETURN_IF_ERROR(storage_internal::ValidateAnalysisQuery(query));
  HF_ASSIGN_OR_RETURN(std::unique_ptr<ReadSession> session, ReadSession::Begin(impl_.get()));
  absl::Status status;
  try {
    ReadTxn& txn = session->txn();
    AnalysisEntry e;
    for (const JourneyWindow& j : query.journeys) {
      // The one definition of the per-entry rules (analysis_sql.h), in its
      // PostgreSQL dialect; its parameters are written in as literals below.
      const JourneyVersions versions(j);
      const std::vector<const VersionWindow*>& own = versions.with_own_windows();
      // COPY takes no bind parameters: the values go into the SQL as
      // literals, text quoted by the connection's own escaping, numbers as
      // (v)::bigint — the parentheses keep a negative value after a minus
      // from starting a "--" comment, and the cast gives every number the
      // type the bound parameter had (INT64_MIN would otherwise be numeric).
      // The plan is the same: a one-off query is planned with its parameter
      // values either way.
      const std::vector<std::string> params = storage_internal::AnalysisEntryParams(
          query, j, versions, [&txn](const std::string& v) { return txn.quote(v); },
          [](int64_t v) { return absl::StrCat("(", v, ")::bigint"); });
      // Same REPEATABLE READ snapshot: a journey without any entry of a later
      // period can have no next entry, and skips that lookup.
      const bool next_entry_possible =
          txn.exec_params1(NextEntryPossibleSql(SqlDialect::kPostgres), j.journey,
                           std::to_string(query.as_of))[0]
              .as<int64_t>() != 0;
      absl::StatusOr<std::string> sql = storage_internal::InlineSqlParameters(
          AnalysisEntrySql(SqlDialect::kPostgres, own.size(), j.max_horizon_us, next_entry_possible,
                           !query.segment_by.empty()),
          params);
      if (!sql.ok()) {
        status = sql.status();
        break;
      }
      e.journey = j.journey;
      auto int64_at = [](const storage_internal::CopyTextRow& row, int col, int64_t* v) {
        if (ParseInt64(row[col], v)) return absl::OkStatus();
        return absl::InternalError(absl::StrCat("analysis column ", col, ": not an integer"));
      };
      auto double_at = [](const storage_internal::CopyTextRow& row, int col, double* v) {
        if (ParseDouble(row[col], v)) return absl::OkStatus();
        return absl::InternalError(absl::StrCat("analysis column ", col, ": not a number"));
      };
      status = StreamCopy(txn, session->connection(), *sql, kNumAnalysisColumns, query.cancelled,
                          [&](const storage_internal::CopyTextRow& row) -> absl::Status {
        int64_t v = 0;
        double y = 0, ry = 0, m = 0, rm = 0;
        e.unit.assign(row[kColUnit].data(), row[kColUnit].size());
        HF_RETURN_IF_ERROR(int64_at(row, kColGroup, &v));
        e.group = static_cast<EntryGroup>(v);
        e.arm.assign(row[kColArm].data(), row[kColArm].size());
        HF_RETURN_IF_ERROR(int64_at(row, kColPeriod, &e.period));
        HF_RETURN_IF_ERROR(int64_at(row, kColT0, &e.t0));
        HF_RETURN_IF_ERROR(int64_at(row, kColInWashout, &v));
        e.in_washout = v != 0;
        e.segment = SegmentOf(row[kColAttributes], query.segment_by);
        e.config_version.assign(row[kColConfigVersion].data(), row[kColConfigVersion].size());
        e.version_known = versions.Known(e.config_version);
        HF_RETURN_IF_ERROR(int64_at(row, kColWindow, &e.window_us));
        HF_RETURN_IF_ERROR(int64_at(row, kColRefundHorizon, &e.refund_horizon_us));
        e.next_t0.reset();
        if (!row.is_null(kColNextT0)) {
          HF_RETURN_IF_ERROR(int64_at(row, kColNextT0, &v));
          e.next_t0 = v;
        }
        HF_RETURN_IF_ERROR(double_at(row, kColY, &y));
        HF_RETURN_IF_ERROR(double_at(row, kColRefundY, &ry));
        HF_RETURN_IF_ERROR(double_at(row, kColM, &m));
        HF_RETURN_IF_ERROR(double_at(row, kColRefundM, &rm));
        e.y = y + ry;
        e.m = m + rm;
        HF_RETURN_IF_ERROR(int64_at(row, kColX, &v));
        e.x = static_cast<int>(v);
        HF_RETURN_IF_ERROR(double_at(row, kColZ, &e.z));
        HF_RETURN_IF_ERROR(double_at(row, kColC, &e.c));
        HF_RETURN_IF_ERROR(int64_at(row, kColSends, &e.sends));
        HF_RETURN_IF_ERROR(int64_at(row, kColOrders, &e.orders));
        HF_RETURN_IF_ERROR(int64_at(row, kColUnsubscribed, &v));
        e.unsubscribed = static_cast<int>(v);
        HF_RETURN_IF_ERROR(int64_at(row, kColComplained, &v));
        e.complained = static_cast<int>(v);
        HF_RETURN_IF_ERROR(double_at(row, kColIncentive, &e.incentive));
        e.horizon_events.clear();
        for (const int col : {kColHorizonEvents, kColHorizonRefunds}) {
          if (row.is_null(col)) continue;
          HF_RETURN_IF_ERROR(ParseHorizonEvents(row[col], &e));
        }
        FinishAnalysisEntry(query.as_of, &e);
        return fn(e);
      });
      if (!status.ok()) break;
    }
  } catch (...) {
    session->Poison();
    return StatusFromCurrentPqxxException("streaming analysis entries");
  }
  if (!status.ok()) session->Poison();  // the COPY was cancelled mid-way, or never started
  return status;
}

absl::Status PostgresStore::ForEachProgramUnit(const ProgramQuery& query, const ProgramUnitFn& fn) {
  HF_RETURN_IF_ERROR(storage_internal::ValidateProgramQuery(query));
  HF_ASSIGN_OR_RETURN(std::unique_ptr<ReadSession> session, ReadSession::Begin(impl_.get()));
  absl::Status status;
  try {
    ReadTxn& txn = session->txn();
    txn.exec_params(absl::StrCat("DECLARE hf_cur NO SCROLL CURSOR FOR ", ProgramUnitsSql(SqlDialect::kPostgres)),
                    static_cast<int64_t>(query.from), static_cast<int64_t>(query.to));
    ProgramUnitRow u;
    status = DrainCursor(txn, query.cancelled, [&](const pqxx::row& row) {
      u.unit = row[0].as<std::string>();
      u.first_seen = row[1].as<int64_t>();
      u.y = row[2].as<double>();
      u.m = row[3].as<double>();
      u.x = row[4].as<int>();
      u.c = row[5].as<double>();
      u.sends = row[6].as<int64_t>();
      return fn(u);
    });
  } catch (...) {
    session->Poison();
    return StatusFromCurrentPqxxException("streaming program units");
  }
  if (!status.ok()) session->Poison();
  return status;
}

absl::StatusOr<double> PostgresStore::SumFixedCosts(UnixMicros from, UnixMicros to) {
  if (from > to) return absl::InvalidArgumentError("fixed cost range has from > to");
  HF_ASSIGN_OR_RETURN(std::unique_ptr<ReadSession> session, ReadSession::Begin(impl_.get()));
  try {
    pqxx::result r = session->txn().exec_params(AllFixedCostsSql(SqlDialect::kPostgres),
                                                static_cast<int64_t>(from), static_cast<int64_t>(to));
    return r[0][0].as<double>();
  } catch (...) {
    session->Poison();
    return StatusFromCurrentPqxxException("summing fixed costs");
  }
}

absl::StatusOr<JourneyDiagnostics> PostgresStore::GetJourneyDiagnostics(
    const JourneyDiagnosticsQuery& query) {
  HF_RETURN_IF_ERROR(storage_internal::ValidateDiagnosticsQuery(query));
  HF_ASSIGN_OR_RETURN(std::unique_ptr<ReadSession> session, ReadSession::Begin(impl_.get()));
  JourneyDiagnostics d;
  try {
    ReadTxn& txn = session->txn();
    const int64_t from = query.from;
    const int64_t to = query.to;
    pqxx::result r = txn.exec_params(JourneyFixedCostSql(SqlDialect::kPostgres), query.journey,
                                     static_cast<int64_t>(std::max(query.from, query.cost_from)),
                                     static_cast<int64_t>(std::min(query.to, query.cost_to)));
    d.fixed_cost = r[0][0].as<double>();
    r = txn.exec_params(kEntryCountsSql, query.journey, from, to);
    d.entries = r[0][0].as<int64_t>();
    d.washout_entries = r[0][1].as<int64_t>();
    r = txn.exec_params(kContaminationSql, query.journey, from, to,
                        static_cast<int64_t>(query.period_us), static_cast<int64_t>(query.epoch_us),
                        std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(),
                        static_cast<int64_t>(query.as_of));
    d.contaminated_entries = r[0][0].as<int64_t>();
    d.contaminated_sends = r[0][1].as<int64_t>();
    d.contaminated_cost = r[0][2].as<double>();
  } catch (...) {
    session->Poison();
    return StatusFromCurrentPqxxException("reading journey diagnostics");
  }
  return d;
}

absl::StatusOr<JourneyChannels> PostgresStore::GetJourneyChannels(const ChannelQuery& query) {
  HF_RETURN_IF_ERROR(storage_internal::ValidateChannelQuery(query));
  HF_ASSIGN_OR_RETURN(std::unique_ptr<ReadSession> session, ReadSession::Begin(impl_.get()));
  JourneyChannels out;
  const JourneyWindow& j = query.journey;
  try {
    ReadTxn& txn = session->txn();
    const JourneyVersions versions(j);
    const std::vector<const VersionWindow*>& own = versions.with_own_windows();
    std::vector<std::string> params(kChannelParamFirstVersion - 1 + 3 * own.size());
    params[kChannelParamJourney - 1] = j.journey;
    params[kChannelParamFrom - 1] = std::to_string(query.from);
    params[kChannelParamTo - 1] = std::to_string(std::min(query.to, query.as_of));
    params[kChannelParamAsOf - 1] = std::to_string(query.as_of);
    params[kChannelParamWindow - 1] = std::to_string(j.attribution_window_us);
    params[kChannelParamRefundHorizon - 1] = std::to_string(j.refund_horizon_us);
    params[kChannelParamFirstPeriod - 1] = std::to_string(query.first_period);
    params[kChannelParamLastPeriod - 1] = std::to_string(query.last_period);
    for (size_t k = 0; k < own.size(); ++k) {
      const VersionWindow& v = *own[k];
      const size_t b = kChannelParamFirstVersion - 1 + 3 * k;
      params[b] = v.config_version;
      params[b + 1] = std::to_string(v.attribution_window_us);
      params[b + 2] = std::to_string(v.refund_horizon_us);
    }
    const bool next_entry_possible =
        txn.exec_params1(NextEntryPossibleSql(SqlDialect::kPostgres), j.journey,
                         std::to_string(query.as_of))[0]
            .as<int64_t>() != 0;
    pqxx::result r = txn.exec_params(ChannelAttributionSql(SqlDialect::kPostgres, own.size(),
                                                           next_entry_possible),
                                     pqxx::prepare::make_dynamic_params(params.begin(), params.end()));
    for (const pqxx::row& row : r) {
      const pqxx::field channel = row[kChanColChannel];
      AddChannelRow(row[kChanColKind].as<int>(), row[kChanColGroup].as<int>(),
                    row[kChanColArm].as<std::string>(),
                    channel.is_null() ? std::nullopt
                                      : std::optional<std::string>(channel.as<std::string>()),
                    row[kChanColCount].as<int64_t>(), row[kChanColAmount].as<double>(), &out);
    }
    r = txn.exec_params(FixedCostCategoriesSql(SqlDialect::kPostgres), j.journey,
                        static_cast<int64_t>(std::max(query.from, query.cost_from)),
                        static_cast<int64_t>(std::min(query.to, query.cost_to)));
    for (const pqxx::row& row : r) {
      out.fixed_costs.push_back({row[0].as<std::string>(), row[1].as<double>()});
    }
  } catch (...) {
    session->Poison();
    return StatusFromCurrentPqxxException("reading journey channels");
  }
  SortJourneyChannels(&out);
  return out;
}

absl::StatusOr<int64_t> PostgresStore::CountOrphanRefunds(UnixMicros from, UnixMicros to) {
  if (from > to) return absl::InvalidArgumentError("orphan refund range has from > to");
  HF_ASSIGN_OR_RETURN(std::unique_ptr<ReadSession> session, ReadSession::Begin(impl_.get()));
  try {
    pqxx::result r = session->txn().exec_params(OrphanRefundsSql(SqlDialect::kPostgres), static_cast<int64_t>(from),
                                                static_cast<int64_t>(to));
    return r[0][0].as<int64_t>();
  } catch (...) {
    session->Poison();
    return StatusFromCurrentPqxxException("counting orphan refunds");
  }
}

}  // namespace holdfast
