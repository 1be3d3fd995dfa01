// The edge where SQLiteCpp exceptions become absl::Status. Nothing above
// lib/storage/internal sees an exception.
#ifndef HOLDFAST_LIB_STORAGE_INTERNAL_SQLITE_STATUS_H_
#define HOLDFAST_LIB_STORAGE_INTERNAL_SQLITE_STATUS_H_

#include <exception>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace holdfast::storage_internal {

// Maps an SQLite result code (primary or extended) to a status code:
//   BUSY, LOCKED, IOERR, CANTOPEN, PROTOCOL -> UNAVAILABLE (retry may work)
//   FULL, NOMEM                             -> RESOURCE_EXHAUSTED
//   CONSTRAINT, MISMATCH, TOOBIG, RANGE     -> INVALID_ARGUMENT (the row)
//   READONLY, PERM, AUTH                    -> FAILED_PRECONDITION
//   CORRUPT, NOTADB                         -> DATA_LOSS
//   INTERRUPT, ABORT                        -> ABORTED
//   anything else                           -> INTERNAL
absl::StatusCode StatusCodeForSqlite(int sqlite_code);

// Converts the exception currently being handled (call only inside a catch
// block) into a status whose message starts with `context`.
absl::Status StatusFromCurrentException(absl::string_view context);

}  // namespace holdfast::storage_internal

#endif  // HOLDFAST_LIB_STORAGE_INTERNAL_SQLITE_STATUS_H_
