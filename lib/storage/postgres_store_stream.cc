// PostgresStore's analysis entry stream (Store::ForEachAnalysisEntry): the
// per-entry rules of the SQLite store (docs/storage.md, "Analysis queries")
// as one statement per journey, AnalysisEntrySql's PostgreSQL dialect, read
// through COPY. The journey's sends and the outcomes are one sorted relation
// of events merge-joined to the entries on the unit (no index probe per
// entry), and the joined rows are ordered on the entry and every event
// column before they are summed, so each sum adds the same values in the
// same order whatever plan PostgreSQL picks. Rows come in key order (ORDER
// BY unit, period), so every replica folds the same rows in the same order
// and their reports agree to the last bit.
//
// A large journey is cut into slices by unit that several connections
// compute at once (PostgresStoreOptions::report_connections): PostgreSQL 15
// runs the statement's correlated refund lookups in no parallel worker
// (docs/performance.md), so one report would otherwise use one core of the
// database server. The connections share the first one's snapshot
// (pg_export_snapshot), and the slices are handed to the caller in key
// order, each in key order: the same rows in the same order as one
// statement over the whole journey.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <pqxx/pqxx>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "lib/storage/analysis_sql.h"
#include "lib/storage/internal/attribute_codec.h"
#include "lib/storage/internal/copy_text.h"
#include "lib/storage/internal/postgres_cancel.h"
#include "lib/storage/internal/postgres_read_session.h"
#include "lib/storage/internal/postgres_slice_bounds.h"
#include "lib/storage/internal/postgres_rows.h"
#include "lib/storage/internal/postgres_status.h"
#include "lib/storage/internal/postgres_store_impl.h"
#include "lib/storage/internal/row_validation.h"
#include "lib/storage/postgres_store.h"

