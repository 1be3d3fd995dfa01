// Store on a PostgreSQL database shared by any number of holdfastd replicas,
// with the same guarantees SqliteStore documents (docs/storage.md) and the
// same table and column names (docs/postgresql.md).
//
// Writes: callers' batches go into a bounded queue per process; one writer
// thread owns one connection, takes every batch that queued while the last
// commit ran, streams each kind's rows with COPY into a temporary staging
// table and moves them with one INSERT ... SELECT ... ON CONFLICT DO NOTHING
// per kind, in key order, then commits: a group commit costs one round of
// statements and one WAL flush whatever its size. Callers return after the
// commit. Other replicas' concurrent writes of the same keys are resolved
// by the unique indexes (first commit wins); deadlocks between replicas are
// retried. A full queue fails at once with RESOURCE_EXHAUSTED.
//
// Reads: a small pool of read connections; each read is one REPEATABLE READ
// READ ONLY transaction (one snapshot), rows streamed through a cursor.
//
// Durability: an acknowledged write is committed and flushed to the
// server's WAL (synchronous_commit=on), so killing a replica (or the
// server) loses nothing acknowledged. A commit whose answer was lost (the
// connection broke during COMMIT) is reported UNAVAILABLE; re-sending is
// safe because every record is idempotent.
//
// Example:
//   absl::StatusOr<std::unique_ptr<PostgresStore>> store =
//       PostgresStore::Open("postgresql://holdfast@db.internal:5432/holdfast", {});
//
// Thread-safety: all public methods are safe for concurrent use. The
// destructor finishes the queued writes, then stops; no call may be in
// progress or start while it runs.
#ifndef HOLDFAST_LIB_STORAGE_POSTGRES_STORE_H_
#define HOLDFAST_LIB_STORAGE_POSTGRES_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "lib/storage/store.h"

