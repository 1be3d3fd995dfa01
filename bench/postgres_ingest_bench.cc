// Timed tool: how PostgresStore ingests (COPY into a staging table, then one
// INSERT ... SELECT ... ON CONFLICT DO NOTHING per group commit) against the
// two obvious alternatives, in one run on one server:
//
//   raw COPY     the same rows COPYed into an unindexed table of the same
//                columns in one transaction: the fastest way PostgreSQL takes
//                rows (a floor on time, not idempotent).
//   indexed COPY the same, into the store's own sends table (its unique id
//                index and unit index): index upkeep of random ids, without
//                idempotency (a duplicate would abort it).
//   store        PostgresStore::RecordSends, W writer threads calling with
//                B-row batches (the store's writer thread group-commits them).
//   row-by-row   W connections, each B-row batch in one transaction of B
//                prepared INSERT ... ON CONFLICT DO NOTHING statements, into
//                the store's own schema (same indexes): idempotent, committed
//                as often as the store's callers ask, one round trip a row.
//   re-send      the same rows through the store again: every row a
//                duplicate, nothing inserted (what a retrying client costs).
//
// Each path writes into its own new database on a PostgreSQL 15 server the
// tool starts itself with fsync=on (so a commit costs what it costs in
// production), or on --uri's server. Results and the command:
// docs/performance.md, "PostgreSQL ingest".
//
//   postgres_ingest_bench --rows=1000000 --writers=8 --batch=5000
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <pqxx/pqxx>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/types/span.h"
#include "lib/storage/store.h"
#include "tests/testing/postgres_server.h"

ABSL_FLAG(int64_t, rows, 1000000, "Sends to write (random 32-hex-digit ids, all distinct).");
ABSL_FLAG(int64_t, row_by_row_rows, 0,
          "Sends for the row-by-row path (0: --rows); the same first rows, its rate is compared.");
ABSL_FLAG(int, writers, 8, "Concurrent writer threads (store callers / row-by-row connections).");
ABSL_FLAG(int, batch, 5000, "Rows per RecordSends call and per row-by-row transaction.");
ABSL_FLAG(std::vector<std::string>, pg_settings, {},
          "Comma-separated name=value settings for the server the tool starts (e.g. "
          "shared_buffers=2GB,max_wal_size=8GB): a tuned server measured beside the default.");
ABSL_FLAG(std::string, uri, "",
          "URI of an existing database on the server to use (default: start a server); the tool "
          "creates its own databases next to it.");

namespace holdfast {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr int64_t kDay = 86400LL * 1000000;

double Seconds(SteadyClock::time_point a) {
  return std::chrono::duration<double>(SteadyClock::now() - a).count();
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "postgres_ingest_bench: %s\n", what.c_str());
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

// `uri` (postgresql://[userinfo@][host]/dbname[?params]) with its database
// name replaced by `dbname`; the query may hold '/' (host=/socket/dir).
std::string WithDatabase(const std::string& uri, const std::string& dbname) {
  const size_t query = std::min(uri.find('?'), uri.size());
  const size_t slash = uri.rfind('/', query == 0 ? 0 : query - 1);
  if (slash == std::string::npos || slash < uri.find("://") + 2) Die("--uri names no database");
  return uri.substr(0, slash + 1) + dbname + uri.substr(query);
}

std::string NewDatabase(const std::string& any_uri, const std::string& name) {
  try {
    pqxx::connection conn(any_uri);
    pqxx::nontransaction txn(conn);
    txn.exec(absl::StrCat("DROP DATABASE IF EXISTS ", txn.quote_name(name)));
    txn.exec(absl::StrCat("CREATE DATABASE ", txn.quote_name(name)));
  } catch (const std::exception& e) {
    Die(absl::StrCat("creating database ", name, ": ", e.what()));
  }
  return WithDatabase(any_uri, name);
}

int64_t CountSends(const std::string& uri, const std::string& table) {
  try {
    pqxx::connection conn(uri);
    pqxx::nontransaction txn(conn);
    return txn.exec(absl::StrCat("SELECT count(*) FROM ", table))[0][0].as<int64_t>();
  } catch (const std::exception& e) {
    Die(absl::StrCat("counting ", table, ": ", e.what()));
  }
}

// COPY of every row into `table` in one transaction; `create` (if not
// empty) makes the table first, untimed.
double Copy(const std::string& uri, const std::string& create, const std::string& table,
            const std::vector<SendRow>& rows) {
  try {
    pqxx::connection conn(uri);
    if (!create.empty()) pqxx::nontransaction(conn).exec(create);
    const auto t = SteadyClock::now();
    pqxx::work txn(conn);
    pqxx::stream_to copy(txn, table,
                         std::vector<std::string>{"send_id", "unit", "journey", "channel", "at", "cost"});
    for (const SendRow& r : rows) {
      copy << std::make_tuple(std::cref(r.send_id), std::cref(r.unit), std::cref(r.journey),
                              std::cref(r.channel), r.at, r.cost);
    }
    copy.complete();
    txn.commit();
    return Seconds(t);
  } catch (const std::exception& e) {
    Die(absl::StrCat("COPY into ", table, ": ", e.what()));
  }
}

// Runs fn(offset, length) over [0, n) in `batch`-row slices on `writers`
// threads; returns the wall time.
template <typename Fn>
double Spread(int64_t n, int writers, int batch, Fn&& fn) {
  std::atomic<int64_t> next{0};
  const auto t = SteadyClock::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      for (;;) {
        const int64_t off = next.fetch_add(batch);
        if (off >= n) return;
        fn(w, off, std::min<int64_t>(batch, n - off));
      }
    });
  }
  for (std::thread& th : threads) th.join();
  return Seconds(t);
}

