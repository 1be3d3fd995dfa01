// The edge where libpqxx exceptions become absl::Status. Nothing above
// lib/storage/internal sees an exception.
#ifndef HOLDFAST_LIB_STORAGE_INTERNAL_POSTGRES_STATUS_H_
#define HOLDFAST_LIB_STORAGE_INTERNAL_POSTGRES_STATUS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace holdfast::storage_internal {

// Maps a SQLSTATE (5 characters) to a status code by its class:
//   08 connection, 57 operator intervention, 53 resources, 58 system,
//   40 transaction rollback (deadlock, serialization)  -> UNAVAILABLE (retry)
//   53100 disk full, 53200 out of memory               -> RESOURCE_EXHAUSTED
//   22 data exception, 23 integrity constraint         -> INVALID_ARGUMENT
//   28 authorization, 42501 insufficient privilege     -> PERMISSION_DENIED
//   25006 read-only transaction                        -> FAILED_PRECONDITION
//   XX internal error (incl. data corruption)          -> DATA_LOSS
//   anything else                                      -> INTERNAL
absl::StatusCode StatusCodeForSqlState(absl::string_view sqlstate);

// True for SQLSTATEs where re-running the same transaction may succeed
// (deadlock detected, serialization failure).
bool IsRetryableSqlState(absl::string_view sqlstate);

// The SQLSTATE of the exception currently being handled (call only inside
// a catch block), "" when it is not a server error. libpqxx 6.4 throws its
// typed exceptions (pqxx::deadlock_detected, pqxx::insufficient_privilege,
// ...) without the SQLSTATE, and its transaction_rollback family is not
// even a pqxx::sql_error, so the class is rebuilt from the exception type
// when the server's code is missing.
std::string CurrentPqxxSqlState();

// Converts the exception currently being handled (call only inside a catch
// block) into a status whose message starts with `context`. The server's
// message is cut to its first line and 300 bytes: PostgreSQL details can
// quote whole rows, and messages must never echo unbounded input.
absl::Status StatusFromCurrentPqxxException(absl::string_view context);

// `text` cut to its first line and 300 bytes (with "..." when cut).
std::string FirstLineBounded(absl::string_view text);

}  // namespace holdfast::storage_internal

#endif  // HOLDFAST_LIB_STORAGE_INTERNAL_POSTGRES_STATUS_H_
