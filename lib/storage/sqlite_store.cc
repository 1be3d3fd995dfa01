#include "lib/storage/sqlite_store.h"

#include <sys/stat.h>

#include <chrono>
#include <cmath>
#include <utility>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "lib/storage/internal/attribute_codec.h"
#include "lib/storage/internal/record_bytes.h"
#include "lib/storage/internal/row_validation.h"
#include "lib/storage/internal/schema.h"
#include "lib/storage/internal/sqlite_status.h"
#include "lib/storage/internal/sqlite_store_impl.h"

namespace holdfast {
namespace {

using storage_internal::StatusFromCurrentException;

using storage_internal::BytesOfAll;

absl::Status ValidateOptions(const SqliteStoreOptions& o) {
  if (o.writer_cache_kib <= 0 || o.reader_cache_kib <= 0 || o.max_idle_readers < 0 ||
      o.max_queued_records <= 0 || o.max_queued_bytes <= 0 || o.max_records_per_commit <= 0 ||
      o.busy_timeout_ms < 0 || o.wal_autocheckpoint_pages < 0) {
    return absl::InvalidArgumentError("SqliteStoreOptions: sizes must be positive");
  }
  return absl::OkStatus();
}

// Rolls back the open-time test write, if it left a transaction open.
void RollbackOnOpen(SQLite::Database& db) {
  try {
    if (!sqlite3_get_autocommit(db.getHandle())) db.exec("ROLLBACK");
  } catch (...) {
  }
}

// Resets a cached statement whatever state an earlier failure left it in.
void Rearm(SQLite::Statement& st) { st.tryReset(); }

// Process-wide SQLite settings, applied before SQLite's first use. Memory
// statistics are off: with them on, every sqlite3_malloc/free takes one global
// mutex (7 % of a 1 M-entry report's CPU, measured with perf in
// docs/performance.md), and nothing here reads sqlite3_memory_used.
// sqlite3_config fails harmlessly (SQLITE_MISUSE) when something in the
// process already initialized SQLite; the setting is then simply not applied.
void ConfigureSqliteOnce() {
  [[maybe_unused]] static const int configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

}  // namespace

// ---------------------------------------------------------------- opening

absl::StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                               const SqliteStoreOptions& options) {
  HF_RETURN_IF_ERROR(ValidateOptions(options));
  ConfigureSqliteOnce();
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->options = options;
  if (options.exclusive) {
    HF_ASSIGN_OR_RETURN(impl->lock,
                        storage_internal::FileLock::Acquire(path + ".lock", absl::StrCat("store ", path)));
  }
  struct stat before;
  const bool existed = stat(path.c_str(), &before) == 0;
  try {
    impl->writer_db = std::make_unique<SQLite::Database>(
        path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX,
        options.busy_timeout_ms);
    SQLite::Database& db = *impl->writer_db;
    // SQLite silently opens a read-only file read-only; a server that can
    // only fail on its first write must not start.
    if (sqlite3_db_readonly(db.getHandle(), "main") == 1) {
      return absl::FailedPreconditionError(absl::StrCat(
          "store ", path, " is not writable (read-only file or file system); fix its permissions"));
    }
    // Before anything writes to it: an existing file must already be a
    // store (or be meant to become one).
    if (existed) {
      absl::StatusOr<int> version = storage_internal::ReadSchemaVersion(db);
      if (version.status().code() == absl::StatusCode::kDataLoss) {
        return absl::FailedPreconditionError(absl::StrCat(
            path, " exists and is not a Holdfast store (not an SQLite database); refusing to touch it"));
      }
      if (!version.ok()) return version.status();
      if (*version == 0 && !options.init_existing_file) {
        return absl::FailedPreconditionError(absl::StrCat(
            path, " exists but is not a Holdfast store (",
            before.st_size == 0 ? "an empty file" : "an SQLite database without Holdfast's schema",
            "); pass --init_store to create the store in it"));
      }
    }
    {
      SQLite::Statement wal(db, "PRAGMA journal_mode = WAL");
      if (!wal.executeStep() || wal.getColumn(0).getString() != "wal") {
        return absl::FailedPreconditionError(
            absl::StrCat("cannot switch ", path, " to WAL mode (in-memory or unsupported VFS?)"));
      }
    }
    db.exec(options.synchronous == SqliteStoreOptions::Synchronous::kFull
                ? "PRAGMA synchronous = FULL"
                : "PRAGMA synchronous = NORMAL");
    db.exec(absl::StrCat("PRAGMA cache_size = -", options.writer_cache_kib));
    db.exec(absl::StrCat("PRAGMA wal_autocheckpoint = ", options.wal_autocheckpoint_pages));
    if (options.on_checkpoint && options.wal_autocheckpoint_pages > 0) {
      // To time checkpoints, take over SQLite's auto-checkpoint hook with one
      // that does what it does (a PASSIVE checkpoint once the WAL holds the
      // threshold's frames) and reports the time.
      sqlite3_wal_hook(db.getHandle(), &Impl::WalCheckpointHook, impl.get());
    }
    // After a checkpoint the WAL is truncated back to this size, so one burst
    // does not leave a huge file behind.
    db.exec("PRAGMA journal_size_limit = 67108864");
    db.exec("PRAGMA temp_store = MEMORY");
  } catch (...) {
    absl::Status s = StatusFromCurrentException(absl::StrCat("opening ", path));
    if (existed && s.code() == absl::StatusCode::kDataLoss) {
      return absl::FailedPreconditionError(absl::StrCat(
          path, " exists and is not a Holdfast store (not an SQLite database); refusing to touch it"));
    }
    return s;
  }
  HF_ASSIGN_OR_RETURN(impl->schema_version_at_open,
                      storage_internal::MigrateToLatest(*impl->writer_db));
  try {
    // One real commit now, so a store that cannot be written (no space, a
    // directory where the WAL cannot be created) fails here and not on the
    // first acknowledged-to-be write.
    SQLite::Database& db = *impl->writer_db;
    db.exec("BEGIN IMMEDIATE");
    db.exec(absl::StrCat("PRAGMA user_version = ", storage_internal::kLatestSchemaVersion));
    db.exec("COMMIT");
  } catch (...) {
    RollbackOnOpen(*impl->writer_db);
    absl::Status s = StatusFromCurrentException(absl::StrCat("test write to ", path));
    if (s.code() == absl::StatusCode::kFailedPrecondition || s.code() == absl::StatusCode::kUnavailable) {
      return absl::FailedPreconditionError(absl::StrCat("store ", path, " is not writable: ", s.message()));
    }
    return s;
  }
  try {
    SQLite::Database& db = *impl->writer_db;
    impl->insert_entry = std::make_unique<SQLite::Statement>(
        db,
        "INSERT INTO entries (journey, unit, period, t0, grp, arm, config_version, in_washout, "
        "attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
    impl->insert_send = std::make_unique<SQLite::Statement>(
        db,
        "INSERT INTO sends (send_id, unit, journey, channel, at, cost) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING");
    impl->insert_outcome = std::make_unique<SQLite::Statement>(
        db,
        "INSERT INTO outcomes (outcome_id, unit, at, type, revenue, margin, order_id, "
        "incentive_cost) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
    // A refund's order is a CONVERSION or ORDER of the same unit (the rule
    // the analysis query and CountOrphanRefunds use, analysis_sql.h).
    impl->order_exists = std::make_unique<SQLite::Statement>(
        db, "SELECT 1 FROM outcomes WHERE outcome_id = ? AND unit = ? AND type IN (1, 2)");
    impl->insert_fixed_cost = std::make_unique<SQLite::Statement>(
        db,
        "INSERT INTO fixed_costs (cost_id, journey, start, \"end\", amount, category) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
    impl->insert_customer = std::make_unique<SQLite::Statement>(
        db, "INSERT INTO customers (unit, first_seen) VALUES (?, ?) ON CONFLICT DO NOTHING");
    impl->insert_config_version = std::make_unique<SQLite::Statement>(
        db,
        "INSERT INTO config_versions (version, loaded_at, source_path, diff_summary, content, replica) "
        "VALUES (?, ?, ?, ?, ?, ?)");
  } catch (...) {
    return StatusFromCurrentException("preparing statements");
  }
  Impl* raw = impl.get();
  impl->writer = std::thread([raw] { raw->WriterLoop(); });
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(impl)));
}

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->work_cv.notify_all();
  if (impl_->writer.joinable()) impl_->writer.join();
  // Statements must go before their connection.
  impl_->insert_entry.reset();
  impl_->insert_send.reset();
  impl_->insert_outcome.reset();
  impl_->order_exists.reset();
  impl_->insert_fixed_cost.reset();
  impl_->insert_customer.reset();
  impl_->insert_config_version.reset();
  impl_->idle_readers.clear();
  impl_->writer_db.reset();
  impl_->lock.reset();  // last: the store is closed
}

int SqliteStore::schema_version_at_open() const { return impl_->schema_version_at_open; }

SqliteStoreStats SqliteStore::GetStats() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  SqliteStoreStats s = impl_->stats;
  s.waiting_batches = static_cast<int64_t>(impl_->queue.size());
  return s;
}

