#include "lib/storage/postgres_store.h"

#include <chrono>
#include <cmath>
#include <tuple>
#include <utility>

#include <pqxx/pqxx>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "lib/storage/internal/attribute_codec.h"
#include "lib/storage/internal/postgres_rows.h"
#include "lib/storage/internal/postgres_schema.h"
#include "lib/storage/internal/postgres_status.h"
#include "lib/storage/internal/postgres_store_impl.h"
#include "lib/storage/internal/record_bytes.h"
#include "lib/storage/internal/row_validation.h"
#include "lib/storage/store_uri.h"

namespace holdfast {
namespace {

using storage_internal::BytesOfAll;
using storage_internal::StatusFromCurrentPqxxException;

absl::Status ValidateOptions(const PostgresStoreOptions& o) {
  if (o.max_queued_records <= 0 || o.max_queued_bytes <= 0 || o.max_records_per_commit <= 0 ||
      o.max_idle_readers < 0 || o.max_retries < 0 || o.writer_connections < 1 ||
      o.writer_connections > 16 || o.report_connections < 1 || o.report_connections > 16 ||
      o.min_slice_entries < 1 || o.lock_timeout_ms < 0) {
    return absl::InvalidArgumentError(
        "PostgresStoreOptions: sizes must be positive, lock_timeout_ms >= 0 and writer_connections, "
        "report_connections in [1, 16]");
  }
  return absl::OkStatus();
}

// read_only_sql_transaction: the server is a hot standby or has
// default_transaction_read_only on (docs/postgresql.md, "High availability").
constexpr char kReadOnlySqlState[] = "25006";
constexpr char kReadOnlyHint[] =
    "the server is read-only (a hot standby, or default_transaction_read_only is on): point the URI "
    "at the primary, or list every host with target_session_attrs=read-write";

// Staging tables, one per record kind, private to the writer's session.
// Rows carry their batch (b) and row (i) index so the group's single INSERT
// per kind can tell each caller what it created. ON COMMIT DELETE ROWS
// empties them at every commit; a rollback discards them anyway.
constexpr const char kCreateStaging[] = R"sql(
CREATE TEMP TABLE hf_stage_entries (
  b integer, i integer, journey text COLLATE "C", unit text COLLATE "C", period bigint,
  t0 bigint, grp integer, arm text, config_version text, in_washout integer, attributes bytea
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE hf_stage_sends (
  b integer, i integer, send_id text COLLATE "C", unit text COLLATE "C",
  journey text COLLATE "C", channel text, at bigint, cost double precision
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE hf_stage_outcomes (
  b integer, i integer, outcome_id text COLLATE "C", unit text COLLATE "C", at bigint,
  type integer, revenue double precision, margin double precision, order_id text COLLATE "C",
  incentive_cost double precision
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE hf_stage_fixed_costs (
  b integer, i integer, cost_id text COLLATE "C", journey text COLLATE "C", start bigint,
  "end" bigint, amount double precision, category text
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE hf_stage_customers (
  b integer, i integer, unit text COLLATE "C", first_seen bigint
) ON COMMIT DELETE ROWS;
)sql";

// Each INSERT keeps the first row of every key in the group (batch order,
// then row order: first write wins inside a group as across groups), inserts
// in key order (so two replicas' groups lock keys in the same order and
// rarely deadlock) and reports which staged rows created a record.
constexpr const char kMoveEntries[] = R"sql(
WITH first AS MATERIALIZED (
  SELECT DISTINCT ON (journey, unit, period) * FROM hf_stage_entries
  ORDER BY journey, unit, period, b, i),
ins AS (
  INSERT INTO entries (journey, unit, period, t0, grp, arm, config_version, in_washout, attributes)
  SELECT journey, unit, period, t0, grp, arm, config_version, in_washout, attributes FROM first
  ON CONFLICT DO NOTHING
  RETURNING journey, unit, period)
SELECT first.b, first.i FROM ins JOIN first USING (journey, unit, period)
)sql";

constexpr const char kMoveSends[] = R"sql(
WITH first AS MATERIALIZED (
  SELECT DISTINCT ON (send_id) * FROM hf_stage_sends ORDER BY send_id, b, i),
ins AS (
  INSERT INTO sends (send_id, unit, journey, channel, at, cost)
  SELECT send_id, unit, journey, channel, at, cost FROM first
  ON CONFLICT DO NOTHING
  RETURNING send_id)
SELECT first.b, count(*), 0 FROM ins JOIN first USING (send_id) GROUP BY first.b
)sql";

// Orphan refunds: inserted refunds whose order_id names no CONVERSION or
// ORDER of the same unit stored before this commit nor staged in it (the statement's snapshot does not
// see its own inserts, so the staged rows are checked explicitly).
constexpr const char kMoveOutcomes[] = R"sql(
WITH first AS MATERIALIZED (
  SELECT DISTINCT ON (outcome_id) * FROM hf_stage_outcomes ORDER BY outcome_id, b, i),
ins AS (
  INSERT INTO outcomes (outcome_id, unit, at, type, revenue, margin, order_id, incentive_cost)
  SELECT outcome_id, unit, at, type, revenue, margin, order_id, incentive_cost FROM first
  ON CONFLICT DO NOTHING
  RETURNING outcome_id)
SELECT f.b, count(*),
  count(*) FILTER (WHERE f.type = 3
    AND NOT EXISTS (SELECT 1 FROM outcomes o
                    WHERE o.outcome_id = f.order_id AND o.unit = f.unit AND o.type IN (1, 2))
    AND NOT EXISTS (SELECT 1 FROM first g
                    WHERE g.outcome_id = f.order_id AND g.unit = f.unit AND g.type IN (1, 2)))
FROM ins JOIN first f USING (outcome_id) GROUP BY f.b
)sql";

constexpr const char kMoveFixedCosts[] = R"sql(
WITH first AS MATERIALIZED (
  SELECT DISTINCT ON (cost_id) * FROM hf_stage_fixed_costs ORDER BY cost_id, b, i),
ins AS (
  INSERT INTO fixed_costs (cost_id, journey, start, "end", amount, category)
  SELECT cost_id, journey, start, "end", amount, category FROM first
  ON CONFLICT DO NOTHING
  RETURNING cost_id)
SELECT first.b, count(*), 0 FROM ins JOIN first USING (cost_id) GROUP BY first.b
)sql";

constexpr const char kMoveCustomers[] = R"sql(
WITH first AS MATERIALIZED (
  SELECT DISTINCT ON (unit) * FROM hf_stage_customers ORDER BY unit, b, i),
ins AS (
  INSERT INTO customers (unit, first_seen)
  SELECT unit, first_seen FROM first
  ON CONFLICT DO NOTHING
  RETURNING unit)
SELECT first.b, count(*), 0 FROM ins JOIN first USING (unit) GROUP BY first.b
)sql";

