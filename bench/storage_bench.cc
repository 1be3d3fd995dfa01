// Timed tool (not a Google Benchmark: each phase builds a database of
// millions of rows once) measuring lib/storage against raw SQLite in the same
// run. Results and commands: docs/performance.md, "Storage".
//
//   storage_bench --mode=ingest --kind=sends --rows=1000000 --threads=4 --batch=5000
//     1. raw: one thread, prepared INSERT ... ON CONFLICT DO NOTHING into the
//        store's own schema with the store's pragmas, --raw_txn rows per
//        transaction (default threads x batch, the largest group the store
//        can form from these callers).
//     2. design: the settings DESIGN.md measured with (rowid table + UNIQUE
//        id + unit index — the store's layout too —, 2 MiB cache, 10,000 rows
//        per transaction, checkpoint every 1,000 pages).
//     3. store: --threads callers of SqliteStore::RecordSends/RecordOutcomes
//        with --batch rows each (group commit).
//   storage_bench --mode=report --entries=1000000
//     Builds one journey (entries, ~1 send and ~0.3 outcomes per entry), then
//     times ForEachAnalysisEntry folding per-group sums in C++ against the
//     same per-entry query aggregated by a raw SQLite GROUP BY.
//
// Rows are generated up front from a fixed seed, so generation is not timed;
// ids are random 64-bit hex (the worst case for a B-tree).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/storage/internal/schema.h"
#include "lib/storage/sqlite_store.h"

ABSL_FLAG(std::string, mode, "ingest", "ingest | report");
ABSL_FLAG(std::string, kind, "sends", "ingest: sends | outcomes");
ABSL_FLAG(int64_t, rows, 1000000, "ingest: rows to write per phase");
ABSL_FLAG(int, threads, 4, "ingest: concurrent store callers");
ABSL_FLAG(int, batch, 5000, "ingest: rows per store call");
ABSL_FLAG(int64_t, raw_txn, 0, "ingest: raw rows per transaction (0: threads x batch)");
ABSL_FLAG(int64_t, units, 1000000, "distinct units");
ABSL_FLAG(int64_t, entries, 1000000, "report: entries in the journey");
ABSL_FLAG(std::string, phases, "raw,design,store", "ingest phases to run, comma separated");
ABSL_FLAG(std::string, dir, "", "scratch directory (default: a new one under /tmp)");
ABSL_FLAG(bool, keep, false, "keep the scratch directory");
ABSL_FLAG(bool, sync_full, false, "ingest: open the store with synchronous=FULL");
ABSL_FLAG(int, repeat, 1,
          "ingest: run the phases this many times, interleaved, each on a fresh file (the "
          "machines are shared: compare the best of each phase)");

