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
#include "server/event_log.h"
#include "server/server.h"

namespace holdfast::server {

struct DaemonOptions {
  // Config file or directory. Required.
  std::string config_path;
  // host:port; port 0 picks a free one. Default loopback only.
  std::string listen_address = "127.0.0.1:50051";
  // SQLite store, created on first start.
  std::string db_path = "./holdfast.db";
  // synchronous=FULL (survives power loss) instead of NORMAL (survives kill -9).
  bool sync_full = false;
  // Records waiting for commit before writes answer RESOURCE_EXHAUSTED.
  int max_pending_records = 200000;
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
  // Reloads from the configured path; returns a one-line summary.
  absl::StatusOr<std::string> ReloadFromSignal();
  void Shutdown();

 private:
  struct Impl;
  HoldfastDaemon() = default;

  DaemonOptions options_;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<ConfigHolder> configs_;
  std::unique_ptr<ConfigManagerImpl> config_manager_;
  std::unique_ptr<HoldfastServer> server_;
};

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_HOLDFAST_DAEMON_H_
