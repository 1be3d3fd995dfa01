// Idempotency, refunds, config history and defensive validation of
// SqliteStore, one record type at a time.
#include "lib/storage/sqlite_store.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "gtest/gtest.h"
#include "lib/storage/internal/schema.h"
#include "tests/storage/temp_dir.h"

namespace holdfast {
namespace {

using ::holdfast::testing::TempDir;

std::unique_ptr<SqliteStore> OpenStore(const std::string& path) {
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(*store) : nullptr;
}

int64_t CountRows(const std::string& path, const std::string& table) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  SQLite::Statement q(db, "SELECT count(*) FROM " + table);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

EntryRow Entry(std::string unit, int64_t period, UnixMicros t0, EntryGroup g) {
  EntryRow e;
  e.journey = "cart_abandon";
  e.unit = std::move(unit);
  e.period = period;
  e.t0 = t0;
  e.group = g;
  e.arm = g == EntryGroup::kTreatment ? "control_copy" : "";
  e.config_version = "cfg-1";
  e.attributes = {{"segment", "vip"}};
  return e;
}

SendRow Send(std::string id, std::string unit, UnixMicros at, double cost) {
  return SendRow{std::move(id), std::move(unit), "cart_abandon", "email", at, cost};
}

OutcomeRow Outcome(std::string id, std::string unit, UnixMicros at, OutcomeType type,
                   double revenue, double margin, std::string order_id = "") {
  return OutcomeRow{std::move(id), std::move(unit), at, type, revenue, margin, std::move(order_id)};
}

TEST(SqliteStoreTest, EntriesFirstWinsAndReportsPerRowNovelty) {
  TempDir dir;
  auto store = OpenStore(dir.File("db"));
  ASSERT_NE(store, nullptr);
  std::vector<EntryRow> first = {Entry("u1", 0, 100, EntryGroup::kTreatment),
                                 Entry("u2", 0, 100, EntryGroup::kHoldout),
                                 // Same key as row 0 inside the batch: the earlier row wins.
                                 Entry("u1", 0, 150, EntryGroup::kHoldout)};
  absl::StatusOr<EntryWriteResult> r = store->RecordEntries(first);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->summary.inserted, 2);
  EXPECT_EQ(r->summary.duplicates, 1);
  EXPECT_EQ(r->inserted, (std::vector<bool>{true, true, false}));

  // u1 again in the same period (later time): duplicate. u1 in period 1: new.
  std::vector<EntryRow> second = {Entry("u1", 0, 900, EntryGroup::kHoldout),
                                  Entry("u1", 1, 1000, EntryGroup::kHoldout)};
  r = store->RecordEntries(second);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->summary.inserted, 1);
  EXPECT_EQ(r->summary.duplicates, 1);
  EXPECT_EQ(r->inserted, (std::vector<bool>{false, true}));
  store.reset();

  EXPECT_EQ(CountRows(dir.File("db"), "entries"), 3);
  SQLite::Database db(dir.File("db"), SQLite::OPEN_READONLY);
  SQLite::Statement q(db, "SELECT t0, grp FROM entries WHERE unit = 'u1' AND period = 0");
  ASSERT_TRUE(q.executeStep());
  EXPECT_EQ(q.getColumn(0).getInt64(), 100);  // the first entry's time and group stand
  EXPECT_EQ(q.getColumn(1).getInt(), 1);
}

TEST(SqliteStoreTest, SendsStoredOncePerId) {
  TempDir dir;
  auto store = OpenStore(dir.File("db"));
  ASSERT_NE(store, nullptr);
  std::vector<SendRow> batch = {Send("s1", "u1", 10, 0.5), Send("s2", "u1", 20, 0.5),
                                Send("s1", "u1", 10, 0.5)};
  absl::StatusOr<WriteSummary> s = store->RecordSends(batch);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->inserted, 2);
  EXPECT_EQ(s->duplicates, 1);
  // A retry of the whole batch stores nothing new.
  s = store->RecordSends(batch);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->inserted, 0);
  EXPECT_EQ(s->duplicates, 3);
  store.reset();
  EXPECT_EQ(CountRows(dir.File("db"), "sends"), 2);
}

