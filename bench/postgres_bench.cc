// Timed tool: PostgresStore against its floors, in one run on one server.
//
//   ingest: N sends with random ids through PostgresStore::RecordSends
//           (W writer threads, batches of B, group commit, idempotent) vs a
//           raw COPY of the same rows into an unindexed table of the same
//           columns in one transaction (the fastest way PostgreSQL takes rows).
//   report: BuildLiftReport over E entries (with sends and outcomes) on the
//           PostgreSQL store and on the SQLite store holding the same events,
//           next to the bare SQL aggregate on PostgreSQL (per-group count and
//           sums of the same per-entry rows; nothing else leaves the server).
//
// Starts its own PostgreSQL 15 (fsync=on, so commits cost what they cost in
// production) unless --uri names a database. Results and commands:
// docs/performance.md, "PostgreSQL store".
//
//   postgres_bench --mode=ingest --rows=1000000
//   postgres_bench --mode=report --entries=1000000
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/report/lift_report.h"
#include "lib/report/store_analysis_source.h"
#include "lib/storage/postgres_store.h"
#include "lib/storage/store.h"
#include "tests/testing/postgres_server.h"

ABSL_FLAG(std::string, mode, "ingest", "ingest | report");
ABSL_FLAG(int64_t, rows, 1000000, "ingest: sends to write");
ABSL_FLAG(int, writers, 8, "ingest: concurrent writer threads");
ABSL_FLAG(int, batch, 5000, "ingest: rows per RecordSends call");
ABSL_FLAG(int64_t, entries, 1000000, "report: entries in the store");
ABSL_FLAG(std::string, uri, "", "PostgreSQL server database URI (default: start a server)");
ABSL_FLAG(std::string, sqlite_dir, "/tmp", "report: directory for the SQLite store");

