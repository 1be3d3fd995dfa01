// The read half of SqliteStore: config history and the analysis queries.
// Every read runs on a pooled read connection inside one read transaction,
// so it sees a single committed snapshot while the writer keeps going.
#include <algorithm>
#include <limits>
#include <optional>
#include <utility>

#include <SQLiteCpp/Database.h>
#include <sqlite3.h>
#include <SQLiteCpp/Statement.h>

#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "lib/storage/analysis_sql.h"
#include "lib/storage/internal/analysis_cells.h"
#include "lib/storage/internal/attribute_codec.h"
#include "lib/storage/internal/row_validation.h"
#include "lib/storage/internal/sqlite_fast_statement.h"
#include "lib/storage/internal/sqlite_status.h"
#include "lib/storage/internal/sqlite_store_impl.h"
#include "lib/storage/sqlite_store.h"

namespace holdfast {
namespace {

using storage_internal::StatusFromCurrentException;

constexpr const char kEntryCountsSql[] = R"sql(
SELECT count(*), total(in_washout) FROM entries
WHERE journey = ?1 AND t0 >= ?2 AND t0 < ?3
)sql";

// Holdout entries of journey ?1 with ?2 <= t0 < ?3 and the journey's sends to
// them within the entry's period [?5 + k*?4, ?5 + (k+1)*?4) (?4 = 0: all
// time, bounds ?6/?7) and before ?8 (as_of).
constexpr const char kContaminationSql[] = R"sql(
SELECT count(*), total(n), total(cost) FROM (
  SELECT count(*) AS n, total(s.cost) AS cost
  FROM entries e
  JOIN sends s ON s.unit = e.unit AND s.journey = e.journey
    AND s.at >= (CASE WHEN ?4 > 0 THEN ?5 + e.period * ?4 ELSE ?6 END)
    AND s.at <  (CASE WHEN ?4 > 0 THEN ?5 + (e.period + 1) * ?4 ELSE ?7 END)
    AND s.at < ?8
  WHERE e.journey = ?1 AND e.t0 >= ?2 AND e.t0 < ?3 AND e.grp IN (2, 3)
  GROUP BY e.unit, e.period
)
)sql";

// Holds a pooled read connection and an open read transaction; returns the
// connection to the pool on destruction.
class ReadSession {
 public:
  static absl::StatusOr<ReadSession> Begin(SqliteStore::Impl* impl) {
    HF_ASSIGN_OR_RETURN(std::unique_ptr<SQLite::Database> db, impl->AcquireReader());
    try {
      db->exec("BEGIN");
    } catch (...) {
      return StatusFromCurrentException("beginning read transaction");
    }
    return ReadSession(impl, std::move(db));
  }
  ReadSession(ReadSession&& other) noexcept : impl_(other.impl_), db_(std::move(other.db_)) {}
  ReadSession& operator=(ReadSession&&) = delete;
  ~ReadSession() {
    if (db_ == nullptr) return;
    try {
      db_->exec("COMMIT");
    } catch (...) {
      return;  // a connection in an unknown state is dropped, not pooled
    }
    impl_->ReleaseReader(std::move(db_));
  }
  SQLite::Database& db() { return *db_; }

