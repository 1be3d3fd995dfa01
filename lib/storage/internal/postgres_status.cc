#include "lib/storage/internal/postgres_status.h"

#include <new>
#include <stdexcept>

#include <pqxx/except>

#include "absl/strings/str_cat.h"

namespace holdfast::storage_internal {
namespace {

std::string FirstLineBounded(absl::string_view text) {
  const size_t nl = text.find('\n');
  if (nl != absl::string_view::npos) text = text.substr(0, nl);
  constexpr size_t kMax = 300;
  if (text.size() > kMax) return absl::StrCat(text.substr(0, kMax), "...");
  return std::string(text);
}

}  // namespace

absl::StatusCode StatusCodeForSqlState(absl::string_view s) {
  if (s.size() != 5) return absl::StatusCode::kInternal;
  if (s == "53100" || s == "53200") return absl::StatusCode::kResourceExhausted;
  if (s == "42501") return absl::StatusCode::kPermissionDenied;
  if (s == "25006") return absl::StatusCode::kFailedPrecondition;
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

absl::Status StatusFromCurrentPqxxException(absl::string_view context) {
  try {
    throw;
  } catch (const pqxx::sql_error& e) {
    const std::string state = e.sqlstate();
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
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError(absl::StrCat(context, ": out of memory"));
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat(context, ": ", FirstLineBounded(e.what())));
  } catch (...) {
    return absl::InternalError(absl::StrCat(context, ": unknown exception"));
  }
}

}  // namespace holdfast::storage_internal