namespace holdfast {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr int64_t kDay = 86400LL * 1000000;

double Seconds(SteadyClock::time_point a) {
  return std::chrono::duration<double>(SteadyClock::now() - a).count();
}

[[noreturn]] void Die(const absl::Status& s) {
  std::fprintf(stderr, "postgres_bench: %s\n", std::string(s.ToString()).c_str());
  std::exit(1);
}

std::vector<SendRow> RandomSends(int64_t n) {
  std::mt19937_64 rng(42);
  std::vector<SendRow> rows(n);
  for (int64_t i = 0; i < n; ++i) {
    rows[i] = SendRow{absl::StrFormat("%016x%016x", rng(), rng()), absl::StrCat("u", rng() % 1000000),
                      "cart_abandon", "email", static_cast<UnixMicros>(rng() % (30 * kDay)), 0.002};
  }
  return rows;
}

int Ingest(const std::string& uri_raw, const std::string& uri_store) {
  const int64_t n = absl::GetFlag(FLAGS_rows);
  const std::vector<SendRow> rows = RandomSends(n);
  // Floor: raw COPY, same columns, same client formatting path (pqxx::stream_to).
  double raw_s = 0;
  try {
    pqxx::connection conn(uri_raw);
    pqxx::nontransaction(conn).exec(
        "CREATE TABLE sends_raw (send_id text COLLATE \"C\", unit text COLLATE \"C\", "
        "journey text COLLATE \"C\", channel text, at bigint, cost double precision)");
    const auto t = SteadyClock::now();
    pqxx::work txn(conn);
    pqxx::stream_to copy(txn, "sends_raw",
                         std::vector<std::string>{"send_id", "unit", "journey", "channel", "at", "cost"});
    for (const SendRow& r : rows) {
      copy << std::make_tuple(std::cref(r.send_id), std::cref(r.unit), std::cref(r.journey),
                              std::cref(r.channel), r.at, r.cost);
    }
    copy.complete();
    txn.commit();
    raw_s = Seconds(t);
  } catch (const std::exception& e) {
    Die(absl::InternalError(e.what()));
  }
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(uri_store);
  if (!store.ok()) Die(store.status());
  const int writers = absl::GetFlag(FLAGS_writers);
  const int batch = absl::GetFlag(FLAGS_batch);
  std::atomic<int64_t> next{0}, inserted{0};
  const auto t = SteadyClock::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&] {
      for (;;) {
        const int64_t off = next.fetch_add(batch);
        if (off >= n) return;
        const int64_t len = std::min<int64_t>(batch, n - off);
        absl::StatusOr<WriteSummary> s =
            (*store)->RecordSends(absl::MakeConstSpan(rows.data() + off, len));
        if (!s.ok()) Die(s.status());
        inserted += s->inserted;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  const double store_s = Seconds(t);
  if (inserted.load() != n) Die(absl::InternalError(absl::StrCat("inserted ", inserted.load())));
  std::printf("rows %lld: raw COPY %.2f s (%.0f rows/s); PostgresStore::RecordSends %.2f s "
              "(%.0f rows/s, %d writers x %d-row batches); ratio %.2fx\n",
              static_cast<long long>(n), raw_s, n / raw_s, store_s, n / store_s, writers, batch,
              raw_s / store_s);
  return 0;
}

AssignmentConfig ReportConfig() {
  AssignmentConfig config;
  config.version = "cfg-bench";
  JourneySpec j;
  j.id = "cart_abandon";
  j.holdout.share_ppm = 100000;
  j.arms = {{"a", 1}};
  j.attribution_window_us = 7 * kDay;
  j.pre_period_us = 28 * kDay;
  config.journeys = {j};
  return config;
}

// The same events into `store`, in 20k-row calls.
void Fill(Store& store, int64_t entries) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u01(0, 1);
  std::lognormal_distribution<double> basket(3.5, 1.0);
  constexpr int64_t kChunk = 20000;
  for (int64_t off = 0; off < entries; off += kChunk) {
    std::vector<EntryRow> es;
    std::vector<SendRow> ss;
    std::vector<OutcomeRow> os;
    for (int64_t i = off; i < std::min(entries, off + kChunk); ++i) {
      EntryRow e;
      e.journey = "cart_abandon";
      e.unit = absl::StrCat("u", i);
      e.t0 = 30 * kDay + static_cast<int64_t>(u01(rng) * 60 * kDay);
      e.group = u01(rng) < 0.1 ? EntryGroup::kHoldout : EntryGroup::kTreatment;
      if (e.group == EntryGroup::kTreatment) e.arm = "a";
      e.config_version = "cfg-bench";
      e.attributes = {{"segment", u01(rng) < 0.5 ? "x" : "y"}};
      if (e.group == EntryGroup::kTreatment) {
        ss.push_back({absl::StrCat("s", i), e.unit, e.journey, "email", e.t0 + 3600000000LL, 0.002});
      }
      if (u01(rng) < 0.3) {
        os.push_back({absl::StrCat("o", i), e.unit, e.t0 + static_cast<int64_t>(u01(rng) * 10 * kDay),
                      OutcomeType::kOrder, basket(rng), 10, ""});
      }
      es.push_back(std::move(e));
    }
    if (!store.RecordEntries(es).ok() || !store.RecordSends(ss).ok() || !store.RecordOutcomes(os).ok()) {
      Die(absl::InternalError("fill failed"));
    }
  }
}

double TimeReport(Store& store) {
  report::StoreAnalysisSource source(&store);
  report::LiftReportOptions o;
  const auto t = SteadyClock::now();
  absl::StatusOr<report::LiftReportResult> r = report::BuildLiftReport(ReportConfig(), source, o);
  if (!r.ok()) Die(r.status());
  return Seconds(t);
}

int Report(const std::string& uri) {
  const int64_t n = absl::GetFlag(FLAGS_entries);
  const std::string sqlite_path = absl::StrCat(absl::GetFlag(FLAGS_sqlite_dir), "/pg_bench_", getpid(), ".db");
  absl::StatusOr<std::unique_ptr<Store>> pg = Store::Open(uri);
  absl::StatusOr<std::unique_ptr<Store>> lite = Store::Open(sqlite_path);
  if (!pg.ok()) Die(pg.status());
  if (!lite.ok()) Die(lite.status());
  auto t = SteadyClock::now();
  Fill(**pg, n);
  const double fill_pg = Seconds(t);
  t = SteadyClock::now();
  Fill(**lite, n);
  const double fill_lite = Seconds(t);
  try {
    pqxx::connection conn(uri);
    pqxx::nontransaction(conn).exec("VACUUM ANALYZE");
  } catch (const std::exception& e) {
    Die(absl::InternalError(e.what()));
  }
  // Bare SQL aggregate: the per-entry join folded to per-group sums inside
  // PostgreSQL (what any report must at least compute).
  constexpr const char kAggregate[] = R"sql(
WITH e AS MATERIALIZED (SELECT unit, grp, arm, period, t0 FROM entries WHERE journey = 'cart_abandon'),
o AS (SELECT e.unit, e.period, sum(o.revenue) FILTER (WHERE o.at >= e.t0) AS y,
        sum(o.revenue) FILTER (WHERE o.at < e.t0) AS z
      FROM e JOIN outcomes o ON o.unit = e.unit AND o.at >= e.t0 - 2419200000000 AND o.at < e.t0 + 604800000000
      GROUP BY 1, 2),
s AS (SELECT e.unit, e.period, sum(s.cost) AS c FROM e JOIN sends s ON s.unit = e.unit
        AND s.journey = 'cart_abandon' AND s.at >= e.t0 AND s.at < e.t0 + 604800000000 GROUP BY 1, 2)
SELECT grp, arm, count(*), sum(coalesce(y, 0)), sum(coalesce(y, 0) ^ 2), sum(coalesce(c, 0)),
       sum(coalesce(z, 0))
FROM e LEFT JOIN o USING (unit, period) LEFT JOIN s USING (unit, period) GROUP BY grp, arm
)sql";
  double sql_s[2] = {0, 0}, pg_s[2], lite_s[2];
  for (int pass = 0; pass < 2; ++pass) {
    try {
      pqxx::connection conn(uri);
      const auto ts = SteadyClock::now();
      pqxx::nontransaction(conn).exec(kAggregate);
      sql_s[pass] = Seconds(ts);
    } catch (const std::exception& e) {
      Die(absl::InternalError(e.what()));
    }
    pg_s[pass] = TimeReport(**pg);
    lite_s[pass] = TimeReport(**lite);
  }
  std::printf("entries %lld (fill: PostgreSQL %.1f s, SQLite %.1f s)\n", static_cast<long long>(n),
              fill_pg, fill_lite);
  std::printf("lift report on PostgreSQL: %.2f / %.2f s; on SQLite: %.2f / %.2f s; bare SQL "
              "aggregate on PostgreSQL: %.2f / %.2f s\n",
              pg_s[0], pg_s[1], lite_s[0], lite_s[1], sql_s[0], sql_s[1]);
  std::printf("pass 2: PostgreSQL report / SQLite report %.2fx, PostgreSQL report / bare SQL %.2fx\n",
              pg_s[1] / lite_s[1], pg_s[1] / sql_s[1]);
  lite->reset();
  std::remove(sqlite_path.c_str());
  return 0;
}

int Main() {
  std::unique_ptr<testing::PostgresServer> server;
  std::string uri_a = absl::GetFlag(FLAGS_uri), uri_b = uri_a;
  if (uri_a.empty()) {
    testing::PostgresServer::Options o;
    o.fsync = true;
    absl::StatusOr<std::unique_ptr<testing::PostgresServer>> s = testing::PostgresServer::Start(o);
    if (!s.ok()) Die(s.status());
    server = std::move(*s);
    absl::StatusOr<std::string> a = server->CreateDatabase("bench_raw");
    absl::StatusOr<std::string> b = server->CreateDatabase("bench_store");
    if (!a.ok()) Die(a.status());
    if (!b.ok()) Die(b.status());
    uri_a = *a;
    uri_b = *b;
  }
  const std::string mode = absl::GetFlag(FLAGS_mode);
  if (mode == "ingest") return Ingest(uri_a, uri_b);
  if (mode == "report") return Report(uri_b);
  std::fprintf(stderr, "--mode must be ingest or report\n");
  return 2;
}

}  // namespace
}  // namespace holdfast

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return holdfast::Main();
}