// ---------------------------------------------------------------- queue

absl::Status SqliteStore::Impl::Submit(WriteBatch& batch) {
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

int SqliteStore::Impl::WalCheckpointHook(void* arg, sqlite3* db, const char* name, int frames) {
  const auto* impl = static_cast<const SqliteStore::Impl*>(arg);
  if (frames < impl->options.wal_autocheckpoint_pages) return SQLITE_OK;
  const auto start = std::chrono::steady_clock::now();
  sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  impl->options.on_checkpoint(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count());
  return SQLITE_OK;
}

void SqliteStore::Impl::WriterLoop() {
  std::vector<WriteBatch*> group;
  for (;;) {
    group.clear();
    {
      std::unique_lock<std::mutex> lock(mu);
      work_cv.wait(lock, [&] { return stopping || !queue.empty(); });
      if (queue.empty()) return;  // stopping and drained
      // Everything that queued while the previous commit ran shares this
      // transaction: that is the group commit. Cap its size so one huge
      // transaction does not delay the callers at its front for too long.
      int64_t records = 0;
      while (!queue.empty() &&
             (group.empty() || records + queue.front()->records <= options.max_records_per_commit)) {
        records += queue.front()->records;
        group.push_back(queue.front());
        queue.pop_front();
      }
    }
    CommitGroup(group);
    {
      std::lock_guard<std::mutex> lock(mu);
      for (WriteBatch* b : group) {
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

namespace {

// Rolls back whatever transaction is open; errors are moot at this point.
void RollbackQuietly(SQLite::Database& db) {
  try {
    if (!sqlite3_get_autocommit(db.getHandle())) db.exec("ROLLBACK");
  } catch (...) {
  }
}

}  // namespace

void SqliteStore::Impl::CommitGroup(const std::vector<WriteBatch*>& group) {
  // Fast path: all batches in one plain transaction. Savepoints would make
  // SQLite copy every page a batch first touches into a sub-journal, which
  // measured ~35% of ingest throughput; and SQLite rejects a validated row
  // only rarely. If any batch fails, roll everything back and redo the group
  // with one savepoint per batch, so only the failing batches fail.
  // A lone batch needs no retry: its failure already failed only itself.
  if (CommitGroupOnce(group, /*savepoints=*/false) || group.size() == 1) return;
  CommitGroupOnce(group, /*savepoints=*/true);
}

bool SqliteStore::Impl::CommitGroupOnce(const std::vector<WriteBatch*>& group, bool savepoints) {
  SQLite::Database& db = *writer_db;
  auto fail_all = [&](const absl::Status& s) {
    for (WriteBatch* b : group) {
      if (b->status.ok()) b->status = s;
    }
  };
  for (WriteBatch* b : group) b->status = absl::OkStatus();
  const auto start = std::chrono::steady_clock::now();
  try {
    db.exec("BEGIN IMMEDIATE");
  } catch (...) {
    fail_all(StatusFromCurrentException("beginning write transaction"));
    return true;  // nothing to retry differently
  }
  bool any_ok = false;
  for (WriteBatch* b : group) {
    try {
      if (savepoints) db.exec("SAVEPOINT batch");
      ApplyBatch(*b);
      if (savepoints) db.exec("RELEASE batch");
      any_ok = true;
    } catch (...) {
      b->status = StatusFromCurrentException("writing batch");
      b->summary = WriteSummary{};
      b->entry_inserted.clear();
      if (!savepoints) {
        RollbackQuietly(db);
        return false;  // the caller may retry the group with savepoints
      }
      try {
        db.exec("ROLLBACK TO batch");
        db.exec("RELEASE batch");
      } catch (...) {
        // The transaction itself is gone (e.g. SQLite rolled it back on an
        // I/O error): nothing of this group can commit.
        fail_all(StatusFromCurrentException("rolling back batch"));
        RollbackQuietly(db);
        return true;
      }
    }
  }
  try {
    if (any_ok) {
      db.exec("COMMIT");
      {
        std::lock_guard<std::mutex> lock(mu);
        ++stats.commits;
      }
      if (options.on_commit) {
        int64_t records = 0;
        for (const WriteBatch* b : group) records += b->status.ok() ? b->records : 0;
        options.on_commit(records, std::chrono::duration_cast<std::chrono::microseconds>(
                                       std::chrono::steady_clock::now() - start)
                                       .count());
      }
    } else {
      db.exec("ROLLBACK");
    }
  } catch (...) {
    fail_all(StatusFromCurrentException("committing"));
    RollbackQuietly(db);
  }
  return true;
}

void SqliteStore::Impl::ApplyBatch(WriteBatch& b) {
  WriteSummary& sum = b.summary;
  sum = WriteSummary{};
  SQLite::Database& db = *writer_db;
  switch (b.kind) {
    case WriteBatch::Kind::kEntries: {
      SQLite::Statement& st = *insert_entry;
      b.entry_inserted.assign(b.entries.size(), false);
      std::string attributes;
      for (size_t i = 0; i < b.entries.size(); ++i) {
        const EntryRow& r = b.entries[i];
        attributes = storage_internal::EncodeAttributes(r.attributes);
        Rearm(st);
        st.bindNoCopy(1, r.journey);
        st.bindNoCopy(2, r.unit);
        st.bind(3, static_cast<int64_t>(r.period));
        st.bind(4, static_cast<int64_t>(r.t0));
        st.bind(5, static_cast<int>(r.group));
        st.bindNoCopy(6, r.arm);
        st.bindNoCopy(7, r.config_version);
        st.bind(8, r.in_washout ? 1 : 0);
        st.bindNoCopy(9, attributes.data(), static_cast<int>(attributes.size()));
        st.exec();
        if (db.getChanges() > 0) {
          b.entry_inserted[i] = true;
          ++sum.inserted;
        } else {
          ++sum.duplicates;
        }
      }
      Rearm(st);
      return;
    }
    case WriteBatch::Kind::kSends: {
      SQLite::Statement& st = *insert_send;
      for (const SendRow& r : b.sends) {
        Rearm(st);
        st.bindNoCopy(1, r.send_id);
        st.bindNoCopy(2, r.unit);
        st.bindNoCopy(3, r.journey);
        st.bindNoCopy(4, r.channel);
        st.bind(5, static_cast<int64_t>(r.at));
        st.bind(6, r.cost);
        st.exec();
        if (db.getChanges() > 0) {
          ++sum.inserted;
        } else {
          ++sum.duplicates;
        }
      }
      Rearm(st);
      return;
    }
    case WriteBatch::Kind::kOutcomes: {
      SQLite::Statement& st = *insert_outcome;
      for (const OutcomeRow& r : b.outcomes) {
        const bool refund = r.type == OutcomeType::kRefund;
        Rearm(st);
        st.bindNoCopy(1, r.outcome_id);
        st.bindNoCopy(2, r.unit);
        st.bind(3, static_cast<int64_t>(r.at));
        st.bind(4, static_cast<int>(r.type));
        st.bind(5, refund ? -std::fabs(r.revenue) : r.revenue);
        st.bind(6, refund ? -std::fabs(r.margin) : r.margin);
        st.bindNoCopy(7, r.order_id);
        st.bind(8, r.incentive_cost);
        st.exec();
        if (db.getChanges() == 0) {
          ++sum.duplicates;
          continue;
        }
        ++sum.inserted;
        if (refund) {
          SQLite::Statement& q = *order_exists;
          Rearm(q);
          q.bindNoCopy(1, r.order_id);
          q.bindNoCopy(2, r.unit);
          if (!q.executeStep()) ++sum.orphan_refunds;
          Rearm(q);
        }
      }
      Rearm(st);
      return;
    }
    case WriteBatch::Kind::kFixedCosts: {
      SQLite::Statement& st = *insert_fixed_cost;
      for (const FixedCostRow& r : b.fixed_costs) {
        Rearm(st);
        st.bindNoCopy(1, r.cost_id);
        st.bindNoCopy(2, r.journey);
        st.bind(3, static_cast<int64_t>(r.start));
        st.bind(4, static_cast<int64_t>(r.end));
        st.bind(5, r.amount);
        st.bindNoCopy(6, r.category);
        st.exec();
        if (db.getChanges() > 0) {
          ++sum.inserted;
        } else {
          ++sum.duplicates;
        }
      }
      Rearm(st);
      return;
    }
    case WriteBatch::Kind::kCustomers: {
      SQLite::Statement& st = *insert_customer;
      for (const CustomerRow& r : b.customers) {
        Rearm(st);
        st.bindNoCopy(1, r.unit);
        st.bind(2, static_cast<int64_t>(r.first_seen));
        st.exec();
        if (db.getChanges() > 0) {
          ++sum.inserted;
        } else {
          ++sum.duplicates;
        }
      }
      Rearm(st);
      return;
    }
    case WriteBatch::Kind::kConfigVersion: {
      SQLite::Statement& st = *insert_config_version;
      const ConfigVersionRow& r = *b.config_version;
      Rearm(st);
      st.bindNoCopy(1, r.version);
      st.bind(2, static_cast<int64_t>(r.loaded_at));
      st.bindNoCopy(3, r.source_path);
      st.bindNoCopy(4, r.diff_summary);
      st.bindNoCopy(5, r.content);
      st.bindNoCopy(6, r.replica);
      st.exec();
      Rearm(st);
      sum.inserted = 1;
      return;
    }
  }
}

// ---------------------------------------------------------------- writes

// Queues `rows` as one batch of `kind` (in `slot`) and waits for its commit;
// the outcome is left in `batch`.
template <typename Impl, typename Row>
absl::Status SubmitRows(Impl& impl, WriteBatch::Kind kind, absl::Span<const Row> WriteBatch::*slot,
                        absl::Span<const Row> rows, WriteBatch& batch) {
  batch.kind = kind;
  batch.*slot = rows;
  batch.records = static_cast<int64_t>(rows.size());
  batch.bytes = BytesOfAll(rows);
  return impl.Submit(batch);
}

absl::StatusOr<EntryWriteResult> SqliteStore::RecordEntries(absl::Span<const EntryRow> rows) {
  HF_RETURN_IF_ERROR(storage_internal::ValidateEntries(rows));
  EntryWriteResult result;
  if (rows.empty()) return result;
  WriteBatch batch;
  HF_RETURN_IF_ERROR(SubmitRows(*impl_, WriteBatch::Kind::kEntries, &WriteBatch::entries, rows, batch));
  result.summary = batch.summary;
  result.inserted = std::move(batch.entry_inserted);
  return result;
}

absl::StatusOr<WriteSummary> SqliteStore::RecordSends(absl::Span<const SendRow> rows) {
  HF_RETURN_IF_ERROR(storage_internal::ValidateSends(rows));
  if (rows.empty()) return WriteSummary{};
  WriteBatch batch;
  HF_RETURN_IF_ERROR(SubmitRows(*impl_, WriteBatch::Kind::kSends, &WriteBatch::sends, rows, batch));
  return batch.summary;
}

absl::StatusOr<WriteSummary> SqliteStore::RecordOutcomes(absl::Span<const OutcomeRow> rows) {
  HF_RETURN_IF_ERROR(storage_internal::ValidateOutcomes(rows));
  if (rows.empty()) return WriteSummary{};
  WriteBatch batch;
  HF_RETURN_IF_ERROR(SubmitRows(*impl_, WriteBatch::Kind::kOutcomes, &WriteBatch::outcomes, rows, batch));
  return batch.summary;
}

absl::StatusOr<WriteSummary> SqliteStore::RecordFixedCosts(absl::Span<const FixedCostRow> rows) {
  HF_RETURN_IF_ERROR(storage_internal::ValidateFixedCosts(rows));
  if (rows.empty()) return WriteSummary{};
  WriteBatch batch;
  HF_RETURN_IF_ERROR(SubmitRows(*impl_, WriteBatch::Kind::kFixedCosts, &WriteBatch::fixed_costs, rows, batch));
  return batch.summary;
}

absl::StatusOr<WriteSummary> SqliteStore::RecordCustomers(absl::Span<const CustomerRow> rows) {
  HF_RETURN_IF_ERROR(storage_internal::ValidateCustomers(rows));
  if (rows.empty()) return WriteSummary{};
  WriteBatch batch;
  HF_RETURN_IF_ERROR(SubmitRows(*impl_, WriteBatch::Kind::kCustomers, &WriteBatch::customers, rows, batch));
  return batch.summary;
}

absl::Status SqliteStore::AppendConfigVersion(const ConfigVersionRow& row) {
  HF_RETURN_IF_ERROR(storage_internal::ValidateConfigVersion(row));
  WriteBatch batch;
  batch.kind = WriteBatch::Kind::kConfigVersion;
  batch.config_version = &row;
  batch.records = 1;
  batch.bytes = storage_internal::BytesOf(row);
  return impl_->Submit(batch);
}

}  // namespace holdfast
