// A gRPC server interceptor that feeds the metrics (server/server_metrics.h)
// and the access log (server/event_log.h) for every RPC: method, status
// code, latency, peer and the caller's x-request-id. Installed only when
// metrics or the access log are on, so with both off calls pay nothing.
//
// The access log never writes request or response bodies, metadata other
// than x-request-id, tokens or customer attributes.
#ifndef HOLDFAST_SERVER_RPC_INTERCEPTOR_H_
#define HOLDFAST_SERVER_RPC_INTERCEPTOR_H_

#include <memory>
#include <string>

#include <grpcpp/support/server_interceptor.h>

#include "absl/strings/string_view.h"

#include "server/event_log.h"
#include "server/server_metrics.h"

namespace holdfast::server {

struct RpcObserverOptions {
  // Not owned; null: no metrics.
  ServerMetrics* metrics = nullptr;
  // Not owned; null: no access log.
  EventLog* access_log = nullptr;
  // Share of successful calls written to the access log, in [0, 1]. Failed
  // calls are always written when the access log is on. Default 1.
  double access_log_sample = 1.0;
};

// The caller's request id as the logs write it: at most 64 bytes of
// printable ASCII (others become '_'), so a hostile value can neither bloat
// nor split a log line, and it is a valid gRPC metadata value.
std::string SafeRequestId(absl::string_view value);

// True for a share `share` of calls, at random (the access log's sampling).
bool SampleAccessLog(double share);

// The factory to pass to ServerBuilder::experimental().SetInterceptorCreators.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeRpcObserverFactory(
    const RpcObserverOptions& options);

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_RPC_INTERCEPTOR_H_
