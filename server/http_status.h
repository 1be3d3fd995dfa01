// Status codes on the HTTP/JSON endpoint: the one mapping from absl/gRPC
// codes to HTTP statuses (docs/api.md shows the same table), and the error
// body every failed request gets:
//
//   {"code":"INVALID_ARGUMENT","message":"unit: must not be empty"}
//
// The mapping is the one Google's APIs and grpc-gateway use, so a client
// written against either reads ours the same way. No gRPC here.
#ifndef HOLDFAST_SERVER_HTTP_STATUS_H_
#define HOLDFAST_SERVER_HTTP_STATUS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace holdfast::server {

// The HTTP status for `code` (OK → 200, INVALID_ARGUMENT → 400, ...).
int HttpStatusOf(absl::StatusCode code);

// "INVALID_ARGUMENT" and the like: the gRPC name of `code`.
absl::string_view StatusCodeName(absl::StatusCode code);

// The JSON error body for a failed `status`. The message is written as the
// service gave it (services already bound what they quote of the input,
// lib/base/text.h) and JSON-escaped.
std::string ErrorBody(const absl::Status& status);

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_HTTP_STATUS_H_
