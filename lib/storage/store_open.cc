// Store::Open: the one place that maps a store URI to a backend.
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "lib/storage/postgres_store.h"
#include "lib/storage/sqlite_store.h"
#include "lib/storage/store.h"

namespace holdfast {
namespace {

bool IsPostgresUri(const std::string& uri) {
  return absl::StartsWith(uri, "postgresql://") || absl::StartsWith(uri, "postgres://");
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& uri,
                                                   const StoreOptions& options) {
  if (uri.empty()) return absl::InvalidArgumentError("store URI is empty");
  if (IsPostgresUri(uri)) {
    PostgresStoreOptions pg;
    pg.max_queued_records = options.max_queued_records;
    pg.max_idle_readers = options.max_idle_readers;
    pg.writer_connections = options.pg_writer_connections;
    pg.report_connections = options.pg_report_connections;
    pg.on_commit = options.on_commit;
    HF_ASSIGN_OR_RETURN(std::unique_ptr<PostgresStore> store, PostgresStore::Open(uri, pg));
    return std::unique_ptr<Store>(std::move(store));
  }
  std::string path = uri;
  if (absl::StartsWith(uri, "sqlite:")) path = uri.substr(7);
  if (path.empty()) return absl::InvalidArgumentError("store URI 'sqlite:' names no file");
  SqliteStoreOptions sqlite;
  sqlite.synchronous = options.sync_full ? SqliteStoreOptions::Synchronous::kFull
                                         : SqliteStoreOptions::Synchronous::kNormal;
  sqlite.max_queued_records = options.max_queued_records;
  sqlite.max_idle_readers = options.max_idle_readers;
  sqlite.init_existing_file = options.init_existing_file;
  sqlite.on_commit = options.on_commit;
  sqlite.on_checkpoint = options.on_checkpoint;
  HF_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(path, sqlite));
  return std::unique_ptr<Store>(std::move(store));
}

std::string Store::RedactUri(const std::string& uri) {
  if (!IsPostgresUri(uri)) return uri;
  std::string out = uri;
  // userinfo: scheme://user:password@host
  const size_t scheme_end = out.find("://") + 3;
  const size_t at = out.find('@', scheme_end);
  const size_t slash = out.find('/', scheme_end);
  if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
    const size_t colon = out.find(':', scheme_end);
    if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
  }
  // query parameter password=...
  for (size_t pos = out.find("password="); pos != std::string::npos;
       pos = out.find("password=", pos + 1)) {
    if (pos > 0 && out[pos - 1] != '?' && out[pos - 1] != '&') continue;
    const size_t start = pos + 9;
    size_t end = out.find('&', start);
    if (end == std::string::npos) end = out.size();
    out.replace(start, end - start, "***");
  }
  return out;
}

}  // namespace holdfast
