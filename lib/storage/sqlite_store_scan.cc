// SqliteStore's paged scans (Store::Scan*): keyset pages over each table's
// primary or unique key index ("scrolling window" row-value queries, so a
// page costs one index range however deep into the table it starts). Each
// page is one read transaction on a pooled read connection.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "lib/base/status_macros.h"
#include "lib/storage/internal/attribute_codec.h"
#include "lib/storage/internal/sqlite_status.h"
#include "lib/storage/internal/sqlite_store_impl.h"
#include "lib/storage/sqlite_store.h"

namespace holdfast {
namespace {

using storage_internal::StatusFromCurrentException;

// Runs `read` on a pooled read connection inside one read transaction;
// `what` names the read in errors.
template <typename Fn>
absl::Status WithReader(SqliteStore::Impl* impl, const char* what, Fn&& read) {
  HF_ASSIGN_OR_RETURN(std::unique_ptr<SQLite::Database> db, impl->AcquireReader());
  try {
    db->exec("BEGIN");
    read(*db);
    db->exec("COMMIT");
  } catch (...) {
    // The connection may be mid-transaction: dropped, not pooled.
    return StatusFromCurrentException(what);
  }
  impl->ReleaseReader(std::move(db));
  return absl::OkStatus();
}

absl::Status CheckLimit(int limit) {
  if (limit <= 0) return absl::InvalidArgumentError("limit must be > 0");
  return absl::OkStatus();
}

std::string Text(SQLite::Statement& q, int col) { return q.getColumn(col).getString(); }

// Pages of a table keyed by one text column: rows with key > ?1 (when
// `after` is set), in key order, at most `limit`.
template <typename Row, typename Decode>
absl::StatusOr<std::vector<Row>> ScanByTextKey(SqliteStore::Impl* impl, const char* what,
                                               const std::string& select, const char* key,
                                               const std::optional<std::string>& after, int limit,
                                               Decode&& decode) {
  HF_RETURN_IF_ERROR(CheckLimit(limit));
  std::vector<Row> out;
  const std::string sql =
      absl::StrCat(select, after.has_value() ? absl::StrCat(" WHERE ", key, " > ?1") : "", " ORDER BY ",
                   key, " LIMIT ?2");
  HF_RETURN_IF_ERROR(WithReader(impl, what, [&](SQLite::Database& db) {
    SQLite::Statement q(db, sql);
    if (after.has_value()) q.bindNoCopy(1, *after);
    q.bind(2, limit);
    while (q.executeStep()) out.push_back(decode(q));
  }));
  return out;
}

}  // namespace

absl::StatusOr<std::vector<EntryRow>> SqliteStore::ScanEntries(const std::optional<EntryKey>& after,
                                                              int limit) {
  HF_RETURN_IF_ERROR(CheckLimit(limit));
  std::vector<EntryRow> out;
  absl::Status decode_status;
  HF_RETURN_IF_ERROR(WithReader(impl_.get(), "scanning entries", [&](SQLite::Database& db) {
    SQLite::Statement q(
        db, absl::StrCat("SELECT journey, unit, period, t0, grp, arm, config_version, in_washout, "
                         "attributes FROM entries",
                         after.has_value() ? " WHERE (journey, unit, period) > (?1, ?2, ?3)" : "",
                         " ORDER BY journey, unit, period LIMIT ?4"));
    if (after.has_value()) {
      q.bindNoCopy(1, after->journey);
      q.bindNoCopy(2, after->unit);
      q.bind(3, static_cast<int64_t>(after->period));
    }
    q.bind(4, limit);
    while (q.executeStep()) {
      EntryRow e;
      e.journey = Text(q, 0);
      e.unit = Text(q, 1);
      e.period = q.getColumn(2).getInt64();
      e.t0 = q.getColumn(3).getInt64();
      e.group = static_cast<EntryGroup>(q.getColumn(4).getInt());
      e.arm = Text(q, 5);
      e.config_version = Text(q, 6);
      e.in_washout = q.getColumn(7).getInt() != 0;
      const SQLite::Column attrs = q.getColumn(8);
      auto decoded = storage_internal::DecodeAttributes(
          absl::string_view(static_cast<const char*>(attrs.getBlob()), attrs.getBytes()));
      if (!decoded.has_value()) {
        decode_status = absl::DataLossError(absl::StrCat(
            "entries: malformed attributes in the entry of journey '", e.journey.substr(0, 64),
            "' unit '", e.unit.substr(0, 64), "' period ", e.period));
        return;
      }
      e.attributes = std::move(*decoded);
      out.push_back(std::move(e));
    }
  }));
  HF_RETURN_IF_ERROR(decode_status);
  return out;
}

absl::StatusOr<std::vector<SendRow>> SqliteStore::ScanSends(const std::optional<std::string>& after_send_id,
                                                           int limit) {
  return ScanByTextKey<SendRow>(impl_.get(), "scanning sends",
                                "SELECT send_id, unit, journey, channel, at, cost FROM sends", "send_id",
                                after_send_id, limit, [](SQLite::Statement& q) {
                                  return SendRow{Text(q, 0), Text(q, 1), Text(q, 2), Text(q, 3),
                                                 q.getColumn(4).getInt64(), q.getColumn(5).getDouble()};
                                });
}

absl::StatusOr<std::vector<OutcomeRow>> SqliteStore::ScanOutcomes(
    const std::optional<std::string>& after_outcome_id, int limit) {
  return ScanByTextKey<OutcomeRow>(
      impl_.get(), "scanning outcomes",
      "SELECT outcome_id, unit, at, type, revenue, margin, order_id, incentive_cost FROM outcomes", "outcome_id",
      after_outcome_id, limit, [](SQLite::Statement& q) {
        return OutcomeRow{Text(q, 0),
                          Text(q, 1),
                          q.getColumn(2).getInt64(),
                          static_cast<OutcomeType>(q.getColumn(3).getInt()),
                          q.getColumn(4).getDouble(),
                          q.getColumn(5).getDouble(),
                          Text(q, 6),
                          q.getColumn(7).getDouble()};
      });
}

absl::StatusOr<std::vector<FixedCostRow>> SqliteStore::ScanFixedCosts(
    const std::optional<std::string>& after_cost_id, int limit) {
  return ScanByTextKey<FixedCostRow>(
      impl_.get(), "scanning fixed costs",
      "SELECT cost_id, journey, start, \"end\", amount, category FROM fixed_costs", "cost_id", after_cost_id,
      limit, [](SQLite::Statement& q) {
        return FixedCostRow{Text(q, 0), Text(q, 1), q.getColumn(2).getInt64(), q.getColumn(3).getInt64(),
                            q.getColumn(4).getDouble(), Text(q, 5)};
      });
}

absl::StatusOr<std::vector<CustomerRow>> SqliteStore::ScanCustomers(
    const std::optional<std::string>& after_unit, int limit) {
  return ScanByTextKey<CustomerRow>(impl_.get(), "scanning customers",
                                    "SELECT unit, first_seen FROM customers", "unit", after_unit, limit,
                                    [](SQLite::Statement& q) {
                                      return CustomerRow{Text(q, 0), q.getColumn(1).getInt64()};
                                    });
}

}  // namespace holdfast