const std::vector<std::string> kEntryColumns = {"b", "i", "journey", "unit", "period", "t0", "grp",
                                                "arm", "config_version", "in_washout", "attributes"};
const std::vector<std::string> kSendColumns = {"b", "i", "send_id", "unit", "journey", "channel",
                                               "at", "cost"};
const std::vector<std::string> kOutcomeColumns = {"b", "i", "outcome_id", "unit", "at", "type",
                                                  "revenue", "margin", "order_id",
                                                  "incentive_cost"};
const std::vector<std::string> kFixedCostColumns = {"b", "i", "cost_id", "journey", "start",
                                                    "\"end\"", "amount", "category"};
const std::vector<std::string> kCustomerColumns = {"b", "i", "unit", "first_seen"};

// Applies a "b, inserted, orphans" result to the batches' summaries.
void ApplyCounts(const pqxx::result& r, const std::vector<PgWriteBatch*>& group) {
  for (const pqxx::row& row : r) {
    PgWriteBatch* b = group[row[0].as<int>()];
    b->summary.inserted = row[1].as<int64_t>();
    b->summary.orphan_refunds = row[2].as<int64_t>();
  }
}

}  // namespace

// ---------------------------------------------------------------- opening

// Time bounds on the network path to the server (docs/postgresql.md,
// "Connection time bounds"); a URI or environment setting wins. Without
// them libpq waits forever for a server that does not answer a connection
// attempt, and the kernel retransmits to a vanished host for ~15 minutes
// while a write (or a replica's shutdown) waits on it.
namespace {
const std::vector<ConnectionDefault> kConnectionDefaults = {
    {"connect_timeout", "10", "PGCONNECT_TIMEOUT"},
    {"keepalives_idle", "30", nullptr},
    {"keepalives_interval", "10", nullptr},
    {"keepalives_count", "3", nullptr},
    {"tcp_user_timeout", "30000", nullptr},
};
}  // namespace

