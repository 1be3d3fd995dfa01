// Which backend a store URI names, and the URI fit for logs.
//
// One place decides this, so that a value meant for PostgreSQL (a libpq
// key=value string, an upper-case scheme, `postgres:` without `//`) is
// refused with INVALID_ARGUMENT instead of quietly becoming a SQLite file
// of that name, and so that no error or log line repeats a password.
#ifndef HOLDFAST_LIB_STORAGE_STORE_URI_H_
#define HOLDFAST_LIB_STORAGE_STORE_URI_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace holdfast {

struct StoreUri {
  enum class Kind { kSqlite, kPostgres };
  Kind kind = Kind::kSqlite;
  // kSqlite: the file path. kPostgres: the libpq connection URI, its scheme
  // in lower case (libpq only knows the lower-case spelling).
  std::string target;
};

// Classifies `uri` (docs/postgresql.md, "Store URIs: what is refused"):
//   sqlite:PATH                          always a SQLite file (no guessing)
//   postgresql://… or postgres://…       (scheme in any case) PostgreSQL;
//                                        must parse as a libpq URI
//   PATH                                 a SQLite file, unless it is a libpq
//                                        key=value string, begins
//                                        `postgres[ql]:` without `//`, or
//                                        names another `scheme://`
// INVALID_ARGUMENT otherwise, with a reason that never repeats the value's
// query or password.
absl::StatusOr<StoreUri> ParseStoreUri(const std::string& uri);

// `uri` fit for logs and errors: in a PostgreSQL URI the userinfo password
// and the value of every query parameter whose (percent-decoded) name ends
// in "password" or does not decode become "***"; a libpq key=value string
// is rewritten from its parsed options with the same rule. Anything else is
// returned as given (a file path).
std::string RedactStoreUri(const std::string& uri);

// libpq's error text without anything of the value it quotes (a quoted part
// stays only when it is shaped like a parameter name), one line, bounded.
std::string SanitizedLibpqError(absl::string_view error);

// A libpq parameter and the value the store gives it when the URI (or, for
// those libpq reads from one, its environment variable) does not.
struct ConnectionDefault {
  const char* keyword;
  const char* value;
  const char* env;  // libpq's environment variable for it, or nullptr
};

// `pg_uri` (a libpq connection URI that parses) with `defaults` appended as
// query parameters, each only when neither the URI nor its environment
// variable sets it.
std::string WithConnectionDefaults(const std::string& pg_uri,
                                   const std::vector<ConnectionDefault>& defaults);

}  // namespace holdfast

#endif  // HOLDFAST_LIB_STORAGE_STORE_URI_H_
