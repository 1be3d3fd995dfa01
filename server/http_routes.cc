#include "server/http_routes.h"

namespace holdfast::server {
namespace {

constexpr HttpRoute kRoutes[] = {
    {"/v1/assign", "POST", "/holdfast.v1.AssignmentService/Assign"},
    {"/v1/batch_assign", "POST", "/holdfast.v1.AssignmentService/BatchAssign"},
    {"/v1/entries", "POST", "/holdfast.v1.EventService/RecordEntries"},
    {"/v1/sends", "POST", "/holdfast.v1.EventService/RecordSends"},
    {"/v1/outcomes", "POST", "/holdfast.v1.EventService/RecordOutcomes"},
    {"/v1/journeys", "GET", "/holdfast.v1.AssignmentService/ListJourneys"},
    // Load balancers probe without credentials, as they do gRPC's health check.
    {"/healthz", "GET", "/grpc.health.v1.Health/Check"},
};

}  // namespace

absl::Span<const HttpRoute> AllHttpRoutes() { return kRoutes; }

const HttpRoute* FindHttpRoute(absl::string_view path) {
  for (const HttpRoute& r : kRoutes) {
    if (r.path == path) return &r;
  }
  return nullptr;
}

}  // namespace holdfast::server