 private:
  ReadSession(SqliteStore::Impl* impl, std::unique_ptr<SQLite::Database> db)
      : impl_(impl), db_(std::move(db)) {}
  SqliteStore::Impl* impl_;
  std::unique_ptr<SQLite::Database> db_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<SQLite::Database>> SqliteStore::Impl::AcquireReader() {
  {
    std::lock_guard<std::mutex> lock(readers_mu);
    if (!idle_readers.empty()) {
      std::unique_ptr<SQLite::Database> db = std::move(idle_readers.back());
      idle_readers.pop_back();
      return db;
    }
  }
  try {
    auto db = std::make_unique<SQLite::Database>(
        path, SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX, options.busy_timeout_ms);
    db->exec(absl::StrCat("PRAGMA cache_size = -", options.reader_cache_kib));
    db->exec("PRAGMA query_only = 1");
    // temp_store stays at its default (files): the program query groups
    // every known unit, which must be able to spill to disk.
    return db;
  } catch (...) {
    return StatusFromCurrentException("opening read connection");
  }
}

void SqliteStore::Impl::ReleaseReader(std::unique_ptr<SQLite::Database> db) {
  std::lock_guard<std::mutex> lock(readers_mu);
  if (static_cast<int>(idle_readers.size()) < options.max_idle_readers) {
    idle_readers.push_back(std::move(db));
  }
}

absl::StatusOr<std::vector<ConfigVersionRow>> SqliteStore::ListConfigVersions(int limit) {
  if (limit <= 0) return absl::InvalidArgumentError("limit must be > 0");
  HF_ASSIGN_OR_RETURN(ReadSession session, ReadSession::Begin(impl_.get()));
  std::vector<ConfigVersionRow> out;
  try {
    SQLite::Statement q(session.db(),
                        "SELECT version, loaded_at, source_path, diff_summary, content, replica "
                        "FROM config_versions ORDER BY seq DESC LIMIT ?");
    q.bind(1, limit);
    while (q.executeStep()) {
      ConfigVersionRow r;
      r.version = q.getColumn(0).getString();
      r.loaded_at = q.getColumn(1).getInt64();
      r.source_path = q.getColumn(2).getString();
      r.diff_summary = q.getColumn(3).getString();
      r.content = q.getColumn(4).getString();
      r.replica = q.getColumn(5).getString();
      out.push_back(std::move(r));
    }
  } catch (...) {
    return StatusFromCurrentException("listing config versions");
  }
  return out;
}

namespace {

// Binds AnalysisEntrySql's parameters for journey `j` (shared by the entry
// stream's statement shape, the shift probe and the cell query).
void BindEntryParams(storage_internal::FastStatement& q, const AnalysisQuery& query,
                     const JourneyWindow& j, const JourneyVersions& versions) {
  q.BindText(kAnalysisParamJourney, j.journey);
  q.BindInt64(kAnalysisParamFrom, query.from);
  q.BindInt64(kAnalysisParamTo, std::min(query.to, query.as_of));
  q.BindInt64(kAnalysisParamAsOf, query.as_of);
  q.BindInt64(kAnalysisParamWindow, j.attribution_window_us);
  q.BindInt64(kAnalysisParamPrePeriod, j.pre_period_us);
  q.BindInt64(kAnalysisParamRefundHorizon, j.refund_horizon_us);
  for (size_t k = 0; k < versions.with_own_windows().size(); ++k) {
    const VersionWindow& v = *versions.with_own_windows()[k];
    const int b = kAnalysisParamFirstVersion + 4 * static_cast<int>(k);
    q.BindText(b, v.config_version);
    q.BindInt64(b + 1, v.attribution_window_us);
    q.BindInt64(b + 2, v.pre_period_us);
    q.BindInt64(b + 3, v.refund_horizon_us);
  }
}

// Same snapshot (the caller's read transaction): a journey without any entry
// of a later period can have no next entry, and skips that lookup.
bool NextEntryPossible(SQLite::Database& db, const JourneyWindow& j, UnixMicros as_of) {
  SQLite::Statement next_check(db, NextEntryPossibleSql(SqlDialect::kSqlite));
  next_check.bindNoCopy(1, j.journey);
  next_check.bind(2, static_cast<int64_t>(as_of));
  return next_check.executeStep() && next_check.getColumn(0).getInt() != 0;
}

}  // namespace

absl::Status SqliteStore::ForEachAnalysisEntry(const AnalysisQuery& query,
                                               const AnalysisEntryFn& fn) {
  HF_RETURN_IF_ERROR(storage_internal::ValidateAnalysisQuery(query));
  HF_ASSIGN_OR_RETURN(ReadSession session, ReadSession::Begin(impl_.get()));
  try {
    AnalysisEntry row;
    for (const JourneyWindow& j : query.journeys) {
      const bool next_entry_possible = NextEntryPossible(session.db(), j, query.as_of);
      // One statement per journey: the VALUES list has one row per version.
      const JourneyVersions versions(j);
      storage_internal::FastStatement q(
          session.db().getHandle(),
          AnalysisEntrySql(SqlDialect::kSqlite, versions.with_own_windows().size(),
                           j.max_horizon_us, next_entry_possible, !query.segment_by.empty()));
      BindEntryParams(q, query, j, versions);
      row.journey = j.journey;
      while (q.Step()) {
        const absl::string_view unit = q.Text(kColUnit);
        row.unit.assign(unit.data(), unit.size());
        row.group = static_cast<EntryGroup>(q.Int64(kColGroup));
        const absl::string_view arm = q.Text(kColArm);
        row.arm.assign(arm.data(), arm.size());
        row.period = q.Int64(kColPeriod);
        row.t0 = q.Int64(kColT0);
        row.in_washout = q.Int64(kColInWashout) != 0;
        row.segment.clear();
        if (!query.segment_by.empty()) {
          std::optional<absl::string_view> v =
              storage_internal::FindAttribute(q.Blob(kColAttributes), query.segment_by);
          if (v.has_value()) row.segment.assign(v->data(), v->size());
        }
        const absl::string_view version = q.Text(kColConfigVersion);
        row.config_version.assign(version.data(), version.size());
        row.version_known = versions.Known(version);
        row.window_us = q.Int64(kColWindow);
        row.refund_horizon_us = q.Int64(kColRefundHorizon);
        row.next_t0.reset();
        if (!q.IsNull(kColNextT0)) row.next_t0 = q.Int64(kColNextT0);
        row.y = q.Double(kColY) + q.Double(kColRefundY);
        row.m = q.Double(kColM) + q.Double(kColRefundM);
        row.x = static_cast<int>(q.Int64(kColX));
        row.z = q.Double(kColZ);
        row.c = q.Double(kColC);
        row.sends = q.Int64(kColSends);
        row.orders = q.Int64(kColOrders);
        row.unsubscribed = static_cast<int>(q.Int64(kColUnsubscribed));
        row.complained = static_cast<int>(q.Int64(kColComplained));
        row.incentive = q.Double(kColIncentive);
        row.horizon_events.clear();
        for (const int col : {kColHorizonEvents, kColHorizonRefunds}) {
          if (q.IsNull(col)) continue;
          HF_RETURN_IF_ERROR(ParseHorizonEvents(q.Text(col), &row));
        }
        FinishAnalysisEntry(query.as_of, &row);
        HF_RETURN_IF_ERROR(fn(row));
      }
    }
  } catch (...) {
    return StatusFromCurrentException("streaming analysis entries");
  }
  return absl::OkStatus();
}

namespace {

// While alive, SQLite polls `cancelled` every few thousand virtual-machine
// steps of any statement on `db` and interrupts it once it says so (the
// statement then fails with SQLITE_INTERRUPT): an aggregate statement returns
// nothing until it has read every entry, so the entry stream's row-by-row
// polls have no place there.
class InterruptWhenCancelled {
 public:
  InterruptWhenCancelled(sqlite3* db, const CancelCheck& cancelled) : db_(db), cancelled_(cancelled) {
    if (cancelled_) sqlite3_progress_handler(db_, kSteps, &InterruptWhenCancelled::Poll, this);
  }
  ~InterruptWhenCancelled() {
    if (cancelled_) sqlite3_progress_handler(db_, 0, nullptr, nullptr);
  }
  bool fired() const { return fired_; }

