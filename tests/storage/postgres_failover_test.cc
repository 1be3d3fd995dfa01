// PostgresStore across a PostgreSQL failover (docs/postgresql.md, "High
// availability"): a primary with a synchronous hot standby, the store given
// both hosts and target_session_attrs=read-write, the primary crashed
// mid-load and the standby promoted. Every write the store acknowledged is
// on the new primary exactly once, every failure a caller saw during the
// switch was UNAVAILABLE (retry), and the same store serves reads and
// writes afterwards without being reopened. Also: a writer that finds its
// server read-only (a demoted primary, a standby behind a name that moved)
// answers UNAVAILABLE and reconnects, instead of failing every write.
#include <atomic>
#include <cstdio>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/storage/postgres_store.h"
#include "tests/testing/postgres_server.h"

namespace holdfast {
namespace {

using ::holdfast::testing::PostgresServer;

SendRow Send(const std::string& id) { return SendRow{id, "u-" + id, "cart", "email", 1000, 0.5}; }

std::vector<SendRow> Batch(const std::string& prefix, int n) {
  std::vector<SendRow> rows;
  for (int i = 0; i < n; ++i) rows.push_back(Send(absl::StrCat(prefix, "-", i)));
  return rows;
}

// Both servers' sockets in one libpq URI: libpq tries the hosts in order
// and, with target_session_attrs=read-write, keeps the first that accepts
// writes.
std::string FailoverUri(const PostgresServer& a, const PostgresServer& b, const std::string& db,
                        bool read_write_only) {
  return absl::StrCat("postgresql:///", db, "?host=", a.socket_dir(), ",", b.socket_dir(),
                      "&port=5432,5432&user=postgres",
                      read_write_only ? "&target_session_attrs=read-write" : "");
}

PostgresServer::Options PrimaryOptions() {
  PostgresServer::Options o;
  o.settings = {"full_page_writes=on"};  // pg_basebackup needs it
  return o;
}

TEST(PostgresFailoverTest, AcknowledgedWritesSurviveACrashAndPromotionOfTheStandby) {
  absl::StatusOr<std::unique_ptr<PostgresServer>> primary = PostgresServer::Start(PrimaryOptions());
  ASSERT_TRUE(primary.ok()) << primary.status();
  ASSERT_TRUE((*primary)->CreateDatabase("hf").ok());
  absl::StatusOr<std::unique_ptr<PostgresServer>> standby =
      PostgresServer::StartStandby(**primary, PostgresServer::Options());
  ASSERT_TRUE(standby.ok()) << standby.status();
  // Synchronous: a commit returns once the standby has it, so the crash
  // below cannot lose an acknowledged write (docs/postgresql.md).
  ASSERT_TRUE((*primary)->Exec("postgres", "ALTER SYSTEM SET synchronous_standby_names = '*'").ok());
  ASSERT_TRUE((*primary)->Exec("postgres", "SELECT pg_reload_conf()").ok());
  for (int i = 0;; ++i) {
    absl::StatusOr<std::string> sync = (*primary)->QueryValue(
        "postgres", "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'");
    if (sync.ok() && *sync == "1") break;
    ASSERT_LT(i, 3000) << "the standby never became synchronous";
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  absl::StatusOr<std::unique_ptr<PostgresStore>> store =
      PostgresStore::Open(FailoverUri(**primary, **standby, "hf", /*read_write_only=*/true));
  ASSERT_TRUE(store.ok()) << store.status();

  // Writers: each re-sends a batch until it is acknowledged, then the next.
  constexpr int kWriters = 3;
  constexpr int kRows = 40;
  std::atomic<bool> failed_over{false};
  std::atomic<bool> stop{false};
  std::atomic<int> acknowledged_after{0};
  std::mutex mu;
  std::set<std::string> acknowledged;
  std::map<absl::StatusCode, int> failures;
  std::vector<std::string> unexpected;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int n = 0; !stop.load(); ++n) {
        const std::vector<SendRow> rows = Batch(absl::StrCat("w", w, "-", n), kRows);
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(90);
        for (;;) {
          absl::StatusOr<WriteSummary> written = (*store)->RecordSends(rows);
          {
            std::lock_guard<std::mutex> lock(mu);
            if (written.ok()) {
              for (const SendRow& r : rows) acknowledged.insert(r.send_id);
              if (failed_over.load()) ++acknowledged_after;
              break;
            }
            ++failures[written.status().code()];
            if (written.status().code() != absl::StatusCode::kUnavailable) {
              unexpected.push_back(written.status().ToString());
            }
            if (std::chrono::steady_clock::now() > give_up) {
              unexpected.push_back("a batch was never acknowledged: " + written.status().ToString());
              stop = true;
              return;
            }
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
      }
    });
  }
  auto acknowledged_count = [&] {
    std::lock_guard<std::mutex> lock(mu);
    return acknowledged.size();
  };
  for (int i = 0; acknowledged_count() < 30 * kRows && i < 6000; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_GE(acknowledged_count(), 30u * kRows) << "the writers made no progress before the failover";
  // A pooled read connection to the primary, left for the crash to break.
  ASSERT_TRUE((*store)->ScanSends(std::nullopt, 1).ok());
  (*primary)->StopImmediately();
  // Writes fail while no server accepts them.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto crashed = std::chrono::steady_clock::now();
  ASSERT_TRUE((*standby)->Promote().ok());
  const auto promoted = std::chrono::steady_clock::now();
  failed_over = true;
  std::chrono::steady_clock::time_point resumed;
  for (int i = 0; acknowledged_after.load() < 10 * kWriters && i < 6000 && !stop.load(); ++i) {
    if (acknowledged_after.load() > 0 && resumed == std::chrono::steady_clock::time_point()) {
      resumed = std::chrono::steady_clock::now();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop = true;
  for (std::thread& t : writers) t.join();
  EXPECT_GE(acknowledged_after.load(), 10 * kWriters) << "writes did not resume on the promoted standby";
  EXPECT_TRUE(unexpected.empty()) << unexpected.front();
  EXPECT_GT(failures[absl::StatusCode::kUnavailable], 0) << "the crash was never seen by a writer";
  auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
  std::printf("failover: %zu sends acknowledged, %d UNAVAILABLE answers, promotion %lld ms, "
              "first write acknowledged %lld ms after it\n",
              acknowledged.size(), failures[absl::StatusCode::kUnavailable],
              static_cast<long long>(ms(promoted - crashed)),
              static_cast<long long>(ms(resumed - promoted)));

  // On the new primary: every acknowledged id exactly once, nothing else
  // (every batch was re-sent until acknowledged).
  absl::StatusOr<std::string> rows = (*standby)->QueryValue("hf", "SELECT count(*) FROM sends");
  absl::StatusOr<std::string> ids =
      (*standby)->QueryValue("hf", "SELECT count(DISTINCT send_id) FROM sends");
  ASSERT_TRUE(rows.ok() && ids.ok());
  EXPECT_EQ(*rows, std::to_string(acknowledged.size()));
  EXPECT_EQ(*ids, *rows);
  // Reads through the same store, after the failover.
  std::set<std::string> scanned;
  std::optional<std::string> after;
  for (;;) {
    absl::StatusOr<std::vector<SendRow>> page = (*store)->ScanSends(after, 1000);
    ASSERT_TRUE(page.ok()) << page.status();
    if (page->empty()) break;
    for (const SendRow& r : *page) scanned.insert(r.send_id);
    after = page->back().send_id;
  }
  EXPECT_EQ(scanned, acknowledged);
  // Re-sending everything adds nothing.
  std::vector<SendRow> all;
  for (const std::string& id : acknowledged) all.push_back(Send(id));
  absl::StatusOr<WriteSummary> again = (*store)->RecordSends(all);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->inserted, 0);
  EXPECT_EQ(again->duplicates, static_cast<int64_t>(all.size()));
}

// A server that turned read-only under the store's open sessions (a
// maintenance switch, a proxy or name that now leads to a standby): writes
// fail UNAVAILABLE, not FAILED_PRECONDITION batch by batch, and the writer
// drops its read-only session, so the next write runs on a new one (where
// libpq can pick the writable host). A store opened on a read-only server
// says what the URI needs.
TEST(PostgresFailoverTest, AWriterOnAReadOnlyServerAnswersUnavailableAndReconnects) {
  absl::StatusOr<std::unique_ptr<PostgresServer>> pg = PostgresServer::Start();
  ASSERT_TRUE(pg.ok()) << pg.status();
  absl::StatusOr<std::string> uri = (*pg)->CreateDatabase("ro");
  ASSERT_TRUE(uri.ok()) << uri.status();
  PostgresStoreOptions options;
  options.writer_connections = 1;
  absl::StatusOr<std::unique_ptr<PostgresStore>> store = PostgresStore::Open(*uri, options);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->RecordSends(Batch("before", 3)).ok());
  int64_t stored_rows = 3;

  // Read-only server-wide, open sessions included (a reload reaches them
  // before their next statement).
  ASSERT_TRUE((*pg)->Exec("postgres", "ALTER SYSTEM SET default_transaction_read_only = on").ok());
  ASSERT_TRUE((*pg)->Exec("postgres", "SELECT pg_reload_conf()").ok());
  for (int i = 0;; ++i) {
    absl::StatusOr<std::string> ro = (*pg)->QueryValue("ro", "SHOW default_transaction_read_only");
    if (ro.ok() && *ro == "on") break;
    ASSERT_LT(i, 3000) << "the reload never took effect";
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  absl::StatusOr<WriteSummary> refused;
  for (int i = 0; i < 300; ++i) {  // until the writer's session has the reload too
    refused = (*store)->RecordSends(Batch(absl::StrCat("during-", i), 3));
    if (!refused.ok()) break;
    stored_rows += 3;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable) << refused.status();
  EXPECT_TRUE(absl::StrContains(refused.status().message(), "target_session_attrs=read-write"))
      << refused.status();
  absl::StatusOr<std::unique_ptr<PostgresStore>> opened = PostgresStore::Open(*uri);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kFailedPrecondition) << opened.status();
  EXPECT_TRUE(absl::StrContains(opened.status().message(), "read-only")) << opened.status();

  // Writable again for new sessions only (a database setting outranks the
  // server's for the sessions that start under it): the write succeeds only
  // on a session the writer opened after the refusal.
  const absl::Status writable = (*pg)->Exec(
      "postgres", "BEGIN READ WRITE; ALTER DATABASE ro SET default_transaction_read_only = off; COMMIT");
  ASSERT_TRUE(writable.ok()) << writable;
  absl::StatusOr<WriteSummary> after = (*store)->RecordSends(Batch("after", 3));
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->inserted, 3);
  stored_rows += 3;
  absl::StatusOr<std::string> stored = (*pg)->QueryValue("ro", "SELECT count(*) FROM sends");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(*stored, std::to_string(stored_rows));
}

}  // namespace
}  // namespace holdfast
