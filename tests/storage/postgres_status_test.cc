// libpqxx exceptions map to the status codes documented in
// lib/storage/internal/postgres_status.h — including the typed exceptions
// libpqxx 6.4 throws without a SQLSTATE (deadlock, insufficient privilege),
// which must still be retried or reported by their class.
#include "lib/storage/internal/postgres_status.h"

#include <functional>
#include <string>

#include <pqxx/except>

#include "gtest/gtest.h"

namespace holdfast::storage_internal {
namespace {

struct Caught {
  std::string sqlstate;
  absl::Status status;
};

Caught Catch(const std::function<void()>& thrower) {
  try {
    thrower();
  } catch (...) {
    return {CurrentPqxxSqlState(), StatusFromCurrentPqxxException("ctx")};
  }
  ADD_FAILURE() << "nothing thrown";
  return {};
}

TEST(PostgresStatusTest, TypedExceptionsWithoutSqlStateKeepTheirClass) {
  Caught deadlock = Catch([] { throw pqxx::deadlock_detected("deadlock detected"); });
  EXPECT_EQ(deadlock.sqlstate, "40P01");
  EXPECT_TRUE(IsRetryableSqlState(deadlock.sqlstate));
  EXPECT_EQ(deadlock.status.code(), absl::StatusCode::kUnavailable) << deadlock.status;

  Caught serialization = Catch([] { throw pqxx::serialization_failure("could not serialize"); });
  EXPECT_EQ(serialization.sqlstate, "40001");
  EXPECT_TRUE(IsRetryableSqlState(serialization.sqlstate));

  Caught privilege = Catch([] { throw pqxx::insufficient_privilege("permission denied for schema public"); });
  EXPECT_EQ(privilege.sqlstate, "42501");
  EXPECT_FALSE(IsRetryableSqlState(privilege.sqlstate));
  EXPECT_EQ(privilege.status.code(), absl::StatusCode::kPermissionDenied) << privilege.status;
  EXPECT_NE(privilege.status.message().find("(SQLSTATE 42501)"), absl::string_view::npos);

  EXPECT_EQ(Catch([] { throw pqxx::unique_violation("dup"); }).status.code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Catch([] { throw pqxx::disk_full("full"); }).status.code(),
            absl::StatusCode::kResourceExhausted);
}

TEST(PostgresStatusTest, ServerSqlStateWinsAndOtherErrorsHaveNone) {
  Caught coded = Catch([] { throw pqxx::sql_error("read only", "INSERT", "25006"); });
  EXPECT_EQ(coded.sqlstate, "25006");
  EXPECT_EQ(coded.status.code(), absl::StatusCode::kFailedPrecondition);
  Caught broken = Catch([] { throw pqxx::broken_connection("gone"); });
  EXPECT_EQ(broken.sqlstate, "");
  EXPECT_EQ(broken.status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Catch([] { throw std::runtime_error("x"); }).sqlstate, "");
}

// libpqxx 6.4's read_copy_line throws a bare pqxx::failure when the server
// goes away mid-COPY: that is a lost connection (retry), not a bug.
TEST(PostgresStatusTest, FailureOutsideAnSqlErrorIsUnavailableAndOtherExceptionsInternal) {
  Caught copy = Catch([] {
    throw pqxx::failure("Reading of table data failed: server closed the connection unexpectedly");
  });
  EXPECT_EQ(copy.status.code(), absl::StatusCode::kUnavailable) << copy.status;
  EXPECT_NE(copy.status.message().find("Reading of table data failed"), absl::string_view::npos);
  EXPECT_EQ(Catch([] { throw pqxx::conversion_error("bad int"); }).status.code(),
            absl::StatusCode::kInternal);
  EXPECT_EQ(Catch([] { throw std::runtime_error("x"); }).status.code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace holdfast::storage_internal