// Store ingest; returns {seconds, rows inserted}.
std::pair<double, int64_t> ThroughStore(Store& store, const std::vector<SendRow>& rows, int writers,
                                        int batch) {
  std::atomic<int64_t> inserted{0};
  const double s = Spread(static_cast<int64_t>(rows.size()), writers, batch,
                          [&](int, int64_t off, int64_t len) {
                            absl::StatusOr<WriteSummary> w =
                                store.RecordSends(absl::MakeConstSpan(rows.data() + off, len));
                            if (!w.ok()) Die(std::string(w.status().ToString()));
                            inserted += w->inserted;
                          });
  return {s, inserted.load()};
}

double RowByRow(const std::string& uri, const std::vector<SendRow>& rows, int64_t n, int writers,
                int batch) {
  std::vector<std::unique_ptr<pqxx::connection>> conns;
  try {
    for (int w = 0; w < writers; ++w) {
      conns.push_back(std::make_unique<pqxx::connection>(uri));
      conns.back()->prepare("ins",
                            "INSERT INTO sends (send_id, unit, journey, channel, at, cost) "
                            "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING");
    }
  } catch (const std::exception& e) {
    Die(absl::StrCat("row-by-row connect: ", e.what()));
  }
  return Spread(n, writers, batch, [&](int w, int64_t off, int64_t len) {
    try {
      pqxx::work txn(*conns[w]);
      for (int64_t i = off; i < off + len; ++i) {
        const SendRow& r = rows[i];
        txn.exec_prepared("ins", r.send_id, r.unit, r.journey, r.channel, static_cast<int64_t>(r.at),
                          r.cost);
      }
      txn.commit();
    } catch (const std::exception& e) {
      Die(absl::StrCat("row-by-row insert: ", e.what()));
    }
  });
}

