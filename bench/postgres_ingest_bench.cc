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
// --paths picks which run (default raw,copy,store,resend,rows; raw always
// runs first, it is the floor). copy and store take a sends-schema variant
// after a colon, a ceiling for a schema change measured without making it:
// copy:id_only (no sends_by_unit), copy:unit_only (no sends_by_id),
// copy:hash8 / store:hash8 (sends PARTITION BY HASH (send_id), 8
// partitions, both indexes), copy:hash8_id_only, ..., copy:hashidx (both
// indexes as hash indexes: send_id unique through EXCLUDE USING hash, which
// the store's ON CONFLICT (send_id) cannot name, so copy only), copy:int8keys
// (both indexes on 64-bit hashes of send_id and unit, stored generated
// columns: a unique hash would make a hash collision a false duplicate, so
// copy only). The store runs its own
// unchanged SQL against the variant (its INSERT ... ON CONFLICT DO NOTHING
// works on a partitioned table whose unique index holds the partition key).
//
// Before each path the tool runs CHECKPOINT (untimed), so no path pays for
// writing out the previous one's dirty pages; after it, it prints the WAL
// the server wrote meanwhile (pg_current_wal_lsn), pg_stat_wal's full-page
// images, and pg_stat_bgwriter's checkpoints and backend buffer writes —
// with the path's connections closed, so their statistics are flushed.
//
// Each path writes into its own new database on a PostgreSQL 15 server the
// tool starts itself with fsync=on (so a commit costs what it costs in
// production), or on --uri's server. Results and the command:
// docs/performance.md, "PostgreSQL ingest".
//
//   postgres_ingest_bench --rows=1000000 --writers=8 --batch=5000
//   postgres_ingest_bench --rows=10000000 --paths=copy,copy:id_only,copy:hash8,store:hash8
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
#include "absl/strings/str_split.h"
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
ABSL_FLAG(std::vector<std::string>, paths, std::vector<std::string>({"copy", "store", "resend", "rows"}),
          "Paths to run after the raw COPY floor, in order: copy[:VARIANT], store[:VARIANT], resend "
          "(the last store path's rows again), rows (row-by-row). VARIANT of the sends table: "
          "[hashN][_]{,id_only,unit_only} (hashN: PARTITION BY HASH (send_id), N partitions; "
          "id_only: no sends_by_unit; unit_only: no sends_by_id, copy only), or hashidx (both "
          "indexes as hash indexes, send_id unique by EXCLUDE USING hash; copy only), or int8keys "
          "(both indexes on bigint hashes of send_id and unit; copy only).");
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

// Server-wide counters read around each path: WAL inserted (bytes of LSN),
// full-page images, checkpoints completed, dirty buffers written out by
// backends and the background writer (evictions) and by checkpoints, and
// bytes of temporary files (sorts and hashes over work_mem).
struct Counters {
  int64_t wal_bytes = 0;
  int64_t wal_fpi = 0;
  int64_t checkpoints = 0;
  int64_t buffers_evicted = 0;
  int64_t buffers_checkpoint = 0;
  int64_t temp_bytes = 0;
};

Counters ReadCounters(const std::string& uri) {
  try {
    pqxx::connection conn(uri);
    pqxx::nontransaction txn(conn);
    const pqxx::row r = txn.exec(
        "SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint, w.wal_fpi, "
        "b.checkpoints_timed + b.checkpoints_req, b.buffers_backend + b.buffers_clean, "
        "b.buffers_checkpoint, (SELECT sum(temp_bytes)::bigint FROM pg_stat_database) "
        "FROM pg_stat_wal w, pg_stat_bgwriter b")[0];
    return Counters{r[0].as<int64_t>(), r[1].as<int64_t>(), r[2].as<int64_t>(), r[3].as<int64_t>(),
                    r[4].as<int64_t>(), r[5].as<int64_t>()};
  } catch (const std::exception& e) {
    Die(absl::StrCat("reading pg_stat_wal: ", e.what()));
  }
}

Counters Minus(const Counters& a, const Counters& b) {
  return Counters{a.wal_bytes - b.wal_bytes, a.wal_fpi - b.wal_fpi, a.checkpoints - b.checkpoints,
                  a.buffers_evicted - b.buffers_evicted, a.buffers_checkpoint - b.buffers_checkpoint,
                  a.temp_bytes - b.temp_bytes};
}

