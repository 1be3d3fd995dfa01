// Private state of SqliteStore, shared by its write half (sqlite_store.cc)
// and read half (sqlite_store_reads.cc).
#ifndef HOLDFAST_LIB_STORAGE_INTERNAL_SQLITE_STORE_IMPL_H_
#define HOLDFAST_LIB_STORAGE_INTERNAL_SQLITE_STORE_IMPL_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "lib/storage/internal/file_lock.h"
#include "lib/storage/records.h"
#include "lib/storage/sqlite_store.h"

namespace holdfast {

// One caller's write, queued for the writer. Lives on the caller's stack; the
// caller blocks until `done`, so the spans stay valid.
struct WriteBatch {
  enum class Kind { kEntries, kSends, kOutcomes, kFixedCosts, kCustomers, kConfigVersion };
  Kind kind = Kind::kSends;
  absl::Span<const EntryRow> entries;
  absl::Span<const SendRow> sends;
  absl::Span<const OutcomeRow> outcomes;
  absl::Span<const FixedCostRow> fixed_costs;
  absl::Span<const CustomerRow> customers;
  const ConfigVersionRow* config_version = nullptr;
  int64_t records = 0;
  int64_t bytes = 0;

  // Set by the writer before `done`.
  absl::Status status;
  WriteSummary summary;
  std::vector<bool> entry_inserted;
  bool done = false;  // guarded by SqliteStore::Impl::mu
};

struct SqliteStore::Impl {
  std::string path;
  SqliteStoreOptions options;
  int schema_version_at_open = 0;
  // Held while open (options.exclusive); released after the connections close.
  std::unique_ptr<storage_internal::FileLock> lock;

  // --- write side: owned by the writer thread after Open ---
  std::unique_ptr<SQLite::Database> writer_db;
  std::unique_ptr<SQLite::Statement> insert_entry;
  std::unique_ptr<SQLite::Statement> insert_send;
  std::unique_ptr<SQLite::Statement> insert_outcome;
  std::unique_ptr<SQLite::Statement> order_exists;
  std::unique_ptr<SQLite::Statement> insert_fixed_cost;
  std::unique_ptr<SQLite::Statement> insert_customer;
  std::unique_ptr<SQLite::Statement> insert_config_version;
  std::thread writer;

  // --- queue, guarded by mu ---
  mutable std::mutex mu;
  std::condition_variable work_cv;  // writer waits: queue non-empty or stopping
  std::condition_variable done_cv;  // callers wait: their batch done
  std::deque<WriteBatch*> queue;
  bool stopping = false;
  SqliteStoreStats stats;

  // --- read connection pool, guarded by readers_mu ---
  std::mutex readers_mu;
  std::vector<std::unique_ptr<SQLite::Database>> idle_readers;

  // Enqueues `batch` and blocks until the writer finished it; returns its
  // status (admission errors without enqueueing).
  absl::Status Submit(WriteBatch& batch);
  void WriterLoop();
  // sqlite3_wal_hook: checkpoints like SQLite's auto-checkpoint and reports its time.
  static int WalCheckpointHook(void* arg, sqlite3* db, const char* name, int frames);
  // Commits `group` in one transaction and sets every batch's status.
  void CommitGroup(const std::vector<WriteBatch*>& group);
  // One attempt. Without savepoints, returns false as soon as a batch fails,
  // after setting that batch's status and rolling back (nothing of the group
  // is stored), so the caller can retry with savepoints; with them, always
  // completes, sets every status, and returns true.
  bool CommitGroupOnce(const std::vector<WriteBatch*>& group, bool savepoints);
  // Applies one batch inside the current transaction; throws on SQLite error.
  void ApplyBatch(WriteBatch& batch);

  // Read connections (opened on demand, returned to the pool).
  absl::StatusOr<std::unique_ptr<SQLite::Database>> AcquireReader();
  void ReleaseReader(std::unique_ptr<SQLite::Database> db);
};

}  // namespace holdfast

#endif  // HOLDFAST_LIB_STORAGE_INTERNAL_SQLITE_STORE_IMPL_H_
