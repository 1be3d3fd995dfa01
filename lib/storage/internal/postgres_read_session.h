// PostgresStore's read sessions and the text-protocol column parsers every
// read path shares (the entry stream, the analysis cells, the scans).
#ifndef HOLDFAST_LIB_STORAGE_INTERNAL_POSTGRES_READ_SESSION_H_
#define HOLDFAST_LIB_STORAGE_INTERNAL_POSTGRES_READ_SESSION_H_

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <pqxx/pqxx>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "lib/base/status_macros.h"
#include "lib/storage/analysis.h"
#include "lib/storage/analysis_sql.h"
#include "lib/storage/internal/postgres_status.h"
#include "lib/storage/internal/postgres_store_impl.h"
#include "lib/storage/postgres_store.h"

namespace holdfast::storage_internal {

using ReadTxn = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;

// A pooled connection with an open snapshot; the connection goes back to
// the pool only when the transaction ended cleanly.
class ReadSession {
 public:
  // A pooled connection may have died with its server (a restart, an
  // administrator's pg_terminate_backend) without libpq knowing: its BEGIN
  // fails as a broken connection. Nothing has run yet, so the session is
  // begun again on the next pooled or a new connection; each retry uses up
  // one pooled connection, and a new one that fails is the error.
  static absl::StatusOr<std::unique_ptr<ReadSession>> Begin(PostgresStore::Impl* impl) {
    for (;;) {
      bool pooled = false;
      HF_ASSIGN_OR_RETURN(std::unique_ptr<pqxx::connection> conn, impl->AcquireReader(&pooled));
      auto session = std::unique_ptr<ReadSession>(new ReadSession(impl, std::move(conn)));
      try {
        session->txn_ = std::make_unique<ReadTxn>(*session->conn_);
        // Every cursor here is read to the end: plan for all rows, not the first.
        // No JIT: the analysis query's per-row subplans make PostgreSQL 15's
        // cost model compile it (inlining and optimization included), which
        // took ~2 s of a 200,000-entry report and made it 1.5x slower
        // (docs/performance.md, "Reports on PostgreSQL").
        session->txn_->exec("SET LOCAL cursor_tuple_fraction = 1.0; SET LOCAL jit = off");
        return session;
      } catch (const pqxx::broken_connection&) {
        session->Poison();
        if (pooled) continue;
        return StatusFromCurrentPqxxException("beginning read transaction");
      } catch (...) {
        session->Poison();
        return StatusFromCurrentPqxxException("beginning read transaction");
      }
    }
  }
  // A session on the snapshot another session exported (pg_export_snapshot;
  // valid while that session's transaction is open): the same rows.
  static absl::StatusOr<std::unique_ptr<ReadSession>> BeginOnSnapshot(PostgresStore::Impl* impl,
                                                                       const std::string& snapshot) {
    HF_ASSIGN_OR_RETURN(std::unique_ptr<ReadSession> session, Begin(impl));
    try {
      // Before the transaction's first query (SET LOCAL is none).
      session->txn_->exec(absl::StrCat("SET TRANSACTION SNAPSHOT ", session->txn_->quote(snapshot)));
    } catch (...) {
      session->Poison();
      return StatusFromCurrentPqxxException("importing the report's snapshot");
    }
    return session;
  }
  ~ReadSession() {
    if (conn_ == nullptr) return;
    try {
      if (txn_ != nullptr) txn_->commit();
      txn_.reset();
    } catch (...) {
      return;  // a connection in an unknown state is dropped, not pooled
    }
    impl_->ReleaseReader(std::move(conn_));
  }
  ReadTxn& txn() { return *txn_; }
  pqxx::connection& connection() { return *conn_; }
  // Drops the connection instead of pooling it (after an error).
  void Poison() {
    txn_.reset();
    conn_.reset();
  }

 private:
  ReadSession(PostgresStore::Impl* impl, std::unique_ptr<pqxx::connection> conn)
      : impl_(impl), conn_(std::move(conn)) {}
  PostgresStore::Impl* impl_;
  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<ReadTxn> txn_;
};

// Column values of the analysis stream, parsed from the text protocol with
// absl's parsers: pqxx 6's field::as<double>() goes through a stream and was
// most of the client's ~2 s per 1 M entries (docs/performance.md). Exact
// (PostgreSQL sends the shortest round-trip form of a float8); a value that
// does not parse throws like as<>() does.
inline absl::string_view TextOf(const pqxx::field& f) { return absl::string_view(f.c_str(), f.size()); }
inline int64_t Int64Of(const pqxx::field& f) {
  int64_t v = 0;
  if (!absl::SimpleAtoi(TextOf(f), &v)) {
    throw pqxx::conversion_error(absl::StrCat("column ", f.num(), ": not an integer"));
  }
  return v;
}
inline double DoubleOf(const pqxx::field& f) {
  double v = 0;
  if (!absl::SimpleAtod(TextOf(f), &v)) {
    throw pqxx::conversion_error(absl::StrCat("column ", f.num(), ": not a number"));
  }
  return v;
}
inline void AssignText(const pqxx::field& f, std::string* out) { out->assign(f.c_str(), f.size()); }

// AnalysisEntrySql's parameters of journey `j` (AnalysisParam order), each
// formatted by `text` (journey, config versions) or `num` (times, windows):
// bound as text for a statement, inlined as literals for COPY.
template <typename Text, typename Num>
std::vector<std::string> AnalysisEntryParams(const AnalysisQuery& query, const JourneyWindow& j,
                                             const JourneyVersions& versions, Text&& text,
                                             Num&& num) {
  const std::vector<const VersionWindow*>& own = versions.with_own_windows();
  std::vector<std::string> params(kAnalysisParamFirstVersion - 1 + 4 * own.size());
  params[kAnalysisParamJourney - 1] = text(j.journey);
  params[kAnalysisParamFrom - 1] = num(query.from);
  params[kAnalysisParamTo - 1] = num(std::min(query.to, query.as_of));
  params[kAnalysisParamAsOf - 1] = num(query.as_of);
  params[kAnalysisParamWindow - 1] = num(j.attribution_window_us);
  params[kAnalysisParamPrePeriod - 1] = num(j.pre_period_us);
  params[kAnalysisParamRefundHorizon - 1] = num(j.refund_horizon_us);
  for (size_t k = 0; k < own.size(); ++k) {
    const size_t b = kAnalysisParamFirstVersion - 1 + 4 * k;
    params[b] = text(own[k]->config_version);
    params[b + 1] = num(own[k]->attribution_window_us);
    params[b + 2] = num(own[k]->pre_period_us);
    params[b + 3] = num(own[k]->refund_horizon_us);
  }
  return params;
}

}  // namespace holdfast::storage_internal

#endif  // HOLDFAST_LIB_STORAGE_INTERNAL_POSTGRES_READ_SESSION_H_
