#include "lib/storage/internal/postgres_schema.h"

#include <string>

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "lib/storage/internal/postgres_status.h"

namespace holdfast::storage_internal {
namespace {

// Advisory lock key for migrations: any fixed 64-bit number other tools are
// unlikely to pick ("holdfast" in ASCII).
constexpr const char kMigrationLock[] = "7526752063165248372";

// Version 1 (mirrors SQLite's v1). Text keys are COLLATE "C": byte order,
// the same order SQLite's BINARY collation uses, and the cheapest
// comparison for the random-id unique indexes. Sends and outcomes are heap
// tables (append) guarded by a unique index on their id, like SQLite's
// rowid tables; the *_by_unit indexes carry the analysed columns (INCLUDE)
// so the window joins can run as index-only scans. entries_by_t0 serves the
// range filter of every report (SQLite scans the journey prefix instead).
constexpr const char kV1[] = R"sql(
CREATE TABLE entries (
  journey        text    COLLATE "C" NOT NULL,
  unit           text    COLLATE "C" NOT NULL,
  period         bigint  NOT NULL,
  t0             bigint  NOT NULL,
  grp            integer NOT NULL CHECK (grp BETWEEN 1 AND 3),
  arm            text    NOT NULL,
  config_version text    NOT NULL,
  in_washout     integer NOT NULL CHECK (in_washout IN (0, 1)),
  attributes     bytea   NOT NULL,
  PRIMARY KEY (journey, unit, period)
);
CREATE INDEX entries_by_t0 ON entries (journey, t0);

CREATE TABLE sends (
  send_id text   COLLATE "C" NOT NULL,
  unit    text   COLLATE "C" NOT NULL,
  journey text   COLLATE "C" NOT NULL,
  channel text   NOT NULL,
  at      bigint NOT NULL,
  cost    double precision NOT NULL
);
CREATE UNIQUE INDEX sends_by_id ON sends (send_id);
CREATE INDEX sends_by_unit ON sends (unit, journey, at) INCLUDE (cost);

CREATE TABLE outcomes (
  outcome_id text    COLLATE "C" NOT NULL,
  unit       text    COLLATE "C" NOT NULL,
  at         bigint  NOT NULL,
  type       integer NOT NULL CHECK (type BETWEEN 1 AND 5),
  revenue    double precision NOT NULL,
  margin     double precision NOT NULL,
  order_id   text    COLLATE "C" NOT NULL
);
CREATE UNIQUE INDEX outcomes_by_id ON outcomes (outcome_id);
CREATE INDEX outcomes_by_unit ON outcomes (unit, at) INCLUDE (type, revenue, margin);

CREATE TABLE fixed_costs (
  cost_id  text   COLLATE "C" NOT NULL PRIMARY KEY,
  journey  text   COLLATE "C" NOT NULL,
  start    bigint NOT NULL,
  "end"    bigint NOT NULL CHECK ("end" > start),
  amount   double precision NOT NULL,
  category text   NOT NULL
);
CREATE INDEX fixed_costs_by_journey ON fixed_costs (journey, start);
)sql";

// Version 2 (mirrors SQLite's v2): refunds index and config history. seq
// orders loads across every replica sharing the database.
constexpr const char kV2[] = R"sql(
CREATE INDEX refunds_by_at ON outcomes (at) WHERE type = 3;
CREATE TABLE config_versions (
  seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  version      text   NOT NULL,
  loaded_at    bigint NOT NULL,
  source_path  text   NOT NULL,
  diff_summary text   NOT NULL
);
)sql";

// Version 3 (mirrors SQLite's v3): each config load keeps the full
// canonical config of its version, so every replica's report can analyse an
// entry with the config it was assigned under.
constexpr const char kV3[] = R"sql(
ALTER TABLE config_versions ADD COLUMN content text NOT NULL DEFAULT '';
)sql";

// Version 4 (mirrors SQLite's v4): refunds follow their order; the analysis
// looks up each window's refunds by unit and time.
constexpr const char kV4[] = R"sql(
CREATE INDEX refunds_by_unit ON outcomes (unit, at) INCLUDE (order_id, revenue, margin) WHERE type = 3;
)sql";