std::unique_ptr<pqxx::connection> PostgresStore::Impl::Connect(const char* role, bool* connected) const {
  auto conn = std::make_unique<pqxx::connection>(uri);
  if (connected != nullptr) *connected = true;
  // An acknowledged write must be on the server's disk, whatever the
  // server's default; application_name shows each connection's job in
  // pg_stat_activity.
  pqxx::nontransaction txn(*conn);
  txn.exec(absl::StrCat("SET synchronous_commit = on; SET application_name = ",
                        txn.quote(absl::StrCat("holdfastd-", role))));
  return conn;
}

std::unique_ptr<pqxx::connection> PostgresStore::Impl::OpenWriter(bool* connected) {
  std::unique_ptr<pqxx::connection> conn = Connect("writer", connected);
  pqxx::nontransaction txn(*conn);
  // The writer's lock bound, unless the session already has one from the
  // URI, the role or the database (any source but the built-in default).
  if (options.lock_timeout_ms > 0 &&
      txn.exec1("SELECT source FROM pg_settings WHERE name = 'lock_timeout'")[0].as<std::string>() ==
          "default") {
    txn.exec(absl::StrCat("SET lock_timeout = ", options.lock_timeout_ms));
  }
  txn.exec(kCreateStaging);
  return conn;
}

absl::StatusOr<std::unique_ptr<PostgresStore>> PostgresStore::Open(
    const std::string& uri, const PostgresStoreOptions& options) {
  HF_RETURN_IF_ERROR(ValidateOptions(options));
  HF_ASSIGN_OR_RETURN(const StoreUri parsed, ParseStoreUri(uri));
  if (parsed.kind != StoreUri::Kind::kPostgres) {
    return absl::InvalidArgumentError("a PostgreSQL store URI begins with 'postgresql://'");
  }
  auto impl = std::make_unique<Impl>();
  impl->uri = WithConnectionDefaults(parsed.target, kConnectionDefaults);
  impl->options = options;
  // Whether the server accepted the connection being made or used: a
  // failure before that is a server that is not there, after it a
  // connection that broke.
  bool connected = false;
  try {
    std::unique_ptr<pqxx::connection> conn = impl->Connect("migrate", &connected);
    {
      // A standby would refuse the migrations and every write with its
      // own words ("cannot execute CREATE TABLE in a read-only
      // transaction"); say what the URI needs instead.
      pqxx::nontransaction check(*conn);
      if (check.exec1("SHOW transaction_read_only")[0].as<std::string>() == "on") {
        return absl::FailedPreconditionError(
            absl::StrCat("opening the PostgreSQL store: ", kReadOnlyHint));
      }
    }
    HF_ASSIGN_OR_RETURN(impl->schema_version_at_open,
                        storage_internal::MigratePostgresToLatest(*conn));
    for (int w = 0; w < options.writer_connections; ++w) {
      connected = false;
      impl->writer_conns.push_back(impl->OpenWriter(&connected));
    }
  } catch (const pqxx::broken_connection& e) {
    // libpq checks the options' values when it connects ("invalid integer
    // value ... for connection option \"port\"", "invalid sslmode value"):
    // a wrong URI, not a lost server.
    if (absl::StartsWith(e.what(), "invalid ")) {
      return absl::InvalidArgumentError(
          absl::StrCat("the URI's connection options: ", SanitizedLibpqError(e.what())));
    }
    // libpq's connection errors name host and port, never the password.
    if (!connected) {
      return absl::UnavailableError(absl::StrCat("opening the PostgreSQL store: postgresql: cannot connect: ",
                                                 storage_internal::FirstLineBounded(e.what())));
    }
    return StatusFromCurrentPqxxException("opening the PostgreSQL store");
  } catch (...) {
    return StatusFromCurrentPqxxException("opening the PostgreSQL store");
  }
  Impl* raw = impl.get();
  for (size_t w = 0; w < impl->writer_conns.size(); ++w) {
    impl->writers.emplace_back([raw, w] { raw->WriterLoop(w); });
  }
  return std::unique_ptr<PostgresStore>(new PostgresStore(std::move(impl)));
}