namespace holdfast {

struct PostgresStoreOptions {
  // Bound on records queued or being committed in this process. A write
  // that would exceed it fails with RESOURCE_EXHAUSTED; a single larger
  // batch fails with INVALID_ARGUMENT. Default 1,000,000.
  int64_t max_queued_records = 1000000;
  // Same bound on approximate bytes. Default 256 MiB.
  int64_t max_queued_bytes = 256LL << 20;
  // The writer stops adding batches to one transaction at this many
  // records (a single larger batch still commits alone). Default 200,000.
  int64_t max_records_per_commit = 200000;
  // Read connections kept open between reads. Default 4.
  int max_idle_readers = 4;
  // Writer threads, each with its own connection, in [1, 16]. Each takes
  // whatever is queued when it is free, so while one waits for its COMMIT
  // to be flushed (a WAL fsync: ~5-20 ms on the machines measured) the next
  // group is already being written; PostgreSQL flushes commits that arrive
  // together with one fsync. 1 serializes every commit of the replica.
  // Concurrent groups commit in either order, so of two *concurrent* writes
  // of one key either may be the first (a write acknowledged before another
  // is submitted always wins over it). Default 2 (docs/performance.md,
  // "Replicas on PostgreSQL").
  int writer_connections = 2;
  // Connections one report's entry stream reads on, in [1, 16]. With more
  // than 1, a journey with at least 2 * min_slice_entries entries (estimated
  // from a sample of pages) is cut into slices of about min_slice_entries by
  // unit, which the connections compute at once on one exported snapshot;
  // the slices are read back in key order, so the report gets the same rows
  // in the same order as from one connection (docs/postgresql.md, "Analysis
  // stream"). Each connection holds up to 2 * min_slice_entries parsed
  // entries (~250 bytes each) ahead of the report. Default 2.
  int report_connections = 2;
  int64_t min_slice_entries = 65536;
  // Tests only: called on the report's thread once it has exported its
  // snapshot and before the other connections import it (a write committed
  // here must not be seen by any slice).
  std::function<void()> before_slice_connections;
  // Tests only: called on each cell slice's thread before its statement
  // (slice index, the check that says the slice should stop); an error fails
  // that slice as a failed statement would.
  std::function<absl::Status(int slice, const CancelCheck& stop)> before_cell_slice;
  // How long a writer's statement waits for a lock (PostgreSQL's
  // lock_timeout on the writer connections) before its group fails
  // UNAVAILABLE: a table another session locked (LOCK TABLE, a CREATE INDEX
  // without CONCURRENTLY, VACUUM FULL), a row another session's open
  // transaction inserted. The SQLite store's busy timeout, for PostgreSQL.
  // A lock_timeout set for the session elsewhere (the URI's
  // options=-c lock_timeout=..., ALTER ROLE/DATABASE ... SET) wins.
  // 0: wait as long as the lock is held. Default 10 s.
  int lock_timeout_ms = 10000;
  // Times a group commit is re-run after a deadlock or serialization
  // failure with another replica before its batches fail UNAVAILABLE.
  // Default 5.
  int max_retries = 5;
  // Called after each committed group transaction with the records it
  // acknowledged OK and its wall time (all attempts) in µs; on the writer
  // thread, so it must be cheap. Empty: not called.
  std::function<void(int64_t records, int64_t micros)> on_commit;
};

// Counters for monitoring and tests.
struct PostgresStoreStats {
  int64_t commits = 0;            // transactions committed by the writer
  int64_t batches_committed = 0;  // batches acknowledged OK
  int64_t batches_failed = 0;     // batches answered with an error
  int64_t retries = 0;            // group commits re-run (deadlock, serialization)
  int64_t reconnects = 0;         // writer connections re-opened
  int64_t pending_records = 0;    // queued or being committed
  int64_t pending_bytes = 0;
  int64_t rejected_full = 0;      // writes refused because the queue was full
  int64_t sliced_journeys = 0;    // journeys of report streams or cell statements cut into slices
  int64_t slices = 0;             // slices those were cut into
  int64_t slices_stopped = 0;     // cell slices cancelled because another slice of theirs failed
};

class PostgresStore final : public Store {
 public:
  // Connects to `uri` (a libpq connection string or URI), applies missing
  // schema migrations under an advisory lock, prepares the writer and
  // starts its thread. UNAVAILABLE if the server cannot be reached;
  // FAILED_PRECONDITION if its schema is newer than this build;
  // INVALID_ARGUMENT for bad options. Error messages never contain the URI.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<PostgresStore>> Open(
      const std::string& uri, const PostgresStoreOptions& options = {});

  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  absl::StatusOr<EntryWriteResult> RecordEntries(absl::Span<const EntryRow> rows) override;
  absl::StatusOr<WriteSummary> RecordSends(absl::Span<const SendRow> rows) override;
  absl::StatusOr<WriteSummary> RecordOutcomes(absl::Span<const OutcomeRow> rows) override;
  absl::StatusOr<WriteSummary> RecordFixedCosts(absl::Span<const FixedCostRow> rows) override;
  absl::StatusOr<WriteSummary> RecordCustomers(absl::Span<const CustomerRow> rows) override;
  absl::Status AppendConfigVersion(const ConfigVersionRow& row) override;
  absl::StatusOr<std::vector<ConfigVersionRow>> ListConfigVersions(int limit) override;
  absl::StatusOr<std::vector<EntryRow>> ScanEntries(const std::optional<EntryKey>& after,
                                                   int limit) override;
  absl::StatusOr<std::vector<SendRow>> ScanSends(const std::optional<std::string>& after_send_id,
                                                 int limit) override;
  absl::StatusOr<std::vector<OutcomeRow>> ScanOutcomes(
      const std::optional<std::string>& after_outcome_id, int limit) override;
  absl::StatusOr<std::vector<FixedCostRow>> ScanFixedCosts(
      const std::optional<std::string>& after_cost_id, int limit) override;
  absl::StatusOr<std::vector<CustomerRow>> ScanCustomers(const std::optional<std::string>& after_unit,
                                                         int limit) override;
  absl::Status ForEachAnalysisEntry(const AnalysisQuery& query, const AnalysisEntryFn& fn) override;
  absl::StatusOr<AnalysisAggregates> AggregateAnalysis(const AnalysisQuery& query,
                                                       int64_t first_period,
                                                       int64_t last_period) override;
  absl::Status ForEachProgramUnit(const ProgramQuery& query, const ProgramUnitFn& fn) override;
  absl::StatusOr<double> SumFixedCosts(UnixMicros from, UnixMicros to) override;
  absl::StatusOr<JourneyDiagnostics> GetJourneyDiagnostics(
      const JourneyDiagnosticsQuery& query) override;
  absl::StatusOr<JourneyChannels> GetJourneyChannels(const ChannelQuery& query) override;
  absl::StatusOr<int64_t> CountOrphanRefunds(UnixMicros from, UnixMicros to) override;

  // Schema version the database had before Open migrated it (0: new).
  int schema_version_at_open() const;

  PostgresStoreStats GetStats() const;

  // Opaque implementation state (lib/storage/internal/postgres_store_impl.h).
  struct Impl;

 private:
  explicit PostgresStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace holdfast

#endif  // HOLDFAST_LIB_STORAGE_POSTGRES_STORE_H_
