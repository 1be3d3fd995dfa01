// PostgresStore against a real PostgreSQL server: Store::Open dispatch and
// URI redaction, migrations raced by concurrent replicas, idempotency and
// first-write-wins across two stores on one database, atomic batches naming
// the first bad row, the bounded queue, exact doubles, shared config
// history, overlapping concurrent writers (deadlock retry) storing each
// record exactly once, and a replica serving with only the privileges
// docs/postgresql.md lists.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "lib/storage/analysis_sql.h"
#include "lib/storage/internal/postgres_schema.h"
#include "lib/storage/internal/schema.h"
#include "lib/storage/postgres_store.h"
#include "lib/storage/sqlite_store.h"
#include "tests/storage/test_store.h"
#include "tests/testing/postgres_server.h"

namespace holdfast {
namespace {

using ::holdfast::testing::NewPostgresDatabase;
using ::holdfast::testing::StoreBackend;
using ::holdfast::testing::TempDir;
using ::holdfast::testing::TestStore;

SendRow Send(const std::string& id, double cost = 1.0, const std::string& unit = "u1") {
  return SendRow{id, unit, "cart", "email", 1000, cost};
}

std::unique_ptr<Store> MustOpen(const std::string& uri, const StoreOptions& o = {}) {
  absl::StatusOr<std::unique_ptr<Store>> s = Store::Open(uri, o);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? std::move(*s) : nullptr;
}

// A PostgreSQL server of the test's own (for its log, its settings, or to
// stop it), one database `name` on it, and a store there with one writer
// connection and `options` otherwise.
struct OwnServer {
  std::unique_ptr<::holdfast::testing::PostgresServer> server;
  std::string uri;
  std::unique_ptr<PostgresStore> store;
};
absl::StatusOr<OwnServer> StartOwnServer(const std::string& name, PostgresStoreOptions options = {},
                                         const ::holdfast::testing::PostgresServer::Options& server =
                                             ::holdfast::testing::PostgresServer::Options()) {
  OwnServer own;
  HF_ASSIGN_OR_RETURN(own.server, ::holdfast::testing::PostgresServer::Start(server));
  HF_ASSIGN_OR_RETURN(own.uri, own.server->CreateDatabase(name));
  options.writer_connections = 1;
  HF_ASSIGN_OR_RETURN(own.store, PostgresStore::Open(own.uri, options));
  return own;
}

TEST(StoreOpenTest, PicksTheBackendFromTheUri) {
  TempDir dir;
  std::unique_ptr<Store> plain = MustOpen(dir.File("a.db"));
  EXPECT_NE(dynamic_cast<SqliteStore*>(plain.get()), nullptr);
  std::unique_ptr<Store> prefixed = MustOpen("sqlite:" + dir.File("b.db"));
  EXPECT_NE(dynamic_cast<SqliteStore*>(prefixed.get()), nullptr);
  absl::StatusOr<std::string> uri = NewPostgresDatabase();
  ASSERT_TRUE(uri.ok()) << uri.status();
  std::unique_ptr<Store> pg = MustOpen(*uri);
  EXPECT_NE(dynamic_cast<PostgresStore*>(pg.get()), nullptr);
  EXPECT_EQ(Store::Open("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Store::Open("sqlite:").status().code(), absl::StatusCode::kInvalidArgument);
  // Meant for PostgreSQL, so not a SQLite file of that name
  // (store_uri_test has the cases).
  EXPECT_EQ(Store::Open("host=127.0.0.1 dbname=hf password=pw").status().code(),
            absl::StatusCode::kInvalidArgument);
  // URI schemes are case-insensitive (RFC 3986); libpq's is not.
  ASSERT_TRUE(absl::StartsWith(*uri, "postgresql://")) << *uri;
  std::unique_ptr<Store> upper = MustOpen("PostgreSQL" + uri->substr(10));
  EXPECT_NE(dynamic_cast<PostgresStore*>(upper.get()), nullptr);
}

// libpq checks option values only when it connects; a bad one is the URI's
// fault (INVALID_ARGUMENT), not a lost server (UNAVAILABLE).
TEST(StoreOpenTest, BadOptionValueIsInvalidArgumentWithoutThePassword) {
  absl::StatusOr<std::string> uri = NewPostgresDatabase();
  ASSERT_TRUE(uri.ok()) << uri.status();
  for (const char* bad : {"&sslmode=bogus", "&target_session_attrs=zz"}) {
    absl::StatusOr<std::unique_ptr<Store>> s = Store::Open(*uri + bad + "&password=s3cret-pw");
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << s.status();
    EXPECT_NE(s.status().message().find("invalid"), absl::string_view::npos) << s.status();
    EXPECT_EQ(s.status().message().find("s3cret-pw"), absl::string_view::npos) << s.status();
  }
}

TEST(StoreOpenTest, UnreachableServerIsUnavailableWithoutThePassword) {
  absl::StatusOr<std::unique_ptr<Store>> s =
      Store::Open("postgresql://holdfast:s3cret-pw@127.0.0.1:1/holdfast?connect_timeout=2");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kUnavailable) << s.status();
  EXPECT_EQ(s.status().message().find("s3cret-pw"), absl::string_view::npos) << s.status();
  // Said as what it is: no server answered (not "connection lost"), with
  // libpq's first line naming the address.
  EXPECT_TRUE(absl::StartsWith(s.status().message(),
                               "opening the PostgreSQL store: postgresql: cannot connect: "))
      << s.status();
  EXPECT_TRUE(absl::StrContains(s.status().message(), "127.0.0.1")) << s.status();
  EXPECT_FALSE(absl::StrContains(s.status().message(), "\n")) << s.status();
}

TEST(StoreOpenTest, RedactsPasswords) {
  EXPECT_EQ(Store::RedactUri("postgresql://hf:pw@db:5432/x"), "postgresql://hf:***@db:5432/x");
  EXPECT_EQ(Store::RedactUri("postgres://db/x?user=hf&password=pw&sslmode=require"),
            "postgres://db/x?user=hf&password=***&sslmode=require");
  EXPECT_EQ(Store::RedactUri("postgresql://hf@db/x"), "postgresql://hf@db/x");
  EXPECT_EQ(Store::RedactUri("/var/lib/holdfast.db"), "/var/lib/holdfast.db");
}

TEST(PostgresStoreTest, ReplicasStartingTogetherMigrateOnce) {
  absl::StatusOr<std::string> uri = NewPostgresDatabase();
  ASSERT_TRUE(uri.ok()) << uri.status();
  constexpr int kReplicas = 4;
  std::vector<absl::StatusOr<std::unique_ptr<PostgresStore>>> opened(kReplicas);
  std::vector<std::thread> threads;
  for (int i = 0; i < kReplicas; ++i) {
    threads.emplace_back([&, i] { opened[i] = PostgresStore::Open(*uri); });
  }
  for (std::thread& t : threads) t.join();
  int fresh = 0;
  for (auto& s : opened) {
    ASSERT_TRUE(s.ok()) << s.status();
    if ((*s)->schema_version_at_open() == 0) ++fresh;
  }
  // Some opened an empty database, but no step ran twice (that would fail
  // on CREATE TABLE), and every replica can write.
  EXPECT_GE(fresh, 1);
  for (auto& s : opened) EXPECT_TRUE((*s)->RecordSends({Send("s1")}).ok());
  std::unique_ptr<PostgresStore> again = std::move(*PostgresStore::Open(*uri));
  EXPECT_EQ(again->schema_version_at_open(), storage_internal::kLatestSchemaVersion);
}

TEST(PostgresStoreTest, VersionSevenDatabaseGainsTheReEntryIndexTheNextEntryCheckReads) {
  absl::StatusOr<std::string> uri = NewPostgresDatabase();
  ASSERT_TRUE(uri.ok()) << uri.status();
  pqxx::connection conn(*uri);
  {
    // A database exactly as a version 7 build left it, with entries in it.
    pqxx::work txn(conn);
    for (int v = 0; v < 7; ++v) txn.exec(storage_internal::PostgresMigrationScripts()[v]);
    txn.exec("CREATE TABLE holdfast_schema (singleton boolean PRIMARY KEY DEFAULT true "
             "CHECK (singleton), version integer NOT NULL)");
    txn.exec("INSERT INTO holdfast_schema VALUES (true, 7)");
    txn.exec("INSERT INTO entries VALUES ('cart', 'u1', 0, 100, 1, 'a', 'v1', 0, ''), "
             "('cart', 'u1', 1, 500, 1, 'a', 'v1', 0, ''), ('cart', 'u2', 0, 200, 2, '', 'v1', 0, ''), "
             "('winback', 'u1', 0, 300, 1, 'a', 'v1', 0, '')");
    txn.commit();
  }
  {
    absl::StatusOr<std::unique_ptr<PostgresStore>> store = PostgresStore::Open(*uri);
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_EQ((*store)->schema_version_at_open(), 7);
  }
  pqxx::work txn(conn);
  // The check reads the partial index once a table scan is off the table
  // (four rows: the planner would scan them otherwise).
  txn.exec("SET LOCAL enable_seqscan = off");
  std::string plan;
  for (const pqxx::row& r : txn.exec_params("EXPLAIN " + NextEntryPossibleSql(SqlDialect::kPostgres),
                                            "cart", int64_t{1000})) {
    plan += r[0].as<std::string>() + "\n";
  }
  EXPECT_NE(plan.find("entries_later_periods"), std::string::npos) << plan;
  auto possible = [&txn](const char* journey, int64_t as_of) {
    return txn.exec_params1(NextEntryPossibleSql(SqlDialect::kPostgres), journey, as_of)[0].as<int64_t>();
  };
  EXPECT_EQ(possible("cart", 501), 1);
  EXPECT_EQ(possible("cart", 500), 0);
  EXPECT_EQ(possible("winback", 1000), 0);
}

TEST(PostgresStoreTest, FirstWriteWinsAcrossReplicasAndInsideABatch) {
  absl::StatusOr<std::string> uri = NewPostgresDatabase();
  ASSERT_TRUE(uri.ok()) << uri.status();
  std::unique_ptr<Store> a = MustOpen(*uri);
  std::unique_ptr<Store> b = MustOpen(*uri);
  absl::StatusOr<WriteSummary> w = a->RecordSends({Send("s1", 1.0), Send("s2", 2.0), Send("s1", 9.0)});
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->inserted, 2);
  EXPECT_EQ(w->duplicates, 1);
  w = b->RecordSends({Send("s2", 7.0), Send("s3", 3.0)});
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->inserted, 1);
  EXPECT_EQ(w->duplicates, 1);
  // Costs as first written: s1 = 1, s2 = 2, s3 = 3.
  JourneyDiagnosticsQuery q{"cart", 0, 10000, 0, 0};
  EntryRow e{"cart", "u1", 0, 1000, EntryGroup::kHoldout, "", "v1", false, {}};
  absl::StatusOr<EntryWriteResult> er = b->RecordEntries({e, e});
  ASSERT_TRUE(er.ok()) << er.status();
  EXPECT_EQ(er->inserted, (std::vector<bool>{true, false}));
  er = a->RecordEntries({e});
  ASSERT_TRUE(er.ok()) << er.status();
  EXPECT_EQ(er->inserted, (std::vector<bool>{false}));
  absl::StatusOr<JourneyDiagnostics> d = a->GetJourneyDiagnostics(q);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->contaminated_sends, 3);
  EXPECT_DOUBLE_EQ(d->contaminated_cost, 6.0);
}