PostgresStore::PostgresStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

PostgresStore::~PostgresStore() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->work_cv.notify_all();
  for (std::thread& w : impl_->writers) w.join();
}

int PostgresStore::schema_version_at_open() const { return impl_->schema_version_at_open; }

PostgresStoreStats PostgresStore::GetStats() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->stats;
}

// ---------------------------------------------------------------- queue

absl::Status PostgresStore::Impl::Submit(PgWriteBatch& batch) {
  {
    std::unique_lock<std::mutex> lock(mu);
    if (stopping) return absl::UnavailableError("store is shutting down");
    if (batch.records > options.max_queued_records || batch.bytes > options.max_queued_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("batch of ", batch.records, " records (~", batch.bytes,
                       " bytes) exceeds the store's write queue capacity of ",
                       options.max_queued_records, " records / ", options.max_queued_bytes,
                       " bytes; split it"));
    }
    if (stats.pending_records + batch.records > options.max_queued_records ||
        stats.pending_bytes + batch.bytes > options.max_queued_bytes) {
      ++stats.rejected_full;
      return absl::ResourceExhaustedError(
          absl::StrCat("write queue full (", stats.pending_records, " records / ",
                       stats.pending_bytes, " bytes pending); retry later"));
    }
    stats.pending_records += batch.records;
    stats.pending_bytes += batch.bytes;
    queue.push_back(&batch);
  }
  work_cv.notify_one();
  std::unique_lock<std::mutex> lock(mu);
  done_cv.wait(lock, [&] { return batch.done; });
  return batch.status;
}

void PostgresStore::Impl::WriterLoop(size_t w) {
  std::vector<PgWriteBatch*> group;
  for (;;) {
    group.clear();
    {
      std::unique_lock<std::mutex> lock(mu);
      work_cv.wait(lock, [&] { return stopping || !queue.empty(); });
      if (queue.empty()) return;  // stopping and drained
      // Everything that queued while the previous commit ran shares this
      // transaction (group commit), up to max_records_per_commit.
      int64_t records = 0;
      while (!queue.empty() &&
             (group.empty() || records + queue.front()->records <= options.max_records_per_commit)) {
        records += queue.front()->records;
        group.push_back(queue.front());
        queue.pop_front();
      }
    }
    CommitGroup(writer_conns[w], group);
    {
      std::lock_guard<std::mutex> lock(mu);
      for (PgWriteBatch* b : group) {
        stats.pending_records -= b->records;
        stats.pending_bytes -= b->bytes;
        if (b->status.ok()) {
          ++stats.batches_committed;
        } else {
          ++stats.batches_failed;
        }
        b->done = true;
      }
    }
    done_cv.notify_all();
  }
}

void PostgresStore::Impl::CommitGroup(std::unique_ptr<pqxx::connection>& conn,
                                      const std::vector<PgWriteBatch*>& group) {
  absl::Status status;
  const auto start = std::chrono::steady_clock::now();
  for (int attempt = 0;; ++attempt) {
    status = CommitGroupOnce(conn, group);
    if (status.ok()) {
      if (options.on_commit) {
        int64_t records = 0;
        for (const PgWriteBatch* b : group) records += b->records;
        options.on_commit(records, std::chrono::duration_cast<std::chrono::microseconds>(
                                       std::chrono::steady_clock::now() - start)
                                       .count());
      }
      return;
    }
    // Deadlock / serialization failure with another replica's commit, or a
    // connection that broke before COMMIT was sent: nothing was committed,
    // so the same transaction is re-run (with a fresh connection).
    const bool retryable = absl::IsAborted(status);
    if (!retryable || attempt >= options.max_retries) break;
    {
      std::lock_guard<std::mutex> lock(mu);
      ++stats.retries;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5 * (attempt + 1)));
  }
  if (absl::IsAborted(status)) {
    status = absl::UnavailableError(absl::StrCat(status.message(), " (retries exhausted)"));
  }
  if (group.size() == 1 || absl::IsUnavailable(status)) {
    for (PgWriteBatch* b : group) b->status = status;
    return;
  }
  // A failure one batch may own (a row PostgreSQL rejects): each batch on
  // its own, so only the bad ones fail.
  for (PgWriteBatch* b : group) CommitGroup(conn, {b});
}

