// The composition root of holdfastd: loads the config, opens the store, wires
// the services and runs the gRPC server. main.cc only maps flags to
// DaemonOptions and forwards signals.
//
// Thread-safety: ReloadFromSignal() and Shutdown() may be called from any thread.
#ifndef HOLDFAST_SERVER_HOLDFAST_DAEMON_H_
#define HOLDFAST_SERVER_HOLDFAST_DAEMON_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/config_holder.h"
#include "server/config_manager_impl.h"
#include "server/daemon_security.h"
#include "server/event_log.h"
#include "server/server.h"

namespace holdfast::server {

struct DaemonOptions {
  // Config file or directory. Required.
  std::string config_path;
  // host:port; port 0 picks a free one. Default loopback only.
  std::string listen_address = "127.0.0.1:50051";
  // Store URI (Store::Open): a path or sqlite:PATH, or postgresql://... for
  // a database shared with other replicas.
  std::string db_path = "./holdfast.db";
  // Names this server in the config history it records (shared by every
  // replica on one store); at most 256 bytes. holdfastd's default is the host
  // name.
  std::string replica_id;
  // synchronous=FULL (survives power loss) instead of NORMAL (survives kill -9).
  bool sync_full = false;
  // Records waiting for commit before writes answer RESOURCE_EXHAUSTED.
  int max_pending_records = 200000;
  // PostgreSQL store: writer connections (PostgresStoreOptions::writer_connections).
  int pg_writers = 2;
  // PostgreSQL: connections per report's entry stream (StoreOptions::
  // pg_report_connections).
  int pg_report_connections = 2;
  // TLS, tokens and the listen policy (server/daemon_security.h).
  SecurityOptions security;
  // Estimated bytes held by writes in flight (parsed requests, copied rows,
  // answers) before writes answer RESOURCE_EXHAUSTED. Default 256 MiB.
  int64_t max_pending_bytes = 256LL << 20;
  // Threads that run reports (never gRPC's callback threads), at a lower
  // CPU priority than decisions. Default 2.
  int report_threads = 2;
  // Reports waiting for a report thread before more answer
  // RESOURCE_EXHAUSTED. Default 32.
  int max_queued_reports = 32;
  // Lift reports sum the entries into cells inside the database
  // (docs/storage.md, "Aggregates") wherever they need no per-entry data,
  // instead of streaming every entry to this process. Default false.
  bool report_analysis_in_database = false;
  // gRPC's transport memory quota in bytes (0: gRPC's default).
  int64_t grpc_memory_quota_bytes = 0;
  // Accept an existing file that is not a Holdfast store (0 bytes, or an
  // SQLite database without the schema) and create the store in it.
  bool init_store = false;
  // Test hook: while this file exists, every store write waits (a stalled
  // writer for overload tests). Empty: off.
  std::string test_stall_writes_while;
  // host:port serving Prometheus /metrics; empty (default): no metrics.
  std::string metrics_listen;
  // Where start-up, reload, shutdown and error events and the access log go;
  // not owned; null: no log.
  EventLog* log = nullptr;
  // Share of successful RPCs in the access log, in [0, 1]; 0 (default): no
  // access log. Failed RPCs are logged whenever it is above 0.
  double access_log_sample = 0.0;
  // The build's version, for holdfast_build_info.
  std::string version;
  // host:port of the HTTP/JSON endpoint (server/http_gateway.h), under the
  // same listen policy, tokens and TLS as gRPC; empty (default): off.
  std::string http_listen;
  // Its worker threads and largest request body in bytes.
  int http_threads = 8;
  int64_t http_max_body_bytes = 16 << 20;
};

class HoldfastDaemon {
 public:
  // Loads the config (INVALID_ARGUMENT with every error when it is bad),
  // opens the store and starts serving.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<HoldfastDaemon>> Start(const DaemonOptions& options);
  ~HoldfastDaemon();

  int port() const { return server_->port(); }
  std::string listen_host() const;
  std::string serving_version() const { return configs_->Get()->version(); }
  // The /metrics port, 0 without --metrics_listen.
  int metrics_port() const;
  // The HTTP/JSON port, 0 without --http_listen.
  int http_port() const;
  // Reloads from the configured path; returns a one-line summary.
  absl::StatusOr<std::string> ReloadFromSignal();
  // Re-reads the --auth_tokens file (the old tokens stay on error).
  absl::StatusOr<std::string> ReloadTokens() { return security_->ReloadTokens(); }
  bool has_tokens() const { return !options_.security.auth_tokens_path.empty(); }
  // "TLS, tokens: 3" and the like, for the start-up log.
  std::string security_description() const { return security_->Describe(); }
  void Shutdown();

 private:
  struct Impl;
  HoldfastDaemon() = default;

  DaemonOptions options_;
  // Declared before server_ so it outlives it: the token check uses it.
  std::unique_ptr<DaemonSecurity> security_;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<ConfigHolder> configs_;
  std::unique_ptr<ConfigManagerImpl> config_manager_;
  std::unique_ptr<HoldfastServer> server_;
};

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_HOLDFAST_DAEMON_H_
