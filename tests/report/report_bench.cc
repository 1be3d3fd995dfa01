// Timed tool: the lift report over a store of N entries next to the raw
// SQLite GROUP BY of the same per-entry rows, in the same run. The database
// is the one `storage_bench --mode=report --entries=N --dir=D --keep` builds
// (journey cart_abandon, 10 % holdout, arm "a", segment attribute "segment").
// Results and commands: docs/performance.md, "Reports".
//
//   report_bench --db=D/report.db [--segment_by=segment] [--passes=2]
//
// --postgres also starts a PostgreSQL 15 server, copies the store into it
// (CopyStore, as `holdfast store copy` does; not timed) and times, in the
// same run, the report over the PostgreSQL store and PostgreSQL's own
// aggregate of the store's per-entry SQL (AnalysisEntrySql, kPostgres: only
// per-group sums leave the database — the floor a report computed in the
// database could reach).
//
//   report_bench --db=D/report.db --postgres [--passes=2]
#include <chrono>
#include <csignal>
#include <ctime>
#include <limits>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "lib/report/lift_report.h"
#include "lib/report/store_analysis_source.h"
#include "lib/storage/analysis_sql.h"
#include "lib/storage/sqlite_store.h"
#include "lib/storage/store.h"
#include "lib/storage/store_copy.h"
#include "tests/testing/postgres_server.h"

#include <pqxx/pqxx>

ABSL_FLAG(std::string, db, "", "store built by storage_bench --mode=report --keep");
ABSL_FLAG(std::string, segment_by, "", "segment attribute for the report ('' = none)");
ABSL_FLAG(bool, channels, false,
          "report with the channel table and cost components (holdfast report --channels)");
ABSL_FLAG(std::string, trend_by, "",
          "report with trends: period, week or month ('' = none; holdfast report --by)");
ABSL_FLAG(int, passes, 2, "timed passes of each side (the first also warms the OS cache)");
ABSL_FLAG(bool, postgres, false,
          "also copy the store into a PostgreSQL server started here and time the report and the "
          "bare SQL aggregate there");
ABSL_FLAG(std::string, pg_settings, "",
          "with --postgres: extra server settings, comma-separated name=value (e.g. "
          "shared_buffers=1GB,work_mem=64MB)");
ABSL_FLAG(bool, in_database, false,
          "also time each pass with the analysis in the database (cells summed by the store's SQL, "
          "holdfastd --report_analysis=database), interleaved with the entry stream");
ABSL_FLAG(int, pg_hold_seconds, 0,
          "with --postgres: after the copy, print the server's socket directory and URI and keep "
          "the server up this long before timing (for EXPLAIN with psql on the same data)");
ABSL_FLAG(std::string, pg_report_connections, "2",
          "with --postgres: time the report once per value, comma-separated (e.g. 1,2,1,2): the "
          "store's report connections (holdfastd --pg_report_connections)");
ABSL_FLAG(std::string, pg_uri, "",
          "with --postgres: time an existing PostgreSQL store at this URI (holding the same rows, "
          "e.g. from holdfast store copy) instead of starting a server and copying into it");
ABSL_FLAG(std::string, horizons_days, "",
          "also time the report with these outcome horizons (days, comma-separated, e.g. "
          "30,60,90), interleaved pass by pass with the single-window report");

