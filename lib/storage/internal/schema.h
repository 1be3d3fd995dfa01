// The SQLite schema and its ordered migrations. The schema version lives in
// PRAGMA user_version; 0 is an empty database. docs/storage.md describes
// every table.
#ifndef HOLDFAST_LIB_STORAGE_INTERNAL_SCHEMA_H_
#define HOLDFAST_LIB_STORAGE_INTERNAL_SCHEMA_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace SQLite {
class Database;
}

namespace holdfast::storage_internal {

// The version a fully migrated database has.
inline constexpr int kLatestSchemaVersion = 8;

// The SQL that takes a database from version i to i + 1 is
// MigrationScripts()[i]. Exposed so tests can build an old schema by hand.
const std::vector<const char*>& MigrationScripts();

// Reads the schema version, then applies the missing migrations in order,
// each in its own transaction together with its user_version bump, so a
// crash leaves the database at a whole version. Returns the version found
// before migrating. FAILED_PRECONDITION if the database is newer than this
// code. Catches SQLiteCpp exceptions.
[[nodiscard]] absl::StatusOr<int> MigrateToLatest(SQLite::Database& db);

// Returns PRAGMA user_version.
[[nodiscard]] absl::StatusOr<int> ReadSchemaVersion(SQLite::Database& db);

}  // namespace holdfast::storage_internal

#endif  // HOLDFAST_LIB_STORAGE_INTERNAL_SCHEMA_H_
