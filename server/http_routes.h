// The HTTP/JSON endpoint's routes (docs/api.md, "HTTP/JSON"): each route is
// one gRPC method, named by its full path so the token check
// (server/authorizer.h) and the metrics use the same role table and names as
// gRPC. No gRPC here.
#ifndef HOLDFAST_SERVER_HTTP_ROUTES_H_
#define HOLDFAST_SERVER_HTTP_ROUTES_H_

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace holdfast::server {

struct HttpRoute {
  absl::string_view path;         // "/v1/assign"
  absl::string_view http_method;  // "POST" or "GET"
  // The gRPC method the route calls ("/holdfast.v1.AssignmentService/Assign");
  // for /healthz the health check's, which the role table leaves open.
  absl::string_view grpc_method;
};

// Every route, in the order docs/api.md lists them.
absl::Span<const HttpRoute> AllHttpRoutes();
// The route served at `path`, or null (the request's method is not checked).
const HttpRoute* FindHttpRoute(absl::string_view path);

// The metrics label of an unknown path: every one collapses to it, so a
// scanner cannot grow the label set.
inline constexpr absl::string_view kOtherRouteLabel = "other";

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_HTTP_ROUTES_H_
