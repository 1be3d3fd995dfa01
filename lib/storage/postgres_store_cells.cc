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
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "lib/storage/analysis_sql.h"
#include "lib/storage/internal/analysis_cells.h"
#include "lib/storage/internal/postgres_cancel.h"
#include "lib/storage/internal/postgres_read_session.h"
#include "lib/storage/internal/postgres_rows.h"
#include "lib/storage/internal/postgres_slice_bounds.h"
#include "lib/storage/internal/postgres_status.h"
#include "lib/storage/postgres_store.h"

namespace holdfast {
namespace {

using storage_internal::DoubleOf;
using storage_internal::ExecCancellable;
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

// Entries (in key order) the bounded shift probe covers: enough that one of
// them is mature in any journey with a mature entry worth shifting by, few
// enough that sorting their events takes milliseconds.
constexpr int64_t kShiftProbeEntries = 4096;

// Which statement a slice runs, for its statement-local settings.
enum class SliceStatement { kCells, kHorizons };

// The statement-local settings of the cell statement (docs/postgresql.md,
// "Analysis in the database"), reset after it:
// - enable_sort = off: the planner cannot know that the few cell keys have
//   few values after the per-entry grouping (it guesses one group per ten
//   entries), so it sorts every entry row (spilling 158 MB at 1 M) to group
//   them. With sorts priced out it hashes the few cells instead; the sorts
//   the per-entry rules need stay, as no plan is without them. Measured in
//   psql, 1 M entries: 6.2-6.5 s vs 7.5-9.0 s with the 64 MB work_mem this
//   replaced (which stopped giving a hash aggregate once the statement
//   summed 92 instead of 133 values).
// - JIT without inlining and optimization: the sums' expressions compile in
//   ~0.1 s and run ~1 s faster per 1 M entries; full JIT costs more than it
//   saves.
// The horizon statement runs with the read session's settings (jit off, the
// server's work_mem): its per-entry grouping needs its sorts, and 64 MB of
// work_mem made it 2 s slower (8.0-8.7 s vs 10.1-11.2 s at 1 M entries).
void SetSliceStatementSettings(ReadTxn& txn, SliceStatement which, bool on) {
  if (which != SliceStatement::kCells) return;
  if (!on) {  // back to the read session's settings
    txn.exec("SET LOCAL enable_sort TO DEFAULT; SET LOCAL jit = off");
    return;
  }
  txn.exec(
      "SET LOCAL enable_sort = off; SET LOCAL jit = on; SET LOCAL jit_inline_above_cost = -1; "
      "SET LOCAL jit_optimize_above_cost = -1");
}

// One journey's cell statement without its slice: the entry parameters, the
// shift, and what decoding a row needs.
struct CellStatement {
  const AnalysisQuery* query = nullptr;
  const JourneyVersions* versions = nullptr;
  size_t n_versions = 0;
  bool next_entry_possible = false;
  std::vector<std::string> entry_params;
  std::array<double, kNumCellVariables> shift{};
  const JourneyWindow* journey = nullptr;
};

// Runs one statement of `st` on `session` over the units in [lower, upper)
// (lower only for the last slice, neither when the journey is one
// statement): the entry parameters, the bounds, then `shifts`, under
// `which` statement's settings. Returns nothing and sets *cancelled when
// `stop` cancelled it (before or during the statement). Throws libpqxx
// exceptions.
template <size_t N>
pqxx::result ExecSliceStatement(ReadSession& session, const CellStatement& st,
                                const std::optional<std::string>& lower,
                                const std::optional<std::string>& upper, const CancelCheck& stop,
                                const std::function<std::string(AnalysisSlice)>& sql,
                                const std::array<double, N>& shifts, SliceStatement which,
                                bool* cancelled) {
  if (stop && stop()) {
    *cancelled = true;
    return pqxx::result();
  }
  AnalysisSlice slice;
  slice.lower = lower.has_value();
  slice.upper = upper.has_value();
  std::vector<std::string> params = st.entry_params;
  if (lower) params.push_back(*lower);
  if (upper) params.push_back(*upper);
  for (double v : shifts) params.push_back(storage_internal::ShiftText(v));
  ReadTxn& txn = session.txn();
  SetSliceStatementSettings(txn, which, true);
  pqxx::result rows = ExecCancellable(txn, session.connection(), stop, sql(slice), params, cancelled);
  if (*cancelled) return pqxx::result();
  SetSliceStatementSettings(txn, which, false);
  return rows;
}

// Slice `index` of the cell statement: its decoded rows appended to *out.
void RunCellSlice(ReadSession& session, const CellStatement& st, int index,
                  const std::optional<std::string>& lower, const std::optional<std::string>& upper,
                  const CancelCheck& stop, std::vector<storage_internal::DecodedCell>* out,
                  bool* cancelled) {
  const pqxx::result rows = ExecSliceStatement(
      session, st, lower, upper, stop,
      [&](AnalysisSlice slice) {
        return AnalysisCellSql(SqlDialect::kPostgres, st.n_versions, st.next_entry_possible,
                               st.query->cells_by_day, !st.query->segment_by.empty(), slice);
      },
      st.shift, SliceStatement::kCells, cancelled);
  for (const pqxx::row& row : rows) {
    storage_internal::DecodedCell& d = out->emplace_back();
    storage_internal::DecodeCell(CellRow{row}, *st.versions, st.shift, st.query->segment_by, &d);
    d.slice = index;
  }
}

// A slice of the journey's horizon statement (AnalysisHorizonSql): its
// decoded rows appended to *out.
void RunHorizonSlice(ReadSession& session, const CellStatement& st,
                     const std::optional<std::string>& lower,
                     const std::optional<std::string>& upper, const CancelCheck& stop,
                     std::vector<storage_internal::DecodedHorizonRow>* out, bool* cancelled) {
  const JourneyWindow& j = *st.journey;
  const pqxx::result rows = ExecSliceStatement(
      session, st, lower, upper, stop,
      [&](AnalysisSlice slice) {
        return AnalysisHorizonSql(SqlDialect::kPostgres, st.n_versions, st.next_entry_possible,
                                  !st.query->segment_by.empty(), j.horizons_us, j.curve_step_us,
                                  j.curve_points, slice);
      },
      HorizonShiftOf(st.shift), SliceStatement::kHorizons, cancelled);
  for (const pqxx::row& row : rows) {
    storage_internal::DecodeHorizonRow(CellRow{row}, st.query->segment_by, &out->emplace_back());
  }
}

// One slice of a journey's statement: run on `session` over the units in
// [lower, upper) (lower only for the last slice), appending to the slice's
// own output; sets *cancelled when `stop` cancelled it. Throws libpqxx
// exceptions.
using SliceFn = std::function<void(ReadSession& session, int index,
                                   const std::optional<std::string>& lower,
                                   const std::optional<std::string>& upper,
                                   const CancelCheck& stop, bool* cancelled)>;

// Slices `bounds` cut a journey into, over `sessions` (the first the
// caller's): slice k on session k, each on its own thread but the first,
// which runs on the caller's. The bounds come one per extra session. Every
// session's status is in *statuses (poisoned by the caller when not OK).
// A slice that fails stops the others (their statements are cancelled as
// the caller's cancellation would: the report fails with the first error at
// once instead of after the slowest slice); *stopped counts the slices it
// stopped, *cancelled is set only when the caller's check fired.
void RunSlices(const std::vector<ReadSession*>& sessions, const CancelCheck& caller,
               const std::vector<std::string>& bounds,
               const std::function<absl::Status(int, const CancelCheck&)>& before_slice,
               const SliceFn& run_slice, std::vector<absl::Status>* statuses, bool* cancelled,
               int64_t* stopped) {
  const size_t n = bounds.size() + 1;
  std::vector<char> part_cancelled(n, 0);
  std::atomic<bool> slice_failed{false};
  const CancelCheck stop = [&] { return slice_failed.load() || (caller && caller()); };
  auto run = [&](size_t k) {
    bool c = false;
    try {
      absl::Status hook = before_slice ? before_slice(static_cast<int>(k), stop) : absl::OkStatus();
      if (!hook.ok()) {
        (*statuses)[k] = std::move(hook);
        slice_failed = true;
        return;
      }
      run_slice(*sessions[k], static_cast<int>(k),
                k == 0 ? std::optional<std::string>("") : bounds[k - 1],
                k + 1 < n ? std::optional<std::string>(bounds[k]) : std::nullopt, stop, &c);
    } catch (...) {
      (*statuses)[k] = StatusFromCurrentPqxxException("aggregating analysis cells");
      slice_failed = true;
    }
    part_cancelled[k] = c ? 1 : 0;
  };
  std::vector<std::thread> threads;
  for (size_t k = 1; k < n; ++k) threads.emplace_back(run, k);
  run(0);
  for (std::thread& t : threads) t.join();
  for (size_t k = 0; k < n; ++k) {
    if (part_cancelled[k]) {
      (*statuses)[k] = absl::CancelledError("analysis cancelled");
      if (slice_failed) {
        ++*stopped;
      } else {
        *cancelled = true;
      }
    }
  }
}

}  // namespace

absl::StatusOr<AnalysisAggregates> PostgresStore::AggregateAnalysis(const AnalysisQuery& query,
                                                                    int64_t first_period,
                                                                    int64_t last_period) {
  HF_RETURN_IF_ERROR(storage_internal::ValidateAggregateQuery(query, first_period, last_period));
  HF_ASSIGN_OR_RETURN(std::unique_ptr<ReadSession> session, ReadSession::Begin(impl_.get()));
  AnalysisAggregates out;
  bool cancelled = false;
  const PostgresStoreOptions& options = impl_->options;
  // The other connections of a sliced statement, opened on the first
  // journey worth cutting, on this session's snapshot.
  std::vector<std::unique_ptr<ReadSession>> helpers;
  std::vector<absl::Status> statuses(static_cast<size_t>(std::max(1, options.report_connections)));
  auto poison_failed = [&] {
    for (size_t c = 1; c <= helpers.size(); ++c) {
      if (!statuses[c].ok()) helpers[c - 1]->Poison();
    }
  };
  try {
    ReadTxn& txn = session->txn();
    pqxx::connection& conn = session->connection();
    // Segments: the cells are grouped by attribute set, so first a bound on
    // how many there are (same snapshot).
    if (!query.segment_by.empty()) {
      for (const JourneyWindow& j : query.journeys) {
        const pqxx::result sets = ExecCancellable(
            txn, conn, query.cancelled, AttributeSetsSql(SqlDialect::kPostgres),
            {j.journey, std::to_string(query.from), std::to_string(std::min(query.to, query.as_of)),
             std::to_string(kMaxCellAttributeSets + 1)},
            &cancelled);
        if (cancelled) break;
        if (sets.at(0).at(0).as<int64_t>() > kMaxCellAttributeSets) {
          out.too_many_attribute_sets = true;
          return out;
        }
      }
    }
    std::vector<JourneyVersions> versions;
    for (const JourneyWindow& j : query.journeys) {
      if (cancelled || (query.cancelled && query.cancelled())) {
        cancelled = true;
        break;
      }
      versions.emplace_back(j);
      const JourneyVersions& jv = versions.back();
      const size_t n_versions = jv.with_own_windows().size();
      std::vector<std::string> params = EntryParams(query, j, jv);
      // Same REPEATABLE READ snapshot as everything below.
      const pqxx::result next_entry =
          ExecCancellable(txn, conn, query.cancelled, NextEntryPossibleSql(SqlDialect::kPostgres),
                          {j.journey, std::to_string(query.as_of)}, &cancelled);
      if (cancelled) break;
      const bool next_entry_possible = next_entry.at(0).at(0).as<int64_t>() != 0;
      // The shift: the first mature entry's values in key order (none: no
      // sums matter), looked for among the first kShiftProbeEntries entries
      // before all of them (the probe sorts the events of the units it
      // covers).
      std::array<double, kNumCellVariables> shift{};
      pqxx::result probe;
      const pqxx::result bound = ExecCancellable(
          txn, conn, query.cancelled, ShiftProbeBoundSql(SqlDialect::kPostgres),
          {j.journey, std::to_string(query.from), std::to_string(std::min(query.to, query.as_of)),
           std::to_string(kShiftProbeEntries)},
          &cancelled);
      if (cancelled) break;
      if (!bound.empty()) {
        std::vector<std::string> bounded = params;
        bounded.push_back("");  // every unit sorts at or after ''
        bounded.push_back(bound[0][0].as<std::string>());
        probe = ExecCancellable(txn, conn, query.cancelled,
                     AnalysisShiftProbeSql(SqlDialect::kPostgres, n_versions, next_entry_possible,
                                           /*bounded=*/true),
                     bounded, &cancelled);
        if (cancelled) break;
      }
      if (probe.empty()) {
        probe = ExecCancellable(txn, conn, query.cancelled,
                     AnalysisShiftProbeSql(SqlDialect::kPostgres, n_versions, next_entry_possible),
                     params, &cancelled);
        if (cancelled) break;
      }
      if (!probe.empty()) {
        for (int a = 0; a < kNumCellVariables; ++a) shift[a] = DoubleOf(probe[0][a]);
      }
      CellStatement st;
      st.query = &query;
      st.versions = &jv;
      st.n_versions = n_versions;
      st.next_entry_possible = next_entry_possible;
      st.entry_params = std::move(params);
      st.shift = shift;
      st.journey = &j;
      // A journey of at least two slices' worth of entries is cut into one
      // slice per report connection, computed at once on the shared
      // snapshot (PostgreSQL 15 runs the statement in one backend), and the
      // slices' cells are added up (docs/postgresql.md, "Analysis in the
      // database").
      std::vector<std::string> bounds;
      if (options.report_connections > 1) {
        const size_t connections = static_cast<size_t>(options.report_connections);
        const double min_entries = 2.0 * static_cast<double>(options.min_slice_entries);
        bounds = storage_internal::SampleSliceBounds(
            txn, conn, query.cancelled, j.journey, query.from, std::min(query.to, query.as_of),
            [&](double estimate) -> size_t { return estimate >= min_entries ? connections : 1; },
            &cancelled);
        if (cancelled) break;
      }
      if (!bounds.empty() && helpers.empty()) {
        const std::string snapshot = txn.exec1("SELECT pg_export_snapshot()")[0].as<std::string>();
        if (options.before_slice_connections) options.before_slice_connections();
        for (int c = 1; c < options.report_connections; ++c) {
          absl::StatusOr<std::unique_ptr<ReadSession>> helper =
              ReadSession::BeginOnSnapshot(impl_.get(), snapshot);
          if (!helper.ok()) {
            poison_failed();
            session->Poison();
            return helper.status();
          }
          helpers.push_back(*std::move(helper));
        }
      }
      // Runs `slice` over the journey, in slices when it has bounds; false
      // when the report ends here (cancelled: break; failed: `failed` set
      // and the sessions poisoned).
      // Each slice's output is its own: slice k's in part k, then the
      // parts in slice order.
      absl::Status failed;
      // `first`: the journey's first statement, which counts the journey
      // as sliced (the horizon statement adds its slices only).
      auto run_statement = [&](const SliceFn& slice, bool first) -> bool {
        if (bounds.empty()) {
          slice(*session, 0, std::nullopt, std::nullopt, query.cancelled, &cancelled);
          return !cancelled;
        }
        // As many slices as sessions at most (a sample can merge bounds).
        std::vector<ReadSession*> sessions = {session.get()};
        for (size_t c = 0; c < bounds.size(); ++c) sessions.push_back(helpers[c].get());
        int64_t stopped = 0;
        RunSlices(sessions, query.cancelled, bounds, options.before_cell_slice, slice, &statuses,
                  &cancelled, &stopped);
        {
          std::lock_guard<std::mutex> lock(impl_->mu);
          if (first) ++impl_->stats.sliced_journeys;
          impl_->stats.slices += static_cast<int64_t>(bounds.size()) + 1;
          impl_->stats.slices_stopped += stopped;
        }
        for (size_t c = 0; c < statuses.size(); ++c) {
          if (!statuses[c].ok() && !absl::IsCancelled(statuses[c])) {
            failed = statuses[c];
            poison_failed();
            session->Poison();
            return false;
          }
        }
        return !cancelled;
      };
      const size_t parts = bounds.size() + 1;
      std::vector<std::vector<storage_internal::DecodedCell>> cell_parts(parts);
      if (!run_statement([&](ReadSession& s, int k, const std::optional<std::string>& lower,
                             const std::optional<std::string>& upper, const CancelCheck& stop,
                             bool* c) {
            RunCellSlice(s, st, k, lower, upper, stop, &cell_parts[static_cast<size_t>(k)], c);
          }, true)) {
        if (!failed.ok()) return failed;
        break;
      }
      std::vector<storage_internal::DecodedCell> decoded;
      for (std::vector<storage_internal::DecodedCell>& part : cell_parts) {
        for (storage_internal::DecodedCell& d : part) decoded.push_back(std::move(d));
      }
      out.cells.push_back(storage_internal::FinishCells(std::move(decoded)));
      // Horizons: their own statement over the same entries and snapshot,
      // sliced like the cells.
      std::vector<AnalysisHorizonCell>& horizon_cells = out.horizon_cells.emplace_back();
      if (j.max_horizon_us > 0) {
        std::vector<std::vector<storage_internal::DecodedHorizonRow>> horizon_parts(parts);
        if (!run_statement([&](ReadSession& s, int k, const std::optional<std::string>& lower,
                               const std::optional<std::string>& upper, const CancelCheck& stop,
                               bool* c) {
              RunHorizonSlice(s, st, lower, upper, stop,
                              &horizon_parts[static_cast<size_t>(k)], c);
            }, false)) {
          if (!failed.ok()) return failed;
          break;
        }
        std::vector<storage_internal::DecodedHorizonRow> decoded_rows;
        for (auto& part : horizon_parts) {
          for (storage_internal::DecodedHorizonRow& r : part) decoded_rows.push_back(std::move(r));
        }
        absl::StatusOr<std::vector<AnalysisHorizonCell>> finished = storage_internal::FinishHorizonCells(
            std::move(decoded_rows), j, HorizonShiftOf(shift));
        if (!finished.ok()) {
          poison_failed();
          session->Poison();
          return finished.status();
        }
        horizon_cells = *std::move(finished);
      }
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
      const pqxx::result r = ExecCancellable(txn, conn, query.cancelled,
                                  AnalysedUnitsSql(SqlDialect::kPostgres, counts), params, &cancelled);
      for (const pqxx::row& row : r) {
        out.units.push_back({static_cast<uint64_t>(Int64Of(row[0])), Int64Of(row[1])});
      }
    }
  } catch (...) {
    poison_failed();
    session->Poison();
    return StatusFromCurrentPqxxException("aggregating analysis cells");
  }
  if (cancelled) {
    // The transactions were aborted by the cancel.
    for (auto& h : helpers) h->Poison();
    session->Poison();
    return absl::CancelledError("analysis cancelled");
  }
  return out;
}

}  // namespace holdfast
