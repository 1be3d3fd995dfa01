// C++ client for a Holdfast server: one object per server, safe to share
// between threads (gRPC channels and stubs are thread-safe).
//
//   auto client = holdfast::client::HoldfastClient::Connect("127.0.0.1:50051");
//   holdfast::v1::AssignRequest req;
//   req.set_journey("cart_abandon");
//   req.set_unit("cust-42");
//   absl::StatusOr<holdfast::v1::AssignResponse> resp = client->Assign(req);
#ifndef HOLDFAST_CLIENT_HOLDFAST_CLIENT_H_
#define HOLDFAST_CLIENT_HOLDFAST_CLIENT_H_

#include <chrono>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "holdfast/v1/admin_service.grpc.pb.h"
#include "holdfast/v1/assignment_service.grpc.pb.h"
#include "holdfast/v1/event_service.grpc.pb.h"
#include "holdfast/v1/report_service.grpc.pb.h"

namespace holdfast::client {

// grpc::Status → absl::Status, keeping code and message.
absl::Status FromGrpcStatus(const grpc::Status& status);

// How to reach a server that uses TLS and tokens (docs/security.md).
struct ConnectionOptions {
  // PEM CA bundle the server certificate must chain to. Non-empty: TLS.
  std::string tls_ca_pem;
  // PEM client certificate chain and its key, for a server that requires
  // client certificates (mTLS); both or neither. Non-empty also means TLS.
  std::string tls_cert_pem;
  std::string tls_key_pem;
  // Bearer token sent as `authorization: Bearer TOKEN` on every call made on
  // the channel (client/connection_options.h reads it). Empty: none.
  std::string token;
};

class HoldfastClient {
 public:
  // Connects lazily (the first call dials). `address` is host:port.
  static std::unique_ptr<HoldfastClient> Connect(const std::string& address);
  // The same with TLS and/or a token; every call on channel() carries them.
  static std::unique_ptr<HoldfastClient> Connect(const std::string& address,
                                                 const ConnectionOptions& options);
  // Wraps an existing channel (e.g. a server's in-process channel).
  explicit HoldfastClient(std::shared_ptr<grpc::Channel> channel);

  // Per-call deadline. Default 30 s.
  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }

  absl::StatusOr<holdfast::v1::AssignResponse> Assign(const holdfast::v1::AssignRequest& request);
  absl::StatusOr<holdfast::v1::BatchAssignResponse> BatchAssign(
      const holdfast::v1::BatchAssignRequest& request);
  absl::StatusOr<holdfast::v1::ListJourneysResponse> ListJourneys();
  absl::StatusOr<holdfast::v1::GetJourneyResponse> GetJourney(const std::string& journey);
  absl::Status Ping();
  absl::StatusOr<holdfast::v1::ReloadConfigResponse> ReloadConfig(const std::string& path);
  absl::StatusOr<holdfast::v1::ConfigHistoryResponse> ConfigHistory(int limit);

  // Stubs for calls without a wrapper (streams, reports).
  holdfast::v1::AssignmentService::Stub* assignment() { return assignment_.get(); }
  holdfast::v1::EventService::Stub* events() { return events_.get(); }
  holdfast::v1::ReportService::Stub* reports() { return reports_.get(); }
  holdfast::v1::AdminService::Stub* admin() { return admin_.get(); }
  // A context with this client's deadline set.
  std::unique_ptr<grpc::ClientContext> NewContext() const;
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<holdfast::v1::AssignmentService::Stub> assignment_;
  std::unique_ptr<holdfast::v1::EventService::Stub> events_;
  std::unique_ptr<holdfast::v1::ReportService::Stub> reports_;
  std::unique_ptr<holdfast::v1::AdminService::Stub> admin_;
  std::chrono::milliseconds timeout_{30000};
};

}  // namespace holdfast::client

#endif  // HOLDFAST_CLIENT_HOLDFAST_CLIENT_H_
