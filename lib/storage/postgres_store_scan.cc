// PostgresStore's paged scans (Store::Scan*): keyset pages over each
// table's primary or unique key B-tree (the key columns are COLLATE "C", so
// the order is SQLite's byte order too). Each page is one READ ONLY
// statement on a pooled read connection.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "lib/storage/internal/attribute_codec.h"
#include "lib/storage/internal/postgres_rows.h"
#include "lib/storage/internal/postgres_status.h"
#include "lib/storage/internal/postgres_store_impl.h"
#include "lib/storage/postgres_store.h"

namespace holdfast {
namespace {

using storage_internal::StatusFromCurrentPqxxException;

// Runs `read(txn)` in a READ ONLY transaction on a pooled read connection;
// `what` names the read in errors. The connection is pooled again only
// when the transaction ended cleanly. A pooled connection whose BEGIN finds
// it broken (its server restarted) is replaced, as in ReadSession::Begin.
template <typename Fn>
absl::Status WithReader(PostgresStore::Impl* impl, const char* what, Fn&& read) {
  for (;;) {
    bool pooled = false;
    HF_ASSIGN_OR_RETURN(std::unique_ptr<pqxx::connection> conn, impl->AcquireReader(&pooled));
    std::unique_ptr<pqxx::read_transaction> txn;
    try {
      txn = std::make_unique<pqxx::read_transaction>(*conn);
    } catch (const pqxx::broken_connection&) {
      if (pooled) continue;
      return StatusFromCurrentPqxxException(what);
    } catch (...) {
      return StatusFromCurrentPqxxException(what);
    }
    try {
      read(*txn);
      txn->commit();
    } catch (...) {
      return StatusFromCurrentPqxxException(what);
    }
    txn.reset();
    impl->ReleaseReader(std::move(conn));
    return absl::OkStatus();
  }
}

absl::Status CheckLimit(int limit) {
  if (limit <= 0) return absl::InvalidArgumentError("limit must be > 0");
  return absl::OkStatus();
}

// Pages of a table keyed by one text column: rows with key > $1 (when
// `after` is set), in key order, at most `limit`.
template <typename Row, typename Decode>
absl::StatusOr<std::vector<Row>> ScanByTextKey(PostgresStore::Impl* impl, const char* what,
                                               const std::string& select, const char* key,
                                               const std::optional<std::string>& after, int limit,
                                               Decode&& decode) {
  HF_RETURN_IF_ERROR(CheckLimit(limit));
  std::vector<Row> out;
  HF_RETURN_IF_ERROR(WithReader(impl, what, [&](pqxx::read_transaction& txn) {
    pqxx::result r =
        after.has_value()
            ? txn.exec_params(absl::StrCat(select, " WHERE ", key, " > $1 ORDER BY ", key, " LIMIT $2"),
                              *after, limit)
            : txn.exec_params(absl::StrCat(select, " ORDER BY ", key, " LIMIT $1"), limit);
    out.reserve(r.size());
    for (const pqxx::row& row : r) out.push_back(decode(row));
  }));
  return out;
}

}  // namespace

absl::StatusOr<std::vector<EntryRow>> PostgresStore::ScanEntries(const std::optional<EntryKey>& after,
                                                                int limit) {
  HF_RETURN_IF_ERROR(CheckLimit(limit));
  std::vector<EntryRow> out;
  absl::Status decode_status;
  HF_RETURN_IF_ERROR(WithReader(impl_.get(), "scanning entries", [&](pqxx::read_transaction& txn) {
    constexpr const char kSelect[] =
        "SELECT journey, unit, period, t0, grp, arm, config_version, in_washout, attributes "
        "FROM entries";
    pqxx::result r =
        after.has_value()
            ? txn.exec_params(absl::StrCat(kSelect,
                                           " WHERE (journey, unit, period) > ($1, $2, $3::bigint)"
                                           " ORDER BY journey, unit, period LIMIT $4"),
                              after->journey, after->unit, after->period, limit)
            : txn.exec_params(absl::StrCat(kSelect, " ORDER BY journey, unit, period LIMIT $1"), limit);
    out.reserve(r.size());
    for (const pqxx::row& row : r) {
      EntryRow e;
      e.journey = row[0].as<std::string>();
      e.unit = row[1].as<std::string>();
      e.period = row[2].as<int64_t>();
      e.t0 = row[3].as<int64_t>();
      e.group = static_cast<EntryGroup>(row[4].as<int>());
      e.arm = row[5].as<std::string>();
      e.config_version = row[6].as<std::string>();
      e.in_washout = row[7].as<int>() != 0;
      const std::string encoded = storage_internal::FromByteaHex(row[8].c_str());
      auto decoded = storage_internal::DecodeAttributes(encoded);
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

absl::StatusOr<std::vector<SendRow>> PostgresStore::ScanSends(
    const std::optional<std::string>& after_send_id, int limit) {
  return ScanByTextKey<SendRow>(impl_.get(), "scanning sends",
                                "SELECT send_id, unit, journey, channel, at, cost FROM sends", "send_id",
                                after_send_id, limit, [](const pqxx::row& row) {
                                  return SendRow{row[0].as<std::string>(), row[1].as<std::string>(),
                                                 row[2].as<std::string>(), row[3].as<std::string>(),
                                                 row[4].as<int64_t>(), row[5].as<double>()};
                                });
}

absl::StatusOr<std::vector<OutcomeRow>> PostgresStore::ScanOutcomes(
    const std::optional<std::string>& after_outcome_id, int limit) {
  return ScanByTextKey<OutcomeRow>(
      impl_.get(), "scanning outcomes",
      "SELECT outcome_id, unit, at, type, revenue, margin, order_id, incentive_cost FROM outcomes", "outcome_id",
      after_outcome_id, limit, [](const pqxx::row& row) {
        return OutcomeRow{row[0].as<std::string>(),
                          row[1].as<std::string>(),
                          row[2].as<int64_t>(),
                          static_cast<OutcomeType>(row[3].as<int>()),
                          row[4].as<double>(),
                          row[5].as<double>(),
                          row[6].as<std::string>(),
                          row[7].as<double>()};
      });
}

absl::StatusOr<std::vector<FixedCostRow>> PostgresStore::ScanFixedCosts(
    const std::optional<std::string>& after_cost_id, int limit) {
  return ScanByTextKey<FixedCostRow>(
      impl_.get(), "scanning fixed costs",
      "SELECT cost_id, journey, start, \"end\", amount, category FROM fixed_costs", "cost_id",
      after_cost_id, limit, [](const pqxx::row& row) {
        return FixedCostRow{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<int64_t>(),
                            row[3].as<int64_t>(),     row[4].as<double>(),      row[5].as<std::string>()};
      });
}

absl::StatusOr<std::vector<CustomerRow>> PostgresStore::ScanCustomers(
    const std::optional<std::string>& after_unit, int limit) {
  return ScanByTextKey<CustomerRow>(impl_.get(), "scanning customers",
                                    "SELECT unit, first_seen FROM customers", "unit", after_unit, limit,
                                    [](const pqxx::row& row) {
                                      return CustomerRow{row[0].as<std::string>(), row[1].as<int64_t>()};
                                    });
}

}  // namespace holdfast
