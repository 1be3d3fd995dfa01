// The read half of PostgresStore: config history, the report's other
// queries and the connection pool (the entry stream is
// postgres_store_stream.cc). Every read runs on a pooled connection inside
// one REPEATABLE READ READ ONLY transaction (one snapshot, while every
// replica keeps writing); the per-entry rules are the SQLite store's
// (docs/storage.md, "Analysis queries").
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

absl::StatusOr<std::unique_ptr<pqxx::connection>> PostgresStore::Impl::AcquireReader(bool* pooled) {
  {
    std::lock_guard<std::mutex> lock(readers_mu);
    while (!idle_readers.empty()) {
      std::unique_ptr<pqxx::connection> conn = std::move(idle_readers.back());
      idle_readers.pop_back();
      if (!conn->is_open()) continue;
      if (pooled != nullptr) *pooled = true;
      return conn;
    }
  }
  if (pooled != nullptr) *pooled = false;
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