namespace holdfast {
namespace {

using storage_internal::CopyTextRow;
using storage_internal::ReadSession;
using storage_internal::ReadTxn;
using storage_internal::StatusFromCurrentPqxxException;

// Column values of the analysis stream, parsed from COPY's text format with
// absl's parsers (pqxx 6's field::as<double>() goes through a stream and was
// most of the client's ~2 s per 1 M entries, docs/performance.md). Exact:
// PostgreSQL writes the shortest round-trip form of a float8 in COPY as in
// a query result.
bool ParseInt64(absl::string_view text, int64_t* v) { return absl::SimpleAtoi(text, v); }
bool ParseDouble(absl::string_view text, double* v) { return absl::SimpleAtod(text, v); }

std::string SegmentOf(absl::string_view attributes, const std::string& key) {
  if (key.empty()) return "";
  const std::string encoded = storage_internal::FromByteaHex(attributes);
  std::optional<absl::string_view> v = storage_internal::FindAttribute(encoded, key);
  return v.has_value() ? std::string(*v) : std::string();
}

// Rows of the analysis stream between two polls of the caller's CancelCheck
// (as many as one FETCH of the cursor it replaced; StoreAnalysisSource polls
// every 256 rows on its own).
constexpr int64_t kCopyPollRows = 10000;

// Runs `fn` on every row of COPY (`query`) TO STDOUT, one line at a time
// (libpq's PQgetCopyData: client memory stays one row, while the server runs
// ahead of the client by what the socket buffers). COPY rather than a cursor:
// a cursor's server computes a batch only when asked for it, so server and
// client took turns; COPY's query runs to completion on its own, overlapping
// the client's parsing and folding (docs/postgresql.md, "Analysis stream").
// `cancelled` is polled after the first row and every kCopyPollRows rows.
// On an error or cancellation the query is cancelled on the server before
// the stream is closed: pqxx's stream_from reads every remaining line when
// destroyed, which would otherwise let the server finish the whole query.
// The caller then drops the connection (the transaction is aborted).
template <typename Fn>
absl::Status StreamCopy(ReadTxn& txn, pqxx::connection& conn, const std::string& query,
                        size_t columns, const CancelCheck& cancelled, Fn&& fn) {
  // pqxx 6.4's stream_from writes "COPY <table> TO STDOUT" with the name as
  // given (unquoted), which makes "(query)" a COPY of a query; pqxx 7 has
  // stream_from::query for this.
  std::optional<pqxx::stream_from> copy;
  copy.emplace(txn, absl::StrCat("(", query, ")"));
  storage_internal::CopyTextRow row;
  std::string line;
  absl::Status status;
  int64_t n = 0;
  while (copy->get_raw_line(line)) {
    if (n++ % kCopyPollRows == 0 && cancelled && cancelled()) {
      status = absl::CancelledError("report cancelled (caller gone or deadline exceeded)");
      break;
    }
    status = row.Parse(line, columns);
    if (status.ok()) status = fn(row);
    if (!status.ok()) break;
  }
  if (!status.ok()) {
    // The caller's status wins over a failed cancel request (which costs at
    // worst draining the rest of the query).
    try {
      conn.cancel_query();
    } catch (...) {
    }
    copy.reset();  // drains until the server's query_canceled; pqxx records it on the transaction
    return status;
  }
  copy->complete();
  return absl::OkStatus();
}

// One journey's statement: its parameters as literals (COPY takes no bind
// parameters) and what the stream needs to finish each row.
struct JourneyStream {
  const AnalysisQuery* query = nullptr;
  const JourneyWindow* journey = nullptr;
  std::optional<JourneyVersions> versions;
  std::vector<std::string> params;  // AnalysisEntryParams, then the slice's bounds
  bool next_entry_possible = false;
};

// False when the report was cancelled meanwhile (the transaction is then
// aborted). Throws libpqxx exceptions.
bool PrepareJourney(ReadTxn& txn, pqxx::connection& conn, const AnalysisQuery& query,
                    const JourneyWindow& j, JourneyStream* out) {
  out->query = &query;
  out->journey = &j;
  out->versions.emplace(j);
  // Text quoted by the connection's own escaping, numbers as (v)::bigint —
  // the parentheses keep a negative value after a minus from starting a
  // "--" comment, and the cast gives every number the type the bound
  // parameter had (INT64_MIN would otherwise be numeric). The plan is the
  // same: a one-off query is planned with its parameter values either way.
  out->params = storage_internal::AnalysisEntryParams(
      query, j, *out->versions, [&txn](const std::string& v) { return txn.quote(v); },
      [](int64_t v) { return absl::StrCat("(", v, ")::bigint"); });
  // Same REPEATABLE READ snapshot: a journey without any entry of a later
  // period can have no next entry, and skips that lookup.
  bool cancelled = false;
  const pqxx::result next_entry =
      storage_internal::ExecCancellable(txn, conn, query.cancelled, NextEntryPossibleSql(SqlDialect::kPostgres),
                                        {j.journey, std::to_string(query.as_of)}, &cancelled);
  if (cancelled) return false;
  out->next_entry_possible = next_entry.at(0).at(0).as<int64_t>() != 0;
  return true;
}

// The journey's statement over units in [lower, upper) (either bound
// optional), in key order.
absl::StatusOr<std::string> SliceSql(ReadTxn& txn, const JourneyStream& js,
                                     const std::optional<std::string>& lower,
                                     const std::optional<std::string>& upper) {
  AnalysisSlice slice;
  slice.lower = lower.has_value();
  slice.upper = upper.has_value();
  slice.ordered = true;
  std::vector<std::string> params = js.params;
  params.push_back(lower.has_value() ? txn.quote(*lower) : "NULL");
  params.push_back(upper.has_value() ? txn.quote(*upper) : "NULL");
  return storage_internal::InlineSqlParameters(
      AnalysisEntrySql(SqlDialect::kPostgres, js.versions->with_own_windows().size(),
                       js.journey->max_horizon_us, js.next_entry_possible,
                       !js.query->segment_by.empty(), slice),
      params);
}

// A row of AnalysisEntrySql as the entry the report folds (all but journey).
absl::Status ParseEntryRow(const CopyTextRow& row, const JourneyStream& js, AnalysisEntry* e) {
  auto int64_at = [&row](int col, int64_t* v) {
    if (ParseInt64(row[col], v)) return absl::OkStatus();
    return absl::InternalError(absl::StrCat("analysis column ", col, ": not an integer"));
  };
  auto double_at = [&row](int col, double* v) {
    if (ParseDouble(row[col], v)) return absl::OkStatus();
    return absl::InternalError(absl::StrCat("analysis column ", col, ": not a number"));
  };
  int64_t v = 0;
  double y = 0, ry = 0, m = 0, rm = 0;
  e->unit.assign(row[kColUnit].data(), row[kColUnit].size());
  HF_RETURN_IF_ERROR(int64_at(kColGroup, &v));
  e->group = static_cast<EntryGroup>(v);
  e->arm.assign(row[kColArm].data(), row[kColArm].size());
  HF_RETURN_IF_ERROR(int64_at(kColPeriod, &e->period));
  HF_RETURN_IF_ERROR(int64_at(kColT0, &e->t0));
  HF_RETURN_IF_ERROR(int64_at(kColInWashout, &v));
  e->in_washout = v != 0;
  e->segment = SegmentOf(row[kColAttributes], js.query->segment_by);
  e->config_version.assign(row[kColConfigVersion].data(), row[kColConfigVersion].size());
  e->version_known = js.versions->Known(e->config_version);
  HF_RETURN_IF_ERROR(int64_at(kColWindow, &e->window_us));
  HF_RETURN_IF_ERROR(int64_at(kColRefundHorizon, &e->refund_horizon_us));
  e->next_t0.reset();
  if (!row.is_null(kColNextT0)) {
    HF_RETURN_IF_ERROR(int64_at(kColNextT0, &v));
    e->next_t0 = v;
  }
  HF_RETURN_IF_ERROR(double_at(kColY, &y));
  HF_RETURN_IF_ERROR(double_at(kColRefundY, &ry));
  HF_RETURN_IF_ERROR(double_at(kColM, &m));
  HF_RETURN_IF_ERROR(double_at(kColRefundM, &rm));
  e->y = y + ry;
  e->m = m + rm;
  HF_RETURN_IF_ERROR(int64_at(kColX, &v));
  e->x = static_cast<int>(v);
  HF_RETURN_IF_ERROR(double_at(kColZ, &e->z));
  HF_RETURN_IF_ERROR(double_at(kColC, &e->c));
  HF_RETURN_IF_ERROR(int64_at(kColSends, &e->sends));
  HF_RETURN_IF_ERROR(int64_at(kColOrders, &e->orders));
  HF_RETURN_IF_ERROR(int64_at(kColUnsubscribed, &v));
  e->unsubscribed = static_cast<int>(v);
  HF_RETURN_IF_ERROR(int64_at(kColComplained, &v));
  e->complained = static_cast<int>(v);
  HF_RETURN_IF_ERROR(double_at(kColIncentive, &e->incentive));
  e->horizon_events.clear();
  for (const int col : {kColHorizonEvents, kColHorizonRefunds}) {
    if (row.is_null(col)) continue;
    HF_RETURN_IF_ERROR(ParseHorizonEvents(row[col], e));
  }
  FinishAnalysisEntry(js.query->as_of, e);
  return absl::OkStatus();
}

// The most slices per journey.
constexpr size_t kMaxSlices = 1024;

// Bounds cutting journey js's units into slices of about `slice_entries`
// entries (SampleSliceBounds); empty when the journey looks too small to
// cut (fewer than two slices' worth in the sample).
// Sets *cancelled when the query's check fired meanwhile.
std::vector<std::string> SliceBounds(ReadTxn& txn, pqxx::connection& conn, const JourneyStream& js,
                                     int64_t slice_entries, bool* cancelled) {
  return storage_internal::SampleSliceBounds(
      txn, conn, js.query->cancelled, js.journey->journey, js.query->from,
      std::min(js.query->to, js.query->as_of),
      [slice_entries](double estimate) {
        return static_cast<size_t>(
            std::min<double>(kMaxSlices, estimate / static_cast<double>(slice_entries)));
      },
      cancelled);
}

// Parsed entries of one connection's slices, in order, between the
// connection's thread and the caller's: at most `capacity` entries queued.
class SliceChannel {
 public:
  struct Item {
    std::vector<AnalysisEntry> entries;
    bool end_of_slice = false;
    absl::Status status;  // not OK: the connection failed or stopped
  };
  explicit SliceChannel(size_t capacity) : capacity_(capacity) {}

