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
  // synchronous=FULL (survives power loss) instead of NORMAL (survives kill -9).
  bool sync_full = false;
  // Records waiting for commit before writes answer RESOURCE_EXHAUSTED.
  int max_pending_records = 200000;
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