 private:
  // ~10,000 steps are well under a millisecond.
  static constexpr int kSteps = 10000;
  static int Poll(void* self) {
    auto* me = static_cast<InterruptWhenCancelled*>(self);
    if (!me->fired_ && me->cancelled_()) me->fired_ = true;
    return me->fired_ ? 1 : 0;
  }
  sqlite3* db_;
  const CancelCheck& cancelled_;
  bool fired_ = false;
};

// A cell row through the accessors DecodeCell expects.
struct CellRow {
  const storage_internal::FastStatement& q;
  int64_t Int64(int col) const { return q.Int64(col); }
  double Double(int col) const { return q.Double(col); }
  absl::string_view Text(int col) const { return q.Text(col); }
  std::string Bytes(int col) const { return std::string(q.Blob(col)); }
};

}  // namespace

absl::StatusOr<AnalysisAggregates> SqliteStore::AggregateAnalysis(const AnalysisQuery& query,
                                                                  int64_t first_period,
                                                                  int64_t last_period) {
  HF_RETURN_IF_ERROR(storage_internal::ValidateAggregateQuery(query, first_period, last_period));
  HF_ASSIGN_OR_RETURN(ReadSession session, ReadSession::Begin(impl_.get()));
  AnalysisAggregates out;
  InterruptWhenCancelled interrupt(session.db().getHandle(), query.cancelled);
  try {
    // Segments: the cells are grouped by attribute set, so first a bound on
    // how many there are (same snapshot).
    if (!query.segment_by.empty()) {
      for (const JourneyWindow& j : query.journeys) {
        storage_internal::FastStatement sets(session.db().getHandle(),
                                             AttributeSetsSql(SqlDialect::kSqlite));
        sets.BindText(1, j.journey);
        sets.BindInt64(2, query.from);
        sets.BindInt64(3, std::min(query.to, query.as_of));
        sets.BindInt64(4, kMaxCellAttributeSets + 1);
        if (sets.Step() && sets.Int64(0) > kMaxCellAttributeSets) {
          out.too_many_attribute_sets = true;
          return out;
        }
      }
    }
    std::vector<JourneyVersions> versions;
    for (const JourneyWindow& j : query.journeys) {
      versions.emplace_back(j);
      const JourneyVersions& jv = versions.back();
      const bool next_entry_possible = NextEntryPossible(session.db(), j, query.as_of);
      const size_t n_versions = jv.with_own_windows().size();
      // The shift: one mature entry's values, in the same snapshot.
      std::array<double, kNumCellVariables> shift{};
      {
        storage_internal::FastStatement probe(
            session.db().getHandle(),
            AnalysisShiftProbeSql(SqlDialect::kSqlite, n_versions, next_entry_possible));
        BindEntryParams(probe, query, j, jv);
        if (probe.Step()) {
          for (int a = 0; a < kNumCellVariables; ++a) shift[a] = probe.Double(a);
        }
      }
      storage_internal::FastStatement q(
          session.db().getHandle(),
          AnalysisCellSql(SqlDialect::kSqlite, n_versions, next_entry_possible,
                          query.cells_by_day, !query.segment_by.empty()));
      BindEntryParams(q, query, j, jv);
      const int first_shift = AnalysisCellShiftParam(n_versions);
      for (int a = 0; a < kNumCellVariables; ++a) q.BindDouble(first_shift + a, shift[a]);
      std::vector<storage_internal::DecodedCell> decoded;
      while (q.Step()) {
        storage_internal::DecodeCell(CellRow{q}, jv, shift, query.segment_by, &decoded.emplace_back());
      }
      out.cells.push_back(storage_internal::FinishCells(std::move(decoded)));
      // Horizons: their own statement over the same entries (same snapshot).
      std::vector<AnalysisHorizonCell>& horizon_cells = out.horizon_cells.emplace_back();
      if (j.max_horizon_us > 0) {
        storage_internal::FastStatement h(
            session.db().getHandle(),
            AnalysisHorizonSql(SqlDialect::kSqlite, n_versions, next_entry_possible,
                               !query.segment_by.empty(), j.horizons_us, j.curve_step_us,
                               j.curve_points));
        BindEntryParams(h, query, j, jv);
        const std::array<double, kNumHorizonCellVariables> horizon_shift = HorizonShiftOf(shift);
        for (int a = 0; a < kNumHorizonCellVariables; ++a) {
          h.BindDouble(first_shift + a, horizon_shift[a]);
        }
        std::vector<storage_internal::DecodedHorizonRow> rows;
        while (h.Step()) storage_internal::DecodeHorizonRow(CellRow{h}, query.segment_by, &rows.emplace_back());
        HF_ASSIGN_OR_RETURN(horizon_cells,
                            storage_internal::FinishHorizonCells(std::move(rows), j, horizon_shift));
      }
    }
    if (!query.journeys.empty()) {
      std::vector<size_t> counts;
      for (const JourneyVersions& jv : versions) counts.push_back(jv.with_own_windows().size());
      storage_internal::FastStatement q(session.db().getHandle(),
                                        AnalysedUnitsSql(SqlDialect::kSqlite, counts));
      q.BindInt64(1, query.from);
      q.BindInt64(2, std::min(query.to, query.as_of));
      q.BindInt64(3, query.as_of);
      q.BindInt64(4, first_period);
      q.BindInt64(5, last_period);
      int param = kAnalysedUnitsFirstJourneyParam;
      for (size_t k = 0; k < query.journeys.size(); ++k) {
        q.BindText(param, query.journeys[k].journey);
        q.BindInt64(param + 1, query.journeys[k].attribution_window_us);
        param += 2;
        for (const VersionWindow* v : versions[k].with_own_windows()) {
          q.BindText(param, v->config_version);
          q.BindInt64(param + 1, v->attribution_window_us);
          param += 2;
        }
      }
      while (q.Step()) out.units.push_back({static_cast<uint64_t>(q.Int64(0)), q.Int64(1)});
    }
  } catch (...) {
    if (interrupt.fired()) return absl::CancelledError("analysis cancelled");
    return StatusFromCurrentException("aggregating analysis cells");
  }
  if (interrupt.fired()) return absl::CancelledError("analysis cancelled");
  return out;
}

absl::Status SqliteStore::ForEachProgramUnit(const ProgramQuery& query,
                                             const ProgramUnitFn& fn) {
  HF_RETURN_IF_ERROR(storage_internal::ValidateProgramQuery(query));
  HF_ASSIGN_OR_RETURN(ReadSession session, ReadSession::Begin(impl_.get()));
  try {
    SQLite::Statement q(session.db(), ProgramUnitsSql(SqlDialect::kSqlite));
    q.bind(1, static_cast<int64_t>(query.from));
    q.bind(2, static_cast<int64_t>(query.to));
    ProgramUnitRow row;
    while (q.executeStep()) {
      row.unit = q.getColumn(0).getString();
      row.first_seen = q.getColumn(1).getInt64();
      row.y = q.getColumn(2).getDouble();
      row.m = q.getColumn(3).getDouble();
      row.x = q.getColumn(4).getInt();
      row.c = q.getColumn(5).getDouble();
      row.sends = q.getColumn(6).getInt64();
      HF_RETURN_IF_ERROR(fn(row));
    }
  } catch (...) {
    return StatusFromCurrentException("streaming program units");
  }
  return absl::OkStatus();
}

absl::StatusOr<double> SqliteStore::SumFixedCosts(UnixMicros from, UnixMicros to) {
  if (from > to) return absl::InvalidArgumentError("fixed cost range has from > to");
  HF_ASSIGN_OR_RETURN(ReadSession session, ReadSession::Begin(impl_.get()));
  try {
    SQLite::Statement q(session.db(), AllFixedCostsSql(SqlDialect::kSqlite));
    q.bind(1, static_cast<int64_t>(from));
    q.bind(2, static_cast<int64_t>(to));
    q.executeStep();
    return q.getColumn(0).getDouble();
  } catch (...) {
    return StatusFromCurrentException("summing fixed costs");
  }
}

absl::StatusOr<JourneyDiagnostics> SqliteStore::GetJourneyDiagnostics(
    const JourneyDiagnosticsQuery& query) {
  HF_RETURN_IF_ERROR(storage_internal::ValidateDiagnosticsQuery(query));
  HF_ASSIGN_OR_RETURN(ReadSession session, ReadSession::Begin(impl_.get()));
  JourneyDiagnostics d;
  try {
    SQLite::Database& db = session.db();
    {
      SQLite::Statement q(db, JourneyFixedCostSql(SqlDialect::kSqlite));
      q.bindNoCopy(1, query.journey);
      q.bind(2, static_cast<int64_t>(std::max(query.from, query.cost_from)));
      q.bind(3, static_cast<int64_t>(std::min(query.to, query.cost_to)));
      q.executeStep();
      d.fixed_cost = q.getColumn(0).getDouble();
    }
    {
      SQLite::Statement q(db, kEntryCountsSql);
      q.bindNoCopy(1, query.journey);
      q.bind(2, static_cast<int64_t>(query.from));
      q.bind(3, static_cast<int64_t>(query.to));
      q.executeStep();
      d.entries = q.getColumn(0).getInt64();
      d.washout_entries = static_cast<int64_t>(q.getColumn(1).getDouble());
    }
    {
      SQLite::Statement q(db, kContaminationSql);
      q.bindNoCopy(1, query.journey);
      q.bind(2, static_cast<int64_t>(query.from));
      q.bind(3, static_cast<int64_t>(query.to));
      q.bind(4, static_cast<int64_t>(query.period_us));
      q.bind(5, static_cast<int64_t>(query.epoch_us));
      q.bind(6, std::numeric_limits<int64_t>::min());
      q.bind(7, std::numeric_limits<int64_t>::max());
      q.bind(8, static_cast<int64_t>(query.as_of));
      q.executeStep();
      d.contaminated_entries = q.getColumn(0).getInt64();
      d.contaminated_sends = static_cast<int64_t>(q.getColumn(1).getDouble());
      d.contaminated_cost = q.getColumn(2).getDouble();
    }
  } catch (...) {
    return StatusFromCurrentException("reading journey diagnostics");
  }
  return d;
}

absl::StatusOr<JourneyChannels> SqliteStore::GetJourneyChannels(const ChannelQuery& query) {
  HF_RETURN_IF_ERROR(storage_internal::ValidateChannelQuery(query));
  HF_ASSIGN_OR_RETURN(ReadSession session, ReadSession::Begin(impl_.get()));
  JourneyChannels out;
  const JourneyWindow& j = query.journey;
  try {
    // Same snapshot: a journey without any later-period entry before as_of
    // can have no cut window, and skips the next-entry lookup.
    SQLite::Statement next_check(session.db(), NextEntryPossibleSql(SqlDialect::kSqlite));
    next_check.bindNoCopy(1, j.journey);
    next_check.bind(2, static_cast<int64_t>(query.as_of));
    const bool next_entry_possible = next_check.executeStep() && next_check.getColumn(0).getInt() != 0;
    const JourneyVersions versions(j);
    const std::vector<const VersionWindow*>& own = versions.with_own_windows();
    SQLite::Statement q(session.db(),
                        ChannelAttributionSql(SqlDialect::kSqlite, own.size(), next_entry_possible));
    q.bindNoCopy(kChannelParamJourney, j.journey);
    q.bind(kChannelParamFrom, static_cast<int64_t>(query.from));
    q.bind(kChannelParamTo, static_cast<int64_t>(std::min(query.to, query.as_of)));
    q.bind(kChannelParamAsOf, static_cast<int64_t>(query.as_of));
    q.bind(kChannelParamWindow, static_cast<int64_t>(j.attribution_window_us));
    q.bind(kChannelParamRefundHorizon, static_cast<int64_t>(j.refund_horizon_us));
    q.bind(kChannelParamFirstPeriod, static_cast<int64_t>(query.first_period));
    q.bind(kChannelParamLastPeriod, static_cast<int64_t>(query.last_period));
    for (size_t k = 0; k < own.size(); ++k) {
      const VersionWindow& v = *own[k];
      const int b = kChannelParamFirstVersion + 3 * static_cast<int>(k);
      q.bindNoCopy(b, v.config_version);
      q.bind(b + 1, static_cast<int64_t>(v.attribution_window_us));
      q.bind(b + 2, static_cast<int64_t>(v.refund_horizon_us));
    }
    while (q.executeStep()) {
      SQLite::Column channel = q.getColumn(kChanColChannel);
      AddChannelRow(q.getColumn(kChanColKind).getInt(), q.getColumn(kChanColGroup).getInt(),
                    q.getColumn(kChanColArm).getString(),
                    channel.isNull() ? std::nullopt : std::optional<std::string>(channel.getString()),
                    q.getColumn(kChanColCount).getInt64(), q.getColumn(kChanColAmount).getDouble(),
                    &out);
    }
    SQLite::Statement f(session.db(), FixedCostCategoriesSql(SqlDialect::kSqlite));
    f.bindNoCopy(1, j.journey);
    f.bind(2, static_cast<int64_t>(std::max(query.from, query.cost_from)));
    f.bind(3, static_cast<int64_t>(std::min(query.to, query.cost_to)));
    while (f.executeStep()) {
      out.fixed_costs.push_back({f.getColumn(0).getString(), f.getColumn(1).getDouble()});
    }
  } catch (...) {
    return StatusFromCurrentException("reading journey channels");
  }
  SortJourneyChannels(&out);
  return out;
}

absl::StatusOr<int64_t> SqliteStore::CountOrphanRefunds(UnixMicros from, UnixMicros to) {
  if (from > to) return absl::InvalidArgumentError("orphan refund range has from > to");
  HF_ASSIGN_OR_RETURN(ReadSession session, ReadSession::Begin(impl_.get()));
  try {
    SQLite::Statement q(session.db(), OrphanRefundsSql(SqlDialect::kSqlite));
    q.bind(1, static_cast<int64_t>(from));
    q.bind(2, static_cast<int64_t>(to));
    q.executeStep();
    return q.getColumn(0).getInt64();
  } catch (...) {
    return StatusFromCurrentException("counting orphan refunds");
  }
}

}  // namespace holdfast