namespace holdfast {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

constexpr UnixMicros kStart = 1763856000000000;  // 2025-11-23T00:00:00Z
constexpr int64_t kDay = 86400LL * 1000000;

std::string Hex(uint64_t v) { return absl::StrFormat("%016x", v); }

std::vector<SendRow> MakeSends(int64_t n, int64_t units, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<SendRow> rows(n);
  for (int64_t i = 0; i < n; ++i) {
    SendRow& r = rows[i];
    r.send_id = "snd-" + Hex(rng());
    r.unit = absl::StrCat("cust-", rng() % units);
    r.journey = "cart_abandon";
    r.channel = (i % 3 == 0) ? "sms" : "email";
    r.at = kStart + static_cast<int64_t>(rng() % (28 * kDay));
    r.cost = (i % 3 == 0) ? 0.0075 : 0.001;
  }
  return rows;
}

std::vector<OutcomeRow> MakeOutcomes(int64_t n, int64_t units, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<OutcomeRow> rows(n);
  for (int64_t i = 0; i < n; ++i) {
    OutcomeRow& r = rows[i];
    r.outcome_id = "out-" + Hex(rng());
    r.unit = absl::StrCat("cust-", rng() % units);
    r.at = kStart + static_cast<int64_t>(rng() % (28 * kDay));
    r.type = (i % 4 == 0) ? OutcomeType::kConversion : OutcomeType::kOrder;
    r.revenue = r.type == OutcomeType::kOrder ? 20.0 + static_cast<double>(rng() % 10000) / 100 : 0;
    r.margin = r.revenue * 0.3;
  }
  return rows;
}

void ApplyStorePragmas(SQLite::Database& db, int64_t cache_kib) {
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec(absl::StrCat("PRAGMA cache_size = -", cache_kib));
  db.exec(absl::StrCat("PRAGMA wal_autocheckpoint = ",
                       SqliteStoreOptions{}.wal_autocheckpoint_pages));
  db.exec("PRAGMA journal_size_limit = 67108864");
}

// Binds and inserts one row with the same statements the store uses.
struct RawInserter {
  explicit RawInserter(SQLite::Database& db, bool sends)
      : st(db, sends ? "INSERT INTO sends (send_id, unit, journey, channel, at, cost) "
                       "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
                     : "INSERT INTO outcomes (outcome_id, unit, at, type, revenue, margin, "
                       "order_id) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING") {}
  void Insert(const SendRow& r) {
    st.tryReset();
    st.bindNoCopy(1, r.send_id);
    st.bindNoCopy(2, r.unit);
    st.bindNoCopy(3, r.journey);
    st.bindNoCopy(4, r.channel);
    st.bind(5, static_cast<int64_t>(r.at));
    st.bind(6, r.cost);
    st.exec();
  }
  void Insert(const OutcomeRow& r) {
    st.tryReset();
    st.bindNoCopy(1, r.outcome_id);
    st.bindNoCopy(2, r.unit);
    st.bind(3, static_cast<int64_t>(r.at));
    st.bind(4, static_cast<int>(r.type));
    st.bind(5, r.revenue);
    st.bind(6, r.margin);
    st.bindNoCopy(7, r.order_id);
    st.exec();
  }
  SQLite::Statement st;
};

// Prints rows/s for each quarter of the run and overall: throughput falls as
// the random-key B-trees outgrow what one commit can amortise.
class QuarterTimer {
 public:
  explicit QuarterTimer(int64_t total) : total_(total), start_(Clock::now()), last_(start_) {}
  void Progress(int64_t done) {
    while (next_q_ <= 4 && done >= total_ * next_q_ / 4) {
      Clock::time_point now = Clock::now();
      int64_t rows = total_ * next_q_ / 4 - total_ * (next_q_ - 1) / 4;
      quarters_.push_back(rows / Seconds(last_, now));
      last_ = now;
      ++next_q_;
    }
  }
  std::string Report() const {
    double total_s = Seconds(start_, last_);
    std::string q;
    for (double r : quarters_) absl::StrAppend(&q, q.empty() ? "" : " / ", absl::StrFormat("%.0f", r));
    return absl::StrFormat("%10.0f rows/s overall (%.2f s); by quarter: %s", total_ / total_s,
                           total_s, q);
  }

 private:
  int64_t total_;
  Clock::time_point start_, last_;
  int next_q_ = 1;
  std::vector<double> quarters_;
};

template <typename Row>
void RunRaw(const std::string& path, const std::vector<Row>& rows, int64_t txn, bool sends) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  ApplyStorePragmas(db, 256 * 1024);
  if (!storage_internal::MigrateToLatest(db).ok()) std::abort();
  RawInserter ins(db, sends);
  QuarterTimer timer(static_cast<int64_t>(rows.size()));
  for (size_t i = 0; i < rows.size();) {
    db.exec("BEGIN IMMEDIATE");
    size_t end = std::min(rows.size(), i + static_cast<size_t>(txn));
    for (; i < end; ++i) ins.Insert(rows[i]);
    db.exec("COMMIT");
    timer.Progress(static_cast<int64_t>(i));
  }
  std::printf("raw SQLite, store schema, %lld rows/txn: %s\n", static_cast<long long>(txn),
              timer.Report().c_str());
}

