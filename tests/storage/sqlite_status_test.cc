// SQLite result codes map to the status codes documented in
// lib/storage/internal/sqlite_status.h, for primary and extended codes.
#include "lib/storage/internal/sqlite_status.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

#include "gtest/gtest.h"

namespace holdfast::storage_internal {
namespace {

TEST(SqliteStatusTest, CodesMapAsDocumented) {
  struct Case {
    int sqlite_code;
    absl::StatusCode want;
  };
  const Case cases[] = {
      {SQLITE_BUSY, absl::StatusCode::kUnavailable},
      {SQLITE_BUSY_SNAPSHOT, absl::StatusCode::kUnavailable},
      {SQLITE_LOCKED, absl::StatusCode::kUnavailable},
      {SQLITE_IOERR_FSYNC, absl::StatusCode::kUnavailable},
      {SQLITE_CANTOPEN, absl::StatusCode::kUnavailable},
      {SQLITE_FULL, absl::StatusCode::kResourceExhausted},
      {SQLITE_NOMEM, absl::StatusCode::kResourceExhausted},
      {SQLITE_CONSTRAINT_CHECK, absl::StatusCode::kInvalidArgument},
      {SQLITE_CONSTRAINT_TRIGGER, absl::StatusCode::kInvalidArgument},
      {SQLITE_TOOBIG, absl::StatusCode::kInvalidArgument},
      {SQLITE_READONLY, absl::StatusCode::kFailedPrecondition},
      {SQLITE_CORRUPT, absl::StatusCode::kDataLoss},
      {SQLITE_NOTADB, absl::StatusCode::kDataLoss},
      {SQLITE_INTERRUPT, absl::StatusCode::kAborted},
      {SQLITE_ERROR, absl::StatusCode::kInternal},
      {SQLITE_MISUSE, absl::StatusCode::kInternal},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(StatusCodeForSqlite(c.sqlite_code), c.want) << "sqlite code " << c.sqlite_code;
  }
}

TEST(SqliteStatusTest, CaughtExceptionKeepsContextAndCode) {
  absl::Status s;
  try {
    SQLite::Database db(":memory:", SQLite::OPEN_READWRITE);
    db.exec("CREATE TABLE t (x INTEGER CHECK (x > 0))");
    db.exec("INSERT INTO t VALUES (-1)");
  } catch (...) {
    s = StatusFromCurrentException("inserting");
  }
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_EQ(s.message().substr(0, 9), "inserting");
}

}  // namespace
}  // namespace holdfast::storage_internal
