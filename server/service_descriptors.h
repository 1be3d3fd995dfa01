// The descriptors of every Holdfast gRPC service, from the generated pool.
//
// Server reflection (grpcurl, grpc_cli, ProtoReflectionDescriptorDatabase)
// answers from the generated descriptor pool, which holds only the .proto
// files whose generated code is linked in. The service protos' own .pb.cc
// (their file descriptors) is referenced by nothing else — the stubs use
// method names only — so the static linker dropped it and reflection said
// "Symbol not found" for every holdfast.v1.*Service. This file references
// those descriptors, which links them into every binary with a server.
#ifndef HOLDFAST_SERVER_SERVICE_DESCRIPTORS_H_
#define HOLDFAST_SERVER_SERVICE_DESCRIPTORS_H_

#include <vector>

#include <google/protobuf/descriptor.h>

#include "absl/status/statusor.h"

namespace holdfast::server {

// The four services (assignment, events, reports, admin) in that order;
// INTERNAL if one is missing from the pool, which would break reflection.
[[nodiscard]] absl::StatusOr<std::vector<const google::protobuf::ServiceDescriptor*>> HoldfastServiceDescriptors();

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_SERVICE_DESCRIPTORS_H_
