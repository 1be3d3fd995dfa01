// The Holdfast gRPC server: owns the services and the grpc::Server.
//
//   HoldfastServer::Options options;
//   options.listen_address = "127.0.0.1:0";
//   auto server = HoldfastServer::BuildAndStart(options, deps);
//   ... (*server)->port() ...
//   (*server)->Shutdown();
//
// Thread-safety: Shutdown() may be called from any thread, once or more.
#ifndef HOLDFAST_SERVER_SERVER_H_
#define HOLDFAST_SERVER_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/service_type.h>
#include <grpcpp/support/server_interceptor.h>

#include "absl/status/statusor.h"
#include "lib/base/clock.h"
#include "server/config_holder.h"
#include "server/config_manager.h"
#include "server/entry_recorder.h"
#include "server/write_budget.h"

namespace holdfast::server {

class HoldfastServer {
 public:
  struct Options {
    // host:port to listen on; port 0 picks a free port. Default loopback only.
    std::string listen_address = "127.0.0.1:50051";
    // Largest request message in bytes. Default 64 MiB (a 10,000-unit batch
    // with 256-byte ids is ~2.6 MiB; import streams carry bigger messages).
    int max_receive_message_bytes = 64 << 20;
    // Enable gRPC server reflection (grpcurl, grpc_cli). Default on.
    bool enable_reflection = true;
    // Credentials of the listening port (TLS, token check: server/grpc_auth.h).
    // Default null: plaintext and open, for loopback.
    std::shared_ptr<grpc::ServerCredentials> credentials;
    // gRPC's own memory quota (grpc::ResourceQuota) in bytes: bounds what
    // the transport buffers off the wire before a handler runs. 0: gRPC's
    // default (no explicit bound). See docs/operations.md, "Memory bound".
    int64_t grpc_memory_quota_bytes = 0;
  };

  // What the services run on. Pointers must outlive the server; only
  // `configs` and `clock` are required.
  struct Dependencies {
    const ConfigHolder* configs = nullptr;
    const Clock* clock = nullptr;
    EntryRecorder* entries = nullptr;
    ConfigManager* config_manager = nullptr;
    // Bounds the bytes of recording Assign/BatchAssign calls in flight;
    // null: unbounded.
    WriteBudget* write_budget = nullptr;
    // Extra services (events, reports) registered as they are; the server
    // takes ownership.
    std::vector<std::unique_ptr<grpc::Service>> extra_services;
    // Interceptors run on every call (metrics, access log); none by default.
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  };

  // Builds the services and starts listening. UNAVAILABLE when the address
  // cannot be bound, including when another process already listens on it
  // (SO_REUSEPORT is off, so two servers never split one port's clients).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<HoldfastServer>> BuildAndStart(
      const Options& options, Dependencies deps);

  ~HoldfastServer();

  // The bound port (useful with port 0).
  int port() const { return port_; }
  // An in-process channel to this server (for tests, benchmarks and the
  // HTTP endpoint). Calls on it bypass the listening port's credentials.
  std::shared_ptr<grpc::Channel> InProcessChannel();
  std::shared_ptr<grpc::Channel> InProcessChannel(const grpc::ChannelArguments& args);
  // Stops accepting calls and waits (up to 5 s) for in-flight ones.
  void Shutdown();
  // Blocks until Shutdown() has been called and the server stopped.
  void Wait();

 private:
  HoldfastServer() = default;

  std::vector<std::unique_ptr<grpc::Service>> services_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_SERVER_H_