// Version 5 (mirrors SQLite's v5): the customer roster of the program
// report, one row per unit, first write wins.
constexpr const char kV5[] = R"sql(
CREATE TABLE customers (
  unit       text   COLLATE "C" NOT NULL PRIMARY KEY,
  first_seen bigint NOT NULL
);
)sql";

// Version 6 (mirrors SQLite's v6): the replica that loaded each config.
constexpr const char kV6[] = R"sql(
ALTER TABLE config_versions ADD COLUMN replica text NOT NULL DEFAULT '';
)sql";

// Version 7 (mirrors SQLite's v7): the incentive granted on an order; the
// analysis index carries it so the windowed outcome scan stays index-only.
constexpr const char kV7[] = R"sql(
ALTER TABLE outcomes ADD COLUMN incentive_cost double precision NOT NULL DEFAULT 0;
DROP INDEX outcomes_by_unit;
CREATE INDEX outcomes_by_unit ON outcomes (unit, at) INCLUDE (type, revenue, margin, incentive_cost);
)sql";

// Version 8 (mirrors SQLite's v8): the re-entries of each journey by time,
// so NextEntryPossibleSql is one index probe instead of a scan of the
// journey's entries (0.15 s per journey at 1 M entries when nobody
// re-entered). Partial: only re-entry inserts pay for it. A plain CREATE
// INDEX inside the migration's transaction holds off writes to entries while
// it reads them once; IF NOT EXISTS lets an operator build it beforehand with
// CREATE INDEX CONCURRENTLY (docs/postgresql.md, "Schema").
constexpr const char kV8[] = R"sql(
CREATE INDEX IF NOT EXISTS entries_later_periods ON entries (journey, t0) WHERE period > 0;
)sql";

int ReadVersion(pqxx::work& txn) {
  pqxx::result r = txn.exec("SELECT version FROM holdfast_schema");
  return r.empty() ? 0 : r[0][0].as<int>();
}

}  // namespace

const std::vector<const char*>& PostgresMigrationScripts() {
  static const std::vector<const char*>* const kScripts = new std::vector<const char*>{kV1, kV2, kV3, kV4, kV5, kV6, kV7, kV8};
  return *kScripts;
}

absl::StatusOr<int> MigratePostgresToLatest(pqxx::connection& conn) {
  static_assert(kLatestSchemaVersion == 8, "add the new migration to PostgresMigrationScripts()");
  const std::vector<const char*>& scripts = PostgresMigrationScripts();
  int found = -1;
  for (;;) {
    try {
      pqxx::work txn(conn);
      txn.exec(absl::StrCat("SELECT pg_advisory_xact_lock(", kMigrationLock, ")"));
      // The version table itself: created under the lock, so two first
      // starts do not race on it. Looked up first: even CREATE TABLE IF NOT
      // EXISTS needs CREATE on the schema, which a serving role that did not
      // migrate lacks (docs/postgresql.md, "Privileges").
      if (txn.exec("SELECT to_regclass('holdfast_schema') IS NULL")[0][0].as<bool>()) {
        txn.exec(
            "CREATE TABLE holdfast_schema ("
            " singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),"
            " version integer NOT NULL)");
      }
      const int v = ReadVersion(txn);
      if (found < 0) found = v;
      if (v > kLatestSchemaVersion || v < 0) {
        return absl::FailedPreconditionError(
            absl::StrCat("database schema version ", v, " is not supported by this build ",
                         "(latest known: ", kLatestSchemaVersion, ")"));
      }
      if (v == kLatestSchemaVersion) {
        txn.commit();
        return found;
      }
      txn.exec(scripts[v]);
      txn.exec(absl::StrCat(
          "INSERT INTO holdfast_schema (singleton, version) VALUES (true, ", v + 1,
          ") ON CONFLICT (singleton) DO UPDATE SET version = EXCLUDED.version"));
      txn.commit();
    } catch (...) {
      return StatusFromCurrentPqxxException("migrating the PostgreSQL schema");
    }
  }
}

}  // namespace holdfast::storage_internal