  // Blocks while the queue is full; false when the reader has stopped.
  bool Push(Item item) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return stopped_ || queued_ < capacity_; });
    if (stopped_) return false;
    queued_ += item.entries.size();
    items_.push_back(std::move(item));
    cv_.notify_all();
    return true;
  }
  Item Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !items_.empty(); });
    Item item = std::move(items_.front());
    items_.pop_front();
    queued_ -= item.entries.size();
    cv_.notify_all();
    return item;
  }
  // The reader is gone: wakes a blocked Push, which then gives up.
  void Stop() {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    cv_.notify_all();
  }

 private:
  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> items_;
  size_t queued_ = 0;
  bool stopped_ = false;
};

// Entries handed over per Push.
constexpr size_t kChunkEntries = 512;

// Connection `c` of `n`: computes slices c, c + n, ... of `bounds` and queues
// their entries. Stops (cancelling its statement) when `stop` is set. Any
// failure is queued as the status of the slice it happened in.
void ComputeSlices(ReadSession* session, const JourneyStream& js,
                   const std::vector<std::string>& bounds, size_t c, size_t n,
                   const std::atomic<bool>& stop, SliceChannel* out, bool* failed) {
  const CancelCheck stopped = [&stop] { return stop.load(std::memory_order_relaxed); };
  for (size_t s = c; s <= bounds.size(); s += n) {
    SliceChannel::Item item;
    absl::Status status;
    try {
      std::optional<std::string> lower, upper;
      if (s > 0) lower = bounds[s - 1];
      if (s < bounds.size()) upper = bounds[s];
      absl::StatusOr<std::string> sql = SliceSql(session->txn(), js, lower, upper);
      status = sql.status();
      if (status.ok()) {
        status = StreamCopy(session->txn(), session->connection(), *sql, kNumAnalysisColumns, stopped,
                            [&](const CopyTextRow& row) -> absl::Status {
          item.entries.emplace_back();
          AnalysisEntry& e = item.entries.back();
          e.journey = js.journey->journey;
          HF_RETURN_IF_ERROR(ParseEntryRow(row, js, &e));
          if (item.entries.size() < kChunkEntries) return absl::OkStatus();
          if (!out->Push(std::move(item))) {
            return absl::CancelledError("report stopped");
          }
          item = SliceChannel::Item();
          item.entries.reserve(kChunkEntries);
          return absl::OkStatus();
        });
      }
    } catch (...) {
      status = StatusFromCurrentPqxxException("streaming analysis entries");
    }
    item.end_of_slice = true;
    item.status = status;
    if (!status.ok()) *failed = true;
    if (!out->Push(std::move(item)) || !status.ok()) return;
  }
}

