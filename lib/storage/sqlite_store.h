// Store on one SQLite file (WAL mode) with group commit.
//
// Writes: callers' batches go into a bounded queue; one writer thread owns
// the write connection, drains the queue, and commits every batch it took in
// one transaction, each batch inside its own savepoint so a batch that fails
// in SQLite is rolled back alone. Callers return when their batch's commit
// is done. When the queue is full a write fails at once with
// RESOURCE_EXHAUSTED instead of growing memory.
//
// Reads: a small pool of separate read connections; WAL lets them read a
// consistent snapshot beside the writer.
//
// Durability: see SqliteStoreOptions::synchronous and docs/storage.md.
//
// Example:
//   SqliteStoreOptions options;
//   options.synchronous = SqliteStoreOptions::Synchronous::kFull;
//   absl::StatusOr<std::unique_ptr<SqliteStore>> store =
//       SqliteStore::Open("/var/lib/holdfast/holdfast.db", options);
//
// Thread-safety: all public methods are safe for concurrent use. The
// destructor finishes the queued writes, then stops; no call may be in
// progress or start while it runs.
#ifndef HOLDFAST_LIB_STORAGE_SQLITE_STORE_H_
#define HOLDFAST_LIB_STORAGE_SQLITE_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "lib/storage/store.h"

namespace holdfast {

struct SqliteStoreOptions {
  enum class Synchronous {
    // PRAGMA synchronous=NORMAL (default). A commit is written to the WAL
    // (reaching the OS) before the call returns, so it survives the process
    // being killed (kill -9, crash). It may be lost if the machine loses
    // power or the OS crashes before the OS flushes the WAL.
    kNormal,
    // PRAGMA synchronous=FULL: the WAL is fsync'ed at every commit, so a
    // returned write also survives power loss. One fsync per group commit.
    kFull,
  };
  // Default kNormal.
  Synchronous synchronous = Synchronous::kNormal;

  // Page cache of the write connection in KiB. Default 256 MiB: random-key
  // inserts stay fast while the hot part of every B-tree fits.
  int64_t writer_cache_kib = 256 * 1024;

  // Page cache of each read connection in KiB. Default 64 MiB.
  int64_t reader_cache_kib = 64 * 1024;

  // Read connections kept open between reads (more are opened on demand and
  // closed after use). Default 4.
  int max_idle_readers = 4;

  // Bound on records queued or being committed, over all callers. A write
  // that would exceed it fails with RESOURCE_EXHAUSTED; a single batch larger
  // than the bound fails with INVALID_ARGUMENT. Default 1,000,000.
  int64_t max_queued_records = 1000000;

  // Same bound on the approximate bytes of those records (string payloads
  // plus a fixed per-record overhead). Default 256 MiB.
  int64_t max_queued_bytes = 256LL << 20;

  // The writer stops adding batches to one transaction once it holds this
  // many records (a single larger batch still commits alone). Larger
  // transactions amortise the page writes of random-key inserts. Default
  // 200,000.
  int64_t max_records_per_commit = 200000;

  // How long a connection waits for a lock held by another connection (an
  // external tool, a checkpoint) before failing with UNAVAILABLE, in ms.
  // Default 5000.
  int busy_timeout_ms = 5000;

  // WAL auto-checkpoint threshold in pages (PRAGMA wal_autocheckpoint).
  // Default 100000 (~400 MiB at 4 KiB pages). Random-key inserts rewrite the
  // same pages commit after commit; a checkpoint copies each page once
  // however often it changed, so checkpointing 10x less often cut bytes
  // written by ~40% and raised ingest 1.4-2x (docs/storage.md). Costs: the
  // WAL grows to this size before it is reset, reopening after a crash
  // replays up to that much, and the commit that triggers a checkpoint
  // waits for it.
  int wal_autocheckpoint_pages = 100000;

  // Hold an exclusive lock on `<path>.lock` while open, so a second process
  // (a second holdfastd) opening the same store fails at once with
  // FAILED_PRECONDITION instead of both serving it. Default on.
  bool exclusive = true;

  // A file that already exists but holds no Holdfast schema (0 bytes, or an
  // SQLite database of something else) is refused with FAILED_PRECONDITION
  // unless this is set: a wrong --db path must not turn another file into a
  // store. A missing file is always created. Default off.
  bool init_existing_file = false;

  // Observers for monitoring (holdfastd's metrics); empty by default. Called
  // on the writer thread after each committed transaction with its records
  // and its time from BEGIN to COMMIT in microseconds, and after each WAL
  // checkpoint with its time. They must be quick and must not call the store.
  std::function<void(int64_t records, int64_t micros)> on_commit;
  std::function<void(int64_t micros)> on_checkpoint;
};

// Counters for monitoring and tests.
struct SqliteStoreStats {
  // Transactions the writer committed (each holds one or more batches).
  int64_t commits = 0;
  // Batches committed / failed inside SQLite.
  int64_t batches_committed = 0;
  int64_t batches_failed = 0;
  // Batches waiting for the writer (not yet taken into a transaction).
  int64_t waiting_batches = 0;
  // Records queued or being committed (what max_queued_records bounds).
  int64_t pending_records = 0;
  int64_t pending_bytes = 0;
  // Writes refused because the queue was full.
  int64_t rejected_full = 0;
};

class SqliteStore final : public Store {
 public:
  // Opens (creating if missing) the database at `path`, switches it to WAL,
  // applies missing schema migrations, checks that it can write (one small
  // commit) and starts the writer thread. FAILED_PRECONDITION if the file's
  // schema is newer than this build, if another process holds the store
  // (options.exclusive), if the file is not writable, or if it exists but is
  // not a Holdfast store (see init_existing_file); UNAVAILABLE if it cannot
  // be opened; INVALID_ARGUMENT for bad options.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<SqliteStore>> Open(
      const std::string& path, const SqliteStoreOptions& options = {});

  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

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

  // Schema version the file had before Open migrated it (0: new file).
  int schema_version_at_open() const;

  SqliteStoreStats GetStats() const;

  // Opaque implementation state (lib/storage/internal/sqlite_store_impl.h).
  struct Impl;

 private:
  explicit SqliteStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace holdfast

#endif  // HOLDFAST_LIB_STORAGE_SQLITE_STORE_H_
