// Store::Open: the one place that maps a store URI to a backend.
#include <memory>
#include <string>

#include "lib/base/status_macros.h"
#include "lib/storage/postgres_store.h"
#include "lib/storage/sqlite_store.h"
#include "lib/storage/store.h"
#include "lib/storage/store_uri.h"

namespace holdfast {

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& uri,
                                                   const StoreOptions& options) {
  HF_ASSIGN_OR_RETURN(const StoreUri parsed, ParseStoreUri(uri));
  if (parsed.kind == StoreUri::Kind::kPostgres) {
    PostgresStoreOptions pg;
    pg.max_queued_records = options.max_queued_records;
    pg.max_idle_readers = options.max_idle_readers;
    pg.writer_connections = options.pg_writer_connections;
    pg.report_connections = options.pg_report_connections;
    pg.on_commit = options.on_commit;
    HF_ASSIGN_OR_RETURN(std::unique_ptr<PostgresStore> store, PostgresStore::Open(parsed.target, pg));
    return std::unique_ptr<Store>(std::move(store));
  }
  SqliteStoreOptions sqlite;
  sqlite.synchronous = options.sync_full ? SqliteStoreOptions::Synchronous::kFull
                                         : SqliteStoreOptions::Synchronous::kNormal;
  sqlite.max_queued_records = options.max_queued_records;
  sqlite.max_idle_readers = options.max_idle_readers;
  sqlite.init_existing_file = options.init_existing_file;
  sqlite.on_commit = options.on_commit;
  sqlite.on_checkpoint = options.on_checkpoint;
  HF_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(parsed.target, sqlite));
  return std::unique_ptr<Store>(std::move(store));
}

std::string Store::RedactUri(const std::string& uri) { return RedactStoreUri(uri); }

}  // namespace holdfast