// Journey js over `sessions` (the first is the caller's own), slice by slice.
absl::Status StreamSlices(const std::vector<ReadSession*>& sessions, const JourneyStream& js,
                          const std::vector<std::string>& bounds, int64_t slice_entries,
                          const Store::AnalysisEntryFn& fn, std::vector<bool>* failed) {
  const size_t n = sessions.size();
  std::atomic<bool> stop{false};
  std::vector<std::unique_ptr<SliceChannel>> channels;
  std::vector<std::thread> threads;
  std::unique_ptr<bool[]> thread_failed(new bool[n]());
  for (size_t c = 0; c < n; ++c) {
    channels.push_back(std::make_unique<SliceChannel>(static_cast<size_t>(2 * slice_entries)));
  }
  for (size_t c = 0; c < n; ++c) {
    threads.emplace_back(ComputeSlices, sessions[c], std::cref(js), std::cref(bounds), c, n,
                         std::cref(stop), channels[c].get(), &thread_failed[c]);
  }
  absl::Status status;
  const CancelCheck& cancelled = js.query->cancelled;
  for (size_t s = 0; s <= bounds.size() && status.ok(); ++s) {
    SliceChannel& from = *channels[s % n];
    for (;;) {
      SliceChannel::Item item = from.Pop();
      for (const AnalysisEntry& e : item.entries) {
        status = fn(e);
        if (!status.ok()) break;
      }
      if (status.ok()) status = item.status;
      if (status.ok() && cancelled && cancelled()) {
        status = absl::CancelledError("report cancelled (caller gone or deadline exceeded)");
      }
      if (!status.ok() || item.end_of_slice) break;
    }
  }
  if (!status.ok()) stop.store(true);
  for (auto& ch : channels) ch->Stop();
  for (std::thread& t : threads) t.join();
  for (size_t c = 0; c < n; ++c) {
    // A connection stopped mid-statement is in an aborted transaction.
    if (thread_failed[c] || !status.ok()) (*failed)[c] = true;
  }
  return status;
}

}  // namespace