namespace holdfast {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr int64_t kDay = 86400LL * 1000000;
constexpr int64_t kWindow = 7 * kDay;
constexpr int64_t kPre = 28 * kDay;

double Seconds(SteadyClock::time_point a) {
  return std::chrono::duration<double>(SteadyClock::now() - a).count();
}

AssignmentConfig BenchConfig(const std::vector<int64_t>& horizons_us = {}) {
  AssignmentConfig config;
  config.version = "cfg-bench";
  JourneySpec j;
  j.id = "cart_abandon";
  j.holdout.share_ppm = 100000;
  j.arms = {{"a", 1}};
  j.attribution_window_us = kWindow;
  j.pre_period_us = kPre;
  j.horizons_us = horizons_us;
  config.journeys = {j};
  return config;
}


// Times --passes lift reports over `store` (with --horizons_days, each pass
// also a report with those horizons, interleaved); false on error.
bool TimeReports(const char* label, Store* store) {
  report::StoreAnalysisSource stream_source(store);
  report::StoreAnalysisSource cell_source(store, report::StoreAnalysisSource::Mode::kInDatabase);
  std::vector<int64_t> horizons;
  for (absl::string_view d :
       absl::StrSplit(absl::GetFlag(FLAGS_horizons_days), ',', absl::SkipEmpty())) {
    int64_t days = 0;
    if (!absl::SimpleAtoi(d, &days)) {
      std::fprintf(stderr, "--horizons_days: not a number of days\n");
      return false;
    }
    horizons.push_back(days * kDay);
  }
  report::LiftReportOptions options;
  options.segment_by = absl::GetFlag(FLAGS_segment_by);
  options.channels = absl::GetFlag(FLAGS_channels);
  const std::string trend_by = absl::GetFlag(FLAGS_trend_by);
  if (trend_by == "period") {
    options.trend_by = report::TrendBy::kPeriod;
  } else if (trend_by == "week") {
    options.trend_by = report::TrendBy::kWeek;
  } else if (trend_by == "month") {
    options.trend_by = report::TrendBy::kMonth;
  } else if (!trend_by.empty()) {
    std::fprintf(stderr, "--trend_by: period, week or month\n");
    return false;
  }
  const bool in_database = absl::GetFlag(FLAGS_in_database);
  // Each pass: the stream, with horizons, in the database, and in the
  // database with horizons (those asked for), interleaved.
  std::vector<std::pair<bool, bool>> kinds = {{false, false}};  // (horizons, cells)
  if (!horizons.empty()) kinds.push_back({true, false});
  if (in_database) kinds.push_back({false, true});
  if (in_database && !horizons.empty()) kinds.push_back({true, true});
  const int per_pass = static_cast<int>(kinds.size());
  for (int run = 0; run < absl::GetFlag(FLAGS_passes) * per_pass; ++run) {
    const int pass = run / per_pass + 1;
    const bool with_horizons = kinds[run % per_pass].first;
    const bool cells = kinds[run % per_pass].second;
    report::StoreAnalysisSource& source = cells ? cell_source : stream_source;
    const AssignmentConfig config = BenchConfig(with_horizons ? horizons : std::vector<int64_t>{});
    const SteadyClock::time_point t = SteadyClock::now();
    const std::clock_t cpu0 = std::clock();
    absl::StatusOr<report::LiftReportResult> r = report::BuildLiftReport(config, source, options);
    const double secs = Seconds(t);
    const double cpu = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", std::string(r.status().message()).c_str());
      return false;
    }
    const stats::LiftResult& l = r->rows[0].lift;
    const double n = static_cast<double>(l.treatment.entries + l.holdout.entries);
    std::string what;
    if (with_horizons) {
      // The longest horizon's revenue lift and the last curve point: the
      // same on every path.
      const report::LiftRowResult& row = r->rows[0];
      absl::StrAppend(&what, "[", horizons.size(), " horizons, ", row.cumulative.size(),
                      " curve points",
                      row.horizons.empty() || row.horizons.back().metrics.empty()
                          ? std::string()
                          : absl::StrFormat(", last horizon lift %.6f",
                                            row.horizons.back().metrics[0].effect.value),
                      row.cumulative.empty()
                          ? std::string()
                          : absl::StrFormat(", last point %.6f", row.cumulative.back().revenue.value),
                      "] ");
    }
    if (cells) absl::StrAppend(&what, r->analysed_in_database ? "[in the database] " : "[streamed] ");
    std::printf(
        "pass %d %sBuildLiftReport over %s (store stream + moments + estimators, %zu rows): "
        "%.2f s (CPU %.2f s), %.0f entries/s (n_T=%lld n_C=%lld lift=%.6f iROAS=%.6f)\n",
        pass, what.c_str(), label, r->rows.size(), secs, cpu, n / secs,
        static_cast<long long>(l.treatment.entries), static_cast<long long>(l.holdout.entries),
        l.revenue_per_entry_lift.value, l.iroas.value);
    if (!r->trends.empty()) {
      const report::TrendSeriesResult& t = r->trends[0];
      std::printf("  trends by %s: %zu buckets, last iROAS %.6f, drift Q %.6f\n", trend_by.c_str(),
                  t.points.size(), t.points.empty() ? 0.0 : t.points.back().lift.iroas.value,
                  t.drift.q);
    }
    std::fflush(stdout);
    // The report's channel query alone (GetJourneyChannels, part of the
    // report time above): its share of the report.
    if (!options.channels) continue;
    ChannelQuery cq;
    const JourneySpec& j = config.journeys[0];
    cq.journey = {j.id, j.attribution_window_us, j.pre_period_us, j.refund_horizon_us, {}, 0};
    cq.from = options.range.from;
    cq.to = options.range.to;
    const SteadyClock::time_point tc = SteadyClock::now();
    const std::clock_t cpu1 = std::clock();
    absl::StatusOr<JourneyChannels> channels = store->GetJourneyChannels(cq);
    if (!channels.ok()) {
      std::fprintf(stderr, "%s\n", std::string(channels.status().message()).c_str());
      return false;
    }
    std::printf("pass %d   of which GetJourneyChannels over %s: %.2f s (CPU %.2f s), %zu channel rows\n",
                pass, label, Seconds(tc), static_cast<double>(std::clock() - cpu1) / CLOCKS_PER_SEC,
                channels->channels.size());
    std::fflush(stdout);
  }
  return true;
}