template <typename Row>
void RunDesignBaseline(const std::string& path, const std::vector<Row>& rows, bool sends) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  if (sends) {
    db.exec(
        "CREATE TABLE sends (send_id TEXT NOT NULL UNIQUE, unit TEXT NOT NULL, journey TEXT NOT "
        "NULL, channel TEXT NOT NULL, at INTEGER NOT NULL, cost REAL NOT NULL);"
        "CREATE INDEX sends_by_unit ON sends (unit, journey, at, cost);");
  } else {
    db.exec(
        "CREATE TABLE outcomes (outcome_id TEXT NOT NULL UNIQUE, unit TEXT NOT NULL, at INTEGER "
        "NOT NULL, type INTEGER NOT NULL, revenue REAL NOT NULL, margin REAL NOT NULL, order_id "
        "TEXT NOT NULL);"
        "CREATE INDEX outcomes_by_unit ON outcomes (unit, at, type, revenue, margin);");
  }
  RawInserter ins(db, sends);
  QuarterTimer timer(static_cast<int64_t>(rows.size()));
  constexpr size_t kTxn = 10000;
  for (size_t i = 0; i < rows.size();) {
    db.exec("BEGIN IMMEDIATE");
    size_t end = std::min(rows.size(), i + kTxn);
    for (; i < end; ++i) ins.Insert(rows[i]);
    db.exec("COMMIT");
    timer.Progress(static_cast<int64_t>(i));
  }
  std::printf("raw SQLite, DESIGN.md settings (2 MiB cache, 10000 rows/txn, ckpt 1000): %s\n",
              timer.Report().c_str());
}

template <typename Row>
void RunStore(const std::string& path, const std::vector<Row>& rows, int threads, int batch) {
  SqliteStoreOptions options;
  const bool full = absl::GetFlag(FLAGS_sync_full);
  if (full) options.synchronous = SqliteStoreOptions::Synchronous::kFull;
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path, options);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    std::abort();
  }
  const int64_t n = static_cast<int64_t>(rows.size());
  std::atomic<int64_t> next{0}, done{0}, failed{0};
  QuarterTimer timer(n);
  std::mutex timer_mu;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (;;) {
        int64_t start = next.fetch_add(batch);
        if (start >= n) return;
        int64_t len = std::min<int64_t>(batch, n - start);
        absl::Span<const Row> span(rows.data() + start, static_cast<size_t>(len));
        absl::Status s;
        if constexpr (std::is_same_v<Row, SendRow>) {
          s = (*store)->RecordSends(span).status();
        } else {
          s = (*store)->RecordOutcomes(span).status();
        }
        if (!s.ok()) ++failed;
        int64_t d = done.fetch_add(len) + len;
        std::lock_guard<std::mutex> lock(timer_mu);
        timer.Progress(d);
      }
    });
  }
  for (std::thread& w : workers) w.join();
  SqliteStoreStats stats = (*store)->GetStats();
  std::printf(
      "SqliteStore%s, %d threads x %d rows/call:       %s\n"
      "    commits=%lld batches=%lld mean rows/commit=%.0f failed=%lld\n",
      full ? " (synchronous=FULL)" : "", threads, batch, timer.Report().c_str(), static_cast<long long>(stats.commits),
      static_cast<long long>(stats.batches_committed),
      static_cast<double>(n) / std::max<int64_t>(1, stats.commits),
      static_cast<long long>(failed.load()));
}

bool HasPhase(const std::string& phase) {
  std::string phases = "," + absl::GetFlag(FLAGS_phases) + ",";
  return phases.find("," + phase + ",") != std::string::npos;
}