TEST(PostgresStoreTest, BadRowRejectsTheWholeBatchNamingIt) {
  absl::StatusOr<std::unique_ptr<TestStore>> t = TestStore::Create(StoreBackend::kPostgres);
  ASSERT_TRUE(t.ok()) << t.status();
  Store* store = (*t)->store();
  std::vector<SendRow> rows = {Send("ok-1"), Send("ok-2"), Send("bad"), Send("ok-3")};
  rows[2].unit = std::string("u\xff\xfe", 3);  // not UTF-8: PostgreSQL text refuses it
  absl::StatusOr<WriteSummary> w = store->RecordSends(rows);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(w.status().message().find("sends[2]: unit"), absl::string_view::npos) << w.status();
  rows[2].unit = "u1";
  w = store->RecordSends(rows);
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->inserted, 4);  // nothing of the failed batch was stored
  std::vector<OutcomeRow> nul = {{"o1", "u1", 5, OutcomeType::kOrder, 1, 1, std::string("a\0b", 3)}};
  EXPECT_EQ(store->RecordOutcomes(nul).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(PostgresStoreTest, DoublesAndAttributesRoundTripExactly) {
  absl::StatusOr<std::unique_ptr<TestStore>> t = TestStore::Create(StoreBackend::kPostgres);
  ASSERT_TRUE(t.ok()) << t.status();
  Store* store = (*t)->store();
  const double cost = 0.1 + 0.2;  // 0.30000000000000004
  const std::string odd_value("v:1\t\n\\\0\xff", 9);
  EntryRow e{"cart", "u1", 0, 1000, EntryGroup::kTreatment, "A", "v1", false,
             {{"seg", odd_value}, {"k", "x"}}};
  ASSERT_TRUE(store->RecordEntries({e}).ok());
  ASSERT_TRUE(store->RecordSends({SendRow{"s1", "u1", "cart", "email\ttab", 1000, cost}}).ok());
  ASSERT_TRUE(store->RecordOutcomes({{"o1", "u1", 1001, OutcomeType::kOrder, 1e9 + 0.123456789, -3.5e-7, ""}}).ok());
  AnalysisQuery q;
  q.journeys = {{"cart", 100, 0, 0, {}}};
  q.from = 0;
  q.to = 5000;
  q.segment_by = "seg";
  int rows = 0;
  ASSERT_TRUE(store->ForEachAnalysisEntry(q, [&](const AnalysisEntry& a) {
                ++rows;
                EXPECT_EQ(a.c, cost);
                EXPECT_EQ(a.y, 1e9 + 0.123456789);
                EXPECT_EQ(a.m, -3.5e-7);
                EXPECT_EQ(a.segment, odd_value);
                return absl::OkStatus();
              }).ok());
  EXPECT_EQ(rows, 1);
}

// The analysis stream reads COPY's text format and writes the query's
// parameters into the SQL as literals: text with tabs, newlines, backslashes
// and quotes must come back verbatim, in the journey, unit, arm and config
// version alike (a version with its own window goes into the SQL too).
TEST(PostgresStoreTest, AnalysisTextWithTabsBackslashesAndQuotesStreamsVerbatim) {
  absl::StatusOr<std::unique_ptr<TestStore>> t = TestStore::Create(StoreBackend::kPostgres);
  ASSERT_TRUE(t.ok()) << t.status();
  Store* store = (*t)->store();
  const std::string journey = "cart's\t\\x\\N";
  const std::string unit = "u\t1\ttab\nline\\x41'";
  const std::string arm = "A\\N";
  const std::string version = "v'1\t$2";
  EntryRow e{journey, unit, 0, 1000, EntryGroup::kTreatment, arm, version, false, {}};
  ASSERT_TRUE(store->RecordEntries({e}).ok());
  ASSERT_TRUE(store->RecordOutcomes({{"o1", unit, 1001, OutcomeType::kOrder, 7.25, 1.5, ""}}).ok());
  AnalysisQuery q;
  // The version's own window (10 µs) instead of the journey's (100 µs): only
  // if its quoted literal matched the entry does the order at +1 µs count
  // with window_us 10.
  q.journeys = {{journey, 100, 0, 0, {{version, 10, 0, 0}}}};
  q.from = 0;
  q.to = 5000;
  int rows = 0;
  ASSERT_TRUE(store->ForEachAnalysisEntry(q, [&](const AnalysisEntry& a) {
                ++rows;
                EXPECT_EQ(a.journey, journey);
                EXPECT_EQ(a.unit, unit);
                EXPECT_EQ(a.arm, arm);
                EXPECT_EQ(a.config_version, version);
                EXPECT_TRUE(a.version_known);
                EXPECT_EQ(a.window_us, 10);
                EXPECT_EQ(a.y, 7.25);
                EXPECT_EQ(a.x, 1);
                return absl::OkStatus();
              }).ok());
  EXPECT_EQ(rows, 1);
}

// holdfastd's commit metrics (holdfast_store_commit_records / _duration)
// come from on_commit: every acknowledged record is reported once.
TEST(PostgresStoreTest, OnCommitReportsEveryAcknowledgedRecord) {
  absl::StatusOr<std::string> uri = NewPostgresDatabase();
  ASSERT_TRUE(uri.ok()) << uri.status();
  std::atomic<int64_t> records{0}, commits{0}, micros{0};
  StoreOptions o;
  o.on_commit = [&](int64_t n, int64_t us) {
    records += n;
    ++commits;
    micros += us;
  };
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(*uri, o);
  ASSERT_TRUE(store.ok()) << store.status();
  std::vector<SendRow> rows;
  for (int i = 0; i < 25; ++i) rows.push_back(Send(absl::StrCat("c", i)));
  ASSERT_TRUE((*store)->RecordSends(rows).ok());
  ASSERT_TRUE((*store)->RecordSends({Send("c-last")}).ok());
  // Acknowledgement follows the commit, and the observer runs before it.
  EXPECT_EQ(records.load(), 26);
  EXPECT_GE(commits.load(), 1);
  EXPECT_GT(micros.load(), 0);
}

TEST(PostgresStoreTest, WriterConnectionsAreBoundedAndShareTheQueue) {
  absl::StatusOr<std::string> uri = NewPostgresDatabase();
  ASSERT_TRUE(uri.ok()) << uri.status();
  for (int bad : {0, 17}) {
    PostgresStoreOptions o;
    o.writer_connections = bad;
    EXPECT_EQ(PostgresStore::Open(*uri, o).status().code(), absl::StatusCode::kInvalidArgument)
        << bad;
  }
  // Four writers, eight callers whose batches overlap (every key is written
  // by two callers): each record is stored once, and the callers' inserted
  // counts add up to the distinct keys, whichever writer committed them.
  PostgresStoreOptions o;
  o.writer_connections = 4;
  absl::StatusOr<std::unique_ptr<PostgresStore>> store = PostgresStore::Open(*uri, o);
  ASSERT_TRUE(store.ok()) << store.status();
  std::atomic<int64_t> inserted{0}, duplicates{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 8; ++w) {
    threads.emplace_back([&, w] {
      for (int k = 0; k < 10; ++k) {
        std::vector<SendRow> rows;
        for (int i = 0; i < 50; ++i) rows.push_back(Send(absl::StrCat("p", w / 2, "-", k, "-", i)));
        absl::StatusOr<WriteSummary> s = (*store)->RecordSends(rows);
        ASSERT_TRUE(s.ok()) << s.status();
        inserted += s->inserted;
        duplicates += s->duplicates;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(inserted.load(), 4 * 10 * 50);
  EXPECT_EQ(duplicates.load(), 4 * 10 * 50);
  absl::StatusOr<std::vector<SendRow>> all = (*store)->ScanSends(std::nullopt, 10000);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->size(), 4u * 10 * 50);
  EXPECT_EQ((*store)->GetStats().batches_committed, 80);
}

TEST(PostgresStoreTest, FullQueueFailsFastWithResourceExhausted) {
  absl::StatusOr<std::string> uri = NewPostgresDatabase();
  ASSERT_TRUE(uri.ok()) << uri.status();
  PostgresStoreOptions o;
  o.max_queued_records = 10;
  absl::StatusOr<std::unique_ptr<PostgresStore>> store = PostgresStore::Open(*uri, o);
  ASSERT_TRUE(store.ok()) << store.status();
  std::vector<SendRow> too_big;
  for (int i = 0; i < 11; ++i) too_big.push_back(Send(absl::StrCat("s", i)));
  EXPECT_EQ((*store)->RecordSends(too_big).status().code(), absl::StatusCode::kInvalidArgument);
  // Many writers of 6 records each against a bound of 10: whoever finds the
  // queue full is refused at once, the others commit.
  std::atomic<int> ok{0}, full{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 8; ++w) {
    threads.emplace_back([&, w] {
      for (int k = 0; k < 20; ++k) {
        std::vector<SendRow> rows;
        for (int i = 0; i < 6; ++i) rows.push_back(Send(absl::StrCat("w", w, "-", k, "-", i)));
        absl::StatusOr<WriteSummary> s = (*store)->RecordSends(rows);
        if (s.ok()) {
          ++ok;
        } else if (s.status().code() == absl::StatusCode::kResourceExhausted) {
          ++full;
        } else {
          ADD_FAILURE() << s.status();
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_GT(ok.load(), 0);
  EXPECT_GT(full.load(), 0);
  EXPECT_EQ((*store)->GetStats().rejected_full, full.load());
}

// The writer's lock bound (PostgresStoreOptions::lock_timeout_ms): a
// write waiting on a table another session locked fails UNAVAILABLE after
// the bound, the whole group at once (one wait, not one per batch), and
// writes succeed again once the lock is released.
TEST(PostgresStoreTest, AWriteWaitingOnALockFailsUnavailableAfterTheLockTimeout) {
  // Its own server: the test counts the lock timeouts in the server's log.
  PostgresStoreOptions o;
  o.lock_timeout_ms = 1500;
  absl::StatusOr<OwnServer> own = StartOwnServer("locked", o);
  ASSERT_TRUE(own.ok()) << own.status();
  ASSERT_TRUE(own->store->RecordSends({Send("before")}).ok());

  // A data team's CREATE INDEX without CONCURRENTLY holds this lock too.
  pqxx::connection holder(own->uri);
  pqxx::work lock(holder);
  lock.exec("LOCK TABLE sends IN SHARE MODE");
  auto count_timeouts = [&] {
    const std::string log = own->server->log();
    int n = 0;
    for (size_t at = log.find("lock timeout"); at != std::string::npos; at = log.find("lock timeout", at + 1)) ++n;
    return n;
  };
  // The first write waits alone in its group; the next two queue behind it
  // and form the second group.
  std::vector<absl::Status> results(3);
  std::thread first([&] { results[0] = own->store->RecordSends({Send("a")}).status(); });
  for (int i = 0;; ++i) {
    pqxx::connection probe(own->uri);
    pqxx::nontransaction q(probe);
    if (q.exec1("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'holdfastd-writer' "
                "AND wait_event_type = 'Lock'")[0]
            .as<int>() == 1) {
      break;
    }
    ASSERT_LT(i, 1000) << "the write never waited for the lock";
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::thread second([&] { results[1] = own->store->RecordSends({Send("b")}).status(); });
  std::thread third([&] { results[2] = own->store->RecordSends({Send("c")}).status(); });
  first.join();
  second.join();
  third.join();
  for (const absl::Status& r : results) {
    EXPECT_EQ(r.code(), absl::StatusCode::kUnavailable) << r;
    EXPECT_TRUE(absl::StrContains(r.message(), "lock timeout")) << r;
  }
  // One timeout per group: the batches of the second group were not re-run
  // one by one (each would wait the bound again).
  for (int i = 0; count_timeouts() < 2 && i < 500; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(count_timeouts(), 2) << own->server->log();
  EXPECT_EQ(own->store->GetStats().retries, 0);

  lock.abort();
  absl::StatusOr<WriteSummary> after = own->store->RecordSends({Send("a"), Send("b"), Send("c")});
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->inserted, 3);
}

// A writer whose server is gone: the group's one re-run after the broken
// connection finds no server, and the group fails then, "cannot connect",
// instead of reconnecting max_retries times (each attempt can cost
// connect_timeout per host when a machine vanished).
TEST(PostgresStoreTest, AGroupIsNotReRunWhenItsReconnectFails) {
  absl::StatusOr<OwnServer> own = StartOwnServer("gone");
  ASSERT_TRUE(own.ok()) << own.status();
  ASSERT_TRUE(own->store->RecordSends({Send("before")}).ok());
  own->server->StopImmediately();
  absl::StatusOr<WriteSummary> lost = own->store->RecordSends({Send("after")});
  EXPECT_EQ(lost.status().code(), absl::StatusCode::kUnavailable) << lost.status();
  EXPECT_TRUE(absl::StrContains(lost.status().message(), "cannot connect")) << lost.status();
  EXPECT_EQ(own->store->GetStats().retries, 1) << "re-runs of a group whose reconnect failed";
  // The next write tries again (and fails the same way while no server runs).
  EXPECT_EQ(own->store->RecordSends({Send("later")}).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(own->store->GetStats().retries, 1);
}

// A lock_timeout the URI sets for the session wins over the store's bound.
TEST(PostgresStoreTest, TheUrisLockTimeoutWinsOverTheStoreDefault) {
  absl::StatusOr<std::string> uri = NewPostgresDatabase();
  ASSERT_TRUE(uri.ok()) << uri.status();
  PostgresStoreOptions o;
  o.writer_connections = 1;
  o.lock_timeout_ms = 120000;  // the test would time out waiting for this one
  absl::StatusOr<std::unique_ptr<PostgresStore>> store =
      PostgresStore::Open(*uri + "&options=-c%20lock_timeout%3D200", o);
  ASSERT_TRUE(store.ok()) << store.status();
  pqxx::connection holder(*uri);
  pqxx::work lock(holder);
  lock.exec("LOCK TABLE sends IN SHARE MODE");
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<WriteSummary> refused = (*store)->RecordSends({Send("x")});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable) << refused.status();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
}

TEST(PostgresStoreTest, ConfigHistoryIsSharedByReplicas) {
  absl::StatusOr<std::string> uri = NewPostgresDatabase();
  ASSERT_TRUE(uri.ok()) << uri.status();
  std::unique_ptr<Store> a = MustOpen(*uri);
  std::unique_ptr<Store> b = MustOpen(*uri);
  ASSERT_TRUE(a->AppendConfigVersion({"v1", 100, "/etc/a", "initial", "journeys { id: \"x\" }", ""}).ok());
  ASSERT_TRUE(b->AppendConfigVersion({"v2", 200, "/etc/b", "changed", "", ""}).ok());
  ASSERT_TRUE(a->AppendConfigVersion({"v1", 300, "/etc/a", "rolled back", "", ""}).ok());
  absl::StatusOr<std::vector<ConfigVersionRow>> h = b->ListConfigVersions(10);
  ASSERT_TRUE(h.ok()) << h.status();
  ASSERT_EQ(h->size(), 3u);
  EXPECT_EQ((*h)[0].version, "v1");
  EXPECT_EQ((*h)[0].loaded_at, 300);
  EXPECT_EQ((*h)[1].source_path, "/etc/b");
  EXPECT_EQ((*h)[2].diff_summary, "initial");
  EXPECT_EQ((*h)[2].content, "journeys { id: \"x\" }");
  EXPECT_EQ(b->ListConfigVersions(0).status().code(), absl::StatusCode::kInvalidArgument);
}

// After a PostgreSQL restart (here: every reader backend terminated) the
// pooled read connections are dead without libpq knowing. The next reads
// begin on fresh connections instead of failing at BEGIN, both the read
// sessions (config history, reports) and the scans (store copy).
TEST(PostgresStoreTest, ReadsAfterTheServerDroppedThePooledConnectionsSucceed) {
  absl::StatusOr<std::string> uri = NewPostgresDatabase();
  ASSERT_TRUE(uri.ok()) << uri.status();
  StoreOptions options;
  options.max_idle_readers = 4;
  std::unique_ptr<Store> store = MustOpen(*uri, options);
  ASSERT_TRUE(store->AppendConfigVersion({"v1", 100, "/etc/a", "initial", "", ""}).ok());
  ASSERT_TRUE(store->RecordSends({Send("s1")}).ok());
  // Four readers in the pool: four concurrent reads, each on its own.
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&] { EXPECT_TRUE(store->ListConfigVersions(10).ok()); });
  }
  for (std::thread& t : readers) t.join();
  pqxx::connection admin(*uri);
  pqxx::nontransaction txn(admin);
  const pqxx::result killed = txn.exec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
      "WHERE application_name = 'holdfastd-reader' AND datname = current_database()");
  ASSERT_GE(killed.size(), 1u);
  for (int i = 0; i < 100; ++i) {  // until the backends have exited
    if (txn.exec("SELECT 1 FROM pg_stat_activity WHERE application_name = 'holdfastd-reader' "
                 "AND datname = current_database()").empty()) {
      break;
    }
    usleep(20000);
  }
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<std::vector<ConfigVersionRow>> h = store->ListConfigVersions(10);
    ASSERT_TRUE(h.ok()) << "read " << i << ": " << h.status();
    EXPECT_EQ(h->size(), 1u);
  }
  txn.exec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
      "WHERE application_name = 'holdfastd-reader' AND datname = current_database()");
  usleep(200000);
  absl::StatusOr<std::vector<SendRow>> sends = store->ScanSends(std::nullopt, 10);
  ASSERT_TRUE(sends.ok()) << sends.status();
  EXPECT_EQ(sends->size(), 1u);
}

// A server that ends idle sessions (idle_session_timeout, a common
// production setting): the writer's and the readers' next statements find
// their connections gone, and the store reconnects without failing a call.
TEST(PostgresStoreTest, WritesAndReadsSurviveTheServersIdleSessionTimeout) {
  ::holdfast::testing::PostgresServer::Options server;
  server.settings = {"idle_session_timeout=300ms"};
  absl::StatusOr<OwnServer> own = StartOwnServer("idle", {}, server);
  ASSERT_TRUE(own.ok()) << own.status();
  for (int round = 0; round < 3; ++round) {
    absl::StatusOr<WriteSummary> written = own->store->RecordSends({Send(absl::StrCat("s", round))});
    ASSERT_TRUE(written.ok()) << "round " << round << ": " << written.status();
    EXPECT_EQ(written->inserted, 1);
    absl::StatusOr<std::vector<SendRow>> read = own->store->ScanSends(std::nullopt, 10);
    ASSERT_TRUE(read.ok()) << "round " << round << ": " << read.status();
    EXPECT_EQ(read->size(), static_cast<size_t>(round + 1));
    usleep(800000);  // past the server's idle timeout
  }
  EXPECT_GE(own->store->GetStats().reconnects, 2);
}

// docs/postgresql.md, "A schema of its own": the URI's search_path puts
// the store's tables in that schema, and two stores in two schemas of one
// database are independent (staging and production, two programs).
TEST(PostgresStoreTest, StoresInTwoSchemasOfOneDatabaseAreIndependent) {
  absl::StatusOr<std::string> uri = NewPostgresDatabase();
  ASSERT_TRUE(uri.ok()) << uri.status();
  pqxx::connection admin(*uri);
  pqxx::nontransaction txn(admin);
  txn.exec("CREATE SCHEMA staging; CREATE SCHEMA production");
  std::unique_ptr<Store> staging = MustOpen(*uri + "&options=-c%20search_path%3Dstaging");
  std::unique_ptr<Store> production = MustOpen(*uri + "&options=-c%20search_path%3Dproduction");
  ASSERT_NE(staging, nullptr);
  ASSERT_NE(production, nullptr);
  ASSERT_TRUE(staging->RecordSends({Send("s1"), Send("s2")}).ok());
  absl::StatusOr<WriteSummary> p = production->RecordSends({Send("s1")});
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->inserted, 1) << "the production store saw the staging store's send";
  absl::StatusOr<std::vector<SendRow>> staged = staging->ScanSends(std::nullopt, 10);
  ASSERT_TRUE(staged.ok()) << staged.status();
  EXPECT_EQ(staged->size(), 2u);
  EXPECT_EQ(txn.exec1("SELECT count(*) FROM staging.sends")[0].as<int>(), 2);
  EXPECT_EQ(txn.exec1("SELECT count(*) FROM production.sends")[0].as<int>(), 1);
  EXPECT_TRUE(txn.exec1("SELECT to_regclass('public.sends') IS NULL")[0].as<bool>());
  EXPECT_EQ(txn.exec1("SELECT count(*) FROM staging.holdfast_schema")[0].as<int>(), 1);
}

// docs/postgresql.md, "Privileges": an owner role migrates once, then a
// replica whose role holds only the listed grants starts, writes every kind
// of record (the writer's TEMP staging tables included), records config
// history and reads the analysis. A grant missing from the list fails here.
TEST(PostgresStoreTest, ServesWithTheDocumentedPrivilegesAfterTheOwnerMigrated) {
  absl::StatusOr<std::string> owner_uri = NewPostgresDatabase();
  ASSERT_TRUE(owner_uri.ok()) << owner_uri.status();
  { ASSERT_NE(MustOpen(*owner_uri), nullptr); }  // migrations, as the owner
  const std::string role = absl::StrCat("hf_app_", getpid());
  const size_t user = owner_uri->find("user=postgres");
  ASSERT_NE(user, std::string::npos) << *owner_uri;
  std::string app_uri = *owner_uri;
  app_uri.replace(user, 13, "user=" + role);
  try {
    pqxx::connection conn(*owner_uri);
    pqxx::nontransaction txn(conn);
    txn.exec(absl::StrCat("CREATE ROLE ", role, " LOGIN"));
  } catch (const std::exception& e) {
    FAIL() << e.what();
  }
  // Without the grants: refused as PERMISSION_DENIED, naming no password.
  absl::StatusOr<std::unique_ptr<Store>> refused = Store::Open(app_uri);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied) << refused.status();
  try {
    pqxx::connection conn(*owner_uri);
    pqxx::nontransaction txn(conn);
    const std::string db = conn.dbname();
    // The list in docs/postgresql.md, verbatim but for the names.
    txn.exec(absl::StrCat("GRANT CONNECT, TEMPORARY ON DATABASE ", txn.quote_name(db), " TO ", role));
    txn.exec(absl::StrCat("GRANT USAGE ON SCHEMA public TO ", role));
    txn.exec(absl::StrCat("GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO ", role));
    txn.exec(absl::StrCat("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ", role));
    // PostgreSQL 15 grants nothing on public to PUBLIC but USAGE; make sure
    // the role cannot create tables, so the test proves it never needs to.
    txn.exec("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
  } catch (const std::exception& e) {
    FAIL() << e.what();
  }
  std::unique_ptr<Store> app = MustOpen(app_uri);
  ASSERT_NE(app, nullptr);
  EntryRow e;
  e.journey = "cart";
  e.unit = "u1";
  e.t0 = 1000;
  e.group = EntryGroup::kTreatment;
  e.arm = "a";
  e.config_version = "v1";
  ASSERT_TRUE(app->RecordEntries(std::vector<EntryRow>{e}).ok());
  absl::StatusOr<WriteSummary> sends = app->RecordSends(std::vector<SendRow>{Send("s1")});
  ASSERT_TRUE(sends.ok()) << sends.status();
  EXPECT_EQ(sends->inserted, 1);
  absl::StatusOr<WriteSummary> outcomes = app->RecordOutcomes(
      std::vector<OutcomeRow>{{"o1", "u1", 2000, OutcomeType::kOrder, 10, 3, ""}});
  ASSERT_TRUE(outcomes.ok()) << outcomes.status();
  ASSERT_TRUE(app->RecordFixedCosts(std::vector<FixedCostRow>{{"f1", "cart", 0, 5000, 7, "platform"}}).ok());
  ASSERT_TRUE(app->AppendConfigVersion({"v1", 100, "/etc/a", "initial", ""}).ok());
  absl::StatusOr<std::vector<ConfigVersionRow>> h = app->ListConfigVersions(10);
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->size(), 1u);
  absl::StatusOr<int64_t> orphans = app->CountOrphanRefunds(0, 10000);
  ASSERT_TRUE(orphans.ok()) << orphans.status();
  AnalysisQuery q;
  q.from = 0;
  q.to = 5000;
  q.as_of = 1000000000;
  JourneyWindow j;
  j.journey = "cart";
  j.attribution_window_us = 3000;
  q.journeys = {j};
  int rows = 0;
  absl::Status scan = app->ForEachAnalysisEntry(q, [&rows](const AnalysisEntry& entry) {
    ++rows;
    EXPECT_DOUBLE_EQ(entry.y, 10);
    return absl::OkStatus();
  });
  ASSERT_TRUE(scan.ok()) << scan;
  EXPECT_EQ(rows, 1);
}

TEST(PostgresStoreTest, OverlappingWritersOnTwoReplicasStoreEachRecordOnce) {
  absl::StatusOr<std::string> uri = NewPostgresDatabase();
  ASSERT_TRUE(uri.ok()) << uri.status();
  std::unique_ptr<Store> replicas[2] = {MustOpen(*uri), MustOpen(*uri)};
  // Four writers, two per replica, all writing the same 2,000 ids in
  // different orders and batches: every id is inserted exactly once overall.
  constexpr int kIds = 2000;
  std::atomic<int64_t> inserted{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      Store* store = replicas[w % 2].get();
      for (int start = 0; start < kIds; start += 250) {
        std::vector<SendRow> rows;
        for (int i = 0; i < 250; ++i) {
          const int id = (w % 2 == 0) ? start + i : kIds - 1 - (start + i);
          rows.push_back(Send(absl::StrCat("id-", (id * 7919) % kIds)));
        }
        absl::StatusOr<WriteSummary> s = store->RecordSends(rows);
        ASSERT_TRUE(s.ok()) << s.status();
        inserted += s->inserted;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(inserted.load(), kIds);
  JourneyDiagnosticsQuery q{"cart", 0, 10000, 0, 0};
  EntryRow e{"cart", "u1", 0, 1000, EntryGroup::kHoldout, "", "v1", false, {}};
  ASSERT_TRUE(replicas[0]->RecordEntries({e}).ok());
  absl::StatusOr<JourneyDiagnostics> d = replicas[1]->GetJourneyDiagnostics(q);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->contaminated_sends, kIds);
}

TEST(PostgresStoreTest, AcknowledgedWritesSurviveReopen) {
  absl::StatusOr<std::unique_ptr<TestStore>> t = TestStore::Create(StoreBackend::kPostgres);
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_TRUE((*t)->store()->RecordOutcomes({{"o1", "u1", 5, OutcomeType::kOrder, 10, 2, ""},
                                             {"r1", "u1", 6, OutcomeType::kRefund, 4, 1, "o1"},
                                             {"r2", "u1", 7, OutcomeType::kRefund, 4, 1, "nope"}})
                  .ok());
  (*t)->Close();
  ASSERT_TRUE((*t)->Reopen().ok());
  absl::StatusOr<int64_t> orphans = (*t)->store()->CountOrphanRefunds(0, 100);
  ASSERT_TRUE(orphans.ok()) << orphans.status();
  EXPECT_EQ(*orphans, 1);
  absl::StatusOr<WriteSummary> again =
      (*t)->store()->RecordOutcomes({{"o1", "u1", 5, OutcomeType::kOrder, 99, 2, ""}});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->duplicates, 1);
}

}  // namespace
}  // namespace holdfast