// PostgreSQL's own aggregate of the store's per-entry rows: the analysis SQL
// the store streams, grouped by group inside the database (count, means and
// population variances — what a report computed in the database would
// fetch). Times --passes runs.
void TimePostgresAggregate(const std::string& uri) {
  pqxx::connection conn(uri);
  // The store's own choice of SQL: the next-entry lookup only when the
  // journey has a later-period entry (NextEntryPossibleSql).
  const bool next_entry_possible =
      pqxx::nontransaction(conn)
          .exec_params1(NextEntryPossibleSql(SqlDialect::kPostgres), "cart_abandon",
                        std::numeric_limits<int64_t>::max())[0]
          .as<int64_t>() != 0;
  const std::string per_entry =
      AnalysisEntrySql(SqlDialect::kPostgres, 0, 0, next_entry_possible);
  const std::string grouped = absl::StrCat(
      "SELECT grp, count(*), avg(y + ry), var_pop(y + ry), avg(m + rm), avg(x), avg(z), avg(c),"
      " covar_pop(y + ry, c), sum(n) FROM (", per_entry,
      ") AS q(unit, grp, arm, period, t0, in_washout, attributes, config_version, w, h,"
      " next_t0, y, m, x, z, c, n, ry, rm) GROUP BY grp");
  for (int pass = 1; pass <= 2 * absl::GetFlag(FLAGS_passes); ++pass) {
    // Alternating the server's default (JIT on) with the store's setting.
    const bool jit = pass % 2 == 1;
    const SteadyClock::time_point t = SteadyClock::now();
    pqxx::work txn(conn);
    txn.exec(jit ? "SET LOCAL jit = on" : "SET LOCAL jit = off");
    const pqxx::result r = txn.exec_params(grouped, "cart_abandon", int64_t{0},
                                           std::numeric_limits<int64_t>::max(),
                                           std::numeric_limits<int64_t>::max(), kWindow, kPre,
                                           int64_t{0});
    int64_t n = 0;
    for (const pqxx::row& row : r) n += row[1].as<int64_t>();
    txn.commit();
    const double secs = Seconds(t);
    std::printf("pass %d bare PostgreSQL aggregate of the same per-entry SQL (jit=%s): %.2f s, "
                "%.0f entries/s (n=%lld)\n",
                (pass + 1) / 2, jit ? "on" : "off", secs, n / secs, static_cast<long long>(n));
    std::fflush(stdout);
  }
}

// Starts a server, copies the SQLite store into it, times the report and
// the bare aggregate there. The server stops when this returns.
// Times the report on the store at `uri` once per --pg_report_connections.
int TimePostgresReports(const std::string& uri) {
  for (absl::string_view v :
       absl::StrSplit(absl::GetFlag(FLAGS_pg_report_connections), ',', absl::SkipEmpty())) {
    StoreOptions so;
    if (!absl::SimpleAtoi(v, &so.pg_report_connections)) {
      std::fprintf(stderr, "--pg_report_connections: not a number\n");
      return 1;
    }
    absl::StatusOr<std::unique_ptr<Store>> pg = Store::Open(uri, so);
    if (!pg.ok()) {
      std::fprintf(stderr, "%s\n", std::string(pg.status().message()).c_str());
      return 1;
    }
    const std::string label = absl::StrCat("PostgreSQL, ", so.pg_report_connections, " report connection(s)");
    if (!TimeReports(label.c_str(), pg->get())) return 1;
  }
  return 0;
}

