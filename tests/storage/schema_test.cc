// Schema migrations: from an empty file, from a hand-built version 1 file
// with data in it, and refusal of a file newer than this build.
#include "lib/storage/internal/schema.h"

#include <memory>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "gtest/gtest.h"
#include "lib/storage/analysis_sql.h"
#include "lib/storage/sqlite_store.h"
#include "tests/storage/temp_dir.h"

namespace holdfast {
namespace {

using ::holdfast::testing::TempDir;

int UserVersion(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  SQLite::Statement q(db, "PRAGMA user_version");
  q.executeStep();
  return q.getColumn(0).getInt();
}

bool HasSchemaObject(const std::string& path, const std::string& name) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  SQLite::Statement q(db, "SELECT 1 FROM sqlite_master WHERE name = ?");
  q.bind(1, name);
  return q.executeStep();
}

TEST(SchemaTest, EmptyFileMigratesToLatest) {
  TempDir dir;
  const std::string path = dir.File("db");
  {
    absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_EQ((*store)->schema_version_at_open(), 0);
  }
  EXPECT_EQ(UserVersion(path), storage_internal::kLatestSchemaVersion);
  for (const char* name :
       {"entries", "sends", "outcomes", "fixed_costs", "config_versions", "sends_by_id", "outcomes_by_id", "sends_by_unit", "outcomes_by_unit", "refunds_by_at"}) {
    EXPECT_TRUE(HasSchemaObject(path, name)) << name;
  }
  // Reopening a current file migrates nothing.
  absl::StatusOr<std::unique_ptr<SqliteStore>> again = SqliteStore::Open(path);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)->schema_version_at_open(), storage_internal::kLatestSchemaVersion);
}

TEST(SchemaTest, VersionOneFileWithDataMigratesAndKeepsRows) {
  TempDir dir;
  const std::string path = dir.File("db");
  {
    // A file exactly as the version 1 build left it, with rows in it.
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(storage_internal::MigrationScripts()[0]);
    db.exec("PRAGMA user_version = 1");
    db.exec(
        "INSERT INTO sends VALUES ('s1', 'u1', 'j', 'email', 10, 0.5);"
        "INSERT INTO outcomes VALUES ('r1', 'u1', 20, 3, -5.0, -1.0, 'missing-order');");
  }
  ASSERT_FALSE(HasSchemaObject(path, "config_versions"));
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->schema_version_at_open(), 1);
  // Old rows are there and idempotency still holds across the migration.
  std::vector<SendRow> again = {{"s1", "u1", "j", "email", 10, 0.5}};
  absl::StatusOr<WriteSummary> s = (*store)->RecordSends(again);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->duplicates, 1);
  // What version 2 added works: config history and the refund index.
  ASSERT_TRUE((*store)->AppendConfigVersion({"cfg-2", 5, "a.textproto", "", ""}).ok());
  absl::StatusOr<std::vector<ConfigVersionRow>> history = (*store)->ListConfigVersions(5);
  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_EQ(history->size(), 1u);
  absl::StatusOr<int64_t> orphans = (*store)->CountOrphanRefunds(0, 100);
  ASSERT_TRUE(orphans.ok()) << orphans.status();
  EXPECT_EQ(*orphans, 1);
  // Version 4: the customer roster.
  std::vector<CustomerRow> customers = {{"u1", 5}};
  ASSERT_TRUE((*store)->RecordCustomers(customers).ok());
  store->reset();
  EXPECT_EQ(UserVersion(path), storage_internal::kLatestSchemaVersion);
  EXPECT_TRUE(HasSchemaObject(path, "refunds_by_at"));
  EXPECT_TRUE(HasSchemaObject(path, "customers"));
}

TEST(SchemaTest, VersionTwoConfigHistoryStaysReadableWithoutContent) {
  TempDir dir;
  const std::string path = dir.File("db");
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(storage_internal::MigrationScripts()[0]);
    db.exec(storage_internal::MigrationScripts()[1]);
    db.exec("PRAGMA user_version = 2");
    db.exec(
        "INSERT INTO config_versions (version, loaded_at, source_path, diff_summary) "
        "VALUES ('cfg-old', 7, 'a.textproto', 'initial load')");
  }
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->schema_version_at_open(), 2);
  ASSERT_TRUE((*store)->AppendConfigVersion({"cfg-new", 8, "a.textproto", "", "journeys { id: \"j\" }\n"}).ok());
  absl::StatusOr<std::vector<ConfigVersionRow>> history = (*store)->ListConfigVersions(5);
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].version, "cfg-new");
  EXPECT_EQ((*history)[0].content, "journeys { id: \"j\" }\n");
  EXPECT_EQ((*history)[1].version, "cfg-old");
  EXPECT_EQ((*history)[1].diff_summary, "initial load");
  EXPECT_EQ((*history)[1].content, "");
}