TEST(SqliteStoreTest, OutcomesStoredOnceRefundsNegativeOrphansCounted) {
  TempDir dir;
  auto store = OpenStore(dir.File("db"));
  ASSERT_NE(store, nullptr);
  std::vector<OutcomeRow> batch = {
      Outcome("o1", "u1", 10, OutcomeType::kOrder, 80, 20),
      // Refund of an order earlier in the same batch: not an orphan.
      Outcome("r1", "u1", 20, OutcomeType::kRefund, 30, 7.5, "o1"),
      // Refund given as a negative amount: stored negative as well.
      Outcome("r2", "u1", 21, OutcomeType::kRefund, -5, -1, "o1"),
      // Refund of an order never seen: orphan, stored anyway.
      Outcome("r3", "u2", 22, OutcomeType::kRefund, 12, 3, "o-missing"),
  };
  absl::StatusOr<WriteSummary> s = store->RecordOutcomes(batch);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->inserted, 4);
  EXPECT_EQ(s->duplicates, 0);
  EXPECT_EQ(s->orphan_refunds, 1);
  // Retrying counts duplicates and no orphans (nothing was inserted).
  s = store->RecordOutcomes(batch);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->inserted, 0);
  EXPECT_EQ(s->duplicates, 4);
  EXPECT_EQ(s->orphan_refunds, 0);

  absl::StatusOr<int64_t> orphans = store->CountOrphanRefunds(0, 1000);
  ASSERT_TRUE(orphans.ok()) << orphans.status();
  EXPECT_EQ(*orphans, 1);
  // The order arrives late: the refund stops being an orphan.
  std::vector<OutcomeRow> late = {Outcome("o-missing", "u2", 5, OutcomeType::kOrder, 12, 3)};
  ASSERT_TRUE(store->RecordOutcomes(late).ok());
  orphans = store->CountOrphanRefunds(0, 1000);
  ASSERT_TRUE(orphans.ok());
  EXPECT_EQ(*orphans, 0);
  store.reset();

  SQLite::Database db(dir.File("db"), SQLite::OPEN_READONLY);
  SQLite::Statement q(db, "SELECT total(revenue), total(margin) FROM outcomes WHERE unit='u1'");
  ASSERT_TRUE(q.executeStep());
  EXPECT_DOUBLE_EQ(q.getColumn(0).getDouble(), 80 - 30 - 5);
  EXPECT_DOUBLE_EQ(q.getColumn(1).getDouble(), 20 - 7.5 - 1);
}

TEST(SqliteStoreTest, FixedCostsStoredOncePerId) {
  TempDir dir;
  auto store = OpenStore(dir.File("db"));
  ASSERT_NE(store, nullptr);
  std::vector<FixedCostRow> batch = {{"c1", "cart_abandon", 0, 100, 50.0, "platform"},
                                     {"c1", "cart_abandon", 0, 200, 99.0, "platform"}};
  absl::StatusOr<WriteSummary> s = store->RecordFixedCosts(batch);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->inserted, 1);
  EXPECT_EQ(s->duplicates, 1);
  s = store->RecordFixedCosts(batch);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->inserted, 0);
  EXPECT_EQ(s->duplicates, 2);
  store.reset();
  EXPECT_EQ(CountRows(dir.File("db"), "fixed_costs"), 1);
}

