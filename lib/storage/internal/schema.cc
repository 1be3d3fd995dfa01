#include "lib/storage/internal/schema.h"

#include <string>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "absl/strings/str_cat.h"
#include "lib/storage/internal/sqlite_status.h"

namespace holdfast::storage_internal {
namespace {

// Version 1: the fact tables. Each fact is appended to a rowid table (rows
// land at the end of the table's B-tree: sequential writes) and guarded by a
// UNIQUE index on its idempotency key, so the duplicate check and the
// random-key insert touch only that narrow index. Measured against tables
// clustered on the id (WITHOUT ROWID, the whole row in the random-key tree):
// 83-90 k vs 57-60 k random-id rows/s and half the bytes written
// (docs/storage.md, "Why this schema"). The *_by_unit indexes cover the
// analysis joins so those never touch the base rows. Entries are the
// exception: every report reads every entry row, so they stay clustered on
// their key (a rowid layout made the analysis scan fetch each row by rowid:
// ~60% more CPU per report).
constexpr const char kV1[] = R"sql(
CREATE TABLE entries (
  journey        TEXT    NOT NULL,
  unit           TEXT    NOT NULL,
  period         INTEGER NOT NULL,
  t0             INTEGER NOT NULL,
  grp            INTEGER NOT NULL CHECK (grp BETWEEN 1 AND 3),
  arm            TEXT    NOT NULL,
  config_version TEXT    NOT NULL,
  in_washout     INTEGER NOT NULL CHECK (in_washout IN (0, 1)),
  attributes     BLOB    NOT NULL,
  PRIMARY KEY (journey, unit, period)
) WITHOUT ROWID;

CREATE TABLE sends (
  send_id TEXT    NOT NULL,
  unit    TEXT    NOT NULL,
  journey TEXT    NOT NULL,
  channel TEXT    NOT NULL,
  at      INTEGER NOT NULL,
  cost    REAL    NOT NULL
);
CREATE UNIQUE INDEX sends_by_id ON sends (send_id);
CREATE INDEX sends_by_unit ON sends (unit, journey, at, cost);

CREATE TABLE outcomes (
  outcome_id TEXT    NOT NULL,
  unit       TEXT    NOT NULL,
  at         INTEGER NOT NULL,
  type       INTEGER NOT NULL CHECK (type BETWEEN 1 AND 5),
  revenue    REAL    NOT NULL,
  margin     REAL    NOT NULL,
  order_id   TEXT    NOT NULL
);
CREATE UNIQUE INDEX outcomes_by_id ON outcomes (outcome_id);
CREATE INDEX outcomes_by_unit ON outcomes (unit, at, type, revenue, margin);

CREATE TABLE fixed_costs (
  cost_id  TEXT    NOT NULL PRIMARY KEY,
  journey  TEXT    NOT NULL,
  start    INTEGER NOT NULL,
  "end"    INTEGER NOT NULL CHECK ("end" > start),
  amount   REAL    NOT NULL,
  category TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX fixed_costs_by_journey ON fixed_costs (journey, start);
)sql";

// Version 2: config history (one row per load; the same version may be
// loaded again later, so the key is a sequence, not the version), and a
// partial index over refunds so counting orphan refunds in a time range does
// not scan every outcome (it costs only refund inserts).
constexpr const char kV2[] = R"sql(
CREATE INDEX refunds_by_at ON outcomes (at) WHERE type = 3;
CREATE TABLE config_versions (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  version      TEXT    NOT NULL,
  loaded_at    INTEGER NOT NULL,
  source_path  TEXT    NOT NULL,
  diff_summary TEXT    NOT NULL
);
)sql";

// Version 3: each config load keeps the full canonical config of its version
// (ConfigVersionRow::content), so a report can analyse every entry with the
// config it was assigned under. Rows loaded before keep '' and stay readable;
// their versions are unknown to the catalog (reports fall back to the
// serving config for them and say so).
constexpr const char kV3[] = R"sql(
ALTER TABLE config_versions ADD COLUMN content TEXT NOT NULL DEFAULT '';
)sql";

