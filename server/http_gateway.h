// holdfastd's HTTP/JSON endpoint (--http_listen) for journey engines that
// can only make HTTP calls (webhooks, Braze Connected Content). Each route
// (server/http_routes.h) parses its body with protobuf's JSON mapping into
// the request message of one gRPC method and calls that method on the
// server's in-process channel, so HTTP gets the very validation, write
// budget, store path, metrics and codes of gRPC, and no service logic is
// written twice. The HTTP side adds only what HTTP needs: the token check
// (in-process calls bypass gRPC's transport credentials, so it is made here
// with the same Authorizer and role table), body limits, the status mapping
// (server/http_status.h), and per-request metrics and access log lines.
//
//   HttpGateway::Options options;
//   options.listen_address = "127.0.0.1:0";
//   HttpGateway::Dependencies deps;
//   deps.channel = server->InProcessChannel(HttpGateway::ChannelArguments());
//   auto gateway = HttpGateway::Start(options, std::move(deps));
//   ... (*gateway)->port() ...
//
// Built on Debian's cpp-httplib (a blocking thread-per-connection server):
// a fixed pool of workers, a bounded accept queue, read/write/keep-alive
// timeouts, so neither slow clients nor many clients grow memory.
//
// Thread-safety: Shutdown() may be called from any thread, once or more.
#ifndef HOLDFAST_SERVER_HTTP_GATEWAY_H_
#define HOLDFAST_SERVER_HTTP_GATEWAY_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include <grpcpp/channel.h>
#include <grpcpp/support/channel_arguments.h>

#include "absl/status/statusor.h"
#include "server/authorizer.h"
#include "server/event_log.h"
#include "server/server_metrics.h"
#include "server/write_budget.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace holdfast::server {

class HttpGateway {
 public:
  struct Options {
    // host:port (IPv6 as [::1]:port); port 0 picks a free port. Required.
    std::string listen_address;
    // Largest request body in bytes, with Content-Length or chunked; larger
    // ones answer 413. Default 16 MiB (a 10,000-unit batch of 256-byte ids
    // is ~2.7 MiB of JSON).
    int64_t max_body_bytes = 16 << 20;
    // Worker threads, each serving one connection at a time. Default 8.
    int threads = 8;
    // Accepted connections waiting for a worker before accepting pauses
    // (more wait in the kernel's backlog). Default 64.
    int max_queued_connections = 64;
    // Seconds one read or write on a connection may stall before it is
    // closed. Default 5.
    int io_timeout_seconds = 5;
    // Seconds an idle keep-alive connection holds its worker, and requests
    // served on one connection before it is closed. Defaults 2 and 100.
    int keep_alive_seconds = 2;
    int keep_alive_max_requests = 100;
    // Deadline of the gRPC call behind each request, in ms; past it the
    // request answers 504. Default 10,000.
    int call_deadline_ms = 10000;
    // PEM files: with cert and key the endpoint speaks only HTTPS (TLS 1.2
    // or later); with client_ca too, client certificates signed by it are
    // mandatory. A TLS set-up the endpoint cannot load refuses to start,
    // never falls back to plaintext. Default: plaintext.
    std::string tls_cert_path;
    std::string tls_key_path;
    std::string tls_client_ca_path;
  };

  struct Dependencies {
    // The server's in-process channel, made with ChannelArguments(). Required.
    std::shared_ptr<grpc::Channel> channel;
    // The token check; null: open (loopback only, as for gRPC).
    const Authorizer* authorizer = nullptr;
    // Request bodies are held against it while a request is served (the
    // gRPC call behind it then leases its own bytes); null: unbounded.
    WriteBudget* write_budget = nullptr;
    // holdfast_http_* series; null: none.
    ServerMetrics* metrics = nullptr;
    // One "http" line per request (sampled like the gRPC access log); null:
    // none.
    EventLog* access_log = nullptr;
    // Share of successful requests logged, in [0, 1]; failures always are.
    double access_log_sample = 1.0;
  };

  // Binds and starts serving. UNAVAILABLE when the address cannot be bound
  // (including one another process listens on); INVALID_ARGUMENT for a bad
  // address, bad options or TLS files the endpoint cannot load.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<HttpGateway>> Start(const Options& options,
                                                                          Dependencies deps);
  // Arguments for the in-process channel: no message size limit of its own
  // (the server's and the body limit already bound requests; a 10,000-unit
  // answer passes gRPC's 4 MiB client default only by luck).
  static grpc::ChannelArguments ChannelArguments();

  ~HttpGateway();

  // The bound port (useful with port 0).
  int port() const { return port_; }
  // True when the endpoint speaks HTTPS.
  bool tls() const { return tls_; }
  // Stops accepting, finishes the requests in progress and joins the workers.
  void Shutdown();

 private:
  class Handlers;
  HttpGateway();

  std::unique_ptr<Handlers> handlers_;
  std::unique_ptr<httplib::Server> http_;
  std::thread listener_;
  std::atomic<bool> listening_done_{false};
  int port_ = 0;
  bool tls_ = false;
};

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_HTTP_GATEWAY_H_