TEST(SqliteStoreTest, CustomersAreIdempotentByUnitFirstWriteWins) {
  TempDir dir;
  auto store = OpenStore(dir.File("db"));
  ASSERT_NE(store, nullptr);
  std::vector<CustomerRow> batch = {{"c1", 100}, {"c2", 200}, {"c1", 50}};
  absl::StatusOr<WriteSummary> s = store->RecordCustomers(batch);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->inserted, 2);
  EXPECT_EQ(s->duplicates, 1);
  std::vector<CustomerRow> again = {{"c2", 1}, {"c3", 300}};
  s = store->RecordCustomers(again);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->inserted, 1);
  EXPECT_EQ(s->duplicates, 1);
  // A bad row rejects the batch, naming it; nothing of it is stored.
  std::vector<CustomerRow> bad = {{"c4", 1}, {"", 2}};
  s = store->RecordCustomers(bad);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("customers[1]"), std::string::npos) << s.status();
  store.reset();
  EXPECT_EQ(CountRows(dir.File("db"), "customers"), 3);
  SQLite::Database db(dir.File("db"), SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("SELECT first_seen FROM customers WHERE unit = 'c1'").getInt64(), 100);
  EXPECT_EQ(db.execAndGet("SELECT first_seen FROM customers WHERE unit = 'c2'").getInt64(), 200);
}

TEST(SqliteStoreTest, WritesSurviveReopen) {
  TempDir dir;
  {
    auto store = OpenStore(dir.File("db"));
    ASSERT_NE(store, nullptr);
    std::vector<SendRow> sends = {Send("s1", "u1", 10, 0.5)};
    ASSERT_TRUE(store->RecordSends(sends).ok());
  }
  auto store = OpenStore(dir.File("db"));
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->schema_version_at_open(), storage_internal::kLatestSchemaVersion);
  std::vector<SendRow> sends = {Send("s1", "u1", 10, 0.5)};
  absl::StatusOr<WriteSummary> s = store->RecordSends(sends);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->duplicates, 1);
}

