// Timed tool: the lift report over a store of N entries next to the raw
// SQLite GROUP BY of the same per-entry rows, in the same run. The database
// is the one `storage_bench --mode=report --entries=N --dir=D --keep` builds
// (journey cart_abandon, 10 % holdout, arm "a", segment attribute "segment").
// Results and commands: docs/performance.md, "Reports".
//
//   report_bench --db=D/report.db [--segment_by=segment] [--passes=2]
#include <chrono>
#include <ctime>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/report/lift_report.h"
#include "lib/report/store_analysis_source.h"
#include "lib/storage/sqlite_store.h"

ABSL_FLAG(std::string, db, "", "store built by storage_bench --mode=report --keep");
ABSL_FLAG(std::string, segment_by, "", "segment attribute for the report ('' = none)");
ABSL_FLAG(int, passes, 2, "timed passes of each side (the first also warms the OS cache)");
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
  report::StoreAnalysisSource source(store->get());
  std::vector<int64_t> horizons;
  for (absl::string_view d : absl::StrSplit(absl::GetFlag(FLAGS_horizons_days), ',', absl::SkipEmpty())) {
    int64_t days = 0;
    if (!absl::SimpleAtoi(d, &days)) return 2;
    horizons.push_back(days * kDay);
  }
  report::LiftReportOptions options;
  options.segment_by = absl::GetFlag(FLAGS_segment_by);
  for (int run = 0; run < absl::GetFlag(FLAGS_passes) * (horizons.empty() ? 1 : 2); ++run) {
    const int pass = horizons.empty() ? run + 1 : run / 2 + 1;
    const bool with_horizons = !horizons.empty() && run % 2 == 1;
    const AssignmentConfig config = BenchConfig(with_horizons ? horizons : std::vector<int64_t>{});
    const SteadyClock::time_point t = SteadyClock::now();
    const std::clock_t cpu0 = std::clock();
    absl::StatusOr<report::LiftReportResult> r = report::BuildLiftReport(config, source, options);
    const double secs = Seconds(t);
    const double cpu = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;

    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", std::string(r.status().message()).c_str());
      return 1;
    }
    const stats::LiftResult& l = r->rows[0].lift;
    const double n = static_cast<double>(l.treatment.entries + l.holdout.entries);
    std::printf(
        "pass %d %sBuildLiftReport (store stream + moments + estimators, %zu rows): %.2f s (CPU %.2f s), %.0f "
        "entries/s (n_T=%lld n_C=%lld lift=%.4f iROAS=%.3f)\n",
        pass,
        with_horizons ? absl::StrCat("[", horizons.size(), " horizons, ", r->rows[0].cumulative.size(),
                                     " curve points] ").c_str()
                      : "",
        r->rows.size(), secs, cpu, n / secs, static_cast<long long>(l.treatment.entries),
        static_cast<long long>(l.holdout.entries), l.revenue_per_entry_lift.value, l.iroas.value);
  }

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
  return 0;
}

}  // namespace
}  // namespace holdfast

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return holdfast::Main();
}