int Main() {
  const int64_t n = absl::GetFlag(FLAGS_rows);
  const int64_t n_rbr = absl::GetFlag(FLAGS_row_by_row_rows) > 0
                            ? std::min(absl::GetFlag(FLAGS_row_by_row_rows), n)
                            : n;
  const int writers = absl::GetFlag(FLAGS_writers);
  const int batch = absl::GetFlag(FLAGS_batch);
  if (n <= 0 || writers <= 0 || batch <= 0) Die("--rows, --writers and --batch must be > 0");

  std::unique_ptr<testing::PostgresServer> server;
  std::string base = absl::GetFlag(FLAGS_uri);
  if (base.empty()) {
    testing::PostgresServer::Options o;
    o.fsync = true;
    o.settings = absl::GetFlag(FLAGS_pg_settings);
    absl::StatusOr<std::unique_ptr<testing::PostgresServer>> s = testing::PostgresServer::Start(o);
    if (!s.ok()) Die(std::string(s.status().ToString()));
    server = std::move(*s);
    base = server->Uri();
  }
  const std::vector<SendRow> rows = RandomSends(n);

  const std::string raw_uri = NewDatabase(base, "hf_bench_raw");
  const double raw_s = Copy(raw_uri,
                            "CREATE TABLE sends_raw (send_id text COLLATE \"C\", unit text COLLATE "
                            "\"C\", journey text COLLATE \"C\", channel text, at bigint, cost "
                            "double precision)",
                            "sends_raw", rows);

  // COPY straight into the store's sends table (its indexes, no dedupe):
  // what index maintenance of random ids costs, idempotency aside.
  const std::string indexed_uri = NewDatabase(base, "hf_bench_indexed");
  {
    absl::StatusOr<std::unique_ptr<Store>> schema_only = Store::Open(indexed_uri);
    if (!schema_only.ok()) Die(std::string(schema_only.status().ToString()));
  }
  const double indexed_s = Copy(indexed_uri, "", "sends", rows);

  const std::string store_uri = NewDatabase(base, "hf_bench_store");
  double store_s = 0, resend_s = 0;
  {
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(store_uri);
    if (!store.ok()) Die(std::string(store.status().ToString()));
    auto [s, inserted] = ThroughStore(**store, rows, writers, batch);
    if (inserted != n) Die(absl::StrCat("store inserted ", inserted, " of ", n));
    store_s = s;
    auto [s2, inserted2] = ThroughStore(**store, rows, writers, batch);
    if (inserted2 != 0) Die(absl::StrCat("re-send inserted ", inserted2));
    resend_s = s2;
  }

  // Row-by-row into the store's schema: Store::Open runs the migrations.
  const std::string rbr_uri = NewDatabase(base, "hf_bench_rows");
  {
    absl::StatusOr<std::unique_ptr<Store>> schema_only = Store::Open(rbr_uri);
    if (!schema_only.ok()) Die(std::string(schema_only.status().ToString()));
  }
  const double rbr_s = RowByRow(rbr_uri, rows, n_rbr, writers, batch);

  if (CountSends(raw_uri, "sends_raw") != n || CountSends(indexed_uri, "sends") != n ||
      CountSends(store_uri, "sends") != n ||
      CountSends(rbr_uri, "sends") != n_rbr) {
    Die("a path lost rows");
  }
  const double raw_rate = n / raw_s, store_rate = n / store_s, resend_rate = n / resend_s;
  const double indexed_rate = n / indexed_s;
  const double rbr_rate = n_rbr / rbr_s;
  std::printf("rows %lld, %d writers x %d-row batches, fsync=on, settings: %s\n",
              static_cast<long long>(n), writers, batch,
              absl::GetFlag(FLAGS_pg_settings).empty()
                  ? "defaults (shared_buffers=128MB, max_wal_size=2GB)"
                  : absl::StrJoin(absl::GetFlag(FLAGS_pg_settings), ",").c_str());
  std::printf("raw COPY (floor):            %8.2f s  %9.0f rows/s\n", raw_s, raw_rate);
  std::printf("COPY into indexed sends:     %8.2f s  %9.0f rows/s  %.2fx raw COPY\n", indexed_s,
              indexed_rate, indexed_rate / raw_rate);
  std::printf("store (COPY + ON CONFLICT):  %8.2f s  %9.0f rows/s  %.2fx raw COPY\n", store_s,
              store_rate, store_rate / raw_rate);
  std::printf("store re-send (all dups):    %8.2f s  %9.0f rows/s  %.2fx raw COPY\n", resend_s,
              resend_rate, resend_rate / raw_rate);
  std::printf("row-by-row INSERT (%lld rows): %8.2f s  %9.0f rows/s  %.2fx raw COPY\n",
              static_cast<long long>(n_rbr), rbr_s, rbr_rate, rbr_rate / raw_rate);
  std::printf("store / row-by-row: %.2fx the rate; store / indexed COPY: %.2fx\n",
              store_rate / rbr_rate, store_rate / indexed_rate);
  return 0;
}

}  // namespace
}  // namespace holdfast

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return holdfast::Main();
}