void RemoveDb(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

template <typename Row>
void Ingest(const std::string& dir, const std::vector<Row>& rows, bool sends) {
  const int threads = absl::GetFlag(FLAGS_threads);
  const int batch = absl::GetFlag(FLAGS_batch);
  int64_t raw_txn = absl::GetFlag(FLAGS_raw_txn);
  if (raw_txn <= 0) raw_txn = static_cast<int64_t>(threads) * batch;
  for (int rep = 0; rep < absl::GetFlag(FLAGS_repeat); ++rep) {
    if (HasPhase("raw")) RunRaw(dir + "/raw.db", rows, raw_txn, sends);
    RemoveDb(dir + "/raw.db");
    if (HasPhase("design")) RunDesignBaseline(dir + "/design.db", rows, sends);
    RemoveDb(dir + "/design.db");
    if (HasPhase("store")) RunStore(dir + "/store.db", rows, threads, batch);
    RemoveDb(dir + "/store.db");
  }
}

// ------------------------------------------------------------------ report

constexpr char kJourney[] = "cart_abandon";
constexpr int64_t kWindow = 7 * kDay;
constexpr int64_t kPre = 28 * kDay;

void BuildReportDb(const std::string& path, int64_t entries) {
  {
    absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
    if (!store.ok()) std::abort();  // creates the schema
  }
  SQLite::Database db(path, SQLite::OPEN_READWRITE);
  ApplyStorePragmas(db, 512 * 1024);
  std::mt19937_64 rng(7);
  SQLite::Statement ins_e(db,
                          "INSERT INTO entries VALUES (?, ?, 0, ?, ?, ?, 'cfg', 0, ?)");
  SQLite::Statement ins_s(db, "INSERT INTO sends VALUES (?, ?, ?, 'email', ?, 0.001)");
  SQLite::Statement ins_o(db, "INSERT INTO outcomes VALUES (?, ?, ?, 2, ?, ?, '', 0)");
  db.exec("BEGIN");
  for (int64_t i = 0; i < entries; ++i) {
    const std::string unit = absl::StrCat("cust-", Hex(rng()));
    const int grp = (rng() % 10 == 0) ? 2 : 1;
    const UnixMicros t0 = kStart + static_cast<int64_t>(rng() % (28 * kDay));
    ins_e.reset();
    ins_e.bind(1, kJourney);
    ins_e.bind(2, unit);
    ins_e.bind(3, static_cast<int64_t>(t0));
    ins_e.bind(4, grp);
    ins_e.bind(5, grp == 1 ? "a" : "");
    ins_e.bind(6, i % 2 == 0 ? "7:segment3:vip" : "7:segment3:std");
    ins_e.exec();
    if (grp == 1) {
      ins_s.reset();
      ins_s.bind(1, "snd-" + Hex(rng()));
      ins_s.bind(2, unit);
      ins_s.bind(3, kJourney);
      ins_s.bind(4, static_cast<int64_t>(t0 + 60000000));
      ins_s.exec();
    }
    if (rng() % 10 < 3) {
      ins_o.reset();
      ins_o.bind(1, "out-" + Hex(rng()));
      ins_o.bind(2, unit);
      ins_o.bind(3, static_cast<int64_t>(t0 + static_cast<int64_t>(rng() % (10 * kDay))));
      double rev = 20.0 + static_cast<double>(rng() % 10000) / 100;
      ins_o.bind(4, rev);
      ins_o.bind(5, rev * 0.3);
      ins_o.exec();
    }
    if (i % 100000 == 99999) {
      db.exec("COMMIT");
      db.exec("BEGIN");
    }
  }
  db.exec("COMMIT");
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

struct GroupSums {
  int64_t n = 0;
  double y = 0, yy = 0, c = 0;
  int64_t x = 0;
};

void Report(const std::string& dir) {
  const int64_t entries = absl::GetFlag(FLAGS_entries);
  const std::string path = dir + "/report.db";
  Clock::time_point t = Clock::now();
  BuildReportDb(path, entries);
  std::printf("built %lld entries in %.1f s\n", static_cast<long long>(entries),
              Seconds(t, Clock::now()));

  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
  if (!store.ok()) std::abort();
  AnalysisQuery q;
  q.journeys = {{kJourney, kWindow, kPre, 0, {}}};
  q.from = 0;
  q.to = kStart + 365 * kDay;
  q.segment_by = "segment";
  for (int rep = 0; rep < 2; ++rep) {  // the first pass also warms the OS cache
    GroupSums sums[4];
    t = Clock::now();
    absl::Status s = (*store)->ForEachAnalysisEntry(q, [&](const AnalysisEntry& e) {
      GroupSums& g = sums[static_cast<int>(e.group)];
      ++g.n;
      g.y += e.y;
      g.yy += e.y * e.y;
      g.c += e.c;
      g.x += e.x;
      return absl::OkStatus();
    });
    double secs = Seconds(t, Clock::now());
    if (!s.ok()) std::abort();
    std::printf(
        "pass %d ForEachAnalysisEntry:  %.2f s, %.0f entries/s (T n=%lld y=%.0f x=%lld; C n=%lld)\n",
        rep + 1, secs, entries / secs, static_cast<long long>(sums[1].n), sums[1].y,
        static_cast<long long>(sums[1].x), static_cast<long long>(sums[2].n));
  }

  SQLite::Database db(path, SQLite::OPEN_READONLY);
  db.exec("PRAGMA cache_size = -65536");
  // The same per-entry rows, aggregated by SQLite instead of streamed.
  const std::string grouped = absl::StrCat(
      "SELECT grp, count(*), total(y), total(y * y), total(m), total(x), total(z), total(c),"
      " total(n) FROM ("
      " SELECT e.grp AS grp,"
      "  total(CASE WHEN o.at >= e.t0 THEN o.revenue END) AS y,"
      "  total(CASE WHEN o.at >= e.t0 THEN o.margin END) AS m,"
      "  max(CASE WHEN o.at >= e.t0 AND o.type IN (1, 2) THEN 1 ELSE 0 END) AS x,"
      "  total(CASE WHEN o.at < e.t0 THEN o.revenue END) AS z,"
      "  (SELECT total(s.cost) FROM sends s WHERE s.unit = e.unit AND s.journey = e.journey"
      "    AND s.at >= e.t0 AND s.at < e.t0 + ", kWindow, ") AS c,"
      "  (SELECT count(*) FROM sends s WHERE s.unit = e.unit AND s.journey = e.journey"
      "    AND s.at >= e.t0 AND s.at < e.t0 + ", kWindow, ") AS n"
      " FROM entries e LEFT JOIN outcomes o ON o.unit = e.unit AND o.at >= e.t0 - ", kPre,
      "   AND o.at < e.t0 + ", kWindow,
      " WHERE e.journey = '", kJourney, "' GROUP BY e.unit, e.period) GROUP BY grp");
  for (int rep = 0; rep < 2; ++rep) {
    t = Clock::now();
    SQLite::Statement g(db, grouped);
    int64_t n = 0;
    while (g.executeStep()) n += g.getColumn(1).getInt64();
    double secs = Seconds(t, Clock::now());
    std::printf(
        "pass %d raw SQLite GROUP BY grp over the same per-entry query: %.2f s, %.0f entries/s "
        "(n=%lld)\n",
        rep + 1, secs, entries / secs, static_cast<long long>(n));
  }
  t = Clock::now();
  SQLite::Statement flat(db, "SELECT grp, count(*) FROM entries GROUP BY grp");
  while (flat.executeStep()) {
  }
  double secs = Seconds(t, Clock::now());
  std::printf("raw SQLite count(*) GROUP BY grp on entries only: %.2f s\n", secs);
}

int Main() {
  std::string dir = absl::GetFlag(FLAGS_dir);
  bool made = false;
  if (dir.empty()) {
    std::string tmpl = "/tmp/hf_storage_bench_XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) return 1;
    dir = tmpl;
    made = true;
  }
  const std::string mode = absl::GetFlag(FLAGS_mode);
  if (mode == "ingest") {
    const int64_t n = absl::GetFlag(FLAGS_rows);
    const int64_t units = absl::GetFlag(FLAGS_units);
    if (absl::GetFlag(FLAGS_kind) == "sends") {
      Ingest(dir, MakeSends(n, units, 1), true);
    } else {
      Ingest(dir, MakeOutcomes(n, units, 2), false);
    }
  } else if (mode == "report") {
    Report(dir);
  } else {
    std::fprintf(stderr, "unknown --mode\n");
    return 2;
  }
  if (made && !absl::GetFlag(FLAGS_keep)) std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace holdfast

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // phases print as they finish
  return holdfast::Main();
}