// CHECKPOINT, then waits until the checkpointer has reported it: a path
// starts with nothing of the previous one's left to write, and counts only
// its own checkpoints.
void Checkpoint(const std::string& uri) {
  const int64_t before = ReadCounters(uri).checkpoints;
  try {
    pqxx::connection conn(uri);
    pqxx::nontransaction(conn).exec("CHECKPOINT");
  } catch (const std::exception& e) {
    Die(absl::StrCat("CHECKPOINT: ", e.what()));
  }
  const auto deadline = SteadyClock::now() + std::chrono::seconds(10);
  while (ReadCounters(uri).checkpoints <= before && SteadyClock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// Waits until no client backend is connected to `dbname`: a backend flushes
// its WAL statistics when it exits, before it leaves pg_stat_activity.
void WaitForClientsGone(const std::string& uri, const std::string& dbname) {
  const auto deadline = SteadyClock::now() + std::chrono::seconds(30);
  try {
    pqxx::connection conn(uri);
    for (;;) {
      pqxx::nontransaction txn(conn);
      const int64_t n = txn.exec_params("SELECT count(*) FROM pg_stat_activity WHERE datname = $1 "
                                        "AND backend_type = 'client backend'",
                                        dbname)[0][0]
                            .as<int64_t>();
      if (n == 0 || SteadyClock::now() > deadline) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  } catch (const std::exception& e) {
    Die(absl::StrCat("pg_stat_activity: ", e.what()));
  }
}

// A variant of the store's sends table: hash partitions and which of its
// two indexes it keeps.
struct Variant {
  std::string name;
  int partitions = 0;
  bool by_id = true;
  bool by_unit = true;
  // Both indexes as hash indexes (send_id unique by an exclusion constraint).
  bool hash_indexes = false;
  // Both indexes on 64-bit hashes of the text keys (stored generated columns).
  bool int8_keys = false;
};

Variant ParseVariant(const std::string& v) {
  Variant out{v};
  std::string rest = v;
  if (rest.rfind("hash", 0) == 0 && rest != "hashidx") {
    size_t i = 4;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
    if (i == 4) Die(absl::StrCat("variant ", v, ": hash needs a partition count (hash8)"));
    out.partitions = std::stoi(rest.substr(4, i - 4));
    if (out.partitions < 2 || out.partitions > 256) Die("hash partitions must be in [2, 256]");
    rest = rest.substr(i);
    if (!rest.empty() && rest[0] == '_') rest = rest.substr(1);
  }
  if (rest == "hashidx" && out.partitions == 0) {
    out.hash_indexes = true;
  } else if (rest == "int8keys" && out.partitions == 0) {
    out.int8_keys = true;
  } else if (rest == "id_only") {
    out.by_unit = false;
  } else if (rest == "unit_only") {
    out.by_id = false;
  } else if (!rest.empty()) {
    Die(absl::StrCat("unknown sends variant ", v));
  }
  return out;
}

// SQL turning the store's migrated sends table into `v` (same columns).
std::string VariantSql(const Variant& v) {
  std::string sql;
  if (v.hash_indexes) {
    return "DROP INDEX sends_by_unit;\nDROP INDEX sends_by_id;\n"
           "ALTER TABLE sends ADD CONSTRAINT sends_by_id EXCLUDE USING hash (send_id WITH =);\n"
           "CREATE INDEX sends_by_unit ON sends USING hash (unit);\n";
  }
  if (v.int8_keys) {
    return "DROP INDEX sends_by_unit;\nDROP INDEX sends_by_id;\n"
           "ALTER TABLE sends ADD COLUMN id_key bigint GENERATED ALWAYS AS "
           "(hashtextextended(send_id, 0)) STORED, ADD COLUMN unit_key bigint GENERATED ALWAYS AS "
           "(hashtextextended(unit, 0)) STORED;\n"
           "CREATE UNIQUE INDEX sends_by_id ON sends (id_key);\n"
           "CREATE INDEX sends_by_unit ON sends (unit_key, journey, at) INCLUDE (cost);\n";
  }
  if (v.partitions == 0) {
    if (!v.by_unit) sql += "DROP INDEX sends_by_unit;\n";
    if (!v.by_id) sql += "DROP INDEX sends_by_id;\n";
    return sql;
  }
  sql = absl::StrCat(
      "DROP TABLE sends;\n"
      "CREATE TABLE sends (send_id text COLLATE \"C\" NOT NULL, unit text COLLATE \"C\" NOT NULL,"
      " journey text COLLATE \"C\" NOT NULL, channel text NOT NULL, at bigint NOT NULL,"
      " cost double precision NOT NULL) PARTITION BY HASH (send_id);\n");
  for (int p = 0; p < v.partitions; ++p) {
    absl::StrAppend(&sql, "CREATE TABLE sends_p", p, " PARTITION OF sends FOR VALUES WITH (MODULUS ",
                    v.partitions, ", REMAINDER ", p, ");\n");
  }
  if (v.by_id) sql += "CREATE UNIQUE INDEX sends_by_id ON sends (send_id);\n";
  if (v.by_unit) sql += "CREATE INDEX sends_by_unit ON sends (unit, journey, at) INCLUDE (cost);\n";
  return sql;
}

// A new database `name` with the store's schema and sends table `v`.
std::string SchemaDatabase(const std::string& base, const std::string& name, const Variant& v) {
  const std::string uri = NewDatabase(base, name);
  {
    absl::StatusOr<std::unique_ptr<Store>> schema_only = Store::Open(uri);
    if (!schema_only.ok()) Die(std::string(schema_only.status().ToString()));
  }
  const std::string sql = VariantSql(v);
  if (!sql.empty()) {
    try {
      pqxx::connection conn(uri);
      pqxx::work txn(conn);
      txn.exec(sql);
      txn.commit();
    } catch (const std::exception& e) {
      Die(absl::StrCat("sends variant ", v.name, ": ", e.what()));
    }
  }
  return uri;
}

std::string ServerSetting(const std::string& uri, const std::string& name) {
  try {
    pqxx::connection conn(uri);
    pqxx::nontransaction txn(conn);
    return txn.exec(absl::StrCat("SHOW ", name))[0][0].as<std::string>();
  } catch (const std::exception& e) {
    Die(absl::StrCat("SHOW ", name, ": ", e.what()));
  }
}

// Bytes of the sends indexes (every partition's) in the database at `uri`.
int64_t SendsIndexBytes(const std::string& uri) {
  try {
    pqxx::connection conn(uri);
    pqxx::nontransaction txn(conn);
    return txn.exec("SELECT coalesce(sum(pg_relation_size(i.indexrelid)), 0)::bigint FROM pg_index i "
                    "JOIN pg_class t ON t.oid = i.indrelid WHERE t.relname LIKE 'sends%'")[0][0]
        .as<int64_t>();
  } catch (const std::exception& e) {
    Die(absl::StrCat("index sizes: ", e.what()));
  }
}

struct PathResult {
  std::string label;
  int64_t rows = 0;
  double seconds = 0;
  Counters counters;
  int64_t index_bytes = 0;
};

int Main() {
  const int64_t n = absl::GetFlag(FLAGS_rows);
  const int64_t n_rbr = absl::GetFlag(FLAGS_row_by_row_rows) > 0
                            ? std::min(absl::GetFlag(FLAGS_row_by_row_rows), n)
                            : n;
  const int writers = absl::GetFlag(FLAGS_writers);
  const int batch = absl::GetFlag(FLAGS_batch);
  if (n <= 0 || writers <= 0 || batch <= 0) Die("--rows, --writers and --batch must be > 0");
  // Validate every path before the first (long) one runs.
  for (const std::string& p : absl::GetFlag(FLAGS_paths)) {
    const std::vector<std::string> kv = absl::StrSplit(p, absl::MaxSplits(':', 1));
    if (kv[0] == "copy" || kv[0] == "store") {
      const Variant v = ParseVariant(kv.size() > 1 ? kv[1] : "");
      if (kv[0] == "store" && !v.by_id) Die("store needs sends_by_id (idempotency)");
      if (kv[0] == "store" && (v.hash_indexes || v.int8_keys)) {
        Die("store needs a unique index on send_id (ON CONFLICT)");
      }
    } else if ((kv[0] != "resend" && kv[0] != "rows") || kv.size() > 1) {
      Die(absl::StrCat("unknown path ", p));
    }
  }

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

  std::vector<PathResult> results;
  // Runs fn() (returning its seconds) between a CHECKPOINT and the
  // counters of what it made the server do; dbname's connections are closed
  // by then.
  auto measure = [&](const std::string& label, const std::string& dbname, int64_t path_rows,
                     auto&& fn) {
    Checkpoint(base);
    const Counters before = ReadCounters(base);
    const double s = fn();
    WaitForClientsGone(base, dbname);
    results.push_back(PathResult{label, path_rows, s, Minus(ReadCounters(base), before)});
    std::fprintf(stderr, "%s: %.2f s\n", label.c_str(), s);
  };

  const std::string raw_uri = NewDatabase(base, "hf_bench_raw");
  measure("raw COPY (floor)", "hf_bench_raw", n, [&] {
    return Copy(raw_uri,
                "CREATE TABLE sends_raw (send_id text COLLATE \"C\", unit text COLLATE \"C\", "
                "journey text COLLATE \"C\", channel text, at bigint, cost double precision)",
                "sends_raw", rows);
  });
  if (CountSends(raw_uri, "sends_raw") != n) Die("raw COPY lost rows");

  std::string last_store_db;
  int db_seq = 0;
  for (const std::string& p : absl::GetFlag(FLAGS_paths)) {
    const std::vector<std::string> kv = absl::StrSplit(p, absl::MaxSplits(':', 1));
    const std::string kind = kv[0];
    const Variant v = ParseVariant(kv.size() > 1 ? kv[1] : "");
    const std::string suffix = v.name.empty() ? "" : absl::StrCat(" [", v.name, "]");
    const std::string dbname = absl::StrCat("hf_bench_", kind, "_", db_seq++);
    if (kind == "copy") {
      // COPY straight into the store's sends table (its indexes, no
      // dedupe): what index maintenance of random ids costs.
      const std::string uri = SchemaDatabase(base, dbname, v);
      measure(absl::StrCat("COPY into indexed sends", suffix), dbname, n,
              [&] { return Copy(uri, "", "sends", rows); });
      if (CountSends(uri, "sends") != n) Die(absl::StrCat(p, " lost rows"));
      results.back().index_bytes = SendsIndexBytes(uri);
    } else if (kind == "store") {
      const std::string uri = SchemaDatabase(base, dbname, v);
      measure(absl::StrCat("store (COPY + ON CONFLICT)", suffix), dbname, n, [&] {
        absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(uri);
        if (!store.ok()) Die(std::string(store.status().ToString()));
        auto [s, inserted] = ThroughStore(**store, rows, writers, batch);
        if (inserted != n) Die(absl::StrCat("store inserted ", inserted, " of ", n));
        return s;
      });
      if (CountSends(uri, "sends") != n) Die(absl::StrCat(p, " lost rows"));
      results.back().index_bytes = SendsIndexBytes(uri);
      last_store_db = dbname;
    } else if (kind == "resend") {
      if (last_store_db.empty()) Die("resend needs a store path before it");
      const std::string uri = WithDatabase(base, last_store_db);
      measure("store re-send (all dups)", last_store_db, n, [&] {
        absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(uri);
        if (!store.ok()) Die(std::string(store.status().ToString()));
        auto [s, inserted] = ThroughStore(**store, rows, writers, batch);
        if (inserted != 0) Die(absl::StrCat("re-send inserted ", inserted));
        return s;
      });
    } else {
      // Row-by-row into the store's schema.
      const std::string uri = SchemaDatabase(base, dbname, Variant{});
      measure(absl::StrCat("row-by-row INSERT (", n_rbr, " rows)"), dbname, n_rbr,
              [&] { return RowByRow(uri, rows, n_rbr, writers, batch); });
      if (CountSends(uri, "sends") != n_rbr) Die("row-by-row lost rows");
    }
  }

  std::printf("rows %lld, %d writers x %d-row batches, fsync=on, settings: %s\n",
              static_cast<long long>(n), writers, batch,
              absl::GetFlag(FLAGS_pg_settings).empty()
                  ? "defaults"
                  : absl::StrJoin(absl::GetFlag(FLAGS_pg_settings), ",").c_str());
  std::printf("server: shared_buffers=%s max_wal_size=%s checkpoint_timeout=%s wal_compression=%s "
              "wal_buffers=%s\n",
              ServerSetting(base, "shared_buffers").c_str(), ServerSetting(base, "max_wal_size").c_str(),
              ServerSetting(base, "checkpoint_timeout").c_str(),
              ServerSetting(base, "wal_compression").c_str(), ServerSetting(base, "wal_buffers").c_str());
  std::printf("%-44s %9s %10s %7s %9s %9s %8s %6s %10s %10s %8s %8s\n", "path", "s", "rows/s", "x raw",
              "WAL MB", "WAL B/row", "FPI/row", "ckpts", "evicted", "ckpt bufs", "temp MB", "index MB");
  const double raw_rate = results[0].rows / results[0].seconds;
  for (const PathResult& r : results) {
    const double rate = r.rows / r.seconds;
    std::printf("%-44s %9.2f %10.0f %7.3f %9.0f %9.0f %8.3f %6lld %10lld %10lld %8.0f %8.0f\n",
                r.label.c_str(),
                r.seconds, rate, rate / raw_rate, r.counters.wal_bytes / 1e6,
                static_cast<double>(r.counters.wal_bytes) / r.rows,
                static_cast<double>(r.counters.wal_fpi) / r.rows,
                static_cast<long long>(r.counters.checkpoints),
                static_cast<long long>(r.counters.buffers_evicted),
                static_cast<long long>(r.counters.buffers_checkpoint), r.counters.temp_bytes / 1e6,
                r.index_bytes / 1e6);
  }
  return 0;
}

}  // namespace
}  // namespace holdfast

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return holdfast::Main();
}