TEST(SqliteStoreTest, ConfigHistoryNewestFirstWithLimit) {
  TempDir dir;
  auto store = OpenStore(dir.File("db"));
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->AppendConfigVersion({"cfg-a", 100, "/etc/a.textproto", "initial", ""}).ok());
  ASSERT_TRUE(store->AppendConfigVersion({"cfg-b", 200, "/etc/a.textproto", "+journey x", ""}).ok());
  // Rolling back to an older version is a new load, not a duplicate.
  ASSERT_TRUE(store->AppendConfigVersion({"cfg-a", 300, "/etc/a.textproto", "-journey x", ""}).ok());
  absl::StatusOr<std::vector<ConfigVersionRow>> rows = store->ListConfigVersions(2);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].version, "cfg-a");
  EXPECT_EQ((*rows)[0].loaded_at, 300);
  EXPECT_EQ((*rows)[0].diff_summary, "-journey x");
  EXPECT_EQ((*rows)[1].version, "cfg-b");
  EXPECT_EQ((*rows)[1].source_path, "/etc/a.textproto");
  rows = store->ListConfigVersions(10);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 3u);
  EXPECT_EQ(store->ListConfigVersions(0).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(SqliteStoreTest, RejectsMalformedRowsAndStoresNothingOfTheBatch) {
  TempDir dir;
  auto store = OpenStore(dir.File("db"));
  ASSERT_NE(store, nullptr);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();

  std::vector<SendRow> bad_cost = {Send("ok", "u1", 1, 1), Send("s2", "u1", 1, nan)};
  EXPECT_EQ(store->RecordSends(bad_cost).status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<SendRow> neg_cost = {Send("s3", "u1", 1, -1)};
  EXPECT_EQ(store->RecordSends(neg_cost).status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<SendRow> no_id = {Send("", "u1", 1, 1)};
  EXPECT_EQ(store->RecordSends(no_id).status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<SendRow> long_unit = {Send("s4", std::string(257, 'u'), 1, 1)};
  EXPECT_EQ(store->RecordSends(long_unit).status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<SendRow> bad_time = {Send("s5", "u1", -1, 1)};
  EXPECT_EQ(store->RecordSends(bad_time).status().code(), absl::StatusCode::kInvalidArgument);

  std::vector<OutcomeRow> inf_rev = {Outcome("o1", "u1", 1, OutcomeType::kOrder, inf, 0)};
  EXPECT_EQ(store->RecordOutcomes(inf_rev).status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<OutcomeRow> bad_type = {Outcome("o2", "u1", 1, static_cast<OutcomeType>(9), 1, 0)};
  EXPECT_EQ(store->RecordOutcomes(bad_type).status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<OutcomeRow> refund_no_order = {Outcome("o3", "u1", 1, OutcomeType::kRefund, 1, 0)};
  EXPECT_EQ(store->RecordOutcomes(refund_no_order).status().code(),
            absl::StatusCode::kInvalidArgument);

  EntryRow bad_group = Entry("u1", 0, 1, EntryGroup::kTreatment);
  bad_group.group = static_cast<EntryGroup>(7);
  std::vector<EntryRow> entries = {bad_group};
  EXPECT_EQ(store->RecordEntries(entries).status().code(), absl::StatusCode::kInvalidArgument);

  std::vector<FixedCostRow> empty_range = {{"c1", "j", 100, 100, 1.0, ""}};
  EXPECT_EQ(store->RecordFixedCosts(empty_range).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store->AppendConfigVersion({"", 1, "", "", ""}).code(), absl::StatusCode::kInvalidArgument);
  store.reset();
  EXPECT_EQ(CountRows(dir.File("db"), "sends"), 0);
  EXPECT_EQ(CountRows(dir.File("db"), "outcomes"), 0);
  EXPECT_EQ(CountRows(dir.File("db"), "entries"), 0);
}

TEST(SqliteStoreTest, EmptyBatchesAreNoOps) {
  TempDir dir;
  auto store = OpenStore(dir.File("db"));
  ASSERT_NE(store, nullptr);
  absl::StatusOr<WriteSummary> s = store->RecordSends({});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->inserted, 0);
  absl::StatusOr<EntryWriteResult> e = store->RecordEntries({});
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->inserted.empty());
  EXPECT_EQ(store->GetStats().commits, 0);
}

TEST(SqliteStoreTest, OpenFailsForUnwritablePath) {
  absl::StatusOr<std::unique_ptr<SqliteStore>> store =
      SqliteStore::Open("/nonexistent-dir-for-holdfast/x.db");
  EXPECT_EQ(store.status().code(), absl::StatusCode::kUnavailable) << store.status();
}

TEST(SqliteStoreTest, SecondOpenOfTheSameStoreIsRefusedUntilTheFirstCloses) {
  TempDir dir;
  const std::string path = dir.File("s.db");
  absl::StatusOr<std::unique_ptr<SqliteStore>> first = SqliteStore::Open(path);
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<std::unique_ptr<SqliteStore>> second = SqliteStore::Open(path);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition) << second.status();
  EXPECT_NE(second.status().message().find("in use by another process"), std::string::npos)
      << second.status();
  first->reset();
  EXPECT_TRUE(SqliteStore::Open(path).ok());
}

TEST(SqliteStoreTest, ExistingFileThatIsNotAStoreIsRefusedUnlessInitRequested) {
  TempDir dir;
  // An empty file, and an SQLite database of some other program.
  const std::string empty = dir.File("empty.db");
  std::ofstream(empty).close();
  const std::string foreign = dir.File("foreign.db");
  {
    SQLite::Database db(foreign, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE notes (body TEXT)");
  }
  for (const std::string& path : {empty, foreign}) {
    absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
    EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition) << path;
    EXPECT_NE(store.status().message().find("is not a Holdfast store"), std::string::npos) << store.status();
    SqliteStoreOptions init;
    init.init_existing_file = true;
    store = SqliteStore::Open(path, init);
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_EQ((*store)->schema_version_at_open(), 0);
  }
  // Once created, a plain open accepts it.
  EXPECT_TRUE(SqliteStore::Open(empty).ok());
}

}  // namespace
}  // namespace holdfast