absl::Status PostgresStore::ForEachAnalysisEntry(const AnalysisQuery& query,
                                                 const AnalysisEntryFn& fn) {
  HF_RETURN_IF_ERROR(storage_internal::ValidateAnalysisQuery(query));
  HF_ASSIGN_OR_RETURN(std::unique_ptr<ReadSession> session, ReadSession::Begin(impl_.get()));
  const PostgresStoreOptions& options = impl_->options;
  // The other connections of a sliced stream, opened on the first journey
  // worth cutting, on this session's snapshot.
  std::vector<std::unique_ptr<ReadSession>> helpers;
  std::vector<bool> failed(static_cast<size_t>(options.report_connections), false);
  absl::Status status;
  try {
    ReadTxn& txn = session->txn();
    std::string snapshot;
    for (const JourneyWindow& j : query.journeys) {
      JourneyStream js;
      if (!PrepareJourney(txn, session->connection(), query, j, &js)) {
        status = absl::CancelledError("report cancelled (caller gone or deadline exceeded)");
        failed[0] = true;
        break;
      }
      std::vector<std::string> bounds;
      if (options.report_connections > 1) {
        bool cancelled = false;
        bounds = SliceBounds(txn, session->connection(), js, options.min_slice_entries, &cancelled);
        if (cancelled) {
          status = absl::CancelledError("report cancelled (caller gone or deadline exceeded)");
          failed[0] = true;
          break;
        }
      }
      if (!bounds.empty() && helpers.empty()) {
        snapshot = txn.exec1("SELECT pg_export_snapshot()")[0].as<std::string>();
        if (options.before_slice_connections) options.before_slice_connections();
        for (int c = 1; c < options.report_connections; ++c) {
          absl::StatusOr<std::unique_ptr<ReadSession>> helper =
              ReadSession::BeginOnSnapshot(impl_.get(), snapshot);
          if (!helper.ok()) {
            status = helper.status();
            break;
          }
          helpers.push_back(*std::move(helper));
        }
        if (!status.ok()) break;
      }
      if (!bounds.empty()) {
        std::vector<ReadSession*> sessions = {session.get()};
        for (auto& h : helpers) sessions.push_back(h.get());
        status = StreamSlices(sessions, js, bounds, options.min_slice_entries, fn, &failed);
        {
          std::lock_guard<std::mutex> lock(impl_->mu);
          ++impl_->stats.sliced_journeys;
          impl_->stats.slices += static_cast<int64_t>(bounds.size()) + 1;
        }
        if (!status.ok()) break;
        continue;
      }
      absl::StatusOr<std::string> sql = SliceSql(txn, js, std::nullopt, std::nullopt);
      if (!sql.ok()) {
        status = sql.status();
        break;
      }
      AnalysisEntry e;
      e.journey = j.journey;
      status = StreamCopy(txn, session->connection(), *sql, kNumAnalysisColumns, query.cancelled,
                          [&](const CopyTextRow& row) -> absl::Status {
        HF_RETURN_IF_ERROR(ParseEntryRow(row, js, &e));
        return fn(e);
      });
      if (!status.ok()) {
        failed[0] = true;
        break;
      }
    }
  } catch (...) {
    status = StatusFromCurrentPqxxException("streaming analysis entries");
    failed[0] = true;
  }
  // A connection whose COPY was cancelled mid-way (or never started) is
  // dropped, not pooled.
  for (size_t c = 1; c <= helpers.size(); ++c) {
    if (failed[c]) helpers[c - 1]->Poison();
  }
  if (failed[0] || !status.ok()) session->Poison();
  return status;
}

}  // namespace holdfast