// Version 4: refunds follow their order (docs/storage.md). The analysis query
// looks up, per entry whose window holds an order, the unit's refunds before
// the refund deadline and their order ids: a partial covering index over
// refunds only, so it costs refund inserts and nothing else.
constexpr const char kV4[] = R"sql(
CREATE INDEX refunds_by_unit ON outcomes (unit, at, order_id, revenue, margin) WHERE type = 3;
)sql";

// Version 5: the customer roster of the program report (docs/report.md,
// "Program report"). One row per unit, clustered on it: the roster is read
// whole by every program report and written by key (first write wins).
// Plain SQL apart from WITHOUT ROWID, so a PostgreSQL store can create the
// same table with a plain PRIMARY KEY.
constexpr const char kV5[] = R"sql(
CREATE TABLE customers (
  unit       TEXT    NOT NULL PRIMARY KEY,
  first_seen INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

// Version 6: each config load names the replica (holdfastd) that loaded it,
// so a history shared by several replicas shows who served which version.
constexpr const char kV6[] = R"sql(
ALTER TABLE config_versions ADD COLUMN replica TEXT NOT NULL DEFAULT '';
)sql";

// Version 7: the incentive (coupon, discount) granted on an order, a cost of
// the journey in the report. Rows written before keep 0. The analysis query
// reads it with the other outcome columns, so outcomes_by_unit is rebuilt to
// stay covering (without it every windowed outcome costs a table lookup).
constexpr const char kV7[] = R"sql(
ALTER TABLE outcomes ADD COLUMN incentive_cost REAL NOT NULL DEFAULT 0;
DROP INDEX outcomes_by_unit;
CREATE INDEX outcomes_by_unit ON outcomes (unit, at, type, revenue, margin, incentive_cost);
)sql";

// Version 8: the re-entries (period > 0) of each journey by time. Every
// report asks, per journey, whether any entry can have a next one before
// as_of (NextEntryPossibleSql); without this index that scans the journey's
// whole key range when nobody re-entered (0.2 s per journey at 1 M
// entries). Partial: it costs only re-entry inserts.
constexpr const char kV8[] = R"sql(
CREATE INDEX entries_later_periods ON entries (journey, t0) WHERE period > 0;
)sql";

}  // namespace

const std::vector<const char*>& MigrationScripts() {
  static const std::vector<const char*>* const kScripts =
      new std::vector<const char*>{kV1, kV2, kV3, kV4, kV5, kV6, kV7, kV8};
  return *kScripts;
}

absl::StatusOr<int> ReadSchemaVersion(SQLite::Database& db) {
  try {
    SQLite::Statement q(db, "PRAGMA user_version");
    if (!q.executeStep()) return absl::InternalError("PRAGMA user_version returned no row");
    return q.getColumn(0).getInt();
  } catch (...) {
    return StatusFromCurrentException("reading schema version");
  }
}

absl::StatusOr<int> MigrateToLatest(SQLite::Database& db) {
  static_assert(kLatestSchemaVersion == 8, "add the new migration to MigrationScripts()");
  absl::StatusOr<int> found = ReadSchemaVersion(db);
  if (!found.ok()) return found.status();
  if (*found > kLatestSchemaVersion || *found < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("database schema version ", *found, " is not supported by this build ",
                     "(latest known: ", kLatestSchemaVersion, ")"));
  }
  const std::vector<const char*>& scripts = MigrationScripts();
  for (int v = *found; v < kLatestSchemaVersion; ++v) {
    try {
      // IMMEDIATE takes the write lock first, so two processes opening the
      // same file cannot both apply step v; re-read the version under it.
      SQLite::Transaction txn(db, SQLite::TransactionBehavior::IMMEDIATE);
      int current = 0;
      {
        // Finished before the script runs: DROP INDEX (v7) fails with
        // "table is locked" while any statement is still active.
        SQLite::Statement q(db, "PRAGMA user_version");
        q.executeStep();
        current = q.getColumn(0).getInt();
      }
      if (current > v) continue;  // another opener did it
      db.exec(scripts[v]);
      db.exec(absl::StrCat("PRAGMA user_version = ", v + 1));
      txn.commit();
    } catch (...) {
      return StatusFromCurrentException(absl::StrCat("migrating schema to version ", v + 1));
    }
  }
  return *found;
}

}  // namespace holdfast::storage_internal
