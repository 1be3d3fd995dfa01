// The PostgreSQL schema and its ordered migrations. Same table and column
// names, keys and version numbers as the SQLite schema (internal/schema.h,
// docs/storage.md), so a data team's queries and `schema version N` mean the
// same thing on either store; PostgreSQL types and index forms are chosen
// for it (docs/postgresql.md). The version lives in table holdfast_schema.
#ifndef HOLDFAST_LIB_STORAGE_INTERNAL_POSTGRES_SCHEMA_H_
#define HOLDFAST_LIB_STORAGE_INTERNAL_POSTGRES_SCHEMA_H_

#include <vector>

#include <pqxx/connection>

#include "absl/status/statusor.h"
#include "lib/storage/internal/schema.h"

namespace holdfast::storage_internal {

// The SQL that takes a database from version i to i + 1 is
// PostgresMigrationScripts()[i]; there are kLatestSchemaVersion of them.
const std::vector<const char*>& PostgresMigrationScripts();

// Applies the missing migrations, each in its own transaction together with
// its version bump, all under one advisory lock (pg_advisory_xact_lock) so
// replicas starting at once apply every step exactly once: the others wait,
// re-read the version and find nothing to do. Returns the version found
// before migrating; FAILED_PRECONDITION when the database is newer than
// this build. Catches libpqxx exceptions.
[[nodiscard]] absl::StatusOr<int> MigratePostgresToLatest(pqxx::connection& conn);

}  // namespace holdfast::storage_internal

#endif  // HOLDFAST_LIB_STORAGE_INTERNAL_POSTGRES_SCHEMA_H_
