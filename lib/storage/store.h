// The durable store behind the server: idempotent writes of entries, sends,
// outcomes and fixed costs; config history; and the analysis reads the
// report builder needs. Two backends: SqliteStore (one file, one process)
// and PostgresStore (one database shared by many holdfastd replicas);
// Store::Open picks one from a URI, so callers never name a backend.
//
// Example:
//   HF_ASSIGN_OR_RETURN(std::unique_ptr<Store> store,
//                       Store::Open("postgresql://holdfast@db.internal/holdfast"));
//   HF_ASSIGN_OR_RETURN(WriteSummary s, store->RecordSends(sends));
//
// Contract shared by all Record* calls:
//   - Returns only after the batch is committed (durable per the backend's
//     documented guarantee), or with an error after nothing of it is stored.
//   - A batch is atomic: all of its records are stored, or none.
//   - Idempotent per record key; the first write of a key wins.
//   - Errors: INVALID_ARGUMENT (a malformed row; nothing stored),
//     RESOURCE_EXHAUSTED (write queue full: retry later; nothing stored),
//     UNAVAILABLE (database busy or I/O trouble; retry), others as mapped in
//     docs/storage.md.
//   - The rows are only read during the call; the caller keeps ownership.
//
// Thread-safety: all methods are safe to call concurrently.
#ifndef HOLDFAST_LIB_STORAGE_STORE_H_
#define HOLDFAST_LIB_STORAGE_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "lib/storage/analysis.h"
#include "lib/storage/records.h"

namespace holdfast {

// What Store::Open passes to either backend.
struct StoreOptions {
  // SQLite: synchronous=FULL, one fsync per group commit, so an acknowledged
  // write also survives power loss (default NORMAL survives a process kill).
  // PostgreSQL: no effect; every commit is flushed to the server's WAL
  // before it is acknowledged (synchronous_commit=on), which survives the
  // death of the replica and of the database server.
  bool sync_full = false;
  // Records queued or being committed before writes fail with
  // RESOURCE_EXHAUSTED. Default 1,000,000.
  int64_t max_queued_records = 1000000;
  // PostgreSQL: read connections kept open per process (reports beyond it
  // open a connection for their duration). Default 4.
  int max_idle_readers = 4;
  // PostgreSQL: writer connections, each committing its own group while
  // the others wait for their WAL flush (PostgresStoreOptions::
  // writer_connections, in [1, 16]). SQLite: no effect (one writer). Default 2.
  int pg_writer_connections = 2;
  // PostgreSQL: connections one report's entry stream reads on, in [1, 16]
  // (PostgresStoreOptions::report_connections). SQLite: no effect. Default 2.
  int pg_report_connections = 2;
  // SQLite: create the store in an existing file that holds no Holdfast
  // schema (SqliteStoreOptions::init_existing_file). PostgreSQL: no effect;
  // the migrations create the tables in the named database. Default off.
  bool init_existing_file = false;
  // Observers for monitoring (holdfastd's metrics), empty by default; see
  // SqliteStoreOptions::on_commit / on_checkpoint and
  // PostgresStoreOptions::on_commit. on_checkpoint is SQLite's alone
  // (PostgreSQL checkpoints are the database server's: pg_stat_bgwriter).
  std::function<void(int64_t records, int64_t micros)> on_commit;
  std::function<void(int64_t micros)> on_checkpoint;
};

// Key of an entry (its idempotency key), the position of a paged entry scan.
struct EntryKey {
  std::string journey;
  std::string unit;
  int64_t period = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Opens the store named by `uri`:
  //   PATH or sqlite:PATH                 SqliteStore on that file (created if missing)
  //   postgresql://... or postgres://...  PostgresStore; a libpq connection URI
  //                                       (scheme in any case), password from
  //                                       the URI or PGPASSFILE
  // Missing schema migrations are applied. INVALID_ARGUMENT for a value
  // that names neither unambiguously (a libpq key=value string, another
  // scheme, `postgres:` without `//`; store_uri.h) or that libpq
  // refuses; otherwise the backend's Open errors.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& uri,
                                                                   const StoreOptions& options = {});

  // `uri` fit for logs: a password in it (user:PASSWORD@, password=...,
  // sslpassword=..., percent-encoded names, key=value strings) is replaced
  // by "***".
  static std::string RedactUri(const std::string& uri);

  // Records entries. A row whose (journey, unit, period) is already stored
  // creates nothing; EntryWriteResult::inserted says which rows were new.
  [[nodiscard]] virtual absl::StatusOr<EntryWriteResult> RecordEntries(
      absl::Span<const EntryRow> rows) = 0;

  // Records sends, keyed by send_id.
  [[nodiscard]] virtual absl::StatusOr<WriteSummary> RecordSends(
      absl::Span<const SendRow> rows) = 0;

  // Records outcomes, keyed by outcome_id. Refund amounts are stored
  // negative; refunds of unknown orders are stored and counted.
  [[nodiscard]] virtual absl::StatusOr<WriteSummary> RecordOutcomes(
      absl::Span<const OutcomeRow> rows) = 0;

  // Records fixed costs, keyed by cost_id.
  [[nodiscard]] virtual absl::StatusOr<WriteSummary> RecordFixedCosts(
      absl::Span<const FixedCostRow> rows) = 0;

  // Records roster customers, keyed by unit (the first first_seen stored
  // for a unit stands).
  [[nodiscard]] virtual absl::StatusOr<WriteSummary> RecordCustomers(
      absl::Span<const CustomerRow> rows) = 0;

  // Appends one config load to the history.
  [[nodiscard]] virtual absl::Status AppendConfigVersion(const ConfigVersionRow& row) = 0;