absl::Status PostgresStore::Impl::CommitGroupOnce(std::unique_ptr<pqxx::connection>& conn,
                                                  const std::vector<PgWriteBatch*>& group) {
  for (PgWriteBatch* b : group) {
    b->status = absl::OkStatus();
    b->summary = WriteSummary{};
    b->entry_inserted.clear();
  }
  bool committing = false;
  // Opening the connection: a failure then is not re-run within the group.
  // Re-running makes sense for a connection that broke (the next one may
  // work); one that could not be opened costs up to connect_timeout per
  // host each time (a vanished primary), and the next group tries again.
  bool connecting = false;
  try {
    if (conn == nullptr) {
      connecting = true;
      conn = OpenWriter();
      connecting = false;
      std::lock_guard<std::mutex> lock(mu);
      ++stats.reconnects;
    }
    pqxx::work txn(*conn);
    bool has[6] = {false, false, false, false, false, false};
    for (const PgWriteBatch* b : group) has[static_cast<int>(b->kind)] = true;
    if (has[static_cast<int>(PgWriteBatch::Kind::kEntries)]) {
      pqxx::stream_to copy(txn, "hf_stage_entries", kEntryColumns);
      std::string attributes;
      for (size_t bi = 0; bi < group.size(); ++bi) {
        const PgWriteBatch& b = *group[bi];
        if (b.kind != PgWriteBatch::Kind::kEntries) continue;
        for (size_t i = 0; i < b.entries.size(); ++i) {
          const EntryRow& r = b.entries[i];
          attributes = storage_internal::ByteaHex(storage_internal::EncodeAttributes(r.attributes));
          copy << std::make_tuple(static_cast<int>(bi), static_cast<int>(i), std::cref(r.journey),
                                  std::cref(r.unit), r.period, r.t0, static_cast<int>(r.group),
                                  std::cref(r.arm), std::cref(r.config_version),
                                  r.in_washout ? 1 : 0, std::cref(attributes));
        }
      }
      copy.complete();
      pqxx::result res = txn.exec(kMoveEntries);
      for (PgWriteBatch* b : group) {
        if (b->kind == PgWriteBatch::Kind::kEntries) b->entry_inserted.assign(b->entries.size(), false);
      }
      for (const pqxx::row& row : res) {
        PgWriteBatch* b = group[row[0].as<int>()];
        b->entry_inserted[row[1].as<int>()] = true;
        ++b->summary.inserted;
      }
    }
    if (has[static_cast<int>(PgWriteBatch::Kind::kSends)]) {
      pqxx::stream_to copy(txn, "hf_stage_sends", kSendColumns);
      for (size_t bi = 0; bi < group.size(); ++bi) {
        const PgWriteBatch& b = *group[bi];
        if (b.kind != PgWriteBatch::Kind::kSends) continue;
        for (size_t i = 0; i < b.sends.size(); ++i) {
          const SendRow& r = b.sends[i];
          copy << std::make_tuple(static_cast<int>(bi), static_cast<int>(i), std::cref(r.send_id),
                                  std::cref(r.unit), std::cref(r.journey), std::cref(r.channel),
                                  r.at, r.cost);
        }
      }
      copy.complete();
      ApplyCounts(txn.exec(kMoveSends), group);
    }
    if (has[static_cast<int>(PgWriteBatch::Kind::kOutcomes)]) {
      pqxx::stream_to copy(txn, "hf_stage_outcomes", kOutcomeColumns);
      for (size_t bi = 0; bi < group.size(); ++bi) {
        const PgWriteBatch& b = *group[bi];
        if (b.kind != PgWriteBatch::Kind::kOutcomes) continue;
        for (size_t i = 0; i < b.outcomes.size(); ++i) {
          const OutcomeRow& r = b.outcomes[i];
          const bool refund = r.type == OutcomeType::kRefund;
          copy << std::make_tuple(static_cast<int>(bi), static_cast<int>(i),
                                  std::cref(r.outcome_id), std::cref(r.unit), r.at,
                                  static_cast<int>(r.type),
                                  refund ? -std::fabs(r.revenue) : r.revenue,
                                  refund ? -std::fabs(r.margin) : r.margin, std::cref(r.order_id),
                                  r.incentive_cost);
        }
      }
      copy.complete();
      ApplyCounts(txn.exec(kMoveOutcomes), group);
    }
    if (has[static_cast<int>(PgWriteBatch::Kind::kFixedCosts)]) {
      pqxx::stream_to copy(txn, "hf_stage_fixed_costs", kFixedCostColumns);
      for (size_t bi = 0; bi < group.size(); ++bi) {
        const PgWriteBatch& b = *group[bi];
        if (b.kind != PgWriteBatch::Kind::kFixedCosts) continue;
        for (size_t i = 0; i < b.fixed_costs.size(); ++i) {
          const FixedCostRow& r = b.fixed_costs[i];
          copy << std::make_tuple(static_cast<int>(bi), static_cast<int>(i), std::cref(r.cost_id),
                                  std::cref(r.journey), r.start, r.end, r.amount,
                                  std::cref(r.category));
        }
      }
      copy.complete();
      ApplyCounts(txn.exec(kMoveFixedCosts), group);
    }
    if (has[static_cast<int>(PgWriteBatch::Kind::kCustomers)]) {
      pqxx::stream_to copy(txn, "hf_stage_customers", kCustomerColumns);
      for (size_t bi = 0; bi < group.size(); ++bi) {
        const PgWriteBatch& b = *group[bi];
        if (b.kind != PgWriteBatch::Kind::kCustomers) continue;
        for (size_t i = 0; i < b.customers.size(); ++i) {
          const CustomerRow& r = b.customers[i];
          copy << std::make_tuple(static_cast<int>(bi), static_cast<int>(i), std::cref(r.unit), r.first_seen);
        }
      }
      copy.complete();
      ApplyCounts(txn.exec(kMoveCustomers), group);
    }
    for (PgWriteBatch* b : group) {
      if (b->kind != PgWriteBatch::Kind::kConfigVersion) continue;
      const ConfigVersionRow& r = *b->config_version;
      txn.exec_params(
          "INSERT INTO config_versions (version, loaded_at, source_path, diff_summary, content, "
          "replica) VALUES ($1, $2, $3, $4, $5, $6)",
          r.version, r.loaded_at, r.source_path, r.diff_summary, r.content, r.replica);
      b->summary.inserted = 1;
    }
    committing = true;
    txn.commit();
  } catch (...) {
    absl::Status s = StatusFromCurrentPqxxException("writing to PostgreSQL");
    bool broken = false;
    bool retry = false;
    try {
      throw;
    } catch (const pqxx::in_doubt_error&) {
      broken = true;  // the outcome is unknown: report it, never re-run
    } catch (const pqxx::broken_connection& e) {
      broken = true;
      retry = !committing;
      if (connecting) {
        s = absl::UnavailableError(absl::StrCat("writing to PostgreSQL: postgresql: cannot connect: ",
                                                storage_internal::FirstLineBounded(e.what())));
      }
    } catch (const pqxx::statement_completion_unknown&) {
      broken = true;  // as in_doubt: the statement may have run
    } catch (...) {
      const std::string state = storage_internal::CurrentPqxxSqlState();
      if (state == kReadOnlySqlState) {
        // The server no longer takes writes: a primary demoted to a
        // standby, or a name that moved to one. Nothing was committed; a
        // fresh connection lets libpq pick the writable host
        // (target_session_attrs=read-write), so drop this one and re-run.
        broken = true;
        retry = true;
        s = absl::UnavailableError(absl::StrCat(s.message(), "; ", kReadOnlyHint));
      } else {
        // Deadlocks and serialization failures, whichever exception type
        // libpqxx chose for them (CurrentPqxxSqlState).
        retry = storage_internal::IsRetryableSqlState(state);
      }
    }
    if (connecting) retry = false;
    if (broken) conn.reset();
    for (PgWriteBatch* b : group) {
      b->summary = WriteSummary{};
      b->entry_inserted.clear();
    }
    // ABORTED marks "re-run me" for CommitGroup; it never reaches a caller.
    if (retry) return absl::AbortedError(s.message());
    return s;
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    ++stats.commits;
  }
  for (PgWriteBatch* b : group) {
    const int64_t n = b->kind == PgWriteBatch::Kind::kConfigVersion ? 1 : b->records;
    b->summary.duplicates = n - b->summary.inserted;
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------- writes

namespace {

template <typename Impl, typename Row>
absl::Status SubmitRows(Impl& impl, PgWriteBatch::Kind kind,
                        absl::Span<const Row> PgWriteBatch::*slot, absl::Span<const Row> rows,
                        PgWriteBatch& batch) {
  batch.kind = kind;
  batch.*slot = rows;
  batch.records = static_cast<int64_t>(rows.size());
  batch.bytes = BytesOfAll(rows);
  return impl.Submit(batch);
}

}  // namespace

absl::StatusOr<EntryWriteResult> PostgresStore::RecordEntries(absl::Span<const EntryRow> rows) {
  HF_RETURN_IF_ERROR(storage_internal::ValidateEntries(rows));
  HF_RETURN_IF_ERROR(storage_internal::ValidatePostgresText(rows));
  EntryWriteResult result;
  if (rows.empty()) return result;
  PgWriteBatch batch;
  HF_RETURN_IF_ERROR(SubmitRows(*impl_, PgWriteBatch::Kind::kEntries, &PgWriteBatch::entries, rows, batch));
  result.summary = batch.summary;
  result.inserted = std::move(batch.entry_inserted);
  return result;
}

absl::StatusOr<WriteSummary> PostgresStore::RecordSends(absl::Span<const SendRow> rows) {
  HF_RETURN_IF_ERROR(storage_internal::ValidateSends(rows));
  HF_RETURN_IF_ERROR(storage_internal::ValidatePostgresText(rows));
  if (rows.empty()) return WriteSummary{};
  PgWriteBatch batch;
  HF_RETURN_IF_ERROR(SubmitRows(*impl_, PgWriteBatch::Kind::kSends, &PgWriteBatch::sends, rows, batch));
  return batch.summary;
}

absl::StatusOr<WriteSummary> PostgresStore::RecordOutcomes(absl::Span<const OutcomeRow> rows) {
  HF_RETURN_IF_ERROR(storage_internal::ValidateOutcomes(rows));
  HF_RETURN_IF_ERROR(storage_internal::ValidatePostgresText(rows));
  if (rows.empty()) return WriteSummary{};
  PgWriteBatch batch;
  HF_RETURN_IF_ERROR(SubmitRows(*impl_, PgWriteBatch::Kind::kOutcomes, &PgWriteBatch::outcomes, rows, batch));
  return batch.summary;
}

absl::StatusOr<WriteSummary> PostgresStore::RecordFixedCosts(absl::Span<const FixedCostRow> rows) {
  HF_RETURN_IF_ERROR(storage_internal::ValidateFixedCosts(rows));
  HF_RETURN_IF_ERROR(storage_internal::ValidatePostgresText(rows));
  if (rows.empty()) return WriteSummary{};
  PgWriteBatch batch;
  HF_RETURN_IF_ERROR(
      SubmitRows(*impl_, PgWriteBatch::Kind::kFixedCosts, &PgWriteBatch::fixed_costs, rows, batch));
  return batch.summary;
}

absl::StatusOr<WriteSummary> PostgresStore::RecordCustomers(absl::Span<const CustomerRow> rows) {
  HF_RETURN_IF_ERROR(storage_internal::ValidateCustomers(rows));
  HF_RETURN_IF_ERROR(storage_internal::ValidatePostgresText(rows));
  if (rows.empty()) return WriteSummary{};
  PgWriteBatch batch;
  HF_RETURN_IF_ERROR(SubmitRows(*impl_, PgWriteBatch::Kind::kCustomers, &PgWriteBatch::customers, rows, batch));
  return batch.summary;
}

absl::Status PostgresStore::AppendConfigVersion(const ConfigVersionRow& row) {
  HF_RETURN_IF_ERROR(storage_internal::ValidateConfigVersion(row));
  HF_RETURN_IF_ERROR(storage_internal::ValidatePostgresText(row));
  PgWriteBatch batch;
  batch.kind = PgWriteBatch::Kind::kConfigVersion;
  batch.config_version = &row;
  batch.records = 1;
  batch.bytes = storage_internal::BytesOf(row);
  return impl_->Submit(batch);
}

}  // namespace holdfast
