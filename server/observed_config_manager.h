// A ConfigManager that logs and counts every reload (RPC or SIGHUP) around
// the one that does the work: one "reload" or "reload_rejected" event line
// and holdfast_config_reloads_total{outcome}.
//
// Thread-safety: as the wrapped manager's.
#ifndef HOLDFAST_SERVER_OBSERVED_CONFIG_MANAGER_H_
#define HOLDFAST_SERVER_OBSERVED_CONFIG_MANAGER_H_

#include <string>
#include <vector>

#include "server/config_manager.h"
#include "server/event_log.h"
#include "server/server_metrics.h"

namespace holdfast::server {

class ObservedConfigManager final : public ConfigManager {
 public:
  // Pointers not owned; `metrics` and `log` may be null.
  ObservedConfigManager(ConfigManager* inner, ServerMetrics* metrics, EventLog* log)
      : inner_(inner), metrics_(metrics), log_(log) {}

  absl::StatusOr<holdfast::v1::ReloadConfigResponse> Reload(const std::string& path) override {
    return Reload(path, "rpc");
  }
  // `trigger` ("rpc", "SIGHUP") goes into the log line.
  absl::StatusOr<holdfast::v1::ReloadConfigResponse> Reload(const std::string& path, const std::string& trigger) {
    absl::StatusOr<holdfast::v1::ReloadConfigResponse> r = inner_->Reload(path);
    if (metrics_ != nullptr) metrics_->CountReload(!r.ok() ? "rejected" : r->changed() ? "changed" : "unchanged");
    if (log_ != nullptr) {
      if (r.ok()) {
        log_->Log("INFO", "reload", {{"trigger", trigger},
                                     {"changed", r->changed() ? "true" : "false"},
                                     {"serving", r->serving().version()}});
      } else {
        // The errors name files and lines of the config, never request data.
        log_->Log("WARN", "reload_rejected", {{"trigger", trigger}, {"error", std::string(r.status().message())}});
      }
    }
    return r;
  }
  absl::StatusOr<std::vector<holdfast::v1::ConfigVersion>> History(int limit) override {
    return inner_->History(limit);
  }

 private:
  ConfigManager* inner_;
  ServerMetrics* metrics_;
  EventLog* log_;
};

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_OBSERVED_CONFIG_MANAGER_H_