  // Returns up to `limit` (> 0) config loads, newest first.
  [[nodiscard]] virtual absl::StatusOr<std::vector<ConfigVersionRow>> ListConfigVersions(
      int limit) = 0;

  // Paged scans in key order, for copying a whole store (lib/storage/store_copy.h)
  // or exporting it: up to `limit` (> 0) rows whose key is greater than
  // `after` (nullopt: from the first row), ordered by key. Keys compare as
  // byte strings (SQLite BINARY, PostgreSQL COLLATE "C"), then period as an
  // integer, so both backends return the same order and the last row of one
  // page is the `after` of the next. Rows come back exactly as stored
  // (refunds negative, entries with their stored assignment), so recording
  // them in another store reproduces them. Each page is its own snapshot: a
  // scan running beside writers sees every row committed before it started
  // and may or may not see later ones. Stores that cannot scan (test
  // decorators) return UNIMPLEMENTED.
  // INVALID_ARGUMENT when limit <= 0.
  [[nodiscard]] virtual absl::StatusOr<std::vector<EntryRow>> ScanEntries(
      const std::optional<EntryKey>& after, int limit) = 0;
  [[nodiscard]] virtual absl::StatusOr<std::vector<SendRow>> ScanSends(
      const std::optional<std::string>& after_send_id, int limit) = 0;
  [[nodiscard]] virtual absl::StatusOr<std::vector<OutcomeRow>> ScanOutcomes(
      const std::optional<std::string>& after_outcome_id, int limit) = 0;
  [[nodiscard]] virtual absl::StatusOr<std::vector<FixedCostRow>> ScanFixedCosts(
      const std::optional<std::string>& after_cost_id, int limit) = 0;
  [[nodiscard]] virtual absl::StatusOr<std::vector<CustomerRow>> ScanCustomers(
      const std::optional<std::string>& after_unit, int limit) = 0;

  // Called once per entry; a non-OK return stops the stream and is returned.
  using AnalysisEntryFn = std::function<absl::Status(const AnalysisEntry&)>;

  // Streams one AnalysisEntry per stored entry of the query's journeys with
  // from <= t0 < min(to, as_of), journey by journey in query order (order
  // within a journey unspecified), with the per-entry accounting of
  // docs/storage.md ("Analysis queries": cut windows, order-linked refunds,
  // maturity, config-version windows). Implementations run the SQL of
  // analysis_sql.h (or compute exactly the same values) and must pass
  // tests/storage/store_conformance_test.cc. Reads one consistent snapshot;
  // concurrent writes are not seen. INVALID_ARGUMENT for a malformed query.
  [[nodiscard]] virtual absl::Status ForEachAnalysisEntry(const AnalysisQuery& query,
                                                          const AnalysisEntryFn& fn) = 0;

  // The entries ForEachAnalysisEntry would stream, summed inside the
  // database into AnalysisCells, and the customers with an analysed entry
  // (mature, not washout, not global holdout, first_period <= period <=
  // last_period) counted per set of the query's journeys (docs/storage.md,
  // "Aggregates"), all from one snapshot; with horizons (JourneyWindow::
  // horizons_us and the curve's grid, consistent with max_horizon_us) also
  // each journey's AnalysisHorizonCells ("Horizons in the database"); with
  // segment_by, cells per segment unless there are too many attribute sets.
  // At most kMaxAnalysedUnitsJourneys journeys: INVALID_ARGUMENT otherwise.
  // CANCELLED when query.cancelled says so, also while a statement runs.
  [[nodiscard]] virtual absl::StatusOr<AnalysisAggregates> AggregateAnalysis(
      const AnalysisQuery& query, int64_t first_period, int64_t last_period) = 0;

  using ProgramUnitFn = std::function<absl::Status(const ProgramUnitRow&)>;

  // Streams one ProgramUnitRow per unit known before query.to (roster or
  // any event with time < to), with its outcomes and sends in [from, to),
  // in any order, from one snapshot. INVALID_ARGUMENT when from > to.
  [[nodiscard]] virtual absl::Status ForEachProgramUnit(const ProgramQuery& query,
                                                        const ProgramUnitFn& fn) = 0;

  // Sum over the fixed costs of every journey of
  // amount * |[start, end) ∩ [from, to)| / (end - start).
  [[nodiscard]] virtual absl::StatusOr<double> SumFixedCosts(UnixMicros from, UnixMicros to) = 0;

  // Fixed cost, washout and contamination facts for one journey.
  [[nodiscard]] virtual absl::StatusOr<JourneyDiagnostics> GetJourneyDiagnostics(
      const JourneyDiagnosticsQuery& query) = 0;

  // Per-channel sends and last-touch attributed orders of one journey's
  // analysed entries, and its fixed costs by category pro-rated to the cost
  // range (docs/storage.md, "Channels and cost components"). Implementations
  // run ChannelAttributionSql and FixedCostCategoriesSql (analysis_sql.h) in
  // one snapshot. INVALID_ARGUMENT for a malformed query.
  [[nodiscard]] virtual absl::StatusOr<JourneyChannels> GetJourneyChannels(
      const ChannelQuery& query) = 0;

  // Number of stored refunds with from <= at < to whose order_id names no
  // stored CONVERSION or ORDER of the same unit (as of now, so an order that
  // arrived after its refund no longer makes it an orphan). Orphans are
  // counted, never subtracted from any entry.
  [[nodiscard]] virtual absl::StatusOr<int64_t> CountOrphanRefunds(UnixMicros from,
                                                                   UnixMicros to) = 0;
};

}  // namespace holdfast

#endif  // HOLDFAST_LIB_STORAGE_STORE_H_
