// The HTTP status table of docs/api.md ("HTTP/JSON"), the error body, and the
// route table's names against the role table.
#include <string>

#include <gtest/gtest.h>

#include "server/http_routes.h"
#include "server/http_status.h"
#include "server/method_roles.h"

namespace holdfast::server {
namespace {

TEST(HttpStatusTest, EveryCodeMapsAsDocumented) {
  const struct {
    absl::StatusCode code;
    int http;
    const char* name;
  } kTable[] = {
      {absl::StatusCode::kOk, 200, "OK"},
      {absl::StatusCode::kCancelled, 499, "CANCELLED"},
      {absl::StatusCode::kUnknown, 500, "UNKNOWN"},
      {absl::StatusCode::kInvalidArgument, 400, "INVALID_ARGUMENT"},
      {absl::StatusCode::kDeadlineExceeded, 504, "DEADLINE_EXCEEDED"},
      {absl::StatusCode::kNotFound, 404, "NOT_FOUND"},
      {absl::StatusCode::kAlreadyExists, 409, "ALREADY_EXISTS"},
      {absl::StatusCode::kPermissionDenied, 403, "PERMISSION_DENIED"},
      {absl::StatusCode::kResourceExhausted, 429, "RESOURCE_EXHAUSTED"},
      {absl::StatusCode::kFailedPrecondition, 400, "FAILED_PRECONDITION"},
      {absl::StatusCode::kAborted, 409, "ABORTED"},
      {absl::StatusCode::kOutOfRange, 400, "OUT_OF_RANGE"},
      {absl::StatusCode::kUnimplemented, 501, "UNIMPLEMENTED"},
      {absl::StatusCode::kInternal, 500, "INTERNAL"},
      {absl::StatusCode::kUnavailable, 503, "UNAVAILABLE"},
      {absl::StatusCode::kDataLoss, 500, "DATA_LOSS"},
      {absl::StatusCode::kUnauthenticated, 401, "UNAUTHENTICATED"},
  };
  for (const auto& row : kTable) {
    EXPECT_EQ(HttpStatusOf(row.code), row.http) << row.name;
    EXPECT_EQ(StatusCodeName(row.code), row.name);
  }
}

TEST(HttpStatusTest, ErrorBodyIsJsonWithTheMessageEscaped) {
  EXPECT_EQ(ErrorBody(absl::InvalidArgumentError("unit: must not be empty")),
            R"({"code":"INVALID_ARGUMENT","message":"unit: must not be empty"})");
  EXPECT_EQ(ErrorBody(absl::NotFoundError("journey: 'a\"b\\c' is not configured\n\x01")),
            R"({"code":"NOT_FOUND","message":"journey: 'a\"b\\c' is not configured\n\u0001"})");
}

TEST(HttpRoutesTest, EveryRouteCallsAMethodOfTheRoleTable) {
  for (const HttpRoute& route : AllHttpRoutes()) {
    const MethodAccess* access = FindMethodAccess(route.grpc_method);
    ASSERT_NE(access, nullptr) << route.path << " calls " << route.grpc_method;
    EXPECT_TRUE(route.http_method == "GET" || route.http_method == "POST") << route.path;
    EXPECT_EQ(FindHttpRoute(route.path), &route);
  }
  // Only health is open, as for gRPC.
  EXPECT_EQ(FindMethodAccess(FindHttpRoute("/healthz")->grpc_method)->kind, MethodAccess::Kind::kOpen);
  EXPECT_EQ(FindMethodAccess(FindHttpRoute("/v1/assign")->grpc_method)->kind, MethodAccess::Kind::kRoles);
  EXPECT_EQ(FindHttpRoute("/v1/assign/"), nullptr);
  EXPECT_EQ(FindHttpRoute("/V1/ASSIGN"), nullptr);
}

}  // namespace
}  // namespace holdfast::server
