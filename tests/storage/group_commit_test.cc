// Group commit, batch atomicity, backpressure and concurrency of
// SqliteStore's writer. The writer is held still by an external connection
// that owns the write lock, which makes the grouping deterministic.
#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/storage/sqlite_store.h"
#include "tests/storage/temp_dir.h"

namespace holdfast {
namespace {

using ::holdfast::testing::TempDir;

SendRow Send(std::string id) { return SendRow{std::move(id), "u1", "j", "email", 10, 0.25}; }

std::vector<SendRow> Sends(std::initializer_list<const char*> ids) {
  std::vector<SendRow> out;
  for (const char* id : ids) out.push_back(Send(id));
  return out;
}

// Polls `pred` for up to 20 s; false on timeout.
template <typename Pred>
bool WaitFor(Pred pred) {
  for (int i = 0; i < 2000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

std::set<std::string> StoredSendIds(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  SQLite::Statement q(db, "SELECT send_id FROM sends");
  std::set<std::string> ids;
  while (q.executeStep()) ids.insert(q.getColumn(0).getString());
  return ids;
}

// Holds SQLite's write lock on `path` from another connection.
class WriteLock {
 public:
  explicit WriteLock(const std::string& path) : db_(path, SQLite::OPEN_READWRITE) {
    db_.exec("BEGIN EXCLUSIVE");
  }
  void Release() { db_.exec("COMMIT"); }

 private:
  SQLite::Database db_;
};

std::unique_ptr<SqliteStore> OpenStore(const std::string& path, SqliteStoreOptions options) {
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path, options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(*store) : nullptr;
}

TEST(GroupCommitTest, FailingBatchRollsBackAloneInsideSharedCommit) {
  TempDir dir;
  const std::string path = dir.File("db");
  SqliteStoreOptions options;
  options.busy_timeout_ms = 30000;
  // Create the schema, then add a trigger that makes SQLite itself reject
  // one send id mid-batch (a failure the store's validation cannot see).
  ASSERT_NE(OpenStore(path, options), nullptr);
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec(
        "CREATE TRIGGER poison BEFORE INSERT ON sends WHEN NEW.send_id = 'poison' "
        "BEGIN SELECT RAISE(ABORT, 'poisoned row'); END");
  }
  auto store = OpenStore(path, options);
  ASSERT_NE(store, nullptr);

  WriteLock lock(path);
  absl::Status a_status, b_status, p_status, c_status;
  std::vector<SendRow> a = Sends({"a1"});
  std::thread ta([&] { a_status = store->RecordSends(a).status(); });
  // The writer has taken batch A and waits for the lock.
  ASSERT_TRUE(WaitFor([&] {
    SqliteStoreStats s = store->GetStats();
    return s.waiting_batches == 0 && s.pending_records == 1;
  }));
  std::vector<SendRow> b = Sends({"b1", "b2"});
  std::vector<SendRow> p = Sends({"p1", "poison", "p2"});
  std::vector<SendRow> c = Sends({"c1"});
  std::thread tb([&] { b_status = store->RecordSends(b).status(); });
  std::thread tp([&] { p_status = store->RecordSends(p).status(); });
  std::thread tc([&] { c_status = store->RecordSends(c).status(); });
  ASSERT_TRUE(WaitFor([&] { return store->GetStats().waiting_batches == 3; }));
  lock.Release();
  ta.join();
  tb.join();
  tp.join();
  tc.join();

  EXPECT_TRUE(a_status.ok()) << a_status;
  EXPECT_TRUE(b_status.ok()) << b_status;
  EXPECT_TRUE(c_status.ok()) << c_status;
  EXPECT_EQ(p_status.code(), absl::StatusCode::kInvalidArgument) << p_status;
  SqliteStoreStats stats = store->GetStats();
  EXPECT_EQ(stats.commits, 2);  // A alone, then B, P and C in one transaction
  EXPECT_EQ(stats.batches_committed, 3);
  EXPECT_EQ(stats.batches_failed, 1);
  EXPECT_EQ(stats.pending_records, 0);
  store.reset();
  EXPECT_EQ(StoredSendIds(path), (std::set<std::string>{"a1", "b1", "b2", "c1"}));
}

TEST(GroupCommitTest, LoneFailingBatchStoresNothing) {
  TempDir dir;
  const std::string path = dir.File("db");
  ASSERT_NE(OpenStore(path, SqliteStoreOptions{}), nullptr);
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec(
        "CREATE TRIGGER poison BEFORE INSERT ON sends WHEN NEW.send_id = 'poison' "
        "BEGIN SELECT RAISE(ABORT, 'poisoned row'); END");
  }
  auto store = OpenStore(path, SqliteStoreOptions{});
  ASSERT_NE(store, nullptr);
  std::vector<SendRow> bad = Sends({"x1", "poison", "x2"});
  EXPECT_EQ(store->RecordSends(bad).status().code(), absl::StatusCode::kInvalidArgument);
  // x1 was written before the failing row, and rolled back with the batch.
  std::vector<SendRow> good = Sends({"x1", "x2"});
  absl::StatusOr<WriteSummary> s = store->RecordSends(good);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->inserted, 2);
  EXPECT_EQ(store->GetStats().batches_failed, 1);
}

TEST(GroupCommitTest, FullQueueFailsFastWithResourceExhausted) {
  TempDir dir;
  const std::string path = dir.File("db");
  SqliteStoreOptions options;
  options.busy_timeout_ms = 30000;
  options.max_queued_records = 10;
  auto store = OpenStore(path, options);
  ASSERT_NE(store, nullptr);

  WriteLock lock(path);
  std::vector<SendRow> six = Sends({"s1", "s2", "s3", "s4", "s5", "s6"});
  std::vector<SendRow> four = Sends({"s7", "s8", "s9", "s10"});
  absl::Status six_status, four_status;
  std::thread t6([&] { six_status = store->RecordSends(six).status(); });
  ASSERT_TRUE(WaitFor([&] { return store->GetStats().pending_records == 6; }));
  std::thread t4([&] { four_status = store->RecordSends(four).status(); });
  ASSERT_TRUE(WaitFor([&] { return store->GetStats().pending_records == 10; }));

  // Full: the next write is refused at once, whatever its size.
  auto start = std::chrono::steady_clock::now();
  std::vector<SendRow> one = Sends({"s11"});
  EXPECT_EQ(store->RecordSends(one).status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_EQ(store->GetStats().rejected_full, 1);
  // A batch that could never fit is a caller error, not a retryable one.
  std::vector<SendRow> eleven = Sends({"x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9",
                                       "x10", "x11"});
  EXPECT_EQ(store->RecordSends(eleven).status().code(), absl::StatusCode::kInvalidArgument);

  lock.Release();
  t6.join();
  t4.join();
  EXPECT_TRUE(six_status.ok()) << six_status;
  EXPECT_TRUE(four_status.ok()) << four_status;
  // Drained: writes are accepted again.
  EXPECT_TRUE(store->RecordSends(one).ok());
  store.reset();
  EXPECT_EQ(StoredSendIds(path).size(), 11u);
}

TEST(GroupCommitTest, ByteBoundAlsoLimitsTheQueue) {
  TempDir dir;
  const std::string path = dir.File("db");
  SqliteStoreOptions options;
  options.busy_timeout_ms = 30000;
  options.max_queued_bytes = 800;  // each send below counts ~74 bytes
  auto store = OpenStore(path, options);
  ASSERT_NE(store, nullptr);
  WriteLock lock(path);
  std::vector<SendRow> first;
  for (int i = 0; i < 8; ++i) first.push_back(Send(absl::StrCat("f", i)));
  absl::Status first_status;
  std::thread t([&] { first_status = store->RecordSends(first).status(); });
  ASSERT_TRUE(WaitFor([&] { return store->GetStats().pending_records == 8; }));
  std::vector<SendRow> more;
  for (int i = 0; i < 4; ++i) more.push_back(Send(absl::StrCat("m", i)));
  EXPECT_EQ(store->RecordSends(more).status().code(), absl::StatusCode::kResourceExhausted);
  lock.Release();
  t.join();
  EXPECT_TRUE(first_status.ok()) << first_status;
}

TEST(GroupCommitTest, BusyDatabaseMapsToUnavailable) {
  TempDir dir;
  const std::string path = dir.File("db");
  SqliteStoreOptions options;
  options.busy_timeout_ms = 50;
  auto store = OpenStore(path, options);
  ASSERT_NE(store, nullptr);
  WriteLock lock(path);
  std::vector<SendRow> one = Sends({"s1"});
  EXPECT_EQ(store->RecordSends(one).status().code(), absl::StatusCode::kUnavailable);
  lock.Release();
  EXPECT_TRUE(store->RecordSends(one).ok());
}

TEST(GroupCommitTest, ConcurrentWritersEveryAcknowledgedRecordStoredOnce) {
  TempDir dir;
  const std::string path = dir.File("db");
  auto store = OpenStore(path, SqliteStoreOptions{});
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 8;
  constexpr int kBatches = 40;
  constexpr int kPerBatch = 50;
  // Ids overlap across threads (id space smaller than the writes), so
  // duplicates race each other.
  constexpr int kIdSpace = kThreads * kBatches * kPerBatch / 2;
  std::atomic<int64_t> inserted{0}, duplicates{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        std::vector<SendRow> rows;
        for (int i = 0; i < kPerBatch; ++i) {
          int n = ((t * kBatches + b) * kPerBatch + i) * 7919 % kIdSpace;
          rows.push_back(Send(absl::StrCat("send-", n)));
        }
        absl::StatusOr<WriteSummary> s = store->RecordSends(rows);
        if (!s.ok()) {
          ++failures;
          continue;
        }
        inserted += s->inserted;
        duplicates += s->duplicates;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(inserted + duplicates, kThreads * kBatches * kPerBatch);
  SqliteStoreStats stats = store->GetStats();
  EXPECT_EQ(stats.batches_committed, kThreads * kBatches);
  EXPECT_LE(stats.commits, stats.batches_committed);
  store.reset();
  std::set<std::string> stored = StoredSendIds(path);
  EXPECT_EQ(static_cast<int64_t>(stored.size()), inserted.load());
  EXPECT_EQ(static_cast<int>(stored.size()), kIdSpace);
}

TEST(GroupCommitTest, ConcurrentEntriesExactlyOneWinnerPerKey) {
  TempDir dir;
  const std::string path = dir.File("db");
  auto store = OpenStore(path, SqliteStoreOptions{});
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 6;
  constexpr int kUnits = 299;  // prime to 37 * (t + 1): each order is a permutation
  std::vector<std::vector<bool>> won(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Every thread enters every unit (in a different order), 30 per call.
      std::vector<EntryRow> rows;
      std::vector<int> order;
      for (int u = 0; u < kUnits; ++u) order.push_back((u * (t + 1) * 37) % kUnits);
      won[t].assign(kUnits, false);
      for (size_t start = 0; start < order.size(); start += 30) {
        rows.clear();
        for (size_t k = start; k < start + 30 && k < order.size(); ++k) {
          EntryRow e;
          e.journey = "winback";
          e.unit = absl::StrCat("u", order[k]);
          e.t0 = 1000 + t;
          e.config_version = "cfg";
          rows.push_back(e);
        }
        absl::StatusOr<EntryWriteResult> r = store->RecordEntries(rows);
        ASSERT_TRUE(r.ok()) << r.status();
        for (size_t k = 0; k < rows.size(); ++k) {
          if (r->inserted[k]) won[t][order[start + k]] = true;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int u = 0; u < kUnits; ++u) {
    int winners = 0;
    for (int t = 0; t < kThreads; ++t) winners += won[t][u] ? 1 : 0;
    EXPECT_EQ(winners, 1) << "unit u" << u;
  }
}

}  // namespace
}  // namespace holdfast
