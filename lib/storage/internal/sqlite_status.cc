#include "lib/storage/internal/sqlite_status.h"

#include <new>
#include <stdexcept>

#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

#include "absl/strings/str_cat.h"

namespace holdfast::storage_internal {

absl::StatusCode StatusCodeForSqlite(int sqlite_code) {
  switch (sqlite_code & 0xff) {  // primary code of an extended code
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
      return absl::StatusCode::kUnavailable;
    case SQLITE_FULL:
    case SQLITE_NOMEM:
      return absl::StatusCode::kResourceExhausted;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
      return absl::StatusCode::kInvalidArgument;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return absl::StatusCode::kFailedPrecondition;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::StatusCode::kDataLoss;
    case SQLITE_INTERRUPT:
    case SQLITE_ABORT:
      return absl::StatusCode::kAborted;
    default:
      return absl::StatusCode::kInternal;
  }
}

absl::Status StatusFromCurrentException(absl::string_view context) {
  try {
    throw;
  } catch (const SQLite::Exception& e) {
    int code = e.getExtendedErrorCode();
    if (code <= 0) code = e.getErrorCode();
    // SQLiteCpp reports its own misuse (e.g. a bad column index) with -1.
    absl::StatusCode status_code =
        code < 0 ? absl::StatusCode::kInternal : StatusCodeForSqlite(code);
    return absl::Status(status_code, absl::StrCat(context, ": sqlite: ", e.what(),
                                                  " (code ", code, ")"));
  } catch (const std::bad_alloc& e) {
    return absl::ResourceExhaustedError(absl::StrCat(context, ": out of memory"));
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat(context, ": ", e.what()));
  } catch (...) {
    return absl::InternalError(absl::StrCat(context, ": unknown exception"));
  }
}

}  // namespace holdfast::storage_internal
