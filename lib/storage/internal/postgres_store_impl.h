// Private state of PostgresStore, shared by its write half
// (postgres_store.cc) and read half (postgres_store_reads.cc).
#ifndef HOLDFAST_LIB_STORAGE_INTERNAL_POSTGRES_STORE_IMPL_H_
#define HOLDFAST_LIB_STORAGE_INTERNAL_POSTGRES_STORE_IMPL_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "lib/storage/postgres_store.h"
#include "lib/storage/records.h"

namespace holdfast {

// One caller's write, queued for the writer. Lives on the caller's stack;
// the caller blocks until `done`, so the spans stay valid.
struct PgWriteBatch {
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
  bool done = false;  // guarded by PostgresStore::Impl::mu
};

struct PostgresStore::Impl {
  std::string uri;  // never logged: may hold a password
  PostgresStoreOptions options;
  int schema_version_at_open = 0;

  // --- write side: options.writer_connections threads, each owning one
  // connection (null after a failure: reopened lazily) ---
  std::vector<std::unique_ptr<pqxx::connection>> writer_conns;
  std::vector<std::thread> writers;

  // --- queue, guarded by mu ---
  mutable std::mutex mu;
  std::condition_variable work_cv;  // writer waits: queue non-empty or stopping
  std::condition_variable done_cv;  // callers wait: their batch done
  std::deque<PgWriteBatch*> queue;
  bool stopping = false;
  PostgresStoreStats stats;

  // --- read connection pool, guarded by readers_mu ---
  std::mutex readers_mu;
  std::vector<std::unique_ptr<pqxx::connection>> idle_readers;

  // Opens a connection with the session settings every store connection
  // uses. Throws libpqxx exceptions.
  // `*connected` (when given) becomes true once the server accepted the
  // connection, before the session settings: a failure after it is a lost
  // connection, not a server that is not there.
  std::unique_ptr<pqxx::connection> Connect(const char* role, bool* connected = nullptr) const;
  // A writer connection plus its staging tables; throws.
  std::unique_ptr<pqxx::connection> OpenWriter(bool* connected = nullptr);

  absl::Status Submit(PgWriteBatch& batch);
  // Writer thread `w`: takes every batch queued (up to
  // max_records_per_commit) and commits them on writer_conns[w].
  void WriterLoop(size_t w);
  // Commits `group` (retrying deadlocks) and sets every batch's status;
  // when the group fails for a reason one batch may own, each batch is
  // retried alone so only the bad ones fail.
  void CommitGroup(std::unique_ptr<pqxx::connection>& conn, const std::vector<PgWriteBatch*>& group);
  // One transaction for `group` on `conn` (opened when null, reset when
  // broken): OK, or the error (nothing committed).
  absl::Status CommitGroupOnce(std::unique_ptr<pqxx::connection>& conn,
                               const std::vector<PgWriteBatch*>& group);

  // An idle pooled read connection, or a new one; *pooled (when given)
  // says which, since a pooled one may be dead without libpq knowing.
  absl::StatusOr<std::unique_ptr<pqxx::connection>> AcquireReader(bool* pooled = nullptr);
  void ReleaseReader(std::unique_ptr<pqxx::connection> conn);
};

}  // namespace holdfast

#endif  // HOLDFAST_LIB_STORAGE_INTERNAL_POSTGRES_STORE_IMPL_H_