int TimePostgres(Store& sqlite) {
  if (const std::string uri = absl::GetFlag(FLAGS_pg_uri); !uri.empty()) {
    std::printf("timing the existing PostgreSQL store %s\n", Store::RedactUri(uri).c_str());
    return TimePostgresReports(uri);
  }
  testing::PostgresServer::Options o;
  for (absl::string_view setting :
       absl::StrSplit(absl::GetFlag(FLAGS_pg_settings), ',', absl::SkipEmpty())) {
    o.settings.emplace_back(setting);
  }
  absl::StatusOr<std::unique_ptr<testing::PostgresServer>> server =
      testing::PostgresServer::Start(o);
  if (!server.ok()) {
    std::fprintf(stderr, "%s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  absl::StatusOr<std::string> uri = (*server)->CreateDatabase("hf_report_bench");
  if (!uri.ok()) {
    std::fprintf(stderr, "%s\n", std::string(uri.status().message()).c_str());
    return 1;
  }
  absl::StatusOr<std::unique_ptr<Store>> pg = Store::Open(*uri);
  if (!pg.ok()) {
    std::fprintf(stderr, "%s\n", std::string(pg.status().message()).c_str());
    return 1;
  }
  const SteadyClock::time_point t = SteadyClock::now();
  absl::StatusOr<StoreCopySummary> copied = CopyStore(sqlite, **pg, {});
  if (!copied.ok()) {
    std::fprintf(stderr, "copy: %s\n", std::string(copied.status().message()).c_str());
    return 1;
  }
  {
    pqxx::connection conn(*uri);
    pqxx::nontransaction(conn).exec("VACUUM ANALYZE");
  }
  std::printf("copied the store into PostgreSQL 15 (shared_buffers=128MB) in %.1f s (not timed "
              "below)\n", Seconds(t));
  if (const int hold = absl::GetFlag(FLAGS_pg_hold_seconds); hold > 0) {
    std::printf("holding the server for %d s: psql -h %s -U postgres hf_report_bench (%s)\n", hold,
                (*server)->socket_dir().c_str(), uri->c_str());
    std::fflush(stdout);
    // SIGINT / SIGTERM end the hold and the run; returning stops the server
    // (its owner's destructor) instead of leaving it behind.
    static volatile std::sig_atomic_t interrupted = 0;
    auto on_signal = [](int) { interrupted = 1; };
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    for (int s = 0; s < hold * 10 && !interrupted; ++s) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    if (interrupted) {
      std::printf("hold interrupted; stopping the server\n");
      return 1;
    }
  }
  pg->reset();
  if (TimePostgresReports(*uri) != 0) return 1;
  TimePostgresAggregate(*uri);
  return 0;
}

int Main() {
  const std::string path = absl::GetFlag(FLAGS_db);
  if (path.empty()) {
    std::fprintf(stderr, "--db is required\n");
    return 2;
  }
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", std::string(store.status().message()).c_str());
    return 1;
  }
  if (!TimeReports("SQLite", store->get())) return 1;
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  db.exec("PRAGMA cache_size = -65536");
  // The same per-entry rows aggregated by SQLite (the storage benchmark's
  // baseline): sums and sums of squares per group, no estimators.
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
      " WHERE e.journey = 'cart_abandon' GROUP BY e.unit, e.period) GROUP BY grp");
  for (int pass = 1; pass <= absl::GetFlag(FLAGS_passes); ++pass) {
    const SteadyClock::time_point t = SteadyClock::now();
    SQLite::Statement g(db, grouped);
    int64_t n = 0;
    while (g.executeStep()) n += g.getColumn(1).getInt64();
    const double secs = Seconds(t);
    std::printf("pass %d raw SQLite GROUP BY of the same rows: %.2f s, %.0f entries/s (n=%lld)\n",
                pass, secs, n / secs, static_cast<long long>(n));
  }
  if (absl::GetFlag(FLAGS_postgres)) return TimePostgres(**store);
  return 0;
}

}  // namespace
}  // namespace holdfast

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return holdfast::Main();
}
