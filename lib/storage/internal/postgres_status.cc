#include "lib/storage/internal/postgres_status.h"

#include <new>
#include <stdexcept>

#include <pqxx/except>

#include "absl/strings/str_cat.h"

namespace holdfast::storage_internal {

std::string FirstLineBounded(absl::string_view text) {
  const size_t nl = text.find('\n');
  if (nl != absl::string_view::npos) text = text.substr(0, nl);
  constexpr size_t kMax = 300;
  if (text.size() > kMax) return absl::StrCat(text.substr(0, kMax), "...");
  return std::string(text);
}

absl::StatusCode StatusCodeForSqlState(absl::string_view s) {
  if (s.size() != 5) return absl::StatusCode::kInternal;
  if (s == "53100" || s == "53200") return absl::StatusCode::kResourceExhausted;
  if (s == "42501") return absl::StatusCode::kPermissionDenied;
  if (s == "25006") return absl::StatusCode::kFailedPrecondition;
  // lock_not_available: a lock_timeout (the writer's lock bound) or NOWAIT;
  // the lock's holder will let go, so retry later.
  if (s == "55P03") return absl::StatusCode::kUnavailable;
  const absl::string_view cls = s.substr(0, 2);
  if (cls == "08" || cls == "57" || cls == "53" || cls == "58" || cls == "40") {
    return absl::StatusCode::kUnavailable;
  }
  if (cls == "22" || cls == "23") return absl::StatusCode::kInvalidArgument;
  if (cls == "28") return absl::StatusCode::kPermissionDenied;
  if (cls == "XX") return absl::StatusCode::kDataLoss;
  return absl::StatusCode::kInternal;
}

bool IsRetryableSqlState(absl::string_view s) { return s == "40001" || s == "40P01"; }

std::string CurrentPqxxSqlState() {
  try {
    throw;
  } catch (const pqxx::sql_error& e) {
    if (!e.sqlstate().empty()) return e.sqlstate();
    try {
      throw;
    } catch (const pqxx::insufficient_privilege&) {
      return "42501";
    } catch (const pqxx::out_of_memory&) {
      return "53200";
    } catch (const pqxx::disk_full&) {
      return "53100";
    } catch (const pqxx::insufficient_resources&) {
      return "53000";
    } catch (const pqxx::unique_violation&) {
      return "23505";
    } catch (const pqxx::check_violation&) {
      return "23514";
    } catch (const pqxx::not_null_violation&) {
      return "23502";
    } catch (const pqxx::foreign_key_violation&) {
      return "23503";
    } catch (const pqxx::integrity_constraint_violation&) {
      return "23000";
    } catch (const pqxx::data_exception&) {
      return "22000";
    } catch (const pqxx::undefined_table&) {
      return "42P01";
    } catch (const pqxx::undefined_column&) {
      return "42703";
    } catch (const pqxx::syntax_error&) {
      return "42601";
    } catch (const pqxx::feature_not_supported&) {
      return "0A000";
    } catch (...) {
      return "";
    }
  } catch (const pqxx::deadlock_detected&) {
    return "40P01";
  } catch (const pqxx::serialization_failure&) {
    return "40001";
  } catch (const pqxx::statement_completion_unknown&) {
    return "40003";
  } catch (const pqxx::transaction_rollback&) {
    return "40000";
  } catch (...) {
    return "";
  }
}

absl::Status StatusFromCurrentPqxxException(absl::string_view context) {
  try {
    throw;
  } catch (const pqxx::sql_error& e) {
    const std::string state = CurrentPqxxSqlState();
    return absl::Status(StatusCodeForSqlState(state),
                        absl::StrCat(context, ": postgresql: ", FirstLineBounded(e.what()),
                                     " (SQLSTATE ", state, ")"));
  } catch (const pqxx::transaction_rollback& e) {
    // Deadlock, serialization failure: not a pqxx::sql_error in libpqxx 6.4.
    const std::string state = CurrentPqxxSqlState();
    return absl::Status(StatusCodeForSqlState(state),
                        absl::StrCat(context, ": postgresql: ", FirstLineBounded(e.what()),
                                     " (SQLSTATE ", state, ")"));
  } catch (const pqxx::in_doubt_error& e) {
    // The commit was sent but its answer lost: it may or may not have
    // happened. Writes are idempotent, so the caller's retry is safe.
    return absl::UnavailableError(
        absl::StrCat(context, ": postgresql: commit outcome unknown (connection lost); retry"));
  } catch (const pqxx::broken_connection& e) {
    return absl::UnavailableError(
        absl::StrCat(context, ": postgresql: connection lost: ", FirstLineBounded(e.what())));
  } catch (const pqxx::failure& e) {
    // libpq's own failures that are neither an SQL error nor a broken
    // connection in libpqxx 6.4: a COPY stream or a result lost in transfer
    // (read_copy_line, "Reading of table data failed"). The connection is
    // gone or unusable; the caller's retry on a fresh one is the fix.
    return absl::UnavailableError(
        absl::StrCat(context, ": postgresql: ", FirstLineBounded(e.what())));
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError(absl::StrCat(context, ": out of memory"));
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat(context, ": ", FirstLineBounded(e.what())));
  } catch (...) {
    return absl::InternalError(absl::StrCat(context, ": unknown exception"));
  }
}

}  // namespace holdfast::storage_internal
