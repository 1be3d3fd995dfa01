// The one place absl::Status becomes grpc::Status (codes map one to one).
#ifndef HOLDFAST_SERVER_GRPC_STATUS_UTIL_H_
#define HOLDFAST_SERVER_GRPC_STATUS_UTIL_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace holdfast::server {

inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_GRPC_STATUS_UTIL_H_