TEST(SchemaTest, VersionSixOutcomesGainIncentiveCostAndACoveringIndex) {
  TempDir dir;
  const std::string path = dir.File("db");
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    for (int v = 0; v < 6; ++v) db.exec(storage_internal::MigrationScripts()[v]);
    db.exec("PRAGMA user_version = 6");
    db.exec("INSERT INTO outcomes VALUES ('o1', 'u1', 20, 2, 50.0, 15.0, '')");
  }
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->schema_version_at_open(), 6);
  std::vector<OutcomeRow> rows = {{"o2", "u1", 30, OutcomeType::kOrder, 40, 12, "", 4.5}};
  ASSERT_TRUE((*store)->RecordOutcomes(rows).ok());
  store->reset();
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  // The row written before v7 reads 0; the new one keeps its incentive.
  SQLite::Statement q(db, "SELECT outcome_id, incentive_cost FROM outcomes ORDER BY outcome_id");
  ASSERT_TRUE(q.executeStep());
  EXPECT_DOUBLE_EQ(q.getColumn(1).getDouble(), 0.0);
  ASSERT_TRUE(q.executeStep());
  EXPECT_DOUBLE_EQ(q.getColumn(1).getDouble(), 4.5);
  // The analysis index still covers every outcome column the query reads.
  SQLite::Statement cols(db, "SELECT name FROM pragma_index_info('outcomes_by_unit') ORDER BY seqno");
  std::vector<std::string> names;
  while (cols.executeStep()) names.push_back(cols.getColumn(0).getString());
  EXPECT_EQ(names, (std::vector<std::string>{"unit", "at", "type", "revenue", "margin", "incentive_cost"}));
}

TEST(SchemaTest, VersionSevenFileGainsTheReEntryIndexTheNextEntryCheckReads) {
  TempDir dir;
  const std::string path = dir.File("db");
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    for (int v = 0; v < 7; ++v) db.exec(storage_internal::MigrationScripts()[v]);
    db.exec("PRAGMA user_version = 7");
    db.exec("INSERT INTO entries VALUES ('cart', 'u1', 0, 100, 1, 'a', 'v1', 0, x''), "
            "('cart', 'u1', 1, 500, 1, 'a', 'v1', 0, x''), ('cart', 'u2', 0, 200, 2, '', 'v1', 0, x''), "
            "('winback', 'u1', 0, 300, 1, 'a', 'v1', 0, x'')");
  }
  {
    absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_EQ((*store)->schema_version_at_open(), 7);
  }
  EXPECT_TRUE(HasSchemaObject(path, "entries_later_periods"));
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  // The check reads the partial index (a probe), not the journey's entries.
  SQLite::Statement plan(db, "EXPLAIN QUERY PLAN " + NextEntryPossibleSql(SqlDialect::kSqlite));
  plan.bind(1, "cart");
  plan.bind(2, static_cast<int64_t>(1000));
  std::string details;
  while (plan.executeStep()) details += plan.getColumn(3).getString() + "\n";
  EXPECT_NE(details.find("entries_later_periods"), std::string::npos) << details;
  // And answers as before: cart's re-entry starts at 500; winback has none.
  auto possible = [&db](const char* journey, int64_t as_of) {
    SQLite::Statement q(db, NextEntryPossibleSql(SqlDialect::kSqlite));
    q.bind(1, journey);
    q.bind(2, as_of);
    EXPECT_TRUE(q.executeStep());
    return q.getColumn(0).getInt();
  };
  EXPECT_EQ(possible("cart", 501), 1);
  EXPECT_EQ(possible("cart", 500), 0);
  EXPECT_EQ(possible("winback", 1000), 0);
}

TEST(SchemaTest, NewerFileIsRefused) {
  TempDir dir;
  const std::string path = dir.File("db");
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("PRAGMA user_version = 99");
  }
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition) << store.status();
}

TEST(SchemaTest, EveryMigrationStepIsPresent) {
  EXPECT_EQ(static_cast<int>(storage_internal::MigrationScripts().size()),
            storage_internal::kLatestSchemaVersion);
}

}  // namespace
}  // namespace holdfast
