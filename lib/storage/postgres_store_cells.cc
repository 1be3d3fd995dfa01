// PostgresStore's analysis in the database (docs/storage.md, "Aggregates"):
// the per-entry rules of the entry stream, grouped into AnalysisCells by one
// statement per journey, so only the cells leave the server. The statement
// is a plain aggregate of SUMs that a sharded store could add up across
// shards (PostgreSQL 15 itself runs its expensive parts in one backend: the
// refund subplans are parallel-restricted).
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "lib/storage/analysis_sql.h"
#include "lib/storage/internal/analysis_cells.h"
#include "lib/storage/internal/postgres_read_session.h"
#include "lib/storage/internal/postgres_rows.h"
#include "lib/storage/internal/postgres_status.h"
#include "lib/storage/postgres_store.h"

namespace holdfast {
namespace {

using storage_internal::DoubleOf;
using storage_internal::Int64Of;
using storage_internal::ReadSession;
using storage_internal::ReadTxn;
using storage_internal::StatusFromCurrentPqxxException;

// A cell row through the accessors DecodeCell expects.
struct CellRow {
  const pqxx::row& row;
  int64_t Int64(int col) const { return Int64Of(row[col]); }
  double Double(int col) const { return DoubleOf(row[col]); }
  absl::string_view Text(int col) const { return storage_internal::TextOf(row[col]); }
  // bytea arrives as hex text ("\\x...").
  std::string Bytes(int col) const { return storage_internal::FromByteaHex(Text(col)); }
};

// AnalysisEntrySql's parameters of journey `j`, as text (typed by the SQL).
std::vector<std::string> EntryParams(const AnalysisQuery& query, const JourneyWindow& j,
                                     const JourneyVersions& versions) {
  return storage_internal::AnalysisEntryParams(
      query, j, versions, [](const std::string& v) { return v; },
      [](int64_t v) { return std::to_string(v); });
}

// While a statement runs on `conn`, asks PostgreSQL to cancel it once
// `cancelled` says so, polled every 50 ms (an aggregate statement returns
// nothing until it has read every entry, so the entry stream's row-by-row
// polls have no place here). The request is repeated every 50 ms until the
// statement is over: one sent before the statement reached the server finds
// an idle backend and does nothing. The statement then fails ("canceling
// statement due to user request"), which the caller reports as CANCELLED.
// pqxx's cancel_query reads the connection's cancel key while the owning
// thread waits in the statement; nothing writes it meanwhile.
class CancelWatcher {
 public:
  CancelWatcher(pqxx::connection& conn, const CancelCheck& cancelled) {
    if (!cancelled) return;
    thread_ = std::thread([this, &conn, &cancelled] {
      std::unique_lock<std::mutex> lock(mu_);
      while (!done_) {
        if (fired_ || cancelled()) {
          fired_ = true;
          try {
            conn.cancel_query();
          } catch (...) {
            // A failed request changes nothing: the next one may succeed.
          }
        }
        cv_.wait_for(lock, std::chrono::milliseconds(50));
      }
    });
  }
  ~CancelWatcher() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  bool fired() {
    std::lock_guard<std::mutex> lock(mu_);
    return fired_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  bool fired_ = false;
  std::thread thread_;
};

// Runs one statement under a CancelWatcher; sets *cancelled (and returns an
// empty result) when the watcher cancelled it.
pqxx::result Exec(ReadTxn& txn, pqxx::connection& conn, const CancelCheck& check,
                  const std::string& sql, const std::vector<std::string>& params,
                  bool* cancelled) {
  CancelWatcher watcher(conn, check);
  try {
    return txn.exec_params(sql, pqxx::prepare::make_dynamic_params(params.begin(), params.end()));
  } catch (...) {
    if (!watcher.fired()) throw;
    *cancelled = true;
    return pqxx::result();
  }
}

// Entries (in key order) the bounded shift probe covers: enough that one of
// them is mature in any journey with a mature entry worth shifting by, few
// enough that sorting their events takes milliseconds.
constexpr int64_t kShiftProbeEntries = 4096;

// The statement-local settings of the cell statement (docs/postgresql.md,
// "Analysis in the database"): at least 64 MB of work_mem, for a hash
// aggregate over the few cells (the planner, guessing one group per ten
// entries, sorted 1 M rows to disk instead: 8.2 -> 7.8 s), and JIT without
// inlining and optimization (the 133 sums' expressions compile in ~0.1 s and
// run ~1 s faster per 1 M entries; full JIT costs more than it saves).
void SetCellStatementSettings(ReadTxn& txn, bool on) {
  if (!on) {
    txn.exec("SET LOCAL work_mem TO DEFAULT; SET LOCAL jit = off");
    return;
  }
  txn.exec(
      "SELECT set_config('work_mem', CASE WHEN pg_size_bytes(current_setting('work_mem')) < "
      "64 * 1024 * 1024 THEN '64MB' ELSE current_setting('work_mem') END, true)");
  txn.exec(
      "SET LOCAL jit = on; SET LOCAL jit_inline_above_cost = -1; SET LOCAL jit_optimize_above_cost = -1");
}

}  // namespace

absl::StatusOr<AnalysisAggregates> PostgresStore::AggregateAnalysis(const AnalysisQuery& query,
                                                                    int64_t first_period,
                                                                    int64_t last_period) {
  HF_RETURN_IF_ERROR(storage_internal::ValidateAggregateQuery(query, first_period, last_period));
  HF_ASSIGN_OR_RETURN(std::unique_ptr<ReadSession> session, ReadSession::Begin(impl_.get()));
  AnalysisAggregates out;
  bool cancelled = false;
  try {
    ReadTxn& txn = session->txn();
    pqxx::connection& conn = session->connection();
    // Segments: the cells are grouped by attribute set, so first a bound on
    // how many there are (same snapshot).
    if (!query.segment_by.empty()) {
      for (const JourneyWindow& j : query.journeys) {
        const int64_t sets =
            txn.exec_params1(AttributeSetsSql(SqlDialect::kPostgres), j.journey,
                             std::to_string(query.from), std::to_string(std::min(query.to, query.as_of)),
                             std::to_string(kMaxCellAttributeSets + 1))[0]
                .as<int64_t>();
        if (sets > kMaxCellAttributeSets) {
          out.too_many_attribute_sets = true;
          return out;
        }
      }
    }
    std::vector<JourneyVersions> versions;
    for (const JourneyWindow& j : query.journeys) {
      if (query.cancelled && query.cancelled()) {
        cancelled = true;
        break;
      }
      versions.emplace_back(j);
      const JourneyVersions& jv = versions.back();
      const size_t n_versions = jv.with_own_windows().size();
      std::vector<std::string> params = EntryParams(query, j, jv);
      // Same REPEATABLE READ snapshot as everything below.
      const bool next_entry_possible =
          txn.exec_params1(NextEntryPossibleSql(SqlDialect::kPostgres), j.journey,
                           std::to_string(query.as_of))[0]
              .as<int64_t>() != 0;
      // The shift: the first mature entry's values in key order (none: no
      // sums matter), looked for among the first kShiftProbeEntries entries
      // before all of them (the probe sorts the events of the units it
      // covers).
      std::array<double, kNumCellVariables> shift{};
      pqxx::result probe;
      const pqxx::result bound = txn.exec_params(
          ShiftProbeBoundSql(SqlDialect::kPostgres), j.journey, std::to_string(query.from),
          std::to_string(std::min(query.to, query.as_of)), std::to_string(kShiftProbeEntries));
      if (!bound.empty()) {
        std::vector<std::string> bounded = params;
        bounded.push_back("");  // every unit sorts at or after ''
        bounded.push_back(bound[0][0].as<std::string>());
        probe = Exec(txn, conn, query.cancelled,
                     AnalysisShiftProbeSql(SqlDialect::kPostgres, n_versions, next_entry_possible,
                                           /*bounded=*/true),
                     bounded, &cancelled);
        if (cancelled) break;
      }
      if (probe.empty()) {
        probe = Exec(txn, conn, query.cancelled,
                     AnalysisShiftProbeSql(SqlDialect::kPostgres, n_versions, next_entry_possible),
                     params, &cancelled);
        if (cancelled) break;
      }
      if (!probe.empty()) {
        for (int a = 0; a < kNumCellVariables; ++a) shift[a] = DoubleOf(probe[0][a]);
      }
      for (double v : shift) params.push_back(storage_internal::ShiftText(v));
      SetCellStatementSettings(txn, true);
      const pqxx::result rows =
          Exec(txn, conn, query.cancelled,
               AnalysisCellSql(SqlDialect::kPostgres, n_versions, next_entry_possible,
                               query.cells_by_day, !query.segment_by.empty()),
               params,
               &cancelled);
      if (cancelled) break;
      SetCellStatementSettings(txn, false);
      std::vector<storage_internal::DecodedCell> decoded(rows.size());
      for (size_t r = 0; r < rows.size(); ++r) {
        storage_internal::DecodeCell(CellRow{rows[r]}, jv, shift, query.segment_by, &decoded[r]);
      }
      out.cells.push_back(storage_internal::FinishCells(std::move(decoded)));
    }
    if (!cancelled && !query.journeys.empty()) {
      std::vector<size_t> counts;
      std::vector<std::string> params = {std::to_string(query.from),
                                         std::to_string(std::min(query.to, query.as_of)),
                                         std::to_string(query.as_of), std::to_string(first_period),
                                         std::to_string(last_period)};
      for (size_t k = 0; k < query.journeys.size(); ++k) {
        counts.push_back(versions[k].with_own_windows().size());
        params.push_back(query.journeys[k].journey);
        params.push_back(std::to_string(query.journeys[k].attribution_window_us));
        for (const VersionWindow* v : versions[k].with_own_windows()) {
          params.push_back(v->config_version);
          params.push_back(std::to_string(v->attribution_window_us));
        }
      }
      const pqxx::result r = Exec(txn, conn, query.cancelled,
                                  AnalysedUnitsSql(SqlDialect::kPostgres, counts), params, &cancelled);
      for (const pqxx::row& row : r) {
        out.units.push_back({static_cast<uint64_t>(Int64Of(row[0])), Int64Of(row[1])});
      }
    }
  } catch (...) {
    session->Poison();
    return StatusFromCurrentPqxxException("aggregating analysis cells");
  }
  if (cancelled) {
    session->Poison();  // the transaction was aborted by the cancel
    return absl::CancelledError("analysis cancelled");
  }
  return out;
}

}  // namespace holdfast
